"""Deduplicate on keys, not rows: the rows wait in temp Parquet while only their keys move.

Deduplication has to see every article before any is written, so the rows must wait
somewhere. Passed through GroupByKeys they are shuffled once per dedup step, and a local
runner holds every PCollection between stages in memory (the DirectRunner, and the
portable runner's embedded job server), so memory grows with the input. Instead:

* ``StageRows`` streams each bundle's rows into temp Parquet files (lz4) and emits, per
  row, a *key record*: the values deduplication compares (``KEY_COLUMNS``), whether each
  descriptive field is filled (all ``dedup.richness`` looks at), and ``_staged`` = (file,
  row number); ~200 bytes instead of ~8 KB;
* deduplication runs on the key records, unchanged;
* ``FilterStagedRows`` groups the surviving key records by staged file, reads each file
  back one row group at a time, takes the rows named -- with the ``duplicate_of``
  deduplication set on their key record -- per partition (the key record carries it), and
  hands them as Arrow tables to ``parquet_sink.PartitionWriter``: the final files hold
  exactly the rows ``WriteParquetPartitions`` would write, never turned into Python dicts.

Rows are written twice (staged, then final) but never shuffled, and no stage holds more
than a bundle's row groups. Staged files live in the run's temp folder, which
``CommitRun`` removes. See docs/performance.md.
"""
import uuid
from collections import defaultdict
from typing import Dict, Iterator, Optional, Tuple

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from transforms.dedup import RICH_FIELDS, instant
from transforms.fingerprints import body_words
from transforms.layout import join
from transforms.parquet_sink import MIB, PartitionSpec, RowBuffer, WritePartitionsFn, row_bytes

__all__ = ["StageRows", "FilterStagedRows", "STAGED", "KEY_COLUMNS", "key_record", "read_staged_rows"]

STAGED = "_staged"
# What deduplication reads of a row (transforms/dedup.py): the values of the keys, and only
# whether the descriptive fields are filled (``richness``).
KEY_COLUMNS = ("id", "content_hash", "simhash", "published_at", "word_count", "source_uri", "duplicate_of")
FILLED_COLUMNS = tuple(field for field in RICH_FIELDS if field not in KEY_COLUMNS)
STAGED_ROW_GROUP_BYTES = 16 * MIB
STAGED_FILE_BYTES = 512 * MIB


def key_record(row: dict, path: str, number: int, partition: tuple = ()) -> dict:
    """What deduplication sees of ``row`` (its keys, which fields are filled, how many body
    words its text has), where it waits and the partition it will be written to."""
    record = {key: row.get(key) for key in KEY_COLUMNS}
    if record["published_at"] is not None:
        record["published_at"] = instant(record["published_at"])  # an int shuffles without pickling
    record.update((field, bool(row.get(field))) for field in FILLED_COLUMNS)
    record["body_words"] = body_words(row.get("text") or "")
    record[STAGED] = (path, number, partition)
    return record


def read_staged_rows(path: str) -> Iterator[dict]:
    """The rows of a staged file, in order, one row group in memory at a time."""
    for group in _staged_row_groups(path):
        yield from group.to_pylist()


def _staged_row_groups(path: str) -> Iterator[pa.Table]:
    with FileSystems.open(path) as handle:
        staged = pq.ParquetFile(handle)
        for group in range(staged.num_row_groups):
            yield staged.read_row_group(group)


def kept_rows(path: str, kept: Dict[int, Tuple[tuple, Optional[str]]]) -> Iterator[Tuple[tuple, pa.Table]]:
    """(partition, rows) of the staged file ``path``: the rows numbered in ``kept``, with the
    ``duplicate_of`` kept says, grouped by the partition kept names; a row group at a time."""
    first = 0
    for group in _staged_row_groups(path):
        by_partition = defaultdict(list)
        for number in range(first, first + group.num_rows):
            if number in kept:
                by_partition[kept[number][0]].append(number)
        for partition, numbers in by_partition.items():
            rows = group.take(pa.array([number - first for number in numbers], type=pa.int64()))
            links = pa.array([kept[number][1] for number in numbers], type=pa.string())
            yield partition, rows.set_column(rows.schema.get_field_index("duplicate_of"), "duplicate_of", links)
        first += group.num_rows


class _StagedFile:
    """One temp Parquet file of a bundle, written a row group at a time."""

    def __init__(self, folder: str, schema: pa.Schema):
        self.path = join(folder, f"rows-{uuid.uuid4().hex}.parquet")
        self._schema = schema
        self._handle = FileSystems.create(self.path)
        self._writer = pq.ParquetWriter(self._handle, schema, compression="lz4")
        self._buffer = RowBuffer(schema)
        self.rows = self.written = 0

    def add(self, row: dict) -> int:
        """Take ``row``; returns its row number in the file."""
        self._buffer.add(row, row_bytes(row))
        if self._buffer.bytes >= STAGED_ROW_GROUP_BYTES:
            self._flush()
        self.rows += 1
        return self.rows - 1

    def _flush(self):
        written = self._buffer.bytes
        table = self._buffer.take()
        if table is not None:
            self._writer.write_table(table, row_group_size=table.num_rows)
            self.written += written

    def close(self):
        self._flush()
        self._writer.close()
        self._handle.close()


class _StageRowsFn(beam.DoFn):
    def __init__(self, folder: str, spec: PartitionSpec):
        self._folder, self._spec = folder, spec
        self._file: Optional[_StagedFile] = None

    def start_bundle(self):
        self._file = None

    def process(self, row):
        if self._file is not None and self._file.written >= STAGED_FILE_BYTES:
            self._file.close()
            self._file = None
        if self._file is None:
            self._file = _StagedFile(self._folder, self._spec.schema)
        yield key_record(row, self._file.path, self._file.add(row), self._spec.values(row))

    def finish_bundle(self):
        if self._file is not None:
            self._file.close()
            self._file = None


class StageRows(beam.PTransform):
    """Rows -> key records; the rows themselves wait in Parquet files under ``folder``.

    ``spec`` is the one the rows will be written with (``FilterStagedRows``): its schema
    for the staged files, its partition of each row for the key record."""

    def __init__(self, folder: str, spec: PartitionSpec):
        super().__init__()
        self._folder, self._spec = folder, spec

    def expand(self, rows):
        return rows | "StageRows" >> beam.ParDo(_StageRowsFn(self._folder, self._spec))


def _by_staged_file(record: dict):
    return record[STAGED][0], record


class _WriteKeptRowsFn(WritePartitionsFn):
    """(staged file, its kept key records) -> the kept rows, as deduplication left them, into partition files.

    The rows stay Arrow tables from the staged file to the partition file (no Python dicts)."""

    def process(self, element):
        path, records = element
        kept = {record[STAGED][1]: (record[STAGED][2], record["duplicate_of"]) for record in records}
        names = self._schema.names
        for partition, rows in kept_rows(path, kept):
            yield from self._writer.add_table(partition, rows.select(names))


class FilterStagedRows(beam.PTransform):
    """Kept key records -> descriptions of the partition files written (as ``WriteParquetPartitions``)."""

    def __init__(self, spec: PartitionSpec):
        super().__init__()
        self._spec = spec

    def expand(self, records):
        return (records
                | "ByStagedFile" >> beam.Map(_by_staged_file)
                | "GroupByStagedFile" >> beam.GroupByKey()
                | "WriteKeptRows" >> beam.ParDo(_WriteKeptRowsFn(self._spec)))
