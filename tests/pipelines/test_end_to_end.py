"""End to end: the CLI on temp folders, Parquet read back with pyarrow and DuckDB."""
import bz2
import gzip
import json

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from schemas import ARTICLE_SCHEMA, REJECTED_SCHEMA
from tests.conftest import read_manifest, run_cli

SEED_TOPICS = ["Russia", "Ukraine", "Vladimir Putin", "Volodymyr Zelensky", "World News"]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))


def articles_table(out):
    return ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table()


def rejected_table(out):
    return ds.dataset(out / "rejected", format="parquet", partitioning="hive").to_table()


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """``newsbeam run`` with no arguments, from an unrelated folder."""
    cwd = tmp_path_factory.mktemp("anywhere")
    result = run_cli("run", cwd=cwd)
    assert result.returncode == 0, result.stderr.decode()
    return cwd / "out", result


def test_default_run_writes_hive_partitions(default_run):
    out, _ = default_run
    files = sorted(p.relative_to(out).as_posix() for p in (out / "articles").rglob("*.parquet"))
    assert files and all(f.split("/")[1].startswith("dt=") and f.split("/")[2].startswith("source=")
                         for f in files)
    assert not list(out.rglob("_tmp/*")), "temp files left behind"


def test_default_run_reads_back_with_pyarrow_and_duckdb(default_run):
    out, _ = default_run
    table = articles_table(out)
    assert table.num_rows == read_manifest(out)["counts"]["articles"] >= 8
    for field in ARTICLE_SCHEMA:
        assert field.name in table.schema.names
    glob = str(out / "articles" / "**" / "*.parquet")
    rows = duckdb.sql(f"select source, count(*) from read_parquet('{glob}', hive_partitioning=true) "
                      "group by 1 order by 1").fetchall()
    assert sum(n for _, n in rows) == table.num_rows
    assert ("local", 3) in rows  # seed, cp1252 cafe, gzipped German text


def test_default_run_cleans_the_seed(default_run):
    out, _ = default_run
    rows = articles_table(out).to_pylist()
    seed = next(r for r in rows if r["source_uri"].endswith("seed-article.txt"))
    assert seed["topics"] == SEED_TOPICS
    assert "Advert" not in seed["text"].split("\n\n")
    assert [b["rule"] for b in seed["boilerplate"]].count(seed["boilerplate"][0]["rule"]) == 3
    assert len(seed["boilerplate"]) == 5
    assert seed["language"] == "en"
    assert seed["ingested_at"].tzinfo is not None


def test_default_run_summary_and_manifest_reconcile(default_run):
    out, result = default_run
    manifest = read_manifest(out)
    assert manifest["reconciliation"]["ok"] is True
    assert manifest["counts"]["rejected"] == rejected_table(out).num_rows == 1
    assert "read/json_invalid" in manifest["rejected_by_reason"] or \
        "extract/json_invalid" in manifest["rejected_by_reason"]
    stdout = result.stdout.decode()
    assert f"{manifest['counts']['articles']} articles" in stdout
    assert "duckdb -c" in stdout and "json_invalid" in stdout


BAD_INPUTS = {
    "empty.txt": b"",
    "picture.txt": PNG,
    "blank.html": b"<html><head><title>x</title></head><body><div></div></body></html>",
    "broken.xml": b"this is not a feed at all, just words",
    "corrupt.txt.gz": b"\x1f\x8b\x08\x00garbage-not-gzip",
    "billion-laughs.xml": (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><rss><channel><item><title>&lol2;'
                           b'</title></item></channel></rss>'),
}


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory):
    src = tmp_path_factory.mktemp("messy")
    for name, data in BAD_INPUTS.items():
        (src / name).write_bytes(data)
    good = "Councillors approved the new library budget on Tuesday after a long debate.\nAdvert\n"
    (src / "good.txt").write_text(good)
    (src / "good.txt.bz2").write_bytes(bz2.compress(good.replace("library", "swimming pool").encode()))
    lines = [json.dumps({"id": "a", "text": "The harbour wall will be repaired before winter storms arrive."}),
             '{"id": "b", "text": "cut off',
             json.dumps({"id": "c", "title": "no body at all"}),
             json.dumps({"id": "d", "url": "https://example.org/x", "text": "Ferry timetables change next week for the summer."})]
    (src / "records.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    out = tmp_path_factory.mktemp("messy-out") / "out"
    result = run_cli("run", "--input", str(src / "*"), "--output", str(out), "--run-id", "messy-1")
    assert result.returncode == 0, result.stderr.decode()
    return src, out


def test_bad_inputs_become_rejected_rows_with_raw_bytes(messy_run):
    src, out = messy_run
    rejected = rejected_table(out).to_pylist()
    by_file = {r["source_uri"].rsplit("/", 1)[-1]: r for r in rejected}
    for name in BAD_INPUTS:
        assert name in by_file, f"{name} not rejected: {sorted(by_file)}"
    assert by_file["empty.txt"]["reason"] == "empty_input"
    assert by_file["picture.txt"]["reason"] == "binary_input"
    assert by_file["blank.html"]["reason"] == "html_empty"
    assert by_file["corrupt.txt.gz"]["reason"] == "decompress_error"
    assert by_file["picture.txt"]["raw"] == PNG
    assert by_file["billion-laughs.xml"]["raw"] == BAD_INPUTS["billion-laughs.xml"]
    reasons = {r["reason"] for r in rejected if r["source_uri"].endswith("records.jsonl.gz")}
    assert reasons == {"json_invalid", "json_no_text"}
    assert all(r["run_id"] == "messy-1" and r["error"] for r in rejected)


def test_good_records_around_bad_ones_land(messy_run):
    _, out = messy_run
    texts = articles_table(out).column("text").to_pylist()
    assert len(texts) == 4
    assert any("swimming pool" in t for t in texts) and any("harbour wall" in t for t in texts)
    assert not any(t.strip() == "Advert" for text in texts for t in text.split("\n\n"))


def test_manifest_reconciles_counts(messy_run):
    _, out = messy_run
    manifest = read_manifest(out)
    rec = manifest["reconciliation"]
    assert rec["ok"] and rec["inputs"] == rec["articles"] + rec["rejected"] + rec["duplicates"]
    assert rec["articles"] == 4 and rec["rejected"] == len(BAD_INPUTS) + 2
    assert manifest["inputs"]["files_matched"] == len(BAD_INPUTS) + 3
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*.parquet")}
    assert listed == on_disk


def test_files_carry_the_explicit_schema(messy_run):
    _, out = messy_run
    article_file = next((out / "articles").rglob("*.parquet"))
    schema = pq.read_schema(article_file)
    assert schema.field("published_at").type == ARTICLE_SCHEMA.field("published_at").type
    assert "source" not in schema.names  # lives in the hive path
    assert pq.ParquetFile(article_file).metadata.row_group(0).column(0).compression == "ZSTD"
    rejected_file = next((out / "rejected").rglob("*.parquet"))
    assert pq.read_schema(rejected_file).field("raw").type == REJECTED_SCHEMA.field("raw").type


def test_rerun_with_same_run_id_replaces_only_that_run(messy_run, tmp_path):
    src, out = messy_run
    before = articles_table(out).num_rows
    fresh = tmp_path / "fresh.txt"
    fresh.write_text("The lifeboat crew rescued two walkers cut off by the tide near the lighthouse.\n")
    other = run_cli("run", "--input", str(fresh), "--output", str(out), "--run-id", "other-1")
    assert other.returncode == 0, other.stderr.decode()
    again = run_cli("run", "--input", str(src / "*"), "--output", str(out), "--run-id", "messy-1")
    assert again.returncode == 0, again.stderr.decode()
    table = articles_table(out)
    assert table.num_rows == before + 1
    assert sorted(set(table.column("run_id").to_pylist())) == ["messy-1", "other-1"]


def test_duckdb_command_line_reads_the_default_run(default_run):
    """The exact query the README and the run summary print, through the duckdb CLI."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    out, _ = default_run
    duckdb_cli = shutil.which("duckdb", path=str(Path(sys.executable).parent)) or shutil.which("duckdb")
    if duckdb_cli is None:
        pytest.skip("the duckdb command line (pip install duckdb-cli) is not installed")
    query = ("select source, count(*) from read_parquet('out/articles/**/*.parquet', "
             "hive_partitioning=true) group by 1")
    result = subprocess.run([duckdb_cli, "-csv", "-c", query], cwd=out.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "local,3" in result.stdout.splitlines()
