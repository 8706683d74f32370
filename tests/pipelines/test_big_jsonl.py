"""One big JSONL file keeps both workers busy: ``newsbeam run`` reads it in byte ranges.

Each worker bundle of the per-document stage stages its rows in its own file, and the
manifest counts them (``staged_files``): with two workers and the file read in ranges,
both staged rows; read by one worker (byte ranges off), one did. Either way every line is
one article or one rejected row.
"""
import pyarrow.dataset as ds
import pytest

from benchmarks.news_corpus import write_corpus
from tests.conftest import read_manifest, run_cli

DOCS = 1_500
BAD_LINES = [b'{"id": "broken", "text": ', b"not json at all", b'{"id": "no-text"}']


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """DOCS news-like records and a few bad lines in one JSONL file."""
    folder = tmp_path_factory.mktemp("big")
    corpus = write_corpus(str(folder), DOCS, seed=3, docs_per_file=DOCS)
    path = folder / "dump.jsonl"
    (folder / "shard-00000.jsonl").rename(path)
    with open(path, "ab") as handle:
        handle.write(b"\n".join(BAD_LINES) + b"\n")
    return path, corpus.bytes


def run(path, out, range_bytes, monkeypatch):
    monkeypatch.setenv("NEWSBEAM_READ_RANGE_BYTES", str(range_bytes))
    result = run_cli("run", "--input", str(path), "--output", str(out), "--run-id", "big",
                     "--direct_running_mode=multi_processing", "--direct_num_workers=2")
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    return read_manifest(out)


def test_one_big_file_is_read_by_both_workers_and_every_line_counted_once(big_file, tmp_path, monkeypatch):
    path, size = big_file
    manifest = run(path, tmp_path / "out", size // 8, monkeypatch)  # 8 ranges
    assert manifest["reconciliation"]["ok"]
    assert manifest["inputs"] == {"files_matched": 1, "units": DOCS + len(BAD_LINES)}
    assert manifest["counts"] == {"articles": DOCS, "rejected": len(BAD_LINES), "duplicates": 0}
    ids = ds.dataset(tmp_path / "out" / "articles", format="parquet", partitioning="hive").to_table(
        columns=["id", "source_uri"]).to_pydict()
    assert len(set(ids["id"])) == DOCS and set(ids["source_uri"]) == {str(path)}
    assert manifest["counters"]["staged_files"] == 2


def test_read_by_one_worker_only_one_bundle_stages_rows(big_file, tmp_path, monkeypatch):
    path, _ = big_file
    manifest = run(path, tmp_path / "out", 1 << 40, monkeypatch)  # no byte ranges
    assert manifest["reconciliation"]["ok"] and manifest["counts"]["articles"] == DOCS
    assert manifest["counters"]["staged_files"] == 1
