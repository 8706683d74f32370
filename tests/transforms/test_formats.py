"""Tests for transforms.formats: splitting files into units and extracting documents.

Fixture expectations are written in each fixture's header (see tests/fixtures/inputs/README.md).
"""
import bz2
import gzip
import json
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pytest
import zstandard

from transforms.decode import decompress, detect_format
from transforms.errors import (
    BINARY_INPUT,
    EMPTY_INPUT,
    FEED_HOSTILE_XML,
    FEED_NO_ENTRIES,
    FEED_NOT_XML,
    HTML_EMPTY,
    JSON_INVALID,
    JSON_NO_TEXT,
    TEXT_EMPTY,
    UNSUPPORTED_FORMAT,
    RejectError,
)
from transforms.formats import extract_document, html_fragment_to_text, split_file
from transforms.records import RawDocument

INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"
SHARED = Path(__file__).resolve().parents[3] / "shared"
FEED_CORPUS = SHARED / "feeds" / "feedparser-corpus"
SEED_ARTICLE = SHARED / "samples" / "seed-article.txt"
MIB = 1024 * 1024


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def units_of(name: str):
    fmt, _ = detect_format(name)
    return list(split_file((INPUTS / name).read_bytes(), f"file:///inputs/{name}", fmt))


def documents_of(name: str):
    return [extract_document(unit) for unit in units_of(name)]


def split_reason(data: bytes, fmt: str) -> str:
    with pytest.raises(RejectError) as caught:
        list(split_file(data, "mem://input", fmt))
    return caught.value.reason


def extract_reason(unit: RawDocument) -> str:
    with pytest.raises(RejectError) as caught:
        extract_document(unit)
    return caught.value.reason


# --------------------------------------------------------------------------- split_file


@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_txt_and_html_files_are_one_unit(fmt):
    units = list(split_file(b"<p>whole file</p>", "mem://x", fmt))
    assert units == [RawDocument(b"<p>whole file</p>", "mem://x", fmt, "file", None)]


def test_html_unit_carries_the_declared_charset():
    (unit,) = split_file(b'<meta charset="koi8-r"><p>x</p>', "mem://x", "html")
    assert unit.declared_charset == "koi8-r"


def test_source_type_is_passed_through():
    (unit,) = split_file(b"text", "https://example.com/x.txt", "txt", source_type="web")
    assert unit.source_type == "web"


def test_jsonl_gives_one_json_unit_per_non_blank_line():
    units = units_of("records.jsonl")
    raw_lines = [line for line in (INPUTS / "records.jsonl").read_bytes().splitlines() if line.strip()]
    assert [unit.fmt for unit in units] == ["json"] * 4
    assert [unit.data for unit in units] == raw_lines


def test_jsonl_in_utf16_with_bom_is_split_after_decoding():
    data = '{"text": "één"}\r\n{"text": "twee"}\r\n'.encode("utf-16")
    units = list(split_file(data, "mem://x.jsonl", "jsonl"))
    assert [json.loads(unit.data)["text"] for unit in units] == ["één", "twee"]


@pytest.mark.parametrize("data", [b"", b"\n \n\r\n"])
def test_jsonl_without_records_is_rejected(data):
    assert split_reason(data, "jsonl") == EMPTY_INPUT


def test_unknown_format_is_rejected():
    assert split_reason(b"data", "docx") == UNSUPPORTED_FORMAT
    assert extract_reason(RawDocument(b"data", "mem://x", "docx")) == UNSUPPORTED_FORMAT


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
    assert first.source == "Example Gazette"
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
    assert entry.source == "Example Blog"
    assert entry.text == "Atom first paragraph.\n\nAtom second\n\nline."
    assert entry.summary == "Entry summary."


def test_feed_document_keeps_its_unit_bytes_as_raw():
    unit = units_of("atom-feed.atom")[0]
    assert extract_document(unit).raw == unit.data


def test_feed_entry_with_title_only_has_no_text():
    data = b"<rss version='2.0'><channel><item><title>Only a title</title></item></channel></rss>"
    (unit,) = split_file(data, "mem://feed.xml", "feed")
    assert extract_reason(unit) == TEXT_EMPTY


# --------------------------------------------------------------------------- extract: text files


def test_cp1252_text_file():
    (document,) = documents_of("cp1252-article.txt")
    assert document.extractor == "text"
    assert document.title is None
    paragraphs = document.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0] == "Café owners in the old town say the new “pedestrian first” rules have changed their trade."


@pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="shared seed article not present")
def test_seed_article_first_line_is_body_not_title():
    data = SEED_ARTICLE.read_bytes()
    document = extract_document(RawDocument(data, str(SEED_ARTICLE), "txt"))
    lines = [line.strip() for line in data.decode("utf-8").splitlines() if line.strip()]
    assert document.title is None
    assert document.text.split("\n\n") == lines


def test_text_with_blank_line_paragraphs_keeps_its_blocks():
    unit = RawDocument(b"Para one\nstill one.\r\n\r\n\r\nPara two.\n", "mem://x.txt", "txt")
    assert extract_document(unit).text == "Para one\nstill one.\n\nPara two."


@pytest.mark.parametrize(
    "data, reason",
    [(b"", EMPTY_INPUT), (b" \n\n ", EMPTY_INPUT), (b"\x89PNG\r\n\x1a\n" + bytes(32), BINARY_INPUT)],
)
def test_unusable_text_files(data, reason):
    assert extract_reason(RawDocument(data, "mem://x.txt", "txt")) == reason


# --------------------------------------------------------------------------- extract: html pages


def test_html_article_matches_the_fixture_header():
    (page,) = documents_of("article-page.html")
    assert page.extractor == "html:trafilatura"
    assert page.title == "Council approves new cycle lanes for the city centre"
    assert page.authors == ("Jane Doe",)
    assert page.published == utc(2024, 3, 3, 9, 15)
    assert page.language == "en"
    assert page.source == "Example Gazette"
    assert page.url == "https://news.example.com/2024/03/cycle-lanes"
    assert {"Transport", "Cycling"} <= set(page.topics)
    assert page.summary == "The city council voted on Tuesday to build twelve kilometres of protected cycle lanes."
    paragraphs = page.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("The city council voted on Tuesday")
    assert "Privacy policy" not in page.text and "Home" not in page.text


def test_html_without_text():
    (unit,) = units_of("empty-page.html")
    assert extract_reason(unit) == HTML_EMPTY


@pytest.mark.parametrize("data", [b"<html></html>", b"<!-- nothing -->", b"<<<>>>"])
def test_degenerate_html(data):
    assert extract_reason(RawDocument(data, "mem://x.html", "html")) == HTML_EMPTY


def test_html_uses_its_declared_charset():
    body = "<p>" + "Привет, это проверка кодировки страницы. " * 8 + "</p>"
    data = f'<html><head><meta charset="koi8-r"></head><body><article>{body}</article></body></html>'
    (unit,) = split_file(data.encode("koi8-r"), "mem://x.html", "html")
    assert extract_document(unit).text.startswith("Привет, это проверка")


# --------------------------------------------------------------------------- extract: json records


def test_jsonl_records_match_the_fixture_readme():
    plain, broken, no_text, with_html = units_of("records.jsonl")
    document = extract_document(plain)
    assert document.extractor == "json"
    assert document.text == "First paragraph of the record.\n\nSecond paragraph of the record."
    assert document.entry_id == "101"
    assert document.url == "https://news.example.com/a/101"
    assert document.authors == ("Jane Doe", "John Smith")
    assert document.published == utc(2024, 3, 3, 9, 15)
    assert document.topics == ("Politics", "Economy")
    assert (document.language, document.summary, document.source) == ("en", "A summary.", "Example Wire")
    assert document.raw == plain.data
    assert extract_reason(broken) == JSON_INVALID
    assert extract_reason(no_text) == JSON_NO_TEXT
    page = extract_document(with_html)
    assert page.extractor == "html:trafilatura"
    assert page.title == "Declared title wins"  # the record's own field beats the page's
    assert page.authors == ("Page Author",)
    assert page.language == "de"
    assert len(page.text.split("\n\n")) == 2


@pytest.mark.parametrize(
    "line, reason",
    [
        (b"[1, 2, 3]", JSON_INVALID),
        (b'"just a string"', JSON_INVALID),
        (b'{"text": 42}', JSON_INVALID),
        (b"[" * 100000, JSON_INVALID),
        (b'{"text": "   ", "html": ""}', JSON_NO_TEXT),
        (b'{"html": "<html><body></body></html>"}', HTML_EMPTY),
    ],
)
def test_bad_json_records(line, reason):
    assert extract_reason(RawDocument(line, "mem://x.jsonl", "json")) == reason


def test_json_epoch_dates_and_list_authors():
    line = b'{"text": "Body.", "authors": ["A One", "B Two"], "published_at": 1709457300, "id": "x"}'
    document = extract_document(RawDocument(line, "mem://x.jsonl", "json"))
    assert document.authors == ("A One", "B Two")
    assert document.published == utc(2024, 3, 3, 9, 15)


# --------------------------------------------------------------------------- html fragments


@pytest.mark.parametrize(
    "fragment, expected",
    [
        ("<p>a <b>bold</b> word</p><p>next</p>", "a bold word\n\nnext"),
        ("line one<br>line two<br/>line three", "line one\n\nline two\n\nline three"),
        ("<ul><li>one</li><li>two &amp; three</li></ul>", "one\n\ntwo & three"),
        ("<h2>Head</h2><blockquote>Quote</blockquote>tail", "Head\n\nQuote\n\ntail"),
        ("<div>x<script>alert(1)</script><style>p{}</style><!-- c -->y</div>", "xy"),
        ("plain &lt;text&gt; &#8220;quoted&#8221;", "plain <text> “quoted”"),
        ("<?xml version='1.0' encoding='utf-8'?><p>decl</p>", "decl"),
        ("<html><head><title>T</title></head><body><p>Body</p></body></html>", "Body"),
        ("", ""),
        ("   ", ""),
        ("<p>\x00nul\x0b</p>", "nul"),
    ],
)
def test_html_fragment_to_text(fragment, expected):
    assert html_fragment_to_text(fragment) == expected


@pytest.mark.parametrize("depth", [300, 5000])
def test_deeply_nested_fragment_keeps_its_text(depth):
    nested = "<div><span>" * depth + "deep<script>x()</script>" + "</span></div>" * depth
    assert html_fragment_to_text(nested) == "deep"


# --------------------------------------------------------------------------- compressed files end to end


@pytest.mark.parametrize(
    "suffix, compress",
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".zst", lambda data: zstandard.ZstdCompressor().compress(data))],
)
@pytest.mark.parametrize("name", ["cp1252-article.txt", "article-page.html", "records.jsonl", "atom-feed.atom"])
def test_compressed_copies_give_the_same_documents(tmp_path, name, suffix, compress):
    copy = tmp_path / (name + suffix)
    copy.write_bytes(compress((INPUTS / name).read_bytes()))
    fmt, compression = detect_format(str(copy))
    units = list(split_file(decompress(copy.read_bytes(), compression, MIB), str(copy), fmt))
    assert [unit.data for unit in units] == [unit.data for unit in units_of(name)]


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


RECALL_PAGE = SHARED / "benchmarks" / "wcxb-dev-articles" / "html" / "4858.html.gz"


@pytest.mark.skipif(not RECALL_PAGE.exists(), reason="WCXB benchmark page not present")
def test_page_that_precision_mode_finds_empty_falls_back_to_default_mode():
    data = gzip.decompress(RECALL_PAGE.read_bytes())
    document = extract_document(RawDocument(data, str(RECALL_PAGE), "html"))
    assert document.extractor == "html:trafilatura"
    assert len(document.text.split()) >= 50
