"""Tests for transforms.text.article: the source a row is filed under, and one Article row end to end."""
import json
from datetime import datetime, timezone

import pytest

from tests.transforms.sources.format_helpers import SHARED
from transforms.text.article import BOILERPLATE_ONLY, build_article, resolve_source
from transforms.text.boilerplate import load_rules
from transforms.errors import RejectError
from transforms.sources.formats import extract_document, split_file
from schemas.records import ExtractedDocument, RawDocument, RunContext
from transforms.text.urls import canonical_url, source_from_url

SEED_ARTICLE = SHARED / "samples" / "seed-article.txt"
SEED_TOPICS = ["Russia", "Ukraine", "Vladimir Putin", "Volodymyr Zelensky", "World News"]
CTX = RunContext(run_id="t1", ingested_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
                 pipeline_version="test")
COAST_LINK = "https://www.coast-gazette.example.com/2024/03/harbour"


@pytest.fixture(scope="module")
def rules():
    return load_rules(["default"])


def feed_document(item: str) -> ExtractedDocument:
    data = ("<rss version='2.0'><channel><title>Coast Gazette</title>"
            f"<item>{item}<description>The harbour wall will be repaired.</description></item>"
            "</channel></rss>").encode()
    (unit,) = split_file(data, "mem://feed.xml", "feed")
    return extract_document(unit)


def json_document(record: dict) -> ExtractedDocument:
    return extract_document(RawDocument(json.dumps(record).encode(), "mem://x.jsonl", "json"))


def source_of(doc: ExtractedDocument) -> str:
    return resolve_source(doc, canonical_url(doc.url))


# --------------------------------------------------------------------------- resolve_source


def test_feed_entry_with_a_link_is_filed_under_the_links_domain():
    doc = feed_document(f"<title>Harbour</title><link>{COAST_LINK}</link>")
    assert (doc.source, doc.site_name) == (None, "Coast Gazette")
    assert source_from_url(COAST_LINK) == "example.com"  # registered domain, not the subdomain
    assert source_of(doc) == "example.com"


def test_feed_entry_without_a_link_is_filed_under_the_feed_title():
    doc = feed_document("<title>Harbour</title>")
    assert doc.url is None
    assert source_of(doc) == "coast-gazette"


def test_json_declared_source_beats_the_url():
    doc = json_document({"source": "The Guardian", "url": "https://www.theguardian.com/world/x",
                         "text": "Ferry timetables change next week."})
    assert source_of(doc) == "the-guardian"


def test_json_record_without_source_is_filed_under_its_urls_domain():
    doc = json_document({"url": "https://www.theguardian.com/world/x", "text": "Ferry timetables change."})
    assert source_of(doc) == "theguardian.com"


def test_site_name_is_only_a_fallback():
    named = ExtractedDocument(text="x", extractor="html:trafilatura", source_uri="mem://x.html",
                              site_name="Example Gazette")
    assert source_of(named) == "example-gazette"
    with_url = ExtractedDocument(text="x", extractor="html:trafilatura", source_uri="mem://x.html",
                                 url="https://news.example.org/a", site_name="Example Gazette")
    assert source_of(with_url) == "example.org"
    nothing = ExtractedDocument(text="x", extractor="text", source_uri="mem://x.txt")
    assert source_of(nothing) == "local"


# --------------------------------------------------------------------------- build_article


@pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="shared seed article not present")
def test_build_article_on_the_seed(rules):
    unit = RawDocument(SEED_ARTICLE.read_bytes(), str(SEED_ARTICLE), "txt")
    row = build_article(extract_document(unit), rules, CTX)
    assert row["topics"] == SEED_TOPICS
    assert len(row["boilerplate"]) == 5
    assert "Advert" not in row["text"].split("\n\n")
    assert row["language"] == "en"
    assert row["id"].startswith("h") and row["id"] == "h" + row["content_hash"][:24]
    assert (row["source"], row["url"], row["title"]) == ("local", None, None)
    assert (row["run_id"], row["ingested_at"], row["pipeline_version"]) == ("t1", CTX.ingested_at, "test")
    assert row["word_count"] > 300 and row["duplicate_of"] is None


def test_boilerplate_only_text_is_rejected(rules):
    doc = ExtractedDocument(text="Advertisement\nAdvert", extractor="text", source_uri="mem://x.txt")
    with pytest.raises(RejectError) as caught:
        build_article(doc, rules, CTX)
    assert caught.value.reason == BOILERPLATE_ONLY == "boilerplate_only"


# --------------------------------------------------------------------------- feed entries: fallbacks


def feed_entry(item: str) -> ExtractedDocument:
    data = f"<rss version='2.0'><channel><title>Feed</title><item>{item}</item></channel></rss>".encode()
    (unit,) = split_file(data, "mem://feed.xml", "feed")
    return extract_document(unit)


SUMMARY = ("Our guest explains how tide gauges along the coast are calibrated every spring and why the "
           "readings from the old harbour differ from the new ones by several centimetres.")


def test_content_that_is_all_boilerplate_gives_way_to_the_summary(rules):
    doc = feed_entry(f"<title>Tides</title><link>https://pod.example/</link><description>{SUMMARY}</description>"
                     "<content:encoded xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
                     "TOPIC: Science</content:encoded>")
    row = build_article(doc, rules, CTX)
    assert row["text"] == SUMMARY and row["title_only"] is False
    assert row["boilerplate"] == [{"rule": "topics_footer", "text": "TOPIC: Science"}]


def test_a_lone_line_only_a_footer_rule_removes_is_kept(rules):
    row = build_article(feed_entry("<title>Release</title><description>3.8.11</description>"), rules, CTX)
    assert (row["text"], row["title_only"], row["boilerplate"]) == ("3.8.11", False, [])


def test_a_titled_entry_with_no_text_left_is_a_title_only_article(rules):
    comments = "<a href='https://news.ycombinator.com/item?id=1'>Comments</a>"
    row = build_article(feed_entry(f"<title>Show HN: a tide clock</title><link>https://tide.example/</link>"
                                   f"<guid isPermaLink='false'>hn-1</guid><description>{comments}</description>"),
                        rules, CTX)
    assert (row["text"], row["title_only"], row["title"]) == ("", True, "Show HN: a tide clock")
    assert row["source_id"] == "hn-1" and row["id"].startswith("g")
    assert row["boilerplate"] == [{"rule": "comments", "text": "Comments"}]


def test_title_only_entries_without_link_or_guid_are_told_apart_by_title(rules):
    first, second = (build_article(feed_entry(f"<title>{title}</title>"), rules, CTX) for title in ("One", "Two"))
    assert first["id"] != second["id"] and first["title_only"] and second["title_only"]


def test_text_files_with_nothing_left_are_still_rejected(rules):
    for text, reason in (("Advertisement", BOILERPLATE_ONLY), ("", "text_empty")):
        with pytest.raises(RejectError) as caught:
            build_article(ExtractedDocument(text=text, extractor="text", source_uri="mem://x.txt"), rules, CTX)
        assert caught.value.reason == reason
