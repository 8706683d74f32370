"""Output layout paths and manifest reconciliation (pure)."""
from transforms.layout import join, part_file_name, partition_dir, partition_values, run_files_glob
from transforms.manifest import build_manifest, reconcile


def test_partition_path_is_hive_style():
    values = partition_values({"source": "bbc.co.uk", "language": None}, "2024-01-02", ("source", "language"))
    assert partition_dir("articles", values) == "articles/dt=2024-01-02/source=bbc.co.uk/language=und"
    assert part_file_name("r1", "abc") == "part-r1-abc.parquet"


def test_join_keeps_url_schemes():
    assert join("gs://bucket/out/", "articles", "x.parquet") == "gs://bucket/out/articles/x.parquet"
    assert run_files_glob("out", "rejected", "r1") == "out/rejected/**/part-r1-*.parquet"


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
