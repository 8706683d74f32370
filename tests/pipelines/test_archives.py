"""A folder of web archives, loose pages and a JSONL dump, in one run (newsbeam run --input DIR)."""
import gzip
import json

import pyarrow.dataset as ds

from tests.conftest import read_manifest, run_cli
from tests.transforms.sources.warc_files import PAGE, build_warc

OTHER = PAGE.replace(b"ferry pier", b"swing bridge").replace(b"Ferry pier", b"Swing bridge")


def articles(out):
    return ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table().to_pylist()


def test_a_folder_of_archives_pages_and_dumps_runs_in_one_command(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    (inbox / "crawl" / ".cache").mkdir(parents=True)
    (inbox / "crawl" / "CC-NEWS-1.warc.gz").write_bytes(build_warc(pages=[("https://news.example/bridge", OTHER)]))
    (inbox / "crawl" / "plain.warc").write_bytes(build_warc(gzip=False, big=40_000))
    (inbox / "pier.html").write_bytes(PAGE)
    (inbox / "dump.jsonl.gz").write_bytes(gzip.compress(
        json.dumps({"id": "j1", "text": "The ferry timetable changes on Monday for the winter season."}).encode()))
    (inbox / "crawl" / ".cache" / "x.html").write_bytes(b"<p>hidden</p>")
    (inbox / "notes.txt.part").write_bytes(b"half written")
    (inbox / "README.md").write_text("not an input")
    result = run_cli("-q", "run", "--input", str(inbox), "--output", str(out), "--run-id", "a1",
                     "--config", str(_config(tmp_path)))
    assert result.returncode == 0, result.stderr.decode()
    manifest = read_manifest(out)
    assert manifest["reconciliation"]["ok"] and manifest["inputs"]["files_matched"] == 4
    kinds = manifest["archive_records_skipped"]
    assert kinds == {"error_status": 2, "metadata": 2, "not_html": 2, "redirect": 2, "request": 2, "revisit": 2,
                     "warcinfo": 2}
    rows = articles(out)
    archived = [r for r in rows if r["source_type"] == "archive"]
    assert sorted(r["url"] for r in archived) == ["https://news.example/bridge", "https://news.example/pier"]
    assert all("#offset=" in r["source_uri"] for r in archived)
    pier = next(r for r in archived if r["url"].endswith("/pier"))
    assert pier["published_at"].isoformat().startswith("2024-03-05T10:20:30")  # the capture time, as a fallback
    # the loose copy of the same page is its content duplicate: the archived one (dated) is kept
    (dropped,) = ds.dataset(out / "duplicates", format="parquet", partitioning="hive").to_table().to_pylist()
    assert dropped["source_uri"].endswith("pier.html") and dropped["kept_id"] == pier["id"]
    assert {k: v["count"] for k, v in manifest["rejected_by_reason"].items()} == {"read/too_large": 1}  # 40 kB > 30 kB


def _config(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("limits:\n  max_record_mb: 0.03\n")
    return path


def test_a_folder_with_nothing_to_read_is_a_usage_error(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "notes.md").write_text("x")
    result = run_cli("run", "--input", str(tmp_path / "empty"), "--output", str(tmp_path / "out"))
    assert result.returncode == 2 and "no file newsbeam reads" in result.stderr.decode()


def test_pages_already_in_the_dataset_are_not_extracted_again(tmp_path):
    crawl, out = tmp_path / "crawl.warc.gz", tmp_path / "out"
    crawl.write_bytes(build_warc(pages=[("https://news.example/bridge", OTHER)]))
    first = run_cli("-q", "run", "--input", str(crawl), "--output", str(out), "--run-id", "w1")
    assert first.returncode == 0, first.stderr.decode()
    newer = tmp_path / "newer.warc.gz"  # the next crawl: the same page and a new one
    newer.write_bytes(build_warc(pages=[("https://news.example/bridge", OTHER),
                                        ("https://news.example/quay", PAGE.replace(b"erry pier", b"ishing quay"))]))
    second = run_cli("-q", "run", "--input", str(newer), "--output", str(out), "--run-id", "w2")
    assert second.returncode == 0, second.stderr.decode()
    manifest = json.loads((out / "_runs" / "w2.json").read_text())
    assert manifest["archive_records_skipped"]["seen_url"] == 1  # the bridge page: not extracted
    assert manifest["counts"] == {"articles": 1, "rejected": 0, "duplicates": 0}
    assert manifest["reconciliation"]["ok"]
    config = tmp_path / "config.yaml"
    config.write_text("archive: {skip_seen: false}\n")
    third = run_cli("-q", "run", "--input", str(newer), "--output", str(out), "--run-id", "w3", "--config", str(config))
    assert third.returncode == 0, third.stderr.decode()
    manifest = json.loads((out / "_runs" / "w3.json").read_text())
    assert "seen_url" not in manifest["archive_records_skipped"]
    assert manifest["duplicates_by_reason"] == {"seen_id": 2}  # extracted, then dropped by deduplication


def test_one_big_archive_is_read_by_both_workers(tmp_path, monkeypatch):
    pages = [(f"https://news.example/p{n}", PAGE.replace(b"ferry", f"ferry {n} ".encode()).replace(
        b"Paragraph", f"Item {n}".encode())) for n in range(120)]
    path = tmp_path / "CC-NEWS-big.warc.gz"
    path.write_bytes(build_warc(pages=pages))
    monkeypatch.setenv("NEWSBEAM_READ_RANGE_BYTES", str(len(path.read_bytes())))  # 4 shares (gzip)
    result = run_cli("-q", "run", "--input", str(path), "--output", str(tmp_path / "out"), "--run-id", "w2",
                     "--direct_running_mode=multi_processing", "--direct_num_workers=2")
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    manifest = read_manifest(tmp_path / "out")
    assert manifest["reconciliation"]["ok"] and manifest["counts"]["articles"] == len(pages)
    assert sum(manifest["archive_records_skipped"].values()) == 7
    assert manifest["counters"]["staged_files"] == 2
