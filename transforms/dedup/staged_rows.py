"""Deduplicate on keys, not rows: the rows wait in temp Parquet while only their keys are compared.

Deduplication has to see every article before any is written, so the rows must wait
somewhere. A local runner holds every PCollection between stages in memory (the
DirectRunner, and the portable runner's embedded job server), so nothing that grows with
the input may travel between stages. Instead:

* ``StageRows`` streams each bundle's rows into a temp Parquet file (lz4) and, beside it,
  a *key file*: per row the values deduplication compares (``dedup_sql.KEY_SCHEMA``: id,
  hashes, date, word counts, how rich its metadata is), the partition it will be written
  to and its row number. Only one small description per staged file leaves the stage;
* ``DeduplicateStaged`` (transforms/dedup/deduplicate.py) decides out of core from the key files
  and writes, per staged file, the kept row numbers with their ``duplicate_of``;
* ``WriteKeptRows`` reads each staged file back one row group at a time beside its
  decisions (both in row order), takes the rows named and hands them as Arrow tables to
  ``parquet_sink.PartitionWriter``: the final files hold exactly the rows
  ``WriteParquetPartitions`` would write, never turned into Python dicts.

Rows are written twice (staged, then final) but never shuffled, and no stage holds more
than a row group and a batch of keys. Staged files live in the run's temp folder, which
``CommitRun`` removes. See docs/performance.md.
"""
import json
import uuid
from collections import defaultdict
from typing import Iterator, List, Optional, Tuple

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from transforms.dedup.rules import instant, richness
from transforms.dedup.dedup_sql import KEY_SCHEMA
from transforms.text.fingerprints import body_words
from transforms.text.site_lines import countable_lines
from schemas.layout import join
from transforms.sinks.parquet_sink import MIB, PartitionSpec, RowBuffer, WritePartitionsFn, row_bytes

__all__ = ["StageRows", "WriteKeptRows", "StagedFile", "key_row", "read_staged_rows", "partition_text", "ROWS", "KEYS",
           "LINES", "SOURCES", "LINE_SCHEMA"]

# A staged file's description: its rows, its keys, its countable lines, its articles per source.
ROWS, KEYS, LINES, SOURCES = "rows", "keys", "lines", "sources"
# Per article, each distinct line the site-boilerplate stage counts (transforms/text/site_lines.py).
LINE_SCHEMA = pa.schema([("staged_row", pa.int32()), ("source", pa.string()), ("fingerprint", pa.int64()),
                         ("line", pa.string())])
STAGED_ROW_GROUP_BYTES = 16 * MIB
STAGED_FILE_BYTES = 512 * MIB
KEY_BATCH_ROWS = 65_536


def partition_text(partition: tuple) -> str:
    """A partition's (key, value) pairs as one string, for the key file."""
    return json.dumps(partition)


def partition_of(text: str) -> tuple:
    return tuple(tuple(pair) for pair in json.loads(text))


def key_row(row: dict, number: int, partition: tuple) -> dict:
    """What deduplication reads of ``row`` (``dedup_sql.KEY_SCHEMA``): its keys, its date as an
    instant, how many body words its text has, how rich it is, where it waits and its partition."""
    return {"staged_row": number, "part": partition_text(partition), "id": row["id"],
            "content_hash": row["content_hash"], "simhash": row["simhash"],
            "published_at": instant(row.get("published_at")), "word_count": row.get("word_count"),
            "body_words": body_words(row.get("text") or ""), "richness": richness(row),
            "source_uri": row.get("source_uri"), "duplicate_of": row.get("duplicate_of")}


def line_rows(row: dict, number: int, max_line_words: int) -> List[dict]:
    """The lines file's rows for one article (``LINE_SCHEMA``)."""
    return [{"staged_row": number, "source": row["source"], "fingerprint": line.fingerprint, "line": line.text}
            for line in countable_lines(row.get("text") or "", max_line_words)]


def read_staged_rows(path: str) -> Iterator[dict]:
    """The rows of a staged file, in order, one row group in memory at a time."""
    for group in _row_groups(path):
        yield from group.to_pylist()


def _row_groups(path: str) -> Iterator[pa.Table]:
    with FileSystems.open(path) as handle:
        staged = pq.ParquetFile(handle)
        for group in range(staged.num_row_groups):
            yield staged.read_row_group(group)


def read_columns(path: str, columns) -> pa.Table:
    """``columns`` of a staged file (a key or lines file), all row groups."""
    with FileSystems.open(path) as handle:
        return pq.ParquetFile(handle).read(columns=columns)


def _decisions(path: str) -> Iterator[tuple]:
    """(row number, partition, duplicate_of) of the kept rows of one staged file, in row order."""
    for group in _row_groups(path):
        yield from zip(*(group.column(name).to_pylist() for name in ("staged_row", "part", "duplicate_of")))


def kept_rows(path: str, decisions: Iterator[tuple]) -> Iterator[Tuple[tuple, pa.Table]]:
    """(partition, rows) of the staged file ``path``: the rows ``decisions`` names (in row order),
    with the ``duplicate_of`` they say, grouped by partition; a row group at a time."""
    pending = next(decisions, None)
    first = 0
    for group in _row_groups(path):
        end = first + group.num_rows
        by_partition = defaultdict(list)
        while pending is not None and pending[0] < end:
            by_partition[pending[1]].append(pending)
            pending = next(decisions, None)
        for part, chosen in by_partition.items():
            rows = group.take(pa.array([number - first for number, _, _ in chosen], type=pa.int64()))
            links = pa.array([link for _, _, link in chosen], type=pa.string())
            column = rows.schema.get_field_index("duplicate_of")
            yield partition_of(part), rows.set_column(column, "duplicate_of", links)
        first = end


class StagedFile:
    """One temp Parquet file of a bundle, written a row group at a time, its key file and, when
    ``max_line_words`` is given, its lines file (for the site-boilerplate stage)."""

    def __init__(self, folder: str, spec: PartitionSpec, max_line_words: Optional[int] = None):
        name = uuid.uuid4().hex
        self.path, self.keys_path = join(folder, f"rows-{name}.parquet"), join(folder, f"keys-{name}.parquet")
        self._spec, self._max_line_words = spec, max_line_words
        self._rows = _ParquetStream(self.path, spec.schema)
        self._keys = _BatchedRows(self.keys_path, KEY_SCHEMA)
        self._lines = _BatchedRows(join(folder, f"lines-{name}.parquet"), LINE_SCHEMA) if max_line_words else None
        self._buffer = RowBuffer(spec.schema)
        self._sources = defaultdict(int)
        self.rows = self.written = 0

    def add(self, row: dict) -> None:
        self._keys.extend([key_row(row, self.rows, self._spec.values(row))])
        self._sources[row["source"]] += 1
        if self._lines is not None:
            self._lines.extend(line_rows(row, self.rows, self._max_line_words))
        self._buffer.add(row, row_bytes(row))
        if self._buffer.bytes >= STAGED_ROW_GROUP_BYTES:
            self._flush()
        self.rows += 1

    def _flush(self):
        written = self._buffer.bytes
        table = self._buffer.take()
        if table is not None:
            self._rows.write(table)
            self.written += written

    def close(self) -> dict:
        """Its description: where its rows, keys and lines are, and its articles per source."""
        self._flush()
        self._rows.close()
        lines = self._lines.close() if self._lines is not None else None
        return {ROWS: self.path, KEYS: self._keys.close(), LINES: lines, SOURCES: dict(self._sources)}


class _BatchedRows:
    """A Parquet file of small rows (keys, lines), written a batch of rows at a time."""

    def __init__(self, path: str, schema: pa.Schema):
        self.path, self._schema = path, schema
        self._stream = _ParquetStream(path, schema)
        self._batch: List[dict] = []

    def extend(self, rows: List[dict]) -> None:
        self._batch.extend(rows)
        if len(self._batch) >= KEY_BATCH_ROWS:
            self._write()

    def _write(self):
        if self._batch:
            self._stream.write(pa.Table.from_pylist(self._batch, self._schema))
            self._batch = []

    def close(self) -> str:
        self._write()
        self._stream.close()
        return self.path


class _ParquetStream:
    def __init__(self, path: str, schema: pa.Schema):
        self._handle = FileSystems.create(path)
        self._writer = pq.ParquetWriter(self._handle, schema, compression="lz4")

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table, row_group_size=table.num_rows)

    def close(self) -> None:
        self._writer.close()
        self._handle.close()


class _StageRowsFn(beam.DoFn):
    def __init__(self, folder: str, spec: PartitionSpec, max_line_words: Optional[int]):
        self._folder, self._spec, self._max_line_words = folder, spec, max_line_words
        self._file: Optional[StagedFile] = None

    def start_bundle(self):
        self._file = None

    def process(self, row):
        if self._file is not None and self._file.written >= STAGED_FILE_BYTES:
            yield self._file.close()
            self._file = None
        if self._file is None:
            self._file = StagedFile(self._folder, self._spec, self._max_line_words)
        self._file.add(row)

    def finish_bundle(self):
        if self._file is not None:
            yield WindowedValue(self._file.close(), MIN_TIMESTAMP, [GlobalWindow()])
            self._file = None


class StageRows(beam.PTransform):
    """Rows -> one description per staged file ({ROWS, KEYS, LINES: paths, SOURCES: articles per
    source}); the rows, their keys and (given ``max_line_words``) their countable lines wait in
    Parquet files under ``folder``.

    ``spec`` is the one the rows will be written with (``WriteKeptRows``): its schema for the
    staged files, its partition of each row for the key file."""

    def __init__(self, folder: str, spec: PartitionSpec, max_line_words: Optional[int] = None):
        super().__init__()
        self._folder, self._spec, self._max_line_words = folder, spec, max_line_words

    def expand(self, rows):
        return rows | "StageRows" >> beam.ParDo(_StageRowsFn(self._folder, self._spec, self._max_line_words))


class _WriteKeptRowsFn(WritePartitionsFn):
    """(staged rows file, its decisions file) -> the kept rows, as deduplication left them, into
    partition files. The rows stay Arrow tables from the staged file to the partition file."""

    def process(self, element):
        rows_path, decisions_path = element
        names = self._schema.names
        for partition, rows in kept_rows(rows_path, _decisions(decisions_path)):
            yield from self._writer.add_table(partition, rows.select(names))


class WriteKeptRows(beam.PTransform):
    """(staged rows file, decisions file) pairs -> descriptions of the partition files written
    (as ``WriteParquetPartitions``)."""

    def __init__(self, spec: PartitionSpec):
        super().__init__()
        self._spec = spec

    def expand(self, decided):
        return decided | "WriteKeptRows" >> beam.ParDo(_WriteKeptRowsFn(self._spec))
