"""Tests for transforms.sources.formats: splitting files into units, dispatch, text files and JSON records.

Feeds are tested in test_feeds.py, HTML pages and fragments in test_html_text.py.
Fixture expectations are written in each fixture's header (see tests/fixtures/inputs/README.md).
"""
import bz2
import gzip
import json

import pytest
import zstandard

from tests.transforms.sources.format_helpers import (
    INPUTS,
    SHARED,
    documents_of,
    extract_reason,
    split_reason,
    units_of,
    utc,
)
from transforms.sources.decode import decompress, detect_format
from transforms.errors import (
    BINARY_INPUT,
    EMPTY_INPUT,
    HTML_EMPTY,
    JSON_INVALID,
    JSON_NO_TEXT,
    UNSUPPORTED_FORMAT,
)
from transforms.sources.formats import extract_document, split_file
from schemas.records import RawDocument

SEED_ARTICLE = SHARED / "samples" / "seed-article.txt"
MIB = 1024 * 1024


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


def test_a_json_file_holds_one_record_or_an_array_of_them():
    from transforms.errors import EMPTY_INPUT, JSON_INVALID, RejectError
    from transforms.sources.formats import extract_document, split_file

    one = list(split_file(b'{"id": "a", "text": "The pier reopens on Monday after a year of repairs."}', "/in/a.json", "json"))
    assert [extract_document(u).entry_id for u in one] == ["a"]
    array = b'[{"id": "b", "text": "First story."}, {"id": "c", "html": "<p>Second story.</p>"}, 7]'
    units = list(split_file(array, "/in/b.json", "json"))
    assert len(units) == 3 and all(u.fmt == "json" and u.source_uri == "/in/b.json" for u in units)
    assert extract_document(units[0]).text == "First story."
    with pytest.raises(RejectError) as caught:
        extract_document(units[2])  # an element that is not an object is its own rejected unit
    assert caught.value.reason == JSON_INVALID
    for data, reason in ((b"[]", EMPTY_INPUT), (b"{not json", JSON_INVALID)):
        with pytest.raises(RejectError) as caught:
            list(split_file(data, "/in/c.json", "json"))
        assert caught.value.reason == reason


def test_a_json_file_keeps_a_lone_surrogate_as_an_escape():
    from transforms.sources.formats import extract_document, split_file

    (unit,) = split_file(b'{"text": "x \\ud800 y"}', "/in/d.json", "json")
    assert extract_document(unit).text == "x \ufffd y"
