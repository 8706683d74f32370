"""StageRows + FilterStagedRows: rows wait in temp Parquet, only key records move (TestPipeline)."""
import apache_beam as beam
import pyarrow.dataset as ds
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.transforms.test_parquet_sink import article, spec
from transforms.deduplicate import DeduplicateArticles
from transforms.parquet_sink import WriteParquetPartitions
from transforms.dedup import instant, richness, winner_key
from transforms.staged_rows import KEY_COLUMNS, STAGED, FilterStagedRows, StageRows, key_record, read_staged_rows


def written_rows(folder):
    table = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    return sorted((r for r in table.to_pylist()), key=lambda r: r["id"])


def without_partitions(rows):
    return [{k: v for k, v in r.items() if k not in ("dt", "source")} for r in rows]


def test_key_records_carry_keys_and_which_fields_are_filled():
    row = dict(article(1), summary="", topics=["Politics"])
    record = key_record(row, "staged/rows-1.parquet", 7, (("dt", "2024-01-02"),))
    assert record[STAGED] == ("staged/rows-1.parquet", 7, (("dt", "2024-01-02"),))
    assert {k: record[k] for k in KEY_COLUMNS if k != "published_at"} == {
        k: row[k] for k in KEY_COLUMNS if k != "published_at"}
    assert record["published_at"] == instant(row["published_at"]) and isinstance(record["published_at"], int)
    assert record["summary"] is False and record["topics"] is True and "text" not in record
    assert richness(record) == richness(row) and winner_key(record) == winner_key(row)


def test_staged_then_filtered_rows_equal_directly_written_rows(tmp_path):
    rows = [article(n, source=("a.example", "b.example")[n % 2]) for n in range(40)]
    for row in rows:
        row["duplicate_of"] = None
    staged, direct = spec(tmp_path / "staged"), spec(tmp_path / "direct")
    with TestPipeline() as p:
        source = p | beam.Create(rows)
        keys = source | StageRows(str(tmp_path / "staged" / "_tmp" / "staged"), staged)
        files = keys | FilterStagedRows(staged)
        source | "Direct" >> WriteParquetPartitions(direct)
        assert_that(files | beam.Map(lambda f: f["rows"]) | beam.CombineGlobally(sum), equal_to([40]))
    via_staging = written_rows(tmp_path / "staged" / "_tmp" / "articles")
    assert via_staging == written_rows(tmp_path / "direct" / "_tmp" / "articles")


def test_only_kept_rows_are_written_with_what_dedup_set(tmp_path):
    rows = [article(n) for n in range(12)]
    for row in rows:
        row["duplicate_of"] = None
    rows.append(dict(rows[0], source_uri="/in/copy.jsonl", published_at=None))  # an exact copy: dropped
    rows[5]["text"] = rows[4]["text"]  # the same story under another id: content duplicate
    rows[5]["content_hash"] = rows[4]["content_hash"]
    with TestPipeline() as p:
        keys = p | beam.Create(rows) | StageRows(str(tmp_path / "_tmp" / "staged"), spec(tmp_path))
        history = p | "NoHistory" >> beam.Create([])
        kept = (keys, history) | DeduplicateArticles(near_threshold=0, near_min_words=50, content_min_words=20)
        kept["articles"] | FilterStagedRows(spec(tmp_path))
    written = written_rows(tmp_path / "_tmp" / "articles")
    assert [r["id"] for r in written] == sorted(r["id"] for r in rows[:12] if r["id"] != "id-5")
    original = {r["id"]: r for r in rows[:12]}
    assert without_partitions(written) == without_partitions([original[r["id"]] for r in written])


def test_staged_files_read_back_row_for_row(tmp_path):
    rows = [article(n) for n in range(25)]
    with TestPipeline() as p:
        keys = p | beam.Create(rows) | StageRows(str(tmp_path), spec(tmp_path))
        assert_that(keys | beam.Map(lambda k: k[STAGED][1]) | beam.combiners.Count.Globally(), equal_to([25]))
    back = [row for path in sorted(tmp_path.glob("rows-*.parquet")) for row in read_staged_rows(str(path))]
    assert sorted(back, key=lambda r: r["id"]) == sorted(rows, key=lambda r: r["id"])
