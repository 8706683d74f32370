"""Where things live under the output root (pure path logic, no I/O).

    OUT/articles/dt=YYYY-MM-DD/source=SITE/part-RUNID-SHARD.parquet
    OUT/rejected/dt=YYYY-MM-DD/part-RUNID-SHARD.parquet
    OUT/duplicates/dt=YYYY-MM-DD/part-RUNID-SHARD.parquet   (every dropped copy)
    OUT/_runs/RUNID.json
    OUT/_state/site_lines/part-RUNID-SHARD.parquet  (a run's learned line counts, listed by its manifest)
    OUT/_tmp/RUNID-ATTEMPT/...        (in-flight files, moved into place at commit)
"""
from typing import Iterable, Sequence, Tuple

ARTICLES = "articles"
REJECTED = "rejected"
DUPLICATES = "duplicates"
COMMITTED_KINDS = (ARTICLES, REJECTED, DUPLICATES)
SITE_LINES = "_state/site_lines"  # committed with the run, but state, not data
UNDETERMINED = "und"


def join(root: str, *parts: str) -> str:
    """Join path parts with '/', for local paths and gs:// / s3:// URLs alike."""
    return "/".join([root.rstrip("/")] + [p.strip("/") for p in parts if p])


def partition_values(row: dict, dt: str, columns: Sequence[str]) -> Tuple[Tuple[str, str], ...]:
    """The ordered (key, value) hive pairs of one row; dt first."""
    values = [("dt", dt)]
    for column in columns:
        values.append((column, row.get(column) or UNDETERMINED))
    return tuple(values)


def partition_dir(kind: str, values: Iterable[Tuple[str, str]]) -> str:
    """``articles/dt=2024-01-02/source=example.com``."""
    return "/".join([kind] + [f"{key}={value}" for key, value in values])


SHARD_CHARS = 12  # hex characters of a file's random shard


def part_file_name(run_id: str, shard: str) -> str:
    return f"part-{run_id}-{shard}.parquet"


def temp_dir(root: str, run_id: str, attempt: str) -> str:
    return join(root, "_tmp", f"{run_id}-{attempt}")


def manifest_path(root: str, run_id: str) -> str:
    return join(root, "_runs", f"{run_id}.json")
