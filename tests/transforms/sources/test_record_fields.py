"""Record field mapping (records.fields) for JSON, JSONL and CSV records, and the capture time of archived pages."""
import json
from io import BytesIO

import pytest

from schemas.records import RawDocument
from tests.transforms.sources.warc_files import PAGE, build_warc
from transforms.errors import JSON_NO_TEXT, RejectError
from transforms.sources.extract import needs_time_limit
from transforms.sources.files import records_of_file
from transforms.sources.formats import extract_document
from transforms.sources.record_fields import map_record_fields
from transforms.sources.warc import warc_units

BODY = "The harbour board reopened the north quay after a year of repairs to its old stone walls."
DUMP_FIELDS = {"text": "body", "title": "headline", "id": "uid", "published": "date", "authors": "byline",
               "url": "link", "topics": "tags"}


def json_unit(record: dict) -> RawDocument:
    return RawDocument(json.dumps(record).encode(), "mem://dump.jsonl", "json")


def test_no_mapping_reads_every_field_by_its_own_name():
    record = {"text": BODY, "body": "other"}
    assert map_record_fields(record, {}) is record and map_record_fields(record, None) is record


def test_a_dump_with_other_names_is_read_through_the_mapping():
    record = {"uid": "q-17", "headline": "North quay reopens", "body": BODY, "date": "2024-05-02T09:30:00Z",
              "byline": "By Ann Lee", "link": "https://harbour.example/quay", "tags": ["Harbour", "Works"]}
    with pytest.raises(RejectError) as caught:
        extract_document(json_unit(record))
    assert caught.value.reason == JSON_NO_TEXT and "'text' nor 'html'" in caught.value.message
    doc = extract_document(json_unit(record), DUMP_FIELDS)
    assert (doc.entry_id, doc.title, doc.text, doc.url) == ("q-17", "North quay reopens", BODY,
                                                             "https://harbour.example/quay")
    assert doc.authors == ("Ann Lee",) and doc.topics == ("Harbour", "Works")
    assert doc.published.isoformat() == "2024-05-02T09:30:00+00:00"


def test_a_mapped_field_is_read_from_the_dumps_name_only():
    record = {"text": "a teaser", "body": BODY, "published_at": "2020-01-01", "date": "2024-05-02"}
    doc = extract_document(json_unit(record), {"text": "body", "published": "date"})
    assert doc.text == BODY and doc.published.date().isoformat() == "2024-05-02"


def test_a_record_without_the_mapped_name_is_rejected_naming_it():
    with pytest.raises(RejectError) as caught:
        extract_document(json_unit({"text": BODY}), {"text": "body", "html": "page"})
    assert caught.value.reason == JSON_NO_TEXT and "'body' nor 'page'" in caught.value.message


def test_one_dump_field_may_feed_two_of_ours():
    doc = extract_document(json_unit({"body": BODY, "headline": "Quay"}), {"text": "body", "summary": "headline",
                                                                          "title": "headline"})
    assert (doc.title, doc.summary) == ("Quay", "Quay")


def test_a_mapped_html_field_is_extracted_under_the_time_limit():
    unit = json_unit({"page_html": PAGE.decode()})
    assert not needs_time_limit(unit) and needs_time_limit(unit, {"html": "page_html"})
    assert "ferry pier" in extract_document(unit, {"html": "page_html"}).text


def test_csv_rows_use_the_same_mapping(tmp_path):
    path = tmp_path / "dump.csv"
    path.write_text(f"uid,headline,body\nq-1,Quay reopens,{BODY}\n", encoding="utf-8")
    (unit,) = records_of_file(str(path), path.read_bytes(), 1 << 20)
    doc = extract_document(unit, DUMP_FIELDS)
    assert (doc.entry_id, doc.title, doc.text) == ("q-1", "Quay reopens", BODY)


def test_an_archived_page_keeps_its_capture_time_as_its_own_value_and_as_a_fallback_date():
    (page,) = [u for u in warc_units(BytesIO(build_warc()), "crawl.warc.gz", 1 << 20) if isinstance(u, RawDocument)]
    doc = extract_document(page)
    assert doc.captured_at.isoformat() == "2024-03-05T10:20:30+00:00" and doc.published == doc.captured_at


def test_a_dated_archived_page_keeps_its_own_date_and_its_capture_time():
    dated = PAGE.replace(b"</head>", b'<meta property="article:published_time" content="2024-01-02T03:04:05Z"></head>')
    (page,) = [u for u in warc_units(BytesIO(build_warc(pages=[("https://news.example/d", dated)])), "c.warc", 1 << 20)
               if isinstance(u, RawDocument)]
    doc = extract_document(page)
    assert doc.published.isoformat() == "2024-01-02T03:04:05+00:00"
    assert doc.captured_at.isoformat() == "2024-03-05T10:20:30+00:00"


def test_loose_pages_and_records_have_no_capture_time():
    assert extract_document(RawDocument(PAGE, "mem://pier.html", "html")).captured_at is None
    assert extract_document(json_unit({"text": BODY})).captured_at is None


def test_a_field_mapped_by_its_other_name_replaces_both_names():
    record = {"published": "2020-01-01", "date": "2024-05-02", "text": BODY}
    doc = extract_document(json_unit(record), {"published_at": "date"})
    assert doc.published.date().isoformat() == "2024-05-02"
