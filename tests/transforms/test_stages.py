"""Each Beam stage on the real DirectRunner, main and rejected outputs checked."""
import json
from datetime import datetime, timezone

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas import REJECTED_SCHEMA
from tests.transforms.sinks.test_parquet_sink import WRITER_SIZES
from transforms.text.clean import CleanArticles
from transforms.dead_letter import DEAD_LETTER
from transforms.sources.extract import ExtractDocuments
from transforms.sinks.parquet_sink import PartitionSpec, WriteParquetPartitions
from transforms.sources.read import ReadInputFiles, all_rejected
from schemas.records import ExtractedDocument, RawDocument, RunContext

CTX = RunContext(run_id="t1", ingested_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
                 pipeline_version="test")


def reasons(rows):
    return rows | beam.Map(lambda r: (r["stage"], r["reason"], r["source_uri"], r["raw"]))


def test_extract_splits_good_and_bad_records():
    good = RawDocument(data=json.dumps({"id": "1", "text": "Trains run late."}).encode(), source_uri="f.jsonl",
                       fmt="json")
    bad = RawDocument(data=b'{"id": ', source_uri="f.jsonl", fmt="json")
    with TestPipeline() as p:
        out = p | beam.Create([good, bad]) | ExtractDocuments("t1", time_limit_s=30)
        assert_that(out.documents | beam.Map(lambda d: (d.entry_id, d.text)),
                    equal_to([("1", "Trains run late.")]), label="main")
        assert_that(reasons(out[DEAD_LETTER]), equal_to([("extract", "json_invalid", "f.jsonl", b'{"id": ')]),
                    label="rejected")


def test_clean_strips_boilerplate_and_rejects_boilerplate_only():
    article = ExtractedDocument(text="Roadworks close the bridge.\nAdvert\nTopics: Roads", extractor="text",
                                source_uri="a.txt", raw=b"a")
    only_ads = ExtractedDocument(text="Advertisement\nAdvert", extractor="text", source_uri="b.txt", raw=b"b")
    with TestPipeline() as p:
        out = p | beam.Create([article, only_ads]) | CleanArticles(CTX, ["default"])
        assert_that(out.articles | beam.Map(lambda r: (r["text"], r["topics"], r["source"], r["run_id"])),
                    equal_to([("Roadworks close the bridge.", ["Roads"], "local", "t1")]), label="main")
        assert_that(reasons(out[DEAD_LETTER]), equal_to([("clean", "boilerplate_only", "b.txt", b"b")]),
                    label="rejected")


def test_read_rejects_unreadable_files_and_splits_jsonl(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "one"}\n\n{"text": "two"}\n')
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4")
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(tmp_path / "*")], "t1", 1 << 20, 1 << 20)
        assert_that(out["records"] | beam.Map(lambda r: (r.fmt, r.data)),
                    equal_to([("json", b'{"text": "one"}'), ("json", b'{"text": "two"}')]), label="main")
        assert_that(all_rejected(out) | beam.Map(lambda r: r["reason"]), equal_to(["unsupported_format"]),
                    label="rejected")


def test_writer_lands_files_in_temp_partitions(tmp_path):
    rows = [{"stage": "read", "reason": "x", "error": "e", "source_uri": f"u{i}", "raw": b"r", "run_id": "t1",
             "rejected_at": CTX.ingested_at} for i in range(5)]
    spec = PartitionSpec(kind="rejected", schema=REJECTED_SCHEMA, columns=(), date_of=lambda r: r["rejected_at"],
                         output=str(tmp_path), temp_dir=str(tmp_path / "_tmp"), run_id="t1",
                         max_rows_per_file=2, compression="zstd", **WRITER_SIZES)
    with TestPipeline() as p:
        files = p | beam.Create(rows) | WriteParquetPartitions(spec)
        assert_that(files | beam.Map(lambda f: f["partition"]["dt"]), equal_to(["2024-01-02"] * 3))
    written = sorted((tmp_path / "_tmp" / "rejected" / "dt=2024-01-02").glob("part-t1-*.parquet"))
    assert len(written) == 3
    assert sum(pq.read_metadata(f).num_rows for f in written) == 5


def test_counts_per_bundle_sum_to_the_element_counts():
    from transforms.sinks.commit import CountPerBundleFn

    with TestPipeline() as p:
        labels = p | "Labels" >> beam.Create(["a", "b", "a", "a"])
        named = labels | "Named" >> beam.ParDo(CountPerBundleFn("all")) | "SumNamed" >> beam.CombinePerKey(sum)
        own = labels | "Own" >> beam.ParDo(CountPerBundleFn()) | "SumOwn" >> beam.CombinePerKey(sum)
        assert_that(named, equal_to([("all", 4)]), label="named")
        assert_that(own, equal_to([("a", 3), ("b", 1)]), label="own")
