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


@pytest.mark.parametrize("gzip", [True, False])
def test_shares_of_an_archive_take_every_record_once(gzip):
    from transforms.sources.byte_ranges import RecordShare
    pages = [(f"https://news.example/p{n}", PAGE.replace(b"ferry", f"ferry {n}".encode())) for n in range(9)]
    data = build_warc(gzip=gzip, pages=pages)
    whole = list(warc_units(BytesIO(data), "/in/a.warc", 1 << 20))
    shares = [list(warc_units(BytesIO(data), "/in/a.warc", 1 << 20, owns=RecordShare(k, 3).owns)) for k in range(3)]
    assert all(shares) and sorted(map(repr, sum(shares, []))) == sorted(map(repr, whole))


def member_starts(data: bytes):
    """Where each gzip member starts, found by decompressing member after member (the gzip magic
    bytes can also occur inside compressed data, so searching for them is not enough)."""
    import zlib

    starts, at = [], 0
    while at < len(data):
        starts.append(at)
        inflater = zlib.decompressobj(31)
        inflater.decompress(data[at:])
        at = len(data) - len(inflater.unused_data)
    return starts


NINE = [(f"https://news.example/p{n}", PAGE.replace(b"ferry", f"ferry {n}".encode())) for n in range(9)]


def page_urls(found):
    return [u.url for u in found if isinstance(u, RawDocument)]


def test_a_corrupt_member_is_one_rejected_record_and_the_rest_of_the_file_is_read():
    data = bytearray(build_warc(pages=NINE))
    third_page = member_starts(bytes(data))[4]  # warcinfo, request, p0, p1, p2
    for at in range(third_page + 300, third_page + 340):
        data[at] ^= 0x55
    found = units(bytes(data))
    (bad,) = [u for u in found if isinstance(u, BadRecord)]
    assert bad.reason == "decompress_error" and bad.source_uri == f"/in/crawl.warc.gz#offset={third_page}"
    assert bad.head.startswith(b"WARC/1.") and "went on at byte" in bad.message
    assert page_urls(found) == [url for url, _ in NINE if not url.endswith("/p2")]
    assert len([u for u in found if isinstance(u, Skipped)]) == 7  # every other record after it too


def test_a_member_cut_short_in_the_middle_of_the_file_costs_only_that_record():
    data = build_warc(pages=NINE)
    starts = member_starts(data)
    cut = data[: starts[3] + 150] + data[starts[4]:]  # p1 cut short, then p2 ...
    found = units(cut)
    (bad,) = [u for u in found if isinstance(u, BadRecord)]
    assert bad.source_uri.endswith(f"#offset={starts[3]}") and bad.reason == "decompress_error"
    assert page_urls(found) == [url for url, _ in NINE if not url.endswith("/p1")]


def test_a_damaged_header_in_a_plain_archive_is_one_rejected_record_and_reading_goes_on():
    data = build_warc(gzip=False, pages=NINE)
    second = data.find(b"WARC/1.0", data.find(b"https://news.example/p1") - 400)
    broken = data[:second] + b"GARBAGE!" + data[second + 8:]
    found = units(broken)
    assert [u.reason for u in found if isinstance(u, BadRecord)] == ["read_error"]
    assert len(page_urls(found)) == 8


def test_a_file_that_is_no_archive_at_all_is_one_rejected_record():
    found = units(b"<html><body>not an archive</body></html>" * 50)
    (bad,) = found
    assert bad.reason == "read_error" and bad.source_uri.endswith("#offset=0") and bad.head.startswith(b"<html>")


def test_shares_report_a_damaged_record_once():
    from transforms.sources.byte_ranges import RecordShare
    data = bytearray(build_warc(pages=NINE))
    third_page = member_starts(bytes(data))[4]
    for at in range(third_page + 40, third_page + 80):
        data[at] ^= 0x55
    shares = [list(warc_units(BytesIO(bytes(data)), "/in/a.warc.gz", 1 << 20, owns=RecordShare(k, 3).owns))
              for k in range(3)]
    whole = list(warc_units(BytesIO(bytes(data)), "/in/a.warc.gz", 1 << 20))
    assert sorted(map(repr, sum(shares, []))) == sorted(map(repr, whole))


def test_a_page_of_30_mb_is_too_large_and_read_no_further_than_the_limit():
    found = units(build_warc(big=30 << 20), limit=10 << 20)
    (large,) = [u for u in found if isinstance(u, BadRecord)]
    assert large.reason == TOO_LARGE and len(large.head) == 10 << 20
    assert page_urls(found) == ["https://news.example/pier"]


def test_a_gzipped_file_that_is_no_archive_is_one_rejected_record_with_its_text():
    import gzip as gz
    (bad,) = units(gz.compress(b"<html><body>not an archive</body></html>"))
    assert bad.reason == "read_error" and bad.head.startswith(b"<html>")


def test_a_member_cut_anywhere_costs_only_that_record():
    """Cut at many points, the member's decompression sometimes runs on into the next members
    (garbage, no error at once): the damage is still pinned on the cut record, none of the
    records it ran over is lost, and no garbage page comes out."""
    data = build_warc(pages=NINE)
    starts = member_starts(data)
    for keep in range(40, starts[4] - starts[3] - 10, 15):
        found = units(data[: starts[3] + keep] + data[starts[4]:])
        (bad,) = [u for u in found if isinstance(u, BadRecord)]
        assert bad.source_uri.endswith(f"#offset={starts[3]}"), keep
        assert page_urls(found) == [url for url, _ in NINE if not url.endswith("/p1")], keep
        assert len([u for u in found if isinstance(u, Skipped)]) == 7, keep


def test_pages_read_after_a_damaged_record_keep_their_true_offsets(tmp_path):
    """``source_uri`` names where each page's record starts in the file (what replay re-reads),
    for the pages read after the reading went on past a damaged record too."""
    from apache_beam.io.filesystem import CompressionTypes
    from apache_beam.io.filesystems import FileSystems

    data = bytearray(build_warc(pages=NINE))
    starts = member_starts(bytes(data))
    for at in range(starts[4] + 300, starts[4] + 340):  # p2's member
        data[at] ^= 0x55
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(bytes(data))
    with FileSystems.open(str(path), compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        found = list(warc_units(handle, str(path), 1 << 20))
    offsets = {u.url: int(u.source_uri.rsplit("=", 1)[1]) for u in found if isinstance(u, RawDocument)}
    assert offsets == {url: starts[2 + n] for n, (url, _) in enumerate(NINE) if n != 2}
