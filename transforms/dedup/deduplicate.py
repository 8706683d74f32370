"""Deduplicate stage: one copy per article within a run and across runs, and
near-duplicates linked to their earliest copy (``duplicate_of``).

Every dropped copy leaves a record on ``OUT/duplicates/`` (its id, the id of the copy
kept, the reason, its source), counted in the manifest: ``duplicate_id`` /
``duplicate_content`` (within the run), ``seen_id`` / ``seen_content`` (already in the
dataset). Content hashes are compared only for texts with a real body (``content_min_words``).

The decisions are made out of core (``dedup_sql.DedupDecider``: DuckDB with a memory
limit, spilling to a local temp folder) from the key files ``StageRows`` wrote and the key
columns of the history files, in one step that sees them all. What leaves the step is a
decisions file per staged file, the duplicates' Parquet files and a count per reason:
memory stays bounded whatever the number of articles, on every runner. The price: one
worker decides, at DuckDB's pace (millions of keys a minute), while the work on the
articles themselves stays spread.
"""
import uuid
from typing import Iterator, List, Tuple

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam import pvalue
from apache_beam.io.filesystems import FileSystems

from schemas import file_schema
from transforms.dedup.dedup_sql import DedupDecider, DedupParams
from transforms.dedup.history import read_history_keys
from schemas.layout import join
from transforms.sinks.parquet_sink import PartitionSpec, PartitionWriter
from transforms.dedup.staged_rows import KEYS, ROWS

__all__ = ["DeduplicateStaged", "DUPLICATE_FILES", "DUPLICATE_COUNTS"]

DUPLICATE_FILES, DUPLICATE_COUNTS = "duplicate_files", "duplicate_counts"


def read_key_batches(path: str) -> Iterator[pa.RecordBatch]:
    with FileSystems.open(path) as handle:
        yield from pq.ParquetFile(handle).iter_batches()


def write_duplicates(batches, spec: PartitionSpec, stamp: dict) -> Iterator[dict]:
    """The duplicate records, stamped with the run, into partition files; their descriptions."""
    writer = PartitionWriter(spec, file_schema(spec.schema, spec.columns))
    for batch in batches:
        for record in batch.to_pylist():
            closed = writer.add({**record, **stamp})
            if closed is not None:
                yield closed
    yield from writer.close()


def _runs(numbers: np.ndarray) -> Iterator[Tuple[int, int, int]]:
    """(value, start, end) of each run of equal values in ``numbers``."""
    bounds = [0, *(np.flatnonzero(np.diff(numbers)) + 1).tolist(), len(numbers)]
    for start, end in zip(bounds, bounds[1:]):
        yield int(numbers[start]), start, end


class _DecisionFile:
    """The kept rows of one staged file: staged_row, part, duplicate_of, in row order."""

    def __init__(self, folder: str, schema: pa.Schema):
        self.path = join(folder, f"kept-{uuid.uuid4().hex}.parquet")
        self._handle = FileSystems.create(self.path)
        self._writer = pq.ParquetWriter(self._handle, schema)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> str:
        self._writer.close()
        self._handle.close()
        return self.path


def write_decisions(batches, staged: List[dict], folder: str) -> Iterator[Tuple[str, str]]:
    """Kept rows (in staged file and row order) -> one decisions file per staged file that keeps
    any; yields (staged rows file, decisions file)."""
    current, decisions = None, None
    for batch in batches:
        table = pa.Table.from_batches([batch])
        for number, start, end in _runs(table.column("staged_file").to_numpy()):
            if number != current:
                if decisions is not None:
                    yield staged[current][ROWS], decisions.close()
                current, decisions = number, _DecisionFile(folder, table.schema.remove(0))
            decisions.write(table.slice(start, end - start).drop_columns(["staged_file"]))
    if decisions is not None:
        yield staged[current][ROWS], decisions.close()


class _DecideFn(beam.DoFn):
    """All staged files' descriptions -> (rows file, decisions file) pairs; tagged: the
    duplicates' file descriptions and (``duplicate/<reason>``, count) pairs."""

    def __init__(self, params: DedupParams, history_paths, spec: PartitionSpec, stamp: dict, folder: str):
        self._params, self._history = params, list(history_paths)
        self._spec, self._stamp, self._folder = spec, stamp, folder

    def process(self, staged: List[dict]):
        if not staged:
            return
        with DedupDecider(self._params) as decider:
            for number, described in enumerate(staged):
                for batch in read_key_batches(described[KEYS]):
                    decider.add_current(batch, number)
            for path in self._history:
                table = read_history_keys(path)
                if table is not None:
                    decider.add_history(table)
            decider.decide()
            for reason, count in decider.reason_counts().items():
                yield pvalue.TaggedOutput(DUPLICATE_COUNTS, (f"duplicate/{reason}", count))
            for written in write_duplicates(decider.duplicate_batches(), self._spec, self._stamp):
                yield pvalue.TaggedOutput(DUPLICATE_FILES, written)
            yield from write_decisions(decider.kept_batches(), staged, self._folder)


class DeduplicateStaged(beam.PTransform):
    """Staged files' descriptions (``StageRows``) -> {"kept": (rows file, decisions file) for
    ``WriteKeptRows``, DUPLICATE_FILES: files written, DUPLICATE_COUNTS: (label, count)}."""

    def __init__(self, params: DedupParams, history_paths, spec: PartitionSpec, stamp: dict, folder: str):
        super().__init__()
        self._fn = _DecideFn(params, history_paths, spec, stamp, folder)

    def expand(self, staged):
        return (staged
                | "AllStagedFiles" >> beam.combiners.ToList()
                | "DecideDuplicates" >> beam.ParDo(self._fn).with_outputs(
                    DUPLICATE_FILES, DUPLICATE_COUNTS, main="kept"))
