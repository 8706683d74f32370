"""Tests for transforms.sources.feeds: feed files split into entry units, and entries extracted.

Driven through the public entry points ``split_file`` / ``extract_document``.
Fixture expectations are written in each fixture's header (see tests/fixtures/inputs/README.md).
"""
import json
import time
import warnings

import pytest

from tests.transforms.sources.format_helpers import (
    INPUTS,
    SHARED,
    documents_of,
    extract_reason,
    split_reason,
    units_of,
    utc,
)
from transforms.errors import (
    EMPTY_INPUT,
    FEED_HOSTILE_XML,
    FEED_NO_ENTRIES,
    FEED_NOT_XML,
    TEXT_EMPTY,
    RejectError,
)
from transforms.sources.formats import extract_document, split_file

FEED_CORPUS = SHARED / "feeds" / "feedparser-corpus"


# --------------------------------------------------------------------------- split


def test_feed_gives_one_json_unit_per_entry_with_feed_fields():
    units = units_of("rss2-content-encoded.xml")
    assert [unit.fmt for unit in units] == ["feed", "feed"]
    entry = json.loads(units[0].data)
    assert entry["feed_title"] == "Example Gazette"
    assert entry["feed_link"] == "https://news.example.com/"
    assert entry["feed_language"] == "en-gb"
    assert entry["feed_bozo"] is False
    assert entry["published"] == "2024-03-03T09:15:00+00:00"
    assert entry["updated"] is None  # feedparser's updated->published fallback is not used


def test_feed_with_usable_entries_despite_errors_keeps_the_bozo_flag():
    data = (
        b"<rss version='2.0'><channel><title>T & Co</title><item><title>Broken & bold</title>"
        b"<description>Body text here.</description></item></channel></rss>"
    )
    (unit,) = split_file(data, "mem://feed.xml", "feed")
    assert json.loads(unit.data)["feed_bozo"] is True
    assert extract_document(unit).text == "Body text here."


@pytest.mark.parametrize("name", ["not-a-feed.xml", "truncated-feed.xml"])
def test_not_a_feed(name):
    assert split_reason((INPUTS / name).read_bytes(), "feed") == FEED_NOT_XML


def test_html_page_given_as_feed_is_not_a_feed():
    assert split_reason((INPUTS / "article-page.html").read_bytes(), "feed") == FEED_NOT_XML


def test_feed_without_entries():
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert split_reason(data, "feed") == FEED_NO_ENTRIES


def test_empty_feed_file():
    assert split_reason(b"  \n", "feed") == EMPTY_INPUT


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_refused_quickly(encoding):
    data = (INPUTS / "billion-laughs.xml").read_text("utf-8").encode(encoding)
    started = time.perf_counter()
    assert split_reason(data, "feed") == FEED_HOSTILE_XML
    assert time.perf_counter() - started < 1.0


def test_feed_bytes_naming_a_file_are_never_opened(tmp_path):
    real_feed = tmp_path / "real.xml"
    real_feed.write_bytes((INPUTS / "rss2-content-encoded.xml").read_bytes())
    assert split_reason(str(real_feed).encode(), "feed") == FEED_NOT_XML
    assert split_reason(real_feed.as_uri().encode(), "feed") == FEED_NOT_XML

# --------------------------------------------------------------------------- extract: feeds


def test_rss2_entries_match_the_fixture_header():
    first, second = documents_of("rss2-content-encoded.xml")
    assert first.extractor == "feed"
    assert first.source_type == "file"
    assert first.title == "Cycle lanes approved"
    assert first.url == "https://news.example.com/a/1"
    assert first.entry_id == "urn:example:1"
    assert first.authors == ("Jane Doe",)
    assert first.published == utc(2024, 3, 3, 9, 15)
    assert first.topics == ("Transport", "Cycling")
    assert first.text == "First paragraph.\n\nSecond paragraph with a link.\n\nA list item"
    assert first.summary == "Short summary of the story."
    assert first.site_name == "Example Gazette"  # the feed title is descriptive, not a declared source
    assert first.source is None
    assert first.language == "en"
    assert second.text == "Only a description here.\n\nIt has two paragraphs."
    assert second.summary is None


def test_atom_entry_matches_the_fixture_header():
    (entry,) = documents_of("atom-feed.atom")
    assert entry.title == "Atom entry title"
    assert entry.url == "https://blog.example.org/posts/atom-entry"
    assert entry.entry_id == "tag:blog.example.org,2024:1"
    assert entry.authors == ("Sam Writer",)
    assert entry.published == utc(2024, 2, 1, 12, 0)
    assert entry.updated == utc(2024, 2, 2, 8, 30)
    assert entry.topics == ("Science",)
    assert entry.language == "fr"
    assert entry.site_name == "Example Blog"
    assert entry.source is None
    assert entry.text == "Atom first paragraph.\n\nAtom second\n\nline."
    assert entry.summary == "Entry summary."


def test_feed_document_keeps_its_unit_bytes_as_raw():
    unit = units_of("atom-feed.atom")[0]
    assert extract_document(unit).raw == unit.data


def test_feed_entry_with_title_only_is_extracted_with_no_text():
    """Its linked page may still be fetched; failing that it becomes a title-only article."""
    data = b"<rss version='2.0'><channel><item><title>Only a title</title></item></channel></rss>"
    (unit,) = split_file(data, "mem://feed.xml", "feed")
    doc = extract_document(unit)
    assert (doc.text, doc.title, doc.id_scope) == ("", "Only a title", "mem://feed.xml")


def test_feed_entry_with_nothing_at_all_is_rejected():
    data = b"<rss version='2.0'><channel><item><guid isPermaLink='false'>x-1</guid><author>a@b.c</author></item></channel></rss>"
    (unit,) = split_file(data, "mem://feed.xml", "feed")
    assert extract_reason(unit) == TEXT_EMPTY

# --------------------------------------------------------------------------- robustness on real-world feeds


def _corpus_sample():
    if not FEED_CORPUS.is_dir():
        return []
    wellformed = sorted((FEED_CORPUS / "wellformed").rglob("*.xml"))
    illformed = sorted((FEED_CORPUS / "illformed").rglob("*.xml"))
    return illformed + wellformed[:: max(1, len(wellformed) // 190)]


@pytest.mark.skipif(not FEED_CORPUS.is_dir(), reason="feedparser corpus not present")
def test_feedparser_corpus_raises_nothing_but_reject_errors():
    sample = _corpus_sample()
    assert len(sample) >= 150
    documents, rejects = 0, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in sample:
            try:
                for unit in split_file(path.read_bytes(), str(path), "feed"):
                    try:
                        documents += bool(extract_document(unit).text)
                    except RejectError:
                        rejects += 1
            except RejectError:
                rejects += 1
    assert documents > 20 and rejects > 20


def test_http_charset_header_is_honoured():
    """A feed without an XML encoding declaration, served as windows-1251 over HTTP."""
    from transforms.sources.feeds import extract_feed, split_feed

    title = "Новости дня"
    body = ("<rss version='2.0'><channel><title>t</title><item><title>" + title +
            "</title><link>https://example.ru/a</link><description>Текст статьи о погоде.</description>"
            "</item></channel></rss>").encode("cp1251")
    headers = {"content-type": "application/rss+xml; charset=windows-1251"}
    unit = next(iter(split_feed(body, "https://example.ru/rss", "feed", headers)))
    assert extract_feed(unit)["title"] == title


@pytest.mark.parametrize("encoding, title", [("euc-jp", "ゲーム三昧な正月の記録"), ("koi8-r", "Как пережить новогоднюю ночь и не уснуть до утра, когда все друзья уже давно спят"),
                                             ("cp1252", "Café crème à la carte")])
def test_a_feed_declaring_no_encoding_is_decoded_by_its_bytes(encoding, title):
    data = (f"<rss version='2.0'><channel><item><title>{title}</title><link>https://x.example/1</link>"
            f"<description>{title}: {title}. {title}!</description></item></channel></rss>").encode(encoding)
    (unit,) = split_file(data, "mem://feed.xml", "feed")
    assert extract_document(unit).title == title


def test_a_declared_encoding_is_never_second_guessed():
    data = "<?xml version='1.0' encoding='iso-8859-1'?><rss version='2.0'><channel><item><title>Café</title>" \
           "<link>https://x.example/1</link></item></channel></rss>".encode("latin-1")
    (unit,) = split_file(data, "mem://feed.xml", "feed")
    assert extract_document(unit).title == "Café"


def test_a_guid_shared_by_items_with_different_links_is_qualified_by_the_link():
    items = "".join(f"<item><title>Post {i}</title><link>https://blog.example/{i}</link>"
                    f"<guid>https://blog.example/</guid><description>Post {i} text.</description></item>"
                    for i in range(3))
    again = "<item><title>Post 0</title><link>https://blog.example/0</link><guid>ok-0</guid></item>"
    units = split_file(f"<rss version='2.0'><channel>{items}{again}</channel></rss>".encode(), "mem://f.xml", "feed")
    ids = [extract_document(unit).entry_id for unit in units]
    assert ids[:3] == [f"https://blog.example/ https://blog.example/{i}" for i in range(3)] and ids[3] == "ok-0"
