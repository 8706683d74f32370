"""Web archives: the HTML pages of a WARC are units, every other record a counted kind."""
from io import BytesIO

import pytest

from schemas.records import RawDocument
from tests.transforms.sources.warc_files import PAGE, build_warc
from transforms.errors import READ_ERROR, TOO_LARGE
from transforms.sources.formats import extract_document
from transforms.sources.warc import ARCHIVE, BadRecord, Skipped, warc_units


def units(data: bytes, limit: int = 1 << 20):
    return list(warc_units(BytesIO(data), "/in/crawl.warc.gz", limit))


@pytest.mark.parametrize("gzip", [True, False])
def test_pages_are_units_and_other_records_are_counted_kinds(gzip):
    found = units(build_warc(gzip=gzip))
    pages = [u for u in found if isinstance(u, RawDocument)]
    kinds = sorted(u.kind for u in found if isinstance(u, Skipped))
    assert kinds == ["error_status", "metadata", "not_html", "redirect", "request", "revisit", "warcinfo"]
    (page,) = pages
    assert page.data == PAGE and page.fmt == "html" and page.source_type == ARCHIVE
    assert page.url == "https://news.example/pier" and page.declared_charset == "utf-8"
    assert page.source_uri.startswith("/in/crawl.warc.gz#offset=") and page.captured_at.isoformat() == \
        "2024-03-05T10:20:30+00:00"


def test_a_payload_over_the_record_limit_is_too_large_with_its_first_bytes():
    found = units(build_warc(big=5000), limit=4000)
    (large,) = [u for u in found if isinstance(u, BadRecord)]
    assert large.reason == TOO_LARGE and len(large.head) == 4000 and "4000-byte record limit" in large.message
    assert sum(isinstance(u, RawDocument) for u in found) == 1  # the other page still read


def test_a_page_cut_short_is_one_rejected_record_with_the_bytes_read():
    data = build_warc(gzip=False)
    cut = data[: data.find(b"Paragraph 2")]  # the file ends inside the page
    found = units(cut)
    (bad,) = [u for u in found if isinstance(u, BadRecord)]
    assert bad.reason == READ_ERROR and "truncated" in bad.message and bad.head and PAGE.startswith(bad.head)
    assert [u.kind for u in found if isinstance(u, Skipped)] == ["warcinfo", "request"]


def test_an_archived_page_extracts_as_the_loose_page_with_the_archive_url_and_capture_date():
    (page,) = [u for u in units(build_warc()) if isinstance(u, RawDocument)]
    archived = extract_document(page)
    loose = extract_document(RawDocument(PAGE, "/in/pier.html", "html"))
    assert archived.text == loose.text and archived.title == loose.title
    assert archived.url == "https://news.example/pier" and archived.published.isoformat() == "2024-03-05T10:20:30+00:00"
    assert archived.source_type == "archive" and loose.published is None
