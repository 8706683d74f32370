"""A window's commit: visible whole, and once when a runner retries it."""
import json
import operator
from datetime import datetime, timezone

import pyarrow.dataset as ds

from schemas import DUPLICATE_SCHEMA
from schemas.layout import DUPLICATES, temp_dir
from transforms.sinks.parquet_sink import PartitionSpec, PartitionWriter
from transforms.sinks.window_commit import commit_window, window_run_id
from apache_beam.transforms.window import IntervalWindow

NOW = datetime(2024, 3, 1, tzinfo=timezone.utc)


def written(out, run_id, count):
    spec = PartitionSpec(kind=DUPLICATES, schema=DUPLICATE_SCHEMA, columns=(), date_of=operator.itemgetter("recorded_at"),
                         output=str(out), temp_dir=temp_dir(str(out), run_id, "w"), run_id=run_id, max_rows_per_file=1000,
                         compression="zstd", target_file_bytes=1 << 20, row_group_bytes=1 << 20, row_group_rows=1000,
                         buffer_bytes=1 << 20)
    writer = PartitionWriter(spec, DUPLICATE_SCHEMA)
    for n in range(count):
        writer.add({"id": f"d{n}", "kept_id": "k", "reason": "duplicate_id", "source_uri": "s", "run_id": run_id,
                    "recorded_at": NOW})
    return writer.close()


def test_window_run_ids_name_the_window_start_and_a_late_pane():
    window = IntervalWindow(120, 180)
    assert window_run_id("s", window, 0) == "s-19700101T000200Z"
    assert window_run_id("s", window, 2) == "s-19700101T000200Z-p2"


def test_a_retried_commit_commits_once(tmp_path):
    out = tmp_path / "out"
    files = written(out, "s-w1", 3)
    header = {"run_id": "s-w1", "started_at": NOW.isoformat()}
    first = commit_window(str(out), "s-w1", files, header)
    again = commit_window(str(out), "s-w1", files, header)  # the runner retries the same bundle
    assert first["files"] == again["files"] and first["counts"] == again["counts"] == {
        "articles": 0, "rejected": 0, "duplicates": 3}
    assert json.loads((out / "_runs" / "s-w1.json").read_text())["files"] == first["files"]
    table = ds.dataset(out / "duplicates", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 3 and not (out / "_tmp" / "s-w1-w").exists()
