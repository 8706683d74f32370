"""Sink stage: rows -> Parquet files in hive partitions, written to a temp
folder and moved into place by ``CommitRun`` once every file is complete.

Each bundle buffers rows per partition and writes one file per partition
(more when a partition exceeds ``max_rows_per_file``). File names carry the
run id and a random shard, so no two runs or retries collide.
"""
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from schemas import file_schema
from transforms.layout import join, part_file_name, partition_dir, partition_values

__all__ = ["PartitionSpec", "WriteParquetPartitions", "write_parquet"]

DICTIONARY_COLUMNS = ["source", "source_type", "language", "extractor", "run_id", "pipeline_version",
                      "stage", "reason"]


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

    def values(self, row: dict):
        return partition_values(row, self.date_of(row).date().isoformat(), self.columns)


def write_parquet(rows, schema: pa.Schema, path: str, compression: str) -> int:
    """Write ``rows`` (dicts) with ``schema`` to ``path`` via FileSystems; returns bytes."""
    table = pa.Table.from_pylist(rows, schema=schema)
    codec = None if compression == "none" else compression
    dictionary = [c for c in DICTIONARY_COLUMNS if c in schema.names]
    with FileSystems.create(path) as handle:
        pq.write_table(table, handle, compression=codec, use_dictionary=dictionary,
                       row_group_size=64 * 1024)
    return FileSystems.match([path])[0].metadata_list[0].size_in_bytes


class _WritePartitionsFn(beam.DoFn):
    def __init__(self, spec: PartitionSpec):
        self._spec = spec
        self._schema: Optional[pa.Schema] = None
        self._buffers = None

    def setup(self):
        self._schema = file_schema(self._spec.schema, self._spec.columns)

    def start_bundle(self):
        self._buffers = defaultdict(list)

    def process(self, row):
        key = self._spec.values(row)
        buffer = self._buffers[key]
        buffer.append(row)
        if len(buffer) >= self._spec.max_rows_per_file:
            yield self._flush(key)

    def finish_bundle(self):
        for key in list(self._buffers):
            if self._buffers[key]:
                yield WindowedValue(self._flush(key), MIN_TIMESTAMP, [GlobalWindow()])

    def _flush(self, key) -> dict:
        rows, self._buffers[key] = self._buffers[key], []
        name = part_file_name(self._spec.run_id, uuid.uuid4().hex[:12])
        relative = join(partition_dir(self._spec.kind, key), name)
        temp_path = join(self._spec.temp_dir, relative)
        size = write_parquet(rows, self._schema, temp_path, self._spec.compression)
        return {"kind": self._spec.kind, "temp_path": temp_path, "path": relative,
                "rows": len(rows), "bytes": size, "partition": dict(key),
                "linked": sum(1 for row in rows if row.get("duplicate_of"))}


class WriteParquetPartitions(beam.PTransform):
    """Rows -> descriptions of the temp files written (one dict per file)."""

    def __init__(self, spec: PartitionSpec):
        super().__init__()
        self._spec = spec

    def expand(self, rows):
        return rows | "WriteFiles" >> beam.ParDo(_WritePartitionsFn(self._spec))
