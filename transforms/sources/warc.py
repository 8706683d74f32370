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
record (a damaged gzip member, a header that does not parse) is one row (``decompress_error``
in a gzipped archive, else ``read_error``) with the bytes of it that can be read, and the
reading goes on at the next record that can be read (``warc_resync``). In a gzipped
archive every record must start a gzip member: a member cut short whose decompression runs on
into the next members (garbage, no error at once) is caught there, the cut record is the one
rejected, and the records its garbage ran over are read again. A record lost whole
at the end of a cut file cannot be told from the file's end (warcio stops there).
Pure: no Beam.
"""
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterator, Optional, Union

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from schemas.records import RawDocument
from transforms.errors import DECOMPRESS_ERROR, READ_ERROR, TOO_LARGE
from transforms.sources.page_filters import HEAD_BYTES, PageFilter
from transforms.sources.warc_resync import GZIP_MAGIC, is_gzipped, next_record_start, readable_head, starts_archive

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
               seen: Optional[Callable[[str], bool]] = None,
               owns: Optional[Callable[[int], bool]] = None) -> Iterator[Union[RawDocument, Skipped, BadRecord]]:
    """The units, skipped records and oversized payloads of the WARC stream ``handle``, in order;
    a page ``page_filter`` drops is Skipped by its reason, one whose URL ``seen`` says the
    dataset holds is Skipped as ``seen_url``. With ``owns``, only the records whose index (0, 1,
    ...) it accepts are looked at; the others are passed over unread (another worker's share).
    A damaged record is one BadRecord, and the reading goes on at the next readable record
    (``warc_resync``); ``handle`` must be seekable for that."""
    gzipped = is_gzipped(handle)
    if not starts_archive(handle, gzipped):
        yield _damaged(handle, path, 0, None, gzipped, max_record_bytes, "the file does not start with a WARC record",
                       READ_ERROR)
        return
    base, index = 0, 0
    while base is not None:
        reading = _Reading(handle, base)
        pending = None  # (index, absolute start, item or None) of the record given last, not yet yielded
        try:
            for index, record in reading.records(index):
                if gzipped and not _member_at(handle, reading.start_of_current):
                    raise _OffMember(f"a record parsed at byte {reading.start_of_current}, where no gzip member starts")
                owned = owns is None or owns(index)
                item = _unit(record, reading.iterator, path, max_record_bytes, page_filter, seen) if owned else None
                yield from _whole(pending)  # the record after it began cleanly: it is whole
                pending = (index, reading.start_of_current, item)
            yield from _whole(pending)
            return
        except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error) as err:  # _OffMember too
            failed_at, index = reading.failure(index)
            if pending is not None and (index == pending[0] or _ran_into_garbage(handle, failed_at, pending, gzipped)):
                index, failed_at, _ = pending  # the record given last is the damaged one: its item is not given
            else:
                yield from _whole(pending)
            base = next_record_start(handle, failed_at, gzipped)
            if owns is None or owns(index):
                yield _damaged(handle, path, failed_at, base, gzipped, max_record_bytes, err)
            index += 1


def _whole(pending):
    """The item of a record known to be whole (nothing for a record of another share)."""
    if pending is not None and pending[2] is not None:
        yield pending[2]


def _ran_into_garbage(handle, failed_at: int, pending, gzipped: bool) -> bool:
    """Whether the reading failed where the record given last ended, and that end is no gzip
    member: that record's member was cut short and its decompression ran on into the next
    members (its item is garbage, and the records it swallowed are read again)."""
    return gzipped and failed_at > pending[1] and not _member_at(handle, failed_at)


def _member_at(handle, position: int) -> bool:
    """Whether a gzip member starts at ``position``; ``handle`` is left where it was."""
    where = handle.tell()
    handle.seek(position)
    found = handle.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    handle.seek(where)
    return found


class _OffMember(ValueError):
    """A gzipped archive's record that does not start a gzip member: decompression ran past a cut member."""


class _Reading:
    """warcio's iterator over the records from byte ``base`` on, with the start of each record
    (warcio's offsets are positions in the file, wherever the reading began)."""

    def __init__(self, handle, base: int):
        handle.seek(base)
        self.iterator = ArchiveIterator(handle, arc2warc=True)
        self._current = (None, -1)  # (index, start) of the record given last

    def records(self, first_index: int):
        for index, record in enumerate(self.iterator, first_index):
            self._current = (index, self.iterator.offset)
            yield index, record

    @property
    def start_of_current(self) -> int:
        """Where the record given last starts in the file."""
        return self._current[1]

    def failure(self, next_index: int):
        """(where the damaged record starts, its index): the record given last when the damage was
        met inside it, else the one after it."""
        index, start = self._current
        if index is not None and self.iterator.offset == start:
            return start, index
        return self.iterator.offset, (next_index if index is None else index + 1)


def _damaged(handle, path: str, start: int, end: Optional[int], gzipped: bool, limit: int, err,
             reason: Optional[str] = None) -> BadRecord:
    """The rejected row of the damaged record at ``start``, with the bytes of it that can be read
    (``decompress_error`` in a gzipped archive, else ``read_error``, unless ``reason`` says)."""
    head = readable_head(handle, start, end, gzipped, limit)
    reason = reason or (DECOMPRESS_ERROR if gzipped else READ_ERROR)
    where = f"; reading went on at byte {end}" if end is not None else ""
    return BadRecord(f"{path}#offset={start}", head, reason, f"WARC record truncated or corrupt: {err}"[:500] + where)


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
