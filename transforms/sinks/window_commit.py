"""Per-window files and commits of an unbounded pipeline.

Rows are cut into fixed windows; each firing (pane) of a window writes its rows with the
batch path's ``PartitionWriter`` into ``OUT/_tmp/RUN-WINDOW[-pN]-w/`` and commits them with
the batch path's protocol (``commit_protocol.commit_files``) under the run id
``RUN-YYYYMMDDTHHMMSSZ`` (the window's start; ``-pN`` for a late pane N): unique file names,
temp-then-rename, a manifest per window, visible whole or not at all. A late item (behind
the watermark, within the allowed lateness) fires a late pane of its window and lands in that
window's partitions with a manifest of its own. A commit retried with the same files (a
runner retrying the bundle) commits once: the moves already made are not made again and the
manifest is rewritten the same. The manifest reconciles what the window committed:
``units = articles + duplicates + rejected`` (a stream has no end at which inputs are counted).
"""
import zlib
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone

import apache_beam as beam

from schemas.article import file_schema
from schemas.layout import DUPLICATES, REJECTED, temp_dir
from transforms.sinks.commit_protocol import commit_files
from transforms.sinks.manifest import build_manifest
from transforms.sinks.parquet_sink import PartitionWriter

__all__ = ["window_run_id", "WriteWindowFiles", "CommitWindows", "commit_window"]

SHARDS = 4  # groups a window's rows of one kind are written in


def window_run_id(base: str, window, pane_index: int) -> str:
    """``BASE-YYYYMMDDTHHMMSSZ`` of the window's start, ``-pN`` for its late pane N."""
    start = _utc(window.start).strftime("%Y%m%dT%H%M%SZ")
    return f"{base}-{start}" + (f"-p{pane_index}" if pane_index else "")


def stamp_row(row: dict, kind: str, run_id: str, now: datetime) -> dict:
    """The row with the window's run id (and, for duplicates, the time it was recorded)."""
    stamped = {**row, "run_id": run_id}
    if kind == DUPLICATES:
        stamped["recorded_at"] = now
    return stamped


class _WriteWindowFn(beam.DoFn):
    """(shard, rows) of one pane -> (run id, file description) for each file written."""

    def __init__(self, spec, base_run_id: str):
        self._spec, self._base = spec, base_run_id

    def process(self, element, window=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam):
        run_id = window_run_id(self._base, window, pane.index)
        spec = replace(self._spec, run_id=run_id, temp_dir=temp_dir(self._spec.output, run_id, "w"))
        writer, reasons, now = PartitionWriter(spec, file_schema(spec.schema, spec.columns)), Counter(), _now()
        closed = []
        for row in element[1]:
            if spec.kind == REJECTED:
                reasons[f"{row['stage']}/{row['reason']}"] += 1
            done = writer.add(stamp_row(row, spec.kind, run_id, now))
            closed += [done] if done is not None else []
        closed += writer.close()
        for number, description in enumerate(closed):
            yield run_id, {**description, "reasons": dict(reasons) if number == 0 else {}}


class WriteWindowFiles(beam.PTransform):
    """Windowed rows of one kind -> (window run id, file description)."""

    def __init__(self, spec, base_run_id: str):
        super().__init__()
        self._spec, self._base = spec, base_run_id

    def expand(self, rows):
        return (rows | "Shard" >> beam.Map(lambda row: (_shard(row), row))
                | "GroupPane" >> beam.GroupByKey()
                | "Write" >> beam.ParDo(_WriteWindowFn(self._spec, self._base)))


def _shard(row: dict) -> int:
    return zlib.crc32((row.get("id") or row.get("source_uri") or "").encode("utf-8")) % SHARDS


def commit_window(output: str, run_id: str, files: list, header: dict) -> dict:
    """Commit one window's files under ``run_id`` (idempotent); returns its manifest."""
    files = sorted(files, key=lambda f: f["path"])
    reasons = Counter()
    for item in files:
        reasons.update(item.get("reasons") or {})
    units = sum(item["rows"] for item in files)
    stats = {reason: {"count": count, "example": ""} for reason, count in reasons.items()}

    def manifest(replaced: int) -> dict:
        head = {**header, "run_id": run_id, "finished_at": _now().isoformat(), "replaced_files": replaced}
        return build_manifest(head, files, {"records": units}, stats)

    return commit_files(output, run_id, temp_dir(output, run_id, "w"), files, manifest, lambda: None)


class _CommitWindowFn(beam.DoFn):
    def __init__(self, output: str, header: dict):
        self._output, self._header = output, header

    def process(self, element, window=beam.DoFn.WindowParam):
        run_id, files = element
        started = _utc(window.start).isoformat()
        header = {**self._header, "started_at": started, "window": {"start": started, "end": _utc(window.end).isoformat()}}
        yield commit_window(self._output, run_id, list(files), header)


class CommitWindows(beam.PTransform):
    """(window run id, file description) -> each window pane's manifest, once its files are written."""

    def __init__(self, output: str, header: dict):
        super().__init__()
        self._output, self._header = output, header

    def expand(self, described):
        return (described | "GroupRun" >> beam.GroupByKey()
                | "Commit" >> beam.ParDo(_CommitWindowFn(self._output, self._header)))


def _utc(timestamp) -> datetime:
    """A Beam timestamp (a window's bound) as a UTC datetime."""
    return datetime.fromtimestamp(float(timestamp), tz=timezone.utc)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
