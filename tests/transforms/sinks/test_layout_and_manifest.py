"""Output layout paths and manifest reconciliation (pure)."""
from schemas.layout import join, part_file_name, partition_dir, partition_values
from transforms.sinks.manifest import build_manifest, reconcile


def test_partition_path_is_hive_style():
    values = partition_values({"source": "bbc.co.uk", "language": None}, "2024-01-02", ("source", "language"))
    assert partition_dir("articles", values) == "articles/dt=2024-01-02/source=bbc.co.uk/language=und"
    assert part_file_name("r1", "abc") == "part-r1-abc.parquet"


def test_join_keeps_url_schemes():
    assert join("gs://bucket/out/", "articles", "x.parquet") == "gs://bucket/out/articles/x.parquet"


def test_reconcile_flags_a_lost_record():
    assert reconcile(10, 7, 3, 0)["ok"] is True
    assert reconcile(10, 6, 3, 0)["ok"] is False


def test_manifest_counts_come_from_committed_files():
    files = [
        {"kind": "articles", "path": "articles/dt=d/source=a/p1.parquet", "rows": 3, "bytes": 10,
         "partition": {"dt": "d", "source": "a"}},
        {"kind": "articles", "path": "articles/dt=d/source=b/p2.parquet", "rows": 2, "bytes": 10,
         "partition": {"dt": "d", "source": "b"}},
        {"kind": "rejected", "path": "rejected/dt=d/p3.parquet", "rows": 1, "bytes": 10, "partition": {"dt": "d"}},
    ]
    counts = {"files_matched": 4, "records": 5, "read_rejected": 1}
    manifest = build_manifest({"run_id": "r"}, files, counts, {"read/empty_input": {"count": 1, "example": "x"}})
    assert manifest["counts"] == {"articles": 5, "rejected": 1, "duplicates": 0}
    assert manifest["articles_by_source"] == {"a": 3, "b": 2}
    assert manifest["reconciliation"]["ok"] is True
    assert manifest["partitions"] == ["articles/dt=d/source=a", "articles/dt=d/source=b", "rejected/dt=d"]


def test_manifest_states_duration_and_throughput():
    files = [{"kind": "articles", "path": "articles/dt=d/source=a/p.parquet", "rows": 10, "bytes": 500,
              "partition": {"dt": "d", "source": "a"}}]
    header = {"started_at": "2024-01-01T00:00:00+00:00", "finished_at": "2024-01-01T00:00:04+00:00"}
    manifest = build_manifest(header, files, {"records": 10}, {})
    assert manifest["duration_s"] == 4.0
    assert manifest["throughput"] == {"inputs_per_s": 2.5, "articles_per_s": 2.5, "bytes_written": 500}


def test_counters_that_saw_nothing_are_listed_as_zero():
    duplicates = [{"kind": "duplicates", "path": "duplicates/dt=2024-01-01/part-r-0.parquet", "rows": 3, "bytes": 9,
                   "partition": {"dt": "2024-01-01"}}]
    manifest = build_manifest({"run_id": "r"}, duplicates, {"records": 3, "duplicate/seen_id": 3}, {})
    assert manifest["counters"] == {"duplicate/seen_id": 3, "feeds_not_modified": 0, "files_matched": 0,
                                    "read_rejected": 0, "records": 3}
    assert manifest["inputs"] == {"files_matched": 0, "units": 3} and manifest["reconciliation"]["ok"] is True
