"""Parquet layout: files per partition and bundle, rolling at a size, row groups, codecs (plain pytest)."""
import dataclasses
import random
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.run.config import build_settings
from schemas import ARTICLE_SCHEMA, file_schema
from transforms.sinks.parquet_sink import MIB, PartitionSpec, PartitionWriter, row_bytes

WHEN = datetime(2024, 1, 2, 3, 4, tzinfo=timezone.utc)
WRITER_SIZES = build_settings({}, {}).writer_sizes  # the packaged defaults
WORDS = [f"w{n:x}" for n in range(5000)]  # text that does not compress to nothing


def article(number: int, source: str = "a.example", text_size: int = 2000) -> dict:
    return {
        "id": f"id-{number}", "url": f"https://{source}/{number}", "source": source, "source_type": "file",
        "source_uri": "/in/x.jsonl", "title": f"Title {number}", "authors": ["Jane Doe"], "published_at": WHEN,
        "updated_at": None, "captured_at": None, "ingested_at": WHEN, "language": "en",
        "topics": ["Politics", "Economy"],
        "summary": None, "text": " ".join(random.Random(number).choices(WORDS, k=text_size // 5)),
        "word_count": text_size // 5, "title_only": False, "source_id": None,
        "content_hash": f"{number:064x}", "simhash": number, "duplicate_of": "id-0" if number % 10 == 3 else None,
        "boilerplate": [{"rule": "ad_marker", "text": "Advert", "count": None}], "extractor": "json", "run_id": "r1",
        "pipeline_version": "0.1.0",
    }


def spec(tmp_path, **overrides) -> PartitionSpec:
    base = PartitionSpec(kind="articles", schema=ARTICLE_SCHEMA, columns=("source",),
                         date_of=lambda row: row["ingested_at"], output=str(tmp_path), temp_dir=str(tmp_path / "_tmp"),
                         run_id="r1", max_rows_per_file=100_000, compression="zstd", **WRITER_SIZES)
    return dataclasses.replace(base, **overrides)


def write(spec_, rows):
    writer = PartitionWriter(spec_, file_schema(spec_.schema, spec_.columns))
    closed = [found for found in map(writer.add, rows) if found]
    return closed + writer.close()


def test_one_file_per_partition_for_a_small_bundle(tmp_path):
    rows = [article(n, source=("a.example", "b.example")[n % 2]) for n in range(200)]
    files = write(spec(tmp_path), rows)
    assert sorted(f["partition"]["source"] for f in files) == ["a.example", "b.example"]
    assert sum(f["rows"] for f in files) == 200 and sum(f["linked"] for f in files) == 20
    for found in files:
        meta = pq.read_metadata(found["temp_path"])
        assert meta.num_rows == found["rows"] and meta.num_row_groups == 1
        assert found["bytes"] == (tmp_path / "_tmp" / found["path"]).stat().st_size
        assert found["path"].startswith(f"articles/dt=2024-01-02/source={found['partition']['source']}/part-r1-")


def test_files_roll_at_the_target_size(tmp_path):
    rows = [article(n) for n in range(300)]
    files = write(spec(tmp_path, target_file_bytes=64 * 1024, row_group_bytes=48 * 1024), rows)
    assert len(files) > 2 and sum(f["rows"] for f in files) == 300
    assert all(f["bytes"] < 256 * 1024 for f in files)


def test_row_groups_and_memory_are_bounded(tmp_path):
    rows = [article(n, source=f"s{n % 4}.example") for n in range(400)]
    budget = 40 * row_bytes(rows[0])
    files = write(spec(tmp_path, row_group_bytes=25 * row_bytes(rows[0]), buffer_bytes=budget), rows)
    groups = [pq.ParquetFile(f["temp_path"]).metadata.row_group(i).num_rows
              for f in files for i in range(pq.ParquetFile(f["temp_path"]).metadata.num_row_groups)]
    assert sum(groups) == 400 and max(groups) <= 25 and len(groups) >= 16


def test_max_rows_per_file_still_splits(tmp_path):
    files = write(spec(tmp_path, max_rows_per_file=7), [article(n) for n in range(20)])
    assert sorted(f["rows"] for f in files) == [6, 7, 7]


def test_codec_dictionaries_and_statistics(tmp_path):
    (found,) = write(spec(tmp_path), [article(n) for n in range(50)])
    meta = pq.read_metadata(found["temp_path"])
    columns = {meta.row_group(0).column(i).path_in_schema: meta.row_group(0).column(i)
               for i in range(meta.num_columns)}
    assert "source" not in columns  # a partition column lives in the path
    assert all(c.compression == "ZSTD" for c in columns.values())
    for name in ("language", "extractor", "run_id", "topics.list.element", "boilerplate.list.element.rule"):
        assert "RLE_DICTIONARY" in columns[name].encodings, name
    assert "RLE_DICTIONARY" not in columns["text"].encodings
    assert columns["published_at"].statistics.has_min_max


@pytest.mark.parametrize("compression, codec", [("snappy", "SNAPPY"), ("none", "UNCOMPRESSED")])
def test_compression_setting(tmp_path, compression, codec):
    (found,) = write(spec(tmp_path, compression=compression), [article(1)])
    assert pq.read_metadata(found["temp_path"]).row_group(0).column(0).compression == codec


def test_rows_read_back_unchanged(tmp_path):
    rows = [article(n) for n in range(30)]
    (found,) = write(spec(tmp_path), rows)
    back = pq.read_table(found["temp_path"]).to_pylist()
    assert [{k: v for k, v in r.items() if k != "source"} for r in rows] == back
    assert MIB == 1 << 20


def test_arrow_tables_land_like_rows(tmp_path):
    rows = [article(n, source=("a.example", "b.example")[n % 2]) for n in range(25)]
    by_rows = spec(tmp_path / "rows", max_rows_per_file=4)
    by_tables = spec(tmp_path / "tables", max_rows_per_file=4)
    schema = file_schema(by_tables.schema, by_tables.columns)
    writer = PartitionWriter(by_tables, schema)
    closed = []
    for source in ("a.example", "b.example"):
        mine = [r for r in rows if r["source"] == source]
        table = pa.Table.from_pylist(mine, schema=ARTICLE_SCHEMA).select(schema.names)
        closed += writer.add_table(by_tables.values(mine[0]), table)
    closed += writer.close()
    expected = write(by_rows, rows)
    assert sorted((f["path"].rsplit("/", 1)[0], f["rows"], f["linked"]) for f in closed) == sorted(
        (f["path"].rsplit("/", 1)[0], f["rows"], f["linked"]) for f in expected)
    assert max(f["rows"] for f in closed) == 4 and sum(f["rows"] for f in closed) == 25
    read = sorted((row for f in closed for row in pq.read_table(f["temp_path"]).to_pylist()), key=lambda r: r["id"])
    assert read == sorted(({k: v for k, v in r.items() if k != "source"} for r in rows), key=lambda r: r["id"])
