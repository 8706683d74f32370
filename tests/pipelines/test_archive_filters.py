"""A web archive read with host, URL and language filters: filtered pages are counted by reason
in the manifest, never extracted, never rejected, and the run reconciles."""
import pyarrow.dataset as ds

from tests.conftest import read_manifest, run_cli
from tests.transforms.sources.archive_pages import build_archive, page

CONFIG = """\
archive:
  hosts_allow: [example.com]
  hosts_deny: [ads.example.com]
  url_deny: ['/video/']
  languages: [en]
"""

PAGES = [  # url, body, Content-Language; what the filters decide
    ("https://news.example.com/2024/harbour", page("harbour wall"), "en"),  # kept
    ("https://www.example.com/2024/tram", page("tram line"), "en-GB"),  # kept: a region of en
    ("https://news.example.com/2024/bridge", page("swing bridge"), None),  # kept: no hint
    ("https://ads.example.com/2024/offer", page("summer offer"), "en"),  # filtered_host: denied
    ("https://badexample.com/2024/copy", page("copied story"), "en"),  # filtered_host: not a suffix match
    ("https://news.example.com/video/clip", page("bus depot"), "en"),  # filtered_url
    ("https://news.example.com/2024/kanal", page("canal lock"), "de"),  # filtered_language
    ("https://news.example.com/2024/gare", page("railway station", lang="fr"), None),  # filtered_language: <html lang>
]


def test_filtered_archive_pages_are_counted_by_reason_and_the_run_reconciles(tmp_path):
    (tmp_path / "crawl.warc.gz").write_bytes(build_archive(PAGES))
    (tmp_path / "config.yaml").write_text(CONFIG)
    out = tmp_path / "out"
    result = run_cli("-q", "run", "--input", str(tmp_path / "crawl.warc.gz"), "--output", str(out),
                     "--run-id", "f1", "--config", str(tmp_path / "config.yaml"))
    assert result.returncode == 0, result.stderr.decode()
    manifest = read_manifest(out)
    assert manifest["archive_records_skipped"] == {"filtered_host": 2, "filtered_language": 2, "filtered_url": 1}
    assert manifest["reconciliation"] == {"inputs": 3, "articles": 3, "duplicates": 0, "rejected": 0, "ok": True}
    rows = ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table().to_pylist()
    assert sorted(r["url"] for r in rows) == ["https://news.example.com/2024/bridge",
                                              "https://news.example.com/2024/harbour",
                                              "https://www.example.com/2024/tram"]
    assert not (out / "rejected").exists() or not list((out / "rejected").rglob("*.parquet"))


FEED_PAGE = ("<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
             + "<p>The harbour board says the {title} work will take a year, and the ferries will leave "
               "from the north quay until it is done, with buses to the town centre every hour.</p>" * 3
             + "</article></body></html>")


def test_linked_pages_of_feed_entries_obey_the_same_filters(tmp_path):
    from tests.feed_server import fixed, serving
    entries = [("kept", "/news/kept"), ("video", "/video/clip"), ("french", "/news/gare")]
    with serving({}) as server:
        items = "".join(f"<item><title>{t}</title><link>{server.base}{p}</link><guid>{t}</guid>"
                        f"<description>A short teaser about the {t} story.</description></item>" for t, p in entries)
        server.routes["/rss"] = fixed(200, f"<rss version='2.0'><channel><title>H</title>{items}</channel></rss>"
                                      .encode(), Content_Type="application/rss+xml")
        for title, path in entries:
            server.routes[path] = fixed(200, FEED_PAGE.format(title=title).encode(), Content_Type="text/html",
                                        Content_Language="fr" if title == "french" else "en")
        (tmp_path / "config.yaml").write_text(f"sources:\n  - type: feed\n    urls: ['{server.base}/rss']\n"
                                              "archive:\n  url_deny: ['/video/']\n  languages: [en]\n")
        result = run_cli("-q", "run", "--config", str(tmp_path / "config.yaml"), "--output", str(tmp_path / "out"),
                         "--allow-network", "127.0.0.1/32")
        assert result.returncode == 0, result.stderr.decode()[-3000:]
        assert server.hits("/video/clip") == 0 and server.hits("/news/gare") == 1
    manifest = read_manifest(tmp_path / "out")
    assert manifest["reconciliation"]["ok"] and manifest["counts"]["articles"] == 3  # every entry is kept
    assert {k: v for k, v in manifest["counters"].items() if k.startswith("page_")} == {
        "page_skipped/filtered_url": 1, "page_skipped/filtered_language": 1}
    rows = {r["title"]: r for r in ds.dataset(tmp_path / "out" / "articles", format="parquet",
                                              partitioning="hive").to_table().to_pylist()}
    assert "north quay" in rows["kept"]["text"] and "north quay" not in rows["french"]["text"]
