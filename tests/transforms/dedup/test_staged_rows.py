"""StageRows -> DeduplicateStaged -> WriteKeptRows: rows and keys wait in temp Parquet, only
one description per staged file moves, and the written rows are the kept ones (TestPipeline)."""
import apache_beam as beam
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

import transforms.dedup.staged_rows as staged_rows
from schemas import DUPLICATE_SCHEMA
from tests.transforms.sinks.test_parquet_sink import WHEN, article, spec
from transforms.dedup.rules import LATEST, instant, richness
from transforms.dedup.dedup_sql import KEY_SCHEMA, DedupParams
from transforms.dedup.deduplicate import DUPLICATE_COUNTS, DUPLICATE_FILES, DeduplicateStaged, write_decisions
from transforms.sinks.parquet_sink import WriteParquetPartitions
from transforms.dedup.staged_rows import KEYS, LINES, ROWS, SOURCES, StageRows, WriteKeptRows, key_row, partition_text, read_staged_rows


def written_rows(folder):
    table = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    return sorted((r for r in table.to_pylist()), key=lambda r: r["id"])


def without_partitions(rows):
    return [{k: v for k, v in r.items() if k not in ("dt", "source")} for r in rows]


def stage_and_write(p, rows, tmp_path, params=DedupParams(0, 50, 20), history=()):
    """The pipeline's own wiring; returns the decide step's outputs."""
    articles = spec(tmp_path)
    duplicates = spec(tmp_path, kind="duplicates", schema=DUPLICATE_SCHEMA, columns=(),
                      date_of=lambda row: row["recorded_at"])
    staged = p | beam.Create(rows) | StageRows(str(tmp_path / "_tmp" / "staged"), articles)
    decided = staged | DeduplicateStaged(params, list(history), duplicates, {"run_id": "r1", "recorded_at": WHEN},
                                         str(tmp_path / "_tmp" / "decisions"))
    decided.kept | WriteKeptRows(articles)
    return decided


def test_key_rows_carry_keys_instants_and_richness():
    row = dict(article(1), summary="", topics=["Politics"])
    key = key_row(row, 7, (("dt", "2024-01-02"), ("source", "a.example")))
    assert pa.Table.from_pylist([key], KEY_SCHEMA).num_rows == 1 and set(key) == set(KEY_SCHEMA.names)
    assert key["staged_row"] == 7 and key["part"] == partition_text((("dt", "2024-01-02"), ("source", "a.example")))
    assert key["published_at"] == instant(WHEN) and key["richness"] == richness(row)
    assert key["body_words"] == row["word_count"] and key["content_hash"] == row["content_hash"]
    assert key_row(dict(row, published_at=None), 0, ())["published_at"] == LATEST


def test_staged_then_written_rows_equal_directly_written_rows(tmp_path):
    rows = [dict(article(n, source=("a.example", "b.example")[n % 2]), duplicate_of=None) for n in range(40)]
    with TestPipeline() as p:
        decided = stage_and_write(p, rows, tmp_path / "staged")
        assert_that(decided[DUPLICATE_COUNTS], equal_to([]), label="no duplicates")
        p | "Rows" >> beam.Create(rows) | "Direct" >> WriteParquetPartitions(spec(tmp_path / "direct"))
    via_staging = written_rows(tmp_path / "staged" / "_tmp" / "articles")
    assert via_staging == written_rows(tmp_path / "direct" / "_tmp" / "articles")


def test_only_kept_rows_are_written_and_every_dropped_copy_is_recorded(tmp_path, monkeypatch):
    monkeypatch.setattr(staged_rows, "STAGED_ROW_GROUP_BYTES", 5_000)  # rows cross row groups
    rows = [dict(article(n), duplicate_of=None) for n in range(12)]
    rows.append(dict(rows[0], source_uri="/in/copy.jsonl", published_at=None))  # an exact copy: dropped
    rows[5]["text"], rows[5]["content_hash"] = rows[4]["text"], rows[4]["content_hash"]  # same story, other id
    with TestPipeline() as p:
        decided = stage_and_write(p, rows, tmp_path)
        assert_that(decided[DUPLICATE_COUNTS], equal_to([("duplicate/duplicate_id", 1),
                                                         ("duplicate/duplicate_content", 1)]), label="counts")
        assert_that(decided[DUPLICATE_FILES] | beam.Map(lambda f: f["rows"]), equal_to([2]), label="files")
    written = written_rows(tmp_path / "_tmp" / "articles")
    assert [r["id"] for r in written] == sorted(r["id"] for r in rows[:12] if r["id"] != "id-5")
    original = {r["id"]: r for r in rows[:12]}
    assert without_partitions(written) == without_partitions([original[r["id"]] for r in written])
    dropped = pq.read_table(tmp_path / "_tmp" / "duplicates").to_pylist()
    assert sorted((d["id"], d["kept_id"], d["reason"], d["source_uri"]) for d in dropped) == [
        ("id-0", "id-0", "duplicate_id", "/in/copy.jsonl"), ("id-5", "id-4", "duplicate_content", "/in/x.jsonl")]


def test_near_duplicates_are_linked_in_the_written_rows(tmp_path):
    rows = [dict(article(n, text_size=600), simhash=s, duplicate_of=None) for n, s in ((1, 0b0), (2, 0b11), (3, -1))]
    with TestPipeline() as p:
        stage_and_write(p, rows, tmp_path, DedupParams(2, 50, 20))
    assert [(r["id"], r["duplicate_of"]) for r in written_rows(tmp_path / "_tmp" / "articles")] == [
        ("id-1", None), ("id-2", "id-1"), ("id-3", None)]


def test_staged_files_read_back_row_for_row_with_a_key_file_each(tmp_path):
    rows = [article(n) for n in range(25)]
    with TestPipeline() as p:
        staged = p | beam.Create(rows) | StageRows(str(tmp_path), spec(tmp_path))
        assert_that(staged | beam.Map(lambda d: (sorted(d), d[LINES], d[SOURCES])),
                    equal_to([([KEYS, LINES, ROWS, SOURCES], None, {"a.example": 25})]))
    back = [row for path in sorted(tmp_path.glob("rows-*.parquet")) for row in read_staged_rows(str(path))]
    assert sorted(back, key=lambda r: r["id"]) == sorted(rows, key=lambda r: r["id"])
    keys = pq.read_table(next(tmp_path.glob("keys-*.parquet"))).to_pylist()
    assert [k["staged_row"] for k in keys] == list(range(25)) and [k["id"] for k in keys] == [r["id"] for r in back]


def test_a_lines_file_holds_each_articles_countable_lines_once(tmp_path):
    rows = [dict(article(n), text=f"Story {n} begins.\n\nThanks for reading.\n\nThanks for reading.\n\n"
                 + " ".join(["long"] * 70)) for n in range(3)]
    with TestPipeline() as p:
        p | beam.Create(rows) | StageRows(str(tmp_path), spec(tmp_path), max_line_words=60)
    lines = pq.read_table(next(tmp_path.glob("lines-*.parquet"))).to_pylist()
    assert sorted((line["line"], line["source"]) for line in lines) == sorted(
        [(f"Story {n} begins.", "a.example") for n in range(3)] + [("Thanks for reading.", "a.example")] * 3)
    assert sorted(line["staged_row"] for line in lines) == [0, 0, 1, 1, 2, 2]


def test_decisions_are_split_per_staged_file_across_batches(tmp_path):
    schema = pa.schema([("staged_file", pa.int32()), ("staged_row", pa.int64()), ("part", pa.string()),
                        ("duplicate_of", pa.string())])
    kept = [(0, 1), (0, 4), (2, 0), (2, 3), (2, 9), (3, 5)]
    table = pa.Table.from_pylist([{"staged_file": f, "staged_row": r, "part": "[]", "duplicate_of": None}
                                  for f, r in kept], schema)
    staged = [{ROWS: f"rows-{n}", KEYS: f"keys-{n}"} for n in range(4)]
    written = list(write_decisions(table.to_batches(max_chunksize=2), staged, str(tmp_path)))
    assert [rows for rows, _ in written] == ["rows-0", "rows-2", "rows-3"]
    assert [pq.read_table(path).column("staged_row").to_pylist() for _, path in written] == [[1, 4], [0, 3, 9], [5]]
