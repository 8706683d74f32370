"""What the site-boilerplate stage learned, kept across runs: ``OUT/_state/site_lines/``.

Each committed run adds one small Parquet file (``SITE_STATE_SCHEMA``): per source, the lines
that recurred in at least two of its articles in that run with how many carried them, and one
row per source (``fingerprint`` null) with its number of articles. The file is one of the run's
committed files, listed by its manifest: it becomes visible with the run, and a re-run of the
same run id replaces it (nothing is counted twice). A run reads the files of the last
``site_boilerplate.lookback_runs`` committed runs, and its commit deletes the state files of
older runs (their manifests keep the rows they counted), so the state is bounded by
lookback_runs x sources x ``lines_per_source``.
"""
import logging
import uuid
from typing import Iterable, Iterator, List, Optional

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from schemas.layout import SITE_LINES, join, part_file_name
from transforms.sinks.commit_protocol import listed_paths, read_manifests

__all__ = ["SITE_STATE_SCHEMA", "site_state_files", "read_state_rows", "state_table", "write_state_file",
           "prune_site_state"]

SITE_STATE_SCHEMA = pa.schema([("source", pa.string()), ("fingerprint", pa.int64()), ("count", pa.int64()),
                               ("line", pa.string())])
_LOGGER = logging.getLogger(__name__)


def _by_start(manifests: dict, run_id: Optional[str]) -> List[dict]:
    """Committed manifests other than ``run_id``'s, oldest first."""
    ordered = sorted((m.get("started_at") or "", rid) for rid, m in manifests.items() if rid != run_id)
    return [manifests[rid] for _, rid in ordered]


def _state_paths(output: str, manifests: Iterable[dict]) -> List[str]:
    return [join(output, path) for m in manifests for path in listed_paths(m) if path.startswith(SITE_LINES + "/")]


def site_state_files(output: str, run_id: str, lookback_runs: int, manifests: Optional[dict] = None) -> List[str]:
    """The state files of the last ``lookback_runs`` committed runs other than ``run_id``
    (ordered by when they started) that still exist."""
    manifests = read_manifests(output) if manifests is None else manifests
    chosen = _by_start(manifests, run_id)[-lookback_runs:] if lookback_runs else []
    return [path for path in _state_paths(output, chosen) if FileSystems.exists(path)]


def prune_site_state(output: str, keep_runs: int) -> int:
    """Delete the state files of committed runs older than the last ``keep_runs`` -> how many."""
    ordered = _by_start(read_manifests(output), None)
    old = [path for path in _state_paths(output, ordered[:max(len(ordered) - keep_runs, 0)])
           if FileSystems.exists(path)]
    if old:
        FileSystems.delete(old)
    return len(old)


def read_state_rows(path: str) -> Iterator[dict]:
    """The rows of one state file; an unreadable file adds nothing (one warning)."""
    try:
        with FileSystems.open(path) as handle:
            table = pq.read_table(handle).select(SITE_STATE_SCHEMA.names).cast(SITE_STATE_SCHEMA)
    except (pa.ArrowException, OSError, ValueError, KeyError) as err:
        _LOGGER.warning("skipping unreadable site-boilerplate state %s: %s", path, err)
        return
    yield from table.to_pylist()


def state_table(rows: Iterable[dict], lines_per_source: int) -> pa.Table:
    """A run's state rows as a table: every source's article count, and per source its
    ``lines_per_source`` most repeated lines (ties: by fingerprint, so the file is deterministic)."""
    rows = list(rows)
    counts = [row for row in rows if row["fingerprint"] is None]
    lines = sorted((row for row in rows if row["fingerprint"] is not None),
                   key=lambda row: (row["source"], -row["count"], row["fingerprint"]))
    kept, per_source = [], {}
    for row in lines:
        per_source[row["source"]] = per_source.get(row["source"], 0) + 1
        if per_source[row["source"]] <= lines_per_source:
            kept.append(row)
    return pa.Table.from_pylist(sorted(counts, key=lambda row: row["source"]) + kept, SITE_STATE_SCHEMA)


def write_state_file(temp_dir: str, run_id: str, table: pa.Table) -> dict:
    """Write the run's state file into the temp folder -> its description for the commit."""
    name = part_file_name(run_id, uuid.uuid4().hex[:12])
    temp_path = join(temp_dir, "site_lines", name)
    with FileSystems.create(temp_path) as handle:
        pq.write_table(table, handle, compression="zstd")
    size = FileSystems.match([temp_path])[0].metadata_list[0].size_in_bytes
    return {"kind": SITE_LINES, "temp_path": temp_path, "path": f"{SITE_LINES}/{name}", "rows": table.num_rows,
            "bytes": size, "partition": {}, "linked": 0}
