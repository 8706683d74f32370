"""Web archives (WARC, as Common Crawl's CC-NEWS ships them): the HTML pages a crawler fetched.

A ``.warc`` or ``.warc.gz`` file (one gzip member per record) is streamed record by record
with warcio (``ArchiveIterator``): memory holds one record's payload, capped at the record
limit, whatever the archive's size. Every ``response`` record with a 2xx status and an HTML
payload is one unit (``RawDocument``, format ``html``, source type ``archive``) for the same
HTML path as a loose page: its ``url`` is the WARC-Target-URI, its ``source_uri`` the file
plus the record's offset (``x.warc.gz#offset=1234``), its capture time (WARC-Date) a
fallback publication date. Every other record is not a unit: it is counted by kind
(``Skipped``: ``request``, ``metadata``, ``warcinfo``, ``revisit``, ``not_html``,
``redirect``, ``error_status``), never rejected; so is a page the ``archive:`` filters drop
(``page_filters``: ``filtered_host``, ``filtered_url``, ``filtered_language``), before any
extraction and before the limits below (a filtered page is neither a unit nor a reject). A
payload over the limit is a ``too_large`` row, a page cut short (fewer bytes than its
Content-Length) a ``read_error`` row, both with the bytes read; an unreadable or corrupt
member ends the file's read with one error (the records before it are kept). A record lost
whole at the end of a cut file cannot be told from the file's end (warcio stops there).
Pure: no Beam.
"""
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterator, Optional, Union

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from schemas.records import RawDocument
from transforms.errors import DECOMPRESS_ERROR, READ_ERROR, TOO_LARGE, RejectError
from transforms.sources.page_filters import HEAD_BYTES, PageFilter

__all__ = ["Skipped", "BadRecord", "warc_units", "ARCHIVE", "SEEN_URL"]

SEEN_URL = "seen_url"  # a page whose URL the dataset already holds (archive.skip_seen)

ARCHIVE = "archive"  # the source_type of a page read from a web archive
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Skipped:
    """A record that is not a unit, by kind (counted, not rejected)."""

    kind: str


@dataclass(frozen=True)
class BadRecord:
    """A page that cannot be a unit: over the record limit, or cut short. The bytes read, for its rejected row."""

    source_uri: str
    head: bytes
    reason: str
    message: str


def warc_units(handle, path: str, max_record_bytes: int, page_filter: Optional[PageFilter] = None,
               seen: Optional[Callable[[str], bool]] = None) -> Iterator[Union[RawDocument, Skipped, BadRecord]]:
    """The units, skipped records and oversized payloads of the WARC stream ``handle``, in order;
    a page ``page_filter`` drops is Skipped by its reason, one whose URL ``seen`` says the
    dataset holds is Skipped as ``seen_url``."""
    records = ArchiveIterator(handle, arc2warc=True)
    try:
        for record in records:
            yield _unit(record, records, path, max_record_bytes, page_filter, seen)
    except ArchiveLoadFailed as err:
        raise RejectError(READ_ERROR, f"not a readable WARC record: {err}") from None
    except (EOFError, OSError, ValueError, zlib.error) as err:
        raise RejectError(DECOMPRESS_ERROR, f"WARC record truncated or corrupt: {err}") from None


def _unit(record, records, path: str, max_record_bytes: int, page_filter: Optional[PageFilter],
          seen: Optional[Callable[[str], bool]] = None) -> Union[RawDocument, Skipped, BadRecord]:
    """What one record is. The payload is read before the offset is asked for: warcio reads
    the record to its end to give it."""
    kind = _skipped_kind(record)
    if kind:
        return Skipped(kind)
    if seen is not None and seen(record.rec_headers.get_header("WARC-Target-URI")):
        return Skipped(SEEN_URL)
    payload = record.content_stream().read(max_record_bytes + 1)
    kind = _filtered_kind(record, payload, page_filter)
    if kind:
        return Skipped(kind)
    source_uri = f"{path}#offset={records.get_record_offset()}"
    if len(payload) > max_record_bytes:
        return BadRecord(source_uri, payload[:max_record_bytes], TOO_LARGE,
                         f"archived page larger than the {max_record_bytes}-byte record limit")
    missing = getattr(record.raw_stream, "limit", 0)  # what the record's Content-Length promised, unread
    if missing:
        return BadRecord(source_uri, payload, READ_ERROR, f"WARC record truncated: {missing} bytes missing")
    headers = record.http_headers
    return RawDocument(payload, source_uri, "html", ARCHIVE, _charset(headers.get_header("Content-Type")),
                       url=record.rec_headers.get_header("WARC-Target-URI"),
                       captured_at=_capture_time(record.rec_headers.get_header("WARC-Date")))


def _skipped_kind(record) -> Optional[str]:
    """Why ``record`` is not a unit, or None for an HTML page fetched with a 2xx status."""
    if record.rec_type != "response":
        return record.rec_type or "unknown"
    if record.http_headers is None:
        return "not_html"
    status = record.http_headers.get_statuscode() or ""
    if status.startswith("3"):
        return "redirect"
    if not status.startswith("2"):
        return "error_status"
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    return None if content_type.startswith(_HTML_TYPES) else "not_html"


def _filtered_kind(record, payload: bytes, page_filter: Optional[PageFilter]) -> Optional[str]:
    """Why the ``archive:`` filters drop this page, or None to keep it."""
    if page_filter is None:
        return None
    keep, reason = page_filter.decide(record.rec_headers.get_header("WARC-Target-URI"),
                                      record.http_headers.get_header("Content-Language"), payload[:HEAD_BYTES])
    return None if keep else reason


def _charset(content_type: Optional[str]) -> Optional[str]:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value.strip(' "'):
            return value.strip(' "')
    return None


def _capture_time(value: Optional[str]) -> Optional[datetime]:
    """WARC-Date (ISO 8601, UTC) as an aware datetime; None when absent or unreadable."""
    try:
        parsed = datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
