"""Sink stage: rows -> Parquet files in hive partitions, written to a temp
folder and moved into place by ``CommitRun`` once every file is complete.

Each bundle keeps one open file per partition and streams rows into it as row
groups, so memory stays bounded however large the bundle (on the multi-process
DirectRunner a bundle is a worker's whole share of the run):

* rows are buffered per partition and written as one row group when the buffer
  reaches ``row_group_bytes`` (estimated uncompressed size) or ``row_group_rows``;
* all buffers of a bundle together hold at most ``buffer_bytes``: past that, the
  largest buffer is written out early (a smaller row group, never more memory);
* a file is closed, and the next one started, at ``target_file_bytes`` written or
  ``max_rows_per_file`` rows, otherwise at the end of the bundle.

So a small run gives one file per partition and bundle, a large one files of
about ``target_file_bytes``. Files are zstd (by default) with low-cardinality
columns dictionary-encoded. File names carry the run id and a random shard, so no
two runs or retries collide. The layout choices are explained in docs/performance.md.
"""
import uuid
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from schemas import file_schema
from schemas.layout import SHARD_CHARS, join, part_file_name, partition_dir, partition_values
from transforms.process_exit import skip_final_collection

__all__ = ["PartitionSpec", "PartitionWriter", "RowBuffer", "WriteParquetPartitions", "WritePartitionsFn",
           "write_empty_file", "EMPTY_PARTITION",
           "parquet_options"]

MIB = 1 << 20
# Columns with few distinct values: dictionary pages make them small and fast to filter.
DICTIONARY_COLUMNS = ("source", "source_type", "language", "extractor", "run_id", "pipeline_version",
                      "stage", "reason", "topics.list.element", "boilerplate.list.element.rule")
_ROW_OVERHEAD_BYTES = 512  # ids, hashes, timestamps and list headers of one row, roughly


@dataclass(frozen=True)
class PartitionSpec:
    """How one kind of row (articles or rejected) is laid out."""

    kind: str
    schema: pa.Schema
    columns: Tuple[str, ...]
    date_of: Callable[[dict], object]  # row -> datetime naming its dt= partition
    output: str
    temp_dir: str
    run_id: str
    max_rows_per_file: int
    compression: str
    # The sizes (configs/defaults.yaml's writer: section, through pipelines/run/config.py):
    target_file_bytes: int  # close a file once this much is written
    row_group_bytes: int  # a row group's estimated uncompressed size
    row_group_rows: int
    buffer_bytes: int  # all partitions' buffers of one bundle together

    def values(self, row: dict):
        return partition_values(row, self.date_of(row).date().isoformat(), self.columns)


def parquet_options(schema: pa.Schema, compression: str) -> dict:
    """Keyword arguments for ``pq.ParquetWriter``: codec, dictionaries, statistics."""
    names = set(schema.names)
    return {
        "compression": None if compression == "none" else compression,
        "use_dictionary": [c for c in DICTIONARY_COLUMNS if c.split(".", 1)[0] in names],
        "write_statistics": True,
    }


def row_bytes(row: dict) -> int:
    """A cheap estimate of a row's uncompressed size: its long strings and bytes, plus a constant."""
    size = _ROW_OVERHEAD_BYTES
    for value in row.values():
        if isinstance(value, (str, bytes)):
            size += len(value)
        elif isinstance(value, list):
            size += sum(len(v) if isinstance(v, str) else 64 for v in value)
    return size


class _CountingHandle:
    """A writable file object that counts the bytes written through it."""

    def __init__(self, handle):
        self._handle = handle
        self.written = 0
        self.closed = False

    def write(self, data) -> int:
        self._handle.write(data)
        self.written += len(data)
        return len(data)

    def flush(self):
        if hasattr(self._handle, "flush"):
            self._handle.flush()

    def close(self):
        self.closed = True  # the FileSystems handle is closed by its owner

    def tell(self) -> int:
        return self.written


class RowBuffer:
    """Rows waiting to become a row group, held as Arrow record batches (about their raw size,
    where Python dicts take two to three times that)."""

    BATCH_ROWS = 256

    def __init__(self, schema: pa.Schema):
        self._schema = schema
        self._pending: List[dict] = []
        self._batches: List[pa.RecordBatch] = []
        self.rows = self.bytes = 0

    def add(self, row: dict, size: int) -> None:
        self._pending.append(row)
        self.rows += 1
        self.bytes += size
        if len(self._pending) >= self.BATCH_ROWS:
            self._seal()

    def add_table(self, table: pa.Table, size: int) -> None:
        """Rows already in Arrow form (this buffer's columns)."""
        self._seal()
        self._batches.extend(table.cast(self._schema).to_batches())
        self.rows += table.num_rows
        self.bytes += size

    def _seal(self) -> None:
        if self._pending:
            self._batches.append(pa.RecordBatch.from_pylist(self._pending, schema=self._schema))
            self._pending = []

    def take(self) -> Optional[pa.Table]:
        """Everything buffered, as one table (None when empty); the buffer is emptied."""
        self._seal()
        table = pa.Table.from_batches(self._batches, schema=self._schema) if self._batches else None
        self._batches, self.rows, self.bytes = [], 0, 0
        return table


class _PartitionFile:
    """One open Parquet file of a partition, and the rows waiting to become its next row group."""

    def __init__(self, spec: PartitionSpec, schema: pa.Schema, key):
        self.key = key
        shard = uuid.uuid4().hex[:SHARD_CHARS]
        self.relative = join(partition_dir(spec.kind, key), part_file_name(spec.run_id, shard))
        self.temp_path = join(spec.temp_dir, self.relative)
        self._schema, self._options = schema, parquet_options(schema, spec.compression)
        self._handle = self._counted = self._writer = None
        self.buffer = RowBuffer(schema)
        self.rows = self.linked = 0

    def add(self, row: dict, size: int) -> None:
        self.buffer.add(row, size)
        self.linked += 1 if row.get("duplicate_of") else 0

    def add_table(self, table: pa.Table, size: int) -> None:
        self.buffer.add_table(table, size)
        if "duplicate_of" in table.column_names:
            self.linked += table.num_rows - table.column("duplicate_of").null_count

    @property
    def written_bytes(self) -> int:
        return self._counted.written if self._counted else 0

    def write_row_group(self) -> None:
        """The buffered rows become one row group (the file is created on the first)."""
        table = self.buffer.take()
        if table is None:
            return
        if self._writer is None:
            self._handle = FileSystems.create(self.temp_path)
            self._counted = _CountingHandle(self._handle)
            self._writer = pq.ParquetWriter(self._counted, self._schema, **self._options)
        self._writer.write_table(table, row_group_size=table.num_rows)
        self.rows += table.num_rows

    def close(self, kind: str) -> dict:
        """Write what is left, close the file and describe it for CommitRun."""
        self.write_row_group()
        self._writer.close()
        self._handle.close()
        return {"kind": kind, "temp_path": self.temp_path, "path": self.relative, "rows": self.rows,
                "bytes": self._counted.written, "partition": dict(self.key), "linked": self.linked}


class PartitionWriter:
    """The rows of one bundle -> partition files, with bounded memory (see the module docstring)."""

    def __init__(self, spec: PartitionSpec, schema: pa.Schema):
        self._spec, self._schema = spec, schema
        self._files: Dict[tuple, _PartitionFile] = {}
        self._buffered = 0

    def add(self, row: dict) -> Optional[dict]:
        """Take one row; returns the description of a file this closed, if any."""
        key = self._spec.values(row)
        part = self._file(key)
        size = row_bytes(row)
        part.add(row, size)
        self._buffered += size
        return self._roll(key, part)

    def add_table(self, key, table: pa.Table) -> List[dict]:
        """Take rows of partition ``key`` already in Arrow form; the descriptions of files this closed."""
        closed = []
        while table.num_rows:
            part = self._file(key)
            room = max(1, self._spec.max_rows_per_file - part.rows - part.buffer.rows)
            piece, table = table.slice(0, room), table.slice(room)
            size = piece.nbytes
            part.add_table(piece, size)
            self._buffered += size
            done = self._roll(key, part)
            if done is not None:
                closed.append(done)
        return closed

    def _file(self, key) -> "_PartitionFile":
        part = self._files.get(key)
        if part is None:
            part = self._files[key] = _PartitionFile(self._spec, self._schema, key)
        return part

    def _roll(self, key, part: "_PartitionFile") -> Optional[dict]:
        """Write a row group, and close the file, when their limits are reached."""
        spec = self._spec
        if part.buffer.bytes >= spec.row_group_bytes or part.buffer.rows >= spec.row_group_rows:
            self._write(part)
        elif self._buffered > spec.buffer_bytes:
            self._write(max(self._files.values(), key=lambda p: p.buffer.bytes))
        if part.rows + part.buffer.rows >= spec.max_rows_per_file or part.written_bytes >= spec.target_file_bytes:
            return self._close(key)
        return None

    def close(self) -> List[dict]:
        """Close every open file; their descriptions."""
        return [self._close(key) for key in list(self._files)]

    def _write(self, part: _PartitionFile) -> None:
        self._buffered -= part.buffer.bytes
        part.write_row_group()

    def _close(self, key) -> dict:
        part = self._files.pop(key)
        self._buffered -= part.buffer.bytes
        return part.close(self._spec.kind)


EMPTY_PARTITION = "_none"  # the partition value of an empty run's file (pyarrow cannot type an all-null one)


def write_empty_file(spec: PartitionSpec, day: str) -> dict:
    """A Parquet file with ``spec``'s schema and no row, in partition ``dt=day`` (and, for the other
    partition columns: ``_none``), described for CommitRun: a run that wrote no article still leaves a
    dataset that queries read (0 rows) instead of failing on "no files"."""
    key = (("dt", day),) + tuple((column, EMPTY_PARTITION) for column in spec.columns)
    relative = join(partition_dir(spec.kind, key), part_file_name(spec.run_id, "empty"))
    temp_path = join(spec.temp_dir, relative)
    schema = file_schema(spec.schema, spec.columns)
    with FileSystems.create(temp_path) as handle:
        counted = _CountingHandle(handle)
        pq.write_table(schema.empty_table(), counted, **parquet_options(schema, spec.compression))
    return {"kind": spec.kind, "temp_path": temp_path, "path": relative, "rows": 0, "bytes": counted.written,
            "partition": dict(key), "linked": 0}


class WritePartitionsFn(beam.DoFn):
    """Rows -> descriptions of the files closed (one PartitionWriter per bundle)."""

    def __init__(self, spec: PartitionSpec):
        self._spec = spec
        self._schema: Optional[pa.Schema] = None
        self._writer: Optional[PartitionWriter] = None

    def setup(self):
        skip_final_collection()
        self._schema = file_schema(self._spec.schema, self._spec.columns)

    def start_bundle(self):
        self._writer = PartitionWriter(self._spec, self._schema)

    def process(self, row):
        closed = self._writer.add(row)
        if closed is not None:
            yield closed

    def finish_bundle(self):
        for closed in self._writer.close():
            yield WindowedValue(closed, MIN_TIMESTAMP, [GlobalWindow()])


class WriteParquetPartitions(beam.PTransform):
    """Rows -> descriptions of the temp files written (one dict per file)."""

    def __init__(self, spec: PartitionSpec):
        super().__init__()
        self._spec = spec

    def expand(self, rows):
        return rows | "WriteFiles" >> beam.ParDo(WritePartitionsFn(self._spec))
