"""``newsbeam replay DIR/rejected/...``: re-run rejected inputs through the current pipeline.

After a fix (a config change, a new rule pack, a new release), the rejected rows
named (a Parquet file, a folder or a glob under an output's ``rejected/``) are
run again as a new run, with a new run id, into the same output. Each row's raw
input is written back as a file whose name keeps its original format, under
``OUT/_replay/RUNID/`` mirroring the original path (kept: it is the replayed run's
input, and the articles' ``source_uri`` points at it). Per kind of row:

========================================  ==============================================
rejected row                              replayed as
========================================  ==============================================
a whole .txt/.html file (extract, clean)  its bytes, named like the original (decompressed)
a stored file rejected at read            its stored bytes, under the original name
a JSONL line                              a line of a ``.jsonl`` file named after its source
a file never read (raw empty: too_large,  the original file, re-read if it still exists
  read_error)
a feed entry (raw is the entry as JSON)   its feed, re-read (a saved file) or re-fetched (a
                                          URL): no input format takes a single entry; the
                                          entries already written are skipped as duplicates
a feed that could not be fetched          the feed URL, fetched again
a record over limits.max_record_mb        not replayed: its raw was cut at the limit;
                                          re-run its source file
========================================  ==============================================
"""
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Dict, Iterable, List, Optional

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipelines.errors import InputError
from pipelines.run.run_context import is_url, new_run_id
from transforms.sources.decode import COMPRESSION_SUFFIXES, detect_format
from transforms.errors import TOO_LARGE, RejectError
from transforms.sinks.commit_protocol import committed_paths
from schemas.layout import REJECTED, join

__all__ = ["ReplayPlan", "ReplayOutcome", "plan_replay", "rejected_files", "read_rejected_rows", "replay"]

REPLAY_DIR = "_replay"
COLUMNS = ["stage", "reason", "error", "source_uri", "raw", "run_id"]
_COMPRESSION = re.compile(r"\.(" + "|".join(COMPRESSION_SUFFIXES) + r")$", re.IGNORECASE)
_UNSAFE = re.compile(r"[^A-Za-z0-9._=+-]")
_GLOB = re.compile(r"[*?\[]")
# Flags replay sets itself: the inputs are the rejected rows, the output is theirs.
_OWN_FLAGS = ("--input", "--feed", "--output")

SKIP_TRUNCATED = "raw cut at limits.max_record_mb (too_large record): re-run its source file"
SKIP_NO_SOURCE = "raw not kept and the source file no longer exists"
SKIP_UNKNOWN = "unknown input format"


@dataclass
class ReplayPlan:
    """What to run again, decided from the rejected rows alone (pure)."""

    rows: int = 0
    files: Dict[str, bytes] = field(default_factory=dict)  # path under the replay folder -> bytes
    from_raw: int = 0  # rows whose raw input is in ``files``
    sources: List[str] = field(default_factory=list)  # original files to read again
    feeds: List[str] = field(default_factory=list)  # feed URLs to fetch again
    skipped: Counter = field(default_factory=Counter)  # why -> rows
    examples: Dict[str, str] = field(default_factory=dict)  # why -> one source_uri
    run_ids: List[str] = field(default_factory=list)

    def skip(self, why: str, source_uri: str) -> None:
        self.skipped[why] += 1
        self.examples.setdefault(why, source_uri)

    def add_source(self, uri: str) -> None:
        target = self.feeds if is_url(uri) else self.sources
        if uri not in target:
            target.append(uri)

    @property
    def empty(self) -> bool:
        return not (self.files or self.sources or self.feeds)


# --------------------------------------------------------------------------- names


def strip_compression(name: str) -> str:
    return _COMPRESSION.sub("", name)


def mirrored_path(source_uri: str, name: Optional[str] = None) -> str:
    """``/data/in/a.txt`` -> ``data/in/a.txt``; ``gs://b/x.jsonl`` -> ``gs/b/x.jsonl`` (path-safe parts)."""
    scheme, sep, rest = source_uri.partition("://")
    path = f"{scheme}/{rest}" if sep else source_uri
    parts = [_UNSAFE.sub("_", p) for p in path.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if name is not None:
        parts[-1:] = [_UNSAFE.sub("_", name)]
    return "/".join(parts) or "input"


def _unique(files: Dict[str, bytes], path: str, data: bytes) -> Optional[str]:
    """``path``, or ``dir/name.2.txt`` if another input already has that name; None if the same bytes do."""
    head, _, name = path.rpartition("/")
    stem, dot, suffix = name.partition(".")
    candidate, n = path, 1
    while candidate in files:
        if files[candidate] == data:
            return None
        n += 1
        candidate = f"{head}/{stem}.{n}{dot}{suffix}" if head else f"{stem}.{n}{dot}{suffix}"
    return candidate


# --------------------------------------------------------------------------- plan


def _unit_format(source_uri: str) -> Optional[str]:
    """The unit format of an extract/clean row: txt, html, jsonl, feed; None when unknown."""
    if is_url(source_uri):
        return "feed"  # units from a fetched feed are entries
    try:
        return detect_format(source_uri)[0]
    except RejectError:
        return None


def _is_truncated_record(row: dict) -> bool:
    """A JSONL line or feed entry over limits.max_record_mb: the read stage keeps only its first bytes."""
    return row["stage"] == "read" and row["reason"] == TOO_LARGE and bool(row["raw"]) \
        and row["error"].startswith("record of")


def plan_replay(rows: Iterable[dict]) -> ReplayPlan:
    """Decide, row by row, how each rejected input is run again (see the module docstring)."""
    plan, json_lines = ReplayPlan(), {}
    run_ids = set()
    for row in rows:
        plan.rows += 1
        run_ids.add(row["run_id"])
        uri, raw = row["source_uri"], bytes(row["raw"] or b"")
        if row["stage"] == "fetch":
            plan.add_source(uri)
        elif _is_truncated_record(row):
            plan.skip(SKIP_TRUNCATED, uri)
        elif row["stage"] == "read":
            if raw:
                _add_file(plan, mirrored_path(uri), raw)
            else:
                plan.add_source(uri)
        else:
            fmt = _unit_format(uri)
            if fmt in ("txt", "html", "csv", "tsv"):  # a CSV row: its header and its row
                _add_file(plan, mirrored_path(uri, strip_compression(uri.rsplit("/", 1)[-1])), raw)
            elif fmt == "jsonl":
                lines = json_lines.setdefault(mirrored_path(uri, strip_compression(uri.rsplit("/", 1)[-1])), [])
                if raw.strip() not in lines:
                    lines.append(raw.strip())
                plan.from_raw += 1
            elif fmt == "feed":
                plan.add_source(uri)
            else:
                plan.skip(SKIP_UNKNOWN, uri)
    for path, lines in json_lines.items():
        data = b"\n".join(lines) + b"\n"
        plan.files[_unique(plan.files, path, data) or path] = data
    plan.run_ids = sorted(run_ids)
    return plan


def _add_file(plan: ReplayPlan, path: str, data: bytes) -> None:
    plan.from_raw += 1
    target = _unique(plan.files, path, data)
    if target is not None:
        plan.files[target] = data


# --------------------------------------------------------------------------- rejected rows


def output_root(path: str) -> str:
    """The output root that holds ``path`` (the part before its last ``rejected`` folder)."""
    parts = path.rstrip("/").split("/")
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] == REJECTED:
            return "/".join(parts[:index]) or ("/" if index else ".")
    raise InputError(f"{path!r}: not under an output's {REJECTED}/ folder (replay takes OUT/{REJECTED}/...)")


def rejected_files(path: str) -> List[str]:
    """The committed Parquet files (listed by a run manifest) a file, folder or glob names;
    InputError when there are none."""
    if _GLOB.search(path):
        pattern = path
    elif path.endswith(".parquet"):
        pattern = path
    else:
        pattern = join(path, "**")
    try:
        found = FileSystems.match([pattern])[0].metadata_list
    except Exception as err:  # noqa: BLE001 - any filesystem failure is an input problem
        raise InputError(f"{path!r}: cannot be listed ({err})") from None
    root = output_root(path)
    listed = {_absolute(join(root, relative)) for relative in committed_paths(root, (REJECTED,))}
    files = sorted(m.path for m in found if m.path.endswith(".parquet") and _absolute(m.path) in listed)
    if not files:
        raise InputError(f"{path!r}: no committed rejected Parquet files there")
    return files


def _absolute(path: str) -> str:
    return path if "://" in path else os.path.abspath(path)


def read_rejected_rows(paths: Iterable[str], run_ids=(), reasons=()) -> List[dict]:
    """The rows of rejected files, optionally only those of some runs or reasons."""
    rows = []
    for path in paths:
        with FileSystems.open(path) as handle:
            table = pq.read_table(pa.BufferReader(handle.read()), columns=COLUMNS)
        for row in table.to_pylist():
            if run_ids and row["run_id"] not in run_ids:
                continue
            if reasons and row["reason"] not in reasons and f"{row['stage']}/{row['reason']}" not in reasons:
                continue
            rows.append(row)
    return rows


# --------------------------------------------------------------------------- run


@dataclass
class ReplayOutcome:
    plan: ReplayPlan
    manifest: dict
    folder: str
    missing: List[str]

    def describe(self) -> str:
        plan = self.plan
        lines = [f"newsbeam replay: {_plural(plan.rows, 'rejected row')} from {_plural(len(plan.run_ids), 'run')} "
                 f"-> new run {self.manifest['run_id']}"]
        if plan.files:
            lines.append(f"  {plan.from_raw} replayed from their raw input ({_plural(len(plan.files), 'file')} "
                         f"under {self.folder})")
        for source in plan.sources:
            if source not in self.missing:
                lines.append(f"  re-read {source}")
        for feed in plan.feeds:
            lines.append(f"  re-fetched {feed}")
        for why, count in plan.skipped.items():
            lines.append(f"  not replayed: {count} ({why}), e.g. {plan.examples[why]}")
        return "\n".join(lines)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class ReplayRequest:
    """What to replay: rejected Parquet (files, folders or globs), filtered by run and reason."""

    paths: List[str]
    from_runs: List[str] = field(default_factory=list)
    reasons: List[str] = field(default_factory=list)
    run_id: Optional[str] = None


def own_flags(argv) -> List[str]:
    """Run flags replay sets itself: the rejected rows are the input, their output the output."""
    return [a.split("=", 1)[0] for a in argv if a.split("=", 1)[0] in _OWN_FLAGS]


def _write_inputs(folder: str, files: Dict[str, bytes]) -> None:
    for relative, data in files.items():
        with FileSystems.create(join(folder, relative)) as handle:
            handle.write(data)


def replay(request: ReplayRequest, settings, options, progress=None) -> ReplayOutcome:
    """Replay the rejected rows ``request`` names as a new run with ``settings`` (their inputs,
    feeds, output and run id replaced); returns what was done and the manifest."""
    from pipelines.run.launch import run

    roots = {output_root(p) for p in request.paths}
    if len(roots) > 1:
        raise InputError(f"rejected rows of one output at a time, got {sorted(roots)}")
    root = roots.pop()
    files = [f for path in request.paths for f in rejected_files(path)]
    rows = read_rejected_rows(files, set(request.from_runs), set(request.reasons))
    if not rows:
        raise InputError(f"no rejected rows match in {len(files)} files")
    plan = plan_replay(rows)
    missing = [s for s in plan.sources if not FileSystems.exists(s)]
    for source in missing:
        plan.skip(SKIP_NO_SOURCE, source)
    if plan.empty or not (plan.files or plan.feeds or len(missing) < len(plan.sources)):
        raise InputError("nothing replayable: " + "; ".join(f"{n} rows: {why}" for why, n in plan.skipped.items()))
    run_id = request.run_id or f"replay-{new_run_id(datetime.now(timezone.utc))}"
    if run_id in plan.run_ids:
        raise InputError(f"--run-id {run_id!r} is a run being replayed: reusing it would replace that run's files")
    folder = join(root, REPLAY_DIR, run_id)
    _write_inputs(folder, plan.files)
    sources = [s for s in plan.sources if s not in missing]
    inputs = ([join(folder, "**")] if plan.files else []) + sources
    settings = replace(settings, inputs=tuple(inputs), feeds=tuple(plan.feeds), output=root, run_id=run_id)
    annotations = {"replay": {
        "of": list(request.paths), "rows": plan.rows, "from_runs": plan.run_ids, "from_raw": plan.from_raw,
        "inputs_folder": folder if plan.files else None, "sources_reread": sources,
        "feeds_refetched": plan.feeds, "not_replayed": dict(plan.skipped)}}
    manifest = run(settings, options, progress=progress, annotations=annotations)
    return ReplayOutcome(plan=plan, manifest=manifest, folder=folder, missing=missing)
