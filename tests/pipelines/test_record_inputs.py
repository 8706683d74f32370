"""CSV, TSV and a JSONL dump with their own field names (records.fields), beside a web archive, in one run."""
import gzip
import json

import duckdb
import pyarrow.dataset as ds

from tests.conftest import read_manifest, run_cli
from tests.transforms.sources.warc_files import build_warc

CONFIG = "records:\n  fields: {text: body, title: headline, id: uid}\n"
CSV = (b'uid,headline,body\n'
       b'c1,Library budget,"Councillors approved the new library budget on Tuesday after a long debate."\n'
       b'c2,Tram line,"The tram line to the airport opens in May.\n\nTickets go on sale next week."\n'
       b'c3,Only a headline,\n'
       b'c4,"Broken"quote,the rest of a malformed row\n')
TSV = (b"uid\theadline\tbody\n"
       b"t1\tSchool roof\tThe school roof will be repaired over the summer holidays, the board said.\n"
       b"t2\tMarket hall\tThe old market hall reopens on Saturday with forty stalls and a cafe.\n")
JSONL = "\n".join(json.dumps(record) for record in [
    {"uid": "j1", "headline": "Harbour wall", "body": "The harbour wall will be repaired before winter storms."},
    {"uid": "j2", "headline": "Ferry times", "body": "Ferry timetables change next week for the summer season."},
    {"uid": "j3", "headline": "No body here"},
]).encode()


def test_csv_tsv_and_a_mapped_dump_become_articles_and_accounted_rejects(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "council.csv").write_bytes(CSV)
    (inbox / "schools.tsv.gz").write_bytes(gzip.compress(TSV))
    (inbox / "dump.jsonl").write_bytes(JSONL)
    (inbox / "crawl.warc.gz").write_bytes(build_warc())
    (tmp_path / "config.yaml").write_text(CONFIG)
    result = run_cli("-q", "run", "--input", str(inbox), "--output", str(out), "--run-id", "r1",
                     "--config", str(tmp_path / "config.yaml"))
    assert result.returncode == 0, result.stderr.decode()

    manifest = read_manifest(out)
    rec = manifest["reconciliation"]
    assert rec["ok"] and (rec["articles"], rec["rejected"], rec["duplicates"]) == (7, 3, 0)
    assert {k: v["count"] for k, v in manifest["rejected_by_reason"].items()} == {
        "extract/json_no_text": 2, "extract/csv_invalid": 1}

    rows = {r["title"]: r for r in _table(out, "articles").to_pylist()}
    assert set(rows) == {"Library budget", "Tram line", "School roof", "Market hall", "Harbour wall",
                         "Ferry times", "Ferry pier to close for a year"}
    assert rows["Tram line"]["text"] == "The tram line to the airport opens in May.\n\nTickets go on sale next week."
    assert rows["Library budget"]["source_uri"].endswith("council.csv")
    assert rows["Ferry pier to close for a year"]["captured_at"].isoformat() == "2024-03-05T10:20:30+00:00"
    assert all(row["captured_at"] is None for title, row in rows.items() if title != "Ferry pier to close for a year")

    rejected = {r["reason"] + ":" + r["source_uri"].rsplit("/", 1)[-1]: r for r in _table(out, "rejected").to_pylist()}
    assert set(rejected) == {"json_no_text:council.csv", "json_no_text:dump.jsonl", "csv_invalid:council.csv"}
    malformed = b'uid,headline,body\nc4,"Broken"quote,the rest of a malformed row\n'
    assert rejected["csv_invalid:council.csv"]["raw"] == malformed  # header and row: a CSV file of its own
    assert rejected["json_no_text:council.csv"]["raw"] == b"uid,headline,body\nc3,Only a headline,\n"

    query = (f"select count(captured_at), count(*) from read_parquet('{out}/articles/**/*.parquet', "
             f"hive_partitioning=true, union_by_name=true)")
    assert duckdb.sql(query).fetchall() == [(1, 7)]


def _table(out, kind):
    return ds.dataset(out / kind, format="parquet", partitioning="hive").to_table()
