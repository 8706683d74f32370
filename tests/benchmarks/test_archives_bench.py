"""Tests for the web-archive benchmark's pure parts: the WARC it writes, the row-to-page keys and
the comparison (no newsbeam run)."""
from datetime import datetime, timezone
from io import BytesIO

from warcio.archiveiterator import ArchiveIterator

from benchmarks.archives import (CAPTURED_AT, Page, compare, describe, differing_columns, loose_key, warc_key,
                                 write_inputs, write_warc)

PAGES = [Page(f"fundus__p{n}", "fundus", f"https://news.example/story/{n}?page=2",
              f"<html><title>Story {n}</title><p>Text {n}</p></html>".encode()) for n in range(3)]


def test_write_warc_gzip_per_record_reads_back_with_warcio_at_the_offsets_it_returns():
    out = BytesIO()
    offsets = write_warc(PAGES, out)
    data = out.getvalue()
    assert data[:2] == b"\x1f\x8b" and data.count(b"\x1f\x8b\x08") >= 7  # a gzip member per record
    records = ArchiveIterator(BytesIO(data))
    seen = []
    for record in records:
        payload = record.content_stream().read()
        seen.append((record.rec_type, records.get_record_offset(), record.rec_headers.get_header("WARC-Target-URI"),
                     record.rec_headers.get_header("WARC-Date"), payload))
    assert [kind for kind, *_ in seen] == ["warcinfo"] + ["request", "response"] * 3
    responses = [item for item in seen if item[0] == "response"]
    assert [offsets[offset] for _, offset, *_ in responses] == [page.key for page in PAGES]
    assert len(offsets) == 3
    assert [(url, body) for _, _, url, _, body in responses] == [(page.url, page.html) for page in PAGES]
    assert all(date.startswith("2024-01-15T12:00:00") for *_, date, _ in responses)


def test_write_inputs_splits_pages_into_warc_files_and_loose_files(tmp_path):
    where, files = write_inputs(PAGES, tmp_path / "set", per_file=2)
    assert files == 2
    assert sorted(path.name for path in (tmp_path / "set" / "warc").iterdir()) == ["fundus-000.warc.gz",
                                                                                  "fundus-001.warc.gz"]
    assert sorted(where.values()) == [page.key for page in PAGES]
    assert (tmp_path / "set" / "loose" / "fundus__p1.html").read_bytes() == PAGES[1].html
    name, offset = next(iter(where))
    assert warc_key(f"/somewhere/{name}#offset={offset}", where) == where[(name, offset)]
    assert warc_key(f"/somewhere/{name}#offset=999999", where) is None
    assert warc_key("/somewhere/other.html", where) is None
    assert loose_key("/somewhere/loose/fundus__p1.html") == "fundus__p1"
    assert loose_key("/somewhere/x.txt") is None


def row(**changes):
    base = {"title": "T", "authors": ["A"], "language": "en", "topics": [], "text": "one two three",
            "content_hash": "h", "word_count": 3, "published_at": datetime(2024, 3, 1, tzinfo=timezone.utc)}
    return {**base, **changes}


def test_differing_columns_of_rows_and_outcomes():
    assert differing_columns(row(), row()) == []
    assert differing_columns(row(), row(title="U", text="x")) == ["title", "text"]
    assert differing_columns(row(), "duplicate") == ["outcome"]
    assert differing_columns("rejected: text_empty", "rejected: text_empty") == []
    assert differing_columns("rejected: text_empty", "rejected: too_large") == ["outcome"]


def test_compare_counts_content_dates_and_the_capture_time_fallback():
    warc = {"same": row(), "fallback": row(published_at=CAPTURED_AT), "date": row(),
            "text": row(text="one two four", content_hash="g"), "dup": row(), "both_rejected": "rejected: x"}
    loose = {"same": row(), "fallback": row(published_at=None),
             "date": row(published_at=datetime(2024, 3, 2, tzinfo=timezone.utc)),
             "text": row(), "dup": "duplicate", "both_rejected": "rejected: x", "only_loose": row()}
    result = compare(list(loose), warc, loose)
    assert result["pages"] == 7
    assert result["content"] == 4  # same, fallback, date, both_rejected
    assert (result["dated"], result["date_same"], result["date_fallback"]) == (3, 2, 1)
    assert result["all"] == 3  # same, fallback (capture time only), both_rejected
    assert result["same_non_article"] == {"rejected: x": 1}
    assert result["differing"] == [("date", ["published_at"]), ("dup", ["outcome"]), ("only_loose", ["outcome"]),
                                   ("text", ["text", "content_hash"])]


def test_describe_shows_where_texts_part():
    line = describe("text", row(text="alpha beta gamma"), row(text="alpha beta delta"))
    assert line.startswith("text: 3 vs 3 words, parting at char 11:") and "'gamma'" in line and "'delta'" in line
    assert describe("outcome", row(), "duplicate") == "outcome: warc article / loose duplicate"
    assert describe("title", row(), row(title=None)) == "title: warc 'T' / loose 'None'"
