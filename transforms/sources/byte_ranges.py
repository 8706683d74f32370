"""A big JSONL file or web archive cut into parts that several workers read, without Beam.

One file read by one DoFn call keeps everything fused after it (extract, clean, stage) on
one worker. So a large file is cut into *parts*, each read where the runner puts it:

- an uncompressed file into contiguous byte ranges (``ByteRange``), as Beam's text source
  does: a range holds the lines that *start* inside it. Its reader seeks to the byte before
  the range, skips through the next line end (unless the range starts the file) and reads
  through the line that crosses the range's end;
- a compressed file, which cannot be entered in the middle, into ``Share`` s: every share
  decompresses the whole stream, and keeps the lines that start in its blocks of
  ``SHARE_BLOCK_BYTES`` decompressed bytes (block ``b`` belongs to share ``b % count``).
  Decompressing a stream and skipping the lines of other shares costs ~3% of the work its
  lines get after the read, so reading it ``count`` (at most ``MAX_SHARES``) times is cheap;
  shuffling the lines instead would make a local runner hold all of them in memory between
  stages.

A web archive (WARC) is cut into ``RecordShare`` s: every share reads the whole archive
(its records' headers; warcio skips an unread payload) and takes the records whose index
``k`` has ``k % count == index``, so the expensive work on a page (extraction, cleaning)
spreads over the workers whatever the archive's compression.

Either way every line belongs to exactly one part, line ends are those of
``jsonl_stream`` (``\\n``, ``\\r\\n``, a lone ``\\r``), and ``owned_bytes`` hands a part's lines
on as chunks for the same line cutter, so records, limits and byte-order-mark handling are
those of a file read whole. Pure (no Beam).
"""
import math
import os
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional, Tuple, Union

__all__ = ["ByteRange", "Share", "RecordShare", "Part", "plan_archive_parts", "RANGE_BYTES", "SHARE_BLOCK_BYTES", "MAX_SHARES", "RANGE_BYTES_ENV",
           "range_bytes_setting", "plan_parts", "is_first_part", "owned_bytes", "has_content"]

RANGE_BYTES = 8 << 20  # an uncompressed file larger than this is read in ranges of about this size
COMPRESSION_GUESS = 4  # a compressed JSONL file holds about this many times its size
MAX_SHARES = 4  # each share decompresses the whole file (~1 s of CPU per 300 MB of gzipped text)
SHARE_BLOCK_BYTES = 1 << 20  # decompressed bytes handed to one share at a time
RANGE_BYTES_ENV = "NEWSBEAM_READ_RANGE_BYTES"  # overrides RANGE_BYTES (tests use small files)
_CONTENT = re.compile(rb"\S")


@dataclass(frozen=True)
class ByteRange:
    """The lines of an uncompressed file that start in ``[start, end)``."""

    start: int
    end: int

    def owner(self, position: int) -> Tuple[bool, Optional[int]]:
        if position < self.start:
            return False, self.start
        return (True, self.end) if position < self.end else (False, None)

    @property
    def first(self) -> bool:
        return self.start == 0


@dataclass(frozen=True)
class Share:
    """The lines of a (decompressed) stream that start in blocks ``index``, ``index + count``, ..."""

    index: int
    count: int
    block: int = SHARE_BLOCK_BYTES

    def owner(self, position: int) -> Tuple[bool, Optional[int]]:
        block = position // self.block
        ahead = (self.index - block) % self.count
        return (True, (block + 1) * self.block) if ahead == 0 else (False, (block + ahead) * self.block)

    @property
    def first(self) -> bool:
        return self.index == 0


@dataclass(frozen=True)
class RecordShare:
    """The records of an archive whose index is ``index`` modulo ``count``."""

    index: int
    count: int

    def owns(self, record_index: int) -> bool:
        return record_index % self.count == self.index

    @property
    def first(self) -> bool:
        return self.index == 0


Part = Union[ByteRange, Share, RecordShare]


def range_bytes_setting(environ=os.environ) -> int:
    """The range size: ``NEWSBEAM_READ_RANGE_BYTES`` when set (a positive integer), else ``RANGE_BYTES``."""
    value = environ.get(RANGE_BYTES_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else RANGE_BYTES


def plan_parts(size: int, compressed: bool, range_bytes: int = RANGE_BYTES,
               max_stream_bytes: Optional[int] = None) -> List[Optional[Part]]:
    """The parts a JSONL file of ``size`` stored bytes is read in; ``[None]``: read it whole, as one
    stream (small files, and files past ``max_stream_bytes``, whose cap only a whole read reports)."""
    if compressed:
        count = min(MAX_SHARES, math.ceil(size * COMPRESSION_GUESS / range_bytes))
        return [Share(index, count) for index in range(count)] if count > 1 else [None]
    if size <= range_bytes or (max_stream_bytes is not None and size > max_stream_bytes):
        return [None]
    count = math.ceil(size / range_bytes)
    bounds = [size * k // count for k in range(count + 1)]
    return [ByteRange(start, end) for start, end in zip(bounds, bounds[1:])]


def plan_archive_parts(size: int, compressed: bool, range_bytes: int = RANGE_BYTES) -> List[Optional[RecordShare]]:
    """The shares a WARC file of ``size`` stored bytes is read in; ``[None]``: read it whole
    (an archive of less than about ``range_bytes`` of records)."""
    guess = COMPRESSION_GUESS if compressed else 1
    count = min(MAX_SHARES, math.ceil(size * guess / range_bytes))
    return [RecordShare(index, count) for index in range(count)] if count > 1 else [None]


def is_first_part(part) -> bool:
    """Whether ``part`` (a Part, or None / bytes for a file read whole) stands for its file:
    the one that reports what concerns the whole file (empty, corrupt, counted as opened)."""
    return getattr(part, "first", True)


def owned_bytes(chunks: Iterable[bytes], part: Part, position: int = 0) -> Iterator[bytes]:
    """The bytes of the lines ``part`` owns, line ends included, from ``chunks`` that start at
    byte ``position`` of the file (0, or the byte before the part when seeking: that byte and
    the rest of its line are skipped). Stops reading once nothing later is owned. A carriage
    return is given as a line feed (both end a line, as in ``jsonl_stream``)."""
    keeping, through = (_decide(part, 0) if position == 0 else (False, position))
    for chunk in chunks:
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r", b"\n")
        start = 0
        while start < len(chunk):
            if through is None:
                return
            end = chunk.find(b"\n", max(start, through - position))
            if end < 0:
                if keeping:
                    yield chunk[start:]
                break
            if keeping:
                yield chunk[start : end + 1]
            start = end + 1
            keeping, through = _decide(part, position + start)
        position += len(chunk)


def _decide(part: Part, line_start: int) -> Tuple[bool, Optional[int]]:
    """(whether the line at ``line_start`` is kept, the byte at or after which the line end
    closing this run of kept or skipped lines lies; None: nothing is kept from here on)."""
    owned, boundary = part.owner(line_start)
    return owned, None if boundary is None else boundary - 1


def has_content(chunks: Iterable[bytes]) -> bool:
    """Whether any chunk holds a byte other than ASCII white space (a line the cutter keeps)."""
    return any(_CONTENT.search(chunk) for chunk in chunks)
