"""Feeds over HTTP end to end: a real server on 127.0.0.1, the CLI, Parquet read back."""
import gzip
import json
import socket
from datetime import datetime, timezone

import pyarrow.dataset as ds
import pytest
import yaml

from tests.conftest import run_cli
from tests.feed_server import fixed, rate_limited_once, serving, slow, with_etag

PARAGRAPH = ("The harbour authority confirmed on Tuesday that the new ferry terminal will open in May, "
             "after two years of construction and a long dispute over the cost of dredging the channel. ")

OTHER_PARAGRAPH = ("Volunteers planted four hundred trees along the river path on Saturday, the first stage "
                   "of a plan to restore the woodland that was cleared when the old railway was built. ")

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Harbour Herald</title><link>https://harbour-herald.co.uk/</link><language>en</language>
<item><title>Ferry terminal opens in May</title><link>https://harbour-herald.co.uk/news/ferry</link>
<guid>hh-1</guid><dc:creator>Ann Lee</dc:creator><pubDate>Tue, 01 Mar 2022 10:00:00 +0100</pubDate>
<category>Transport</category><category>Harbour</category>
<content:encoded><![CDATA[<p>{PARAGRAPH}</p><p>Advertisement</p><p>{PARAGRAPH}</p>]]></content:encoded></item>
<item><title>Short teaser only</title><link>{{base}}/articles/short</link><guid>hh-2</guid>
<pubDate>Wed, 02 Mar 2022 08:30:00 GMT</pubDate><category>Ferries</category>
<description>A short teaser.</description></item>
</channel></rss>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Valley Times</title>
<link href="https://valley-times.com/"/><id>urn:vt</id><updated>2022-03-03T12:00:00-05:00</updated>
<entry><title>Bridge repairs finished</title><link href="https://valley-times.com/bridge"/>
<id>urn:vt:1</id><updated>2022-03-03T12:00:00-05:00</updated><published>2022-03-03T11:00:00-05:00</published>
<author><name>Raj Patel</name></author><category term="Roads"/>
<content type="html">&lt;p&gt;{PARAGRAPH}&lt;/p&gt;&lt;p&gt;Topics: Roads, Bridges&lt;/p&gt;</content></entry></feed>"""

PAGE = f"""<html><head><title>Short teaser only | Harbour Herald</title></head><body>
<article><h1>Short teaser only</h1><p>{PARAGRAPH}</p><p>{PARAGRAPH.replace('May', 'June')}</p>
<p>Topics: Harbour, Ferries</p></article></body></html>"""

LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(b'<!ENTITY %s "%s">' % (b"a" * (i + 2), (b"&" + b"a" * (i + 1) + b";") * 10) for i in range(8))
          + b']><rss><channel><item><title>&aaaaaaaaa;</title></item></channel></rss>')
QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "' + b"x" * 100_000 + b'">]><rss><channel>'
             b"<item><description>" + b"&big;" * 2000 + b"</description></item></channel></rss>")


BIG_ENTRY_FEED = (f"<rss version='2.0'><channel><title>Big</title>"
                  f"<item><title>Huge</title><link>https://big.example/1</link><description>{'word ' * 6000}"
                  f"</description></item><item><title>Small</title><link>https://big.example/2</link>"
                  f"<description>The small entry around the huge one is still read.</description></item></channel></rss>").encode()


@pytest.fixture(scope="module")
def outside_listener():
    """A listener on 127.0.0.2, outside the allowed network: it must never be dialled."""
    sock = socket.socket()
    sock.bind(("127.0.0.2", 0))
    sock.listen(1)
    sock.setblocking(False)
    yield sock
    sock.close()


def routes(outside_port):
    rss = RSS.replace("{base}", "BASE").encode()
    return {
        "/rss": with_etag('"v1"', rss),
        "/atom": fixed(200, ATOM.encode(), Content_Type="application/atom+xml"),
        "/articles/short": fixed(200, PAGE.encode(), Content_Type="text/html; charset=utf-8"),
        "/missing": fixed(404, b"gone fishing"),
        "/rate": rate_limited_once(ATOM.replace("urn:vt:1", "urn:vt:2").replace("/bridge", "/bridge-2")
                                   .replace(PARAGRAPH, OTHER_PARAGRAPH).encode()),
        "/slow": slow(8, rss),
        "/bomb": fixed(200, gzip.compress(b"\0" * (40 * 1024 * 1024)), Content_Encoding="gzip"),
        "/laughs": fixed(200, LAUGHS, Content_Type="application/rss+xml"),
        "/quadratic": fixed(200, QUADRATIC, Content_Type="application/rss+xml"),
        "/redirect-out": fixed(302, b"", Location=f"http://127.0.0.2:{outside_port}/feed"),
        "/html": fixed(200, b"<html><body><h1>Welcome</h1><p>Not a feed.</p></body></html>",
                       Content_Type="application/rss+xml"),
        # the entity declarations are only visible once the body is decoded as its charset says
        "/ebcdic": fixed(200, LAUGHS.decode().encode("cp037"), Content_Type="application/rss+xml; charset=cp037"),
        "/big-entry": fixed(200, BIG_ENTRY_FEED, Content_Type="application/rss+xml"),
    }


def write_config(path, base, out):
    names = ["rss", "atom", "missing", "rate", "slow", "bomb", "laughs", "quadratic", "redirect-out", "html",
             "ebcdic", "big-entry"]
    config = {"output": str(out), "sources": [{"type": "feed", "urls": [f"{base}/{n}" for n in names]}],
              "limits": {"max_record_mb": 0.02},
              "fetch": {"total_timeout_s": 3, "retries": 1, "backoff_s": 0.05, "max_body_mb": 1,
                        "article_min_words": 20}}
    path.write_text(yaml.safe_dump(config))
    return path


def table(out, kind):
    return ds.dataset(out / kind, format="parquet", partitioning="hive").to_table().to_pylist()


@pytest.fixture(scope="module")
def feed_run(tmp_path_factory, outside_listener):
    tmp_path = tmp_path_factory.mktemp("feeds")
    with serving(routes(outside_listener.getsockname()[1])) as server:
        server.routes["/rss"] = with_etag('"v1"', RSS.replace("{base}", server.base).encode())
        config = write_config(tmp_path / "feeds.yaml", server.base, tmp_path / "out")
        first = run_cli("run", "--config", str(config), "--allow-network", "127.0.0.1/32", "--run-id", "f1")
        second = run_cli("run", "--config", str(config), "--allow-network", "127.0.0.1/32", "--run-id", "f2")
        yield server, tmp_path / "out", first, second


def test_feeds_land_as_articles_with_utc_dates(feed_run):
    server, out, first, _ = feed_run
    assert first.returncode == 0, first.stderr.decode()
    rows = {r["title"]: r for r in table(out, "articles") if r["run_id"] == "f1"}
    assert set(rows) == {"Ferry terminal opens in May", "Short teaser only", "Bridge repairs finished", "Small"}
    ferry = rows["Ferry terminal opens in May"]
    assert ferry["published_at"] == datetime(2022, 3, 1, 9, 0, tzinfo=timezone.utc)
    assert ferry["authors"] == ["Ann Lee"] and ferry["topics"] == ["Transport", "Harbour"]
    assert ferry["source_type"] == "feed" and ferry["source_uri"] == f"{server.base}/rss"
    assert "Advertisement" not in ferry["text"]
    bridge = rows["Bridge repairs finished"]
    assert bridge["published_at"] == datetime(2022, 3, 3, 16, 0, tzinfo=timezone.utc)
    assert bridge["topics"] == ["Roads", "Bridges"] and bridge["authors"] == ["Raj Patel"]


def test_short_entry_is_completed_from_its_page(feed_run):
    server, out, _, _ = feed_run
    row = next(r for r in table(out, "articles") if r["title"] == "Short teaser only")
    assert "June" in row["text"] and row["extractor"].startswith("html:")
    assert row["topics"] == ["Ferries", "Harbour"]
    assert row["published_at"] == datetime(2022, 3, 2, 8, 30, tzinfo=timezone.utc)
    assert server.hits("/articles/short") == 1


def test_retry_after_is_honoured(feed_run):
    server, out, _, _ = feed_run
    assert server.hits("/rate") >= 2
    assert any(r["source_uri"].endswith("/rate") for r in table(out, "articles"))


EXPECTED_REJECTS = {
    "/missing": "http_not_found", "/slow": "fetch_timeout", "/bomb": "too_large",
    "/laughs": "feed_hostile_xml", "/quadratic": "feed_hostile_xml",
    "/redirect-out": "blocked_address", "/html": "feed_not_xml", "/ebcdic": "feed_hostile_xml",
    "/big-entry": "too_large",
}


def test_hostile_and_broken_feeds_are_rejected_with_reasons(feed_run, outside_listener):
    server, out, _, _ = feed_run
    rejected = {r["source_uri"].replace(server.base, ""): r for r in table(out, "rejected") if r["run_id"] == "f1"}
    assert {path: row["reason"] for path, row in rejected.items()} == EXPECTED_REJECTS
    assert rejected["/laughs"]["raw"] == LAUGHS
    with pytest.raises(BlockingIOError):
        outside_listener.accept()  # nothing ever connected to 127.0.0.2


def test_manifest_reconciles_and_state_is_saved(feed_run):
    server, out, _, _ = feed_run
    manifest = json.loads((out / "_runs" / "f1.json").read_text())
    assert manifest["reconciliation"]["ok"]
    assert manifest["counts"] == {"articles": 5, "rejected": len(EXPECTED_REJECTS), "duplicates": 0}
    state = json.loads((out / "_state" / "feeds.json").read_text())["feeds"]
    assert state[f"{server.base}/rss"]["etag"] == '"v1"'
    assert f"{server.base}/missing" not in state


def test_second_run_sends_validators_and_304_adds_nothing(feed_run):
    server, out, _, second = feed_run
    assert second.returncode == 0, second.stderr.decode()
    rss_requests = [h for p, h in server.requests if p == "/rss"]
    assert rss_requests[-1].get("If-None-Match") == '"v1"'
    manifest = json.loads((out / "_runs" / "f2.json").read_text())
    assert manifest["counters"]["feeds_not_modified"] == 1
    assert not [r for r in table(out, "articles") if r["run_id"] == "f2" and r["source_uri"].endswith("/rss")]
    assert manifest["reconciliation"]["ok"]


def test_failed_write_does_not_save_validators(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "articles").write_text("a file where the articles folder should be")
    with serving({}) as server:
        server.routes["/rss"] = with_etag('"v1"', RSS.replace("{base}", server.base).encode())
        result = run_cli("run", "--feed", f"{server.base}/rss", "--output", str(out),
                         "--allow-network", "127.0.0.1/32", "--run-id", "broken")
    assert result.returncode != 0
    assert not (out / "_state" / "feeds.json").exists()
