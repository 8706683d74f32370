"""JSONL files read as a stream: one record per line, memory bounded by the longest line allowed.

A JSONL dump can be many gigabytes (compressed or not), so it is never held whole: the file
is decompressed through a reader that returns bounded chunks (``decode.decompressed_chunks``:
gzip and bzip2 multi-member streams, zstd across frames, linear in the input), and lines are
cut from those chunks. A line longer than the record limit is reported with its first bytes
and skipped to its end. The decompressed stream is capped (``max_stream_bytes``) and stopped
early when it grows far faster than the compressed input (a compression bomb), so a few
kilobytes cannot keep a worker busy for minutes. Pure (no Beam).
"""
import re
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterable, Iterator, Optional

import zstandard

from transforms.sources.decode import CompressedInput, _utf16_without_bom, decompressed_chunks
from transforms.errors import TOO_LARGE, RejectError

__all__ = ["Line", "open_decompressed", "jsonl_lines", "lines_of_chunks", "stream_chunks",
           "starts_with_utf16_or_32_bom", "is_utf16_or_32", "DECOMPRESS_FAILURES", "MAX_STREAM_BYTES"]

CHUNK_BYTES = 1 << 20
MAX_STREAM_BYTES = 64 << 30  # decompressed bytes of one streamed file, at most
MAX_RATIO = 1000  # a stream more than this many times its compressed size ...
RATIO_FLOOR_BYTES = 1 << 30  # ... once past this many bytes is a compression bomb
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_OR_32_BOM = re.compile(rb"\A(?:\xff\xfe|\xfe\xff|\x00\x00\xfe\xff)")
_BLANKS = re.compile(rb"\s*")
# What reading the file can raise besides RejectError (the handle's own I/O errors).
DECOMPRESS_FAILURES = (OSError, EOFError, zlib.error, zstandard.ZstdError)


@dataclass(frozen=True)
class Line:
    """One non-blank line (stripped), or the first ``max_bytes`` of a longer one (``too_long``)."""

    data: bytes
    too_long: bool = False


def open_decompressed(handle: BinaryIO, compression: Optional[str], max_stream_bytes: int = MAX_STREAM_BYTES,
                      max_ratio: int = MAX_RATIO, ratio_floor: int = RATIO_FLOOR_BYTES) -> "_StreamReader":
    """A reader of the decompressed bytes of ``handle``: ``read(n)`` returns n bytes, fewer only at the end.

    Reading raises RejectError: ``too_large`` past ``max_stream_bytes``, or once the output is
    over ``ratio_floor`` bytes and more than ``max_ratio`` times the compressed bytes read;
    ``decompress_error`` for corrupt or truncated input; ``unsupported_format`` for an unknown codec."""
    source = CompressedInput(handle, CHUNK_BYTES)
    chunks = decompressed_chunks(source, compression, max_stream_bytes)
    guard = None if compression is None else (max_ratio, ratio_floor)
    return _StreamReader(source, chunks, guard)


class _StreamReader:
    """``read(n)`` over decompressed chunks, checking the decompression ratio at each chunk.

    A failure (corrupt, truncated, too large) is raised by the read after the one that hit
    it, so the bytes decompressed before it still reach the line cutter."""

    def __init__(self, source: CompressedInput, chunks: Iterator[bytes], guard):
        self._source, self._chunks, self._guard = source, chunks, guard
        self._left = memoryview(b"")
        self._given = 0
        self._failure: Optional[RejectError] = None

    def read(self, size: int) -> bytes:
        if self._failure is not None:
            raise self._failure
        out = bytearray()
        while len(out) < size:
            if not self._left:
                try:
                    self._left = memoryview(self._next_chunk())
                except RejectError as err:
                    if not out:
                        raise
                    self._failure = err
                    break
                if not self._left:
                    break
            taken = self._left[: size - len(out)]
            out += taken
            self._left = self._left[len(taken) :]
        return bytes(out)

    def read_rest(self, max_bytes: int) -> Optional[bytes]:
        """The rest of the stream (a file decoded whole), None when longer than ``max_bytes``;
        a failure is raised, never put off (nothing reads after this)."""
        data = self.read(max(max_bytes, 0) + 1)
        if len(data) > max_bytes:
            return None
        self.read(1)  # empty at the end; raises what the read above put off
        return data

    def _next_chunk(self) -> bytes:
        chunk = next(self._chunks, b"")
        self._given += len(chunk)
        if self._guard is not None:
            check_ratio(self._given, self._source.consumed, *self._guard)
        return chunk


def check_ratio(decompressed: int, compressed: int, max_ratio: int, floor: int) -> None:
    """Reject a stream past ``floor`` bytes that is more than ``max_ratio`` times its compressed
    input: real JSONL compresses 5-20 times, a bomb thousands of times; waiting for the size
    cap would decompress tens of gigabytes first."""
    if decompressed > floor and decompressed > max_ratio * compressed:
        raise RejectError(TOO_LARGE, f"decompressed {decompressed} bytes from {compressed} compressed bytes, "
                                     f"more than {max_ratio} times larger: a compression bomb")


def starts_with_utf16_or_32_bom(data: bytes) -> bool:
    """``data`` begins with a UTF-16 or UTF-32 byte-order mark (such JSONL is decoded whole)."""
    return bool(_UTF16_OR_32_BOM.match(data))


def is_utf16_or_32(head: bytes) -> bool:
    """``head`` (a file's first 4 KB) is UTF-16 or UTF-32, with a byte-order mark or, for
    UTF-16, without one (many NULs at even or odd offsets, ``decode._utf16_without_bom``, and
    no two-byte unit that is all NUL, which text never holds: runs of NULs are binary, not
    UTF-16). Cut into lines byte-wise, such a file would give NUL-laden records, so it is
    decoded whole."""
    if starts_with_utf16_or_32_bom(head):
        return True
    units = memoryview(head[: len(head) // 2 * 2]).cast("H")
    return _utf16_without_bom(head) is not None and 0 not in units.tolist()


def stream_chunks(reader, first: bytes = b"") -> Iterator[bytes]:
    """``first``, then the rest of ``reader`` in chunks of ``CHUNK_BYTES``."""
    if first:
        yield first
    yield from iter(lambda: reader.read(CHUNK_BYTES), b"")


class _LineCutter:
    """Cuts lines out of chunks, holding at most ``max_bytes`` of one line."""

    def __init__(self, max_bytes: int):
        self._max = max_bytes
        self._pending = bytearray()
        self._skipping = False  # inside a line already reported as too long

    def feed(self, chunk: bytes) -> Iterator[Line]:
        if b"\r" in chunk:  # a CR ends a line too; CRLF gives an empty line, dropped as blank
            chunk = chunk.replace(b"\r", b"\n")
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if not self._skipping:
                self._pending += piece if self._pending else piece.lstrip()  # a line's leading blanks go
                if len(self._pending) > self._max:
                    yield Line(bytes(self._pending[: self._max]), too_long=True)
                    self._pending.clear()
                    self._skipping = True
            if end < 0:
                return
            yield from self.finish()
            start = _BLANKS.match(chunk, end + 1).end()  # blank lines in one C call, not one loop each

    def finish(self) -> Iterator[Line]:
        """The line in progress, at a line end or at the end of the input."""
        line = bytes(self._pending).strip()
        self._pending.clear()
        if line and not self._skipping:
            if len(line) > self._max:
                yield Line(line[: self._max], too_long=True)
            else:
                yield Line(line)
        self._skipping = False


def jsonl_lines(reader, max_line_bytes: int, first: bytes = b"") -> Iterator[Line]:
    """The non-blank lines of a decompressed reader (``first``: bytes already read from it).

    Lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r``: valid JSON never holds a raw CR inside a
    string (it must be escaped), so a CR-only file is not one merged, invalid record. A UTF-8
    byte-order mark at the start is dropped. Corrupt or truncated compressed input raises
    RejectError (``decompress_error``) after the lines before it were given out."""
    return lines_of_chunks(stream_chunks(reader, first), max_line_bytes)


def lines_of_chunks(chunks: Iterable[bytes], max_line_bytes: int, file_start: bool = True) -> Iterator[Line]:
    """The non-blank lines of ``chunks`` (as ``jsonl_lines``); a UTF-8 byte-order mark is dropped
    only when the chunks begin the file (``file_start``), not a part of it (``byte_ranges``)."""
    cutter = _LineCutter(max_line_bytes)
    chunks = iter(chunks)
    head = b""
    for chunk in chunks:  # enough bytes to see a byte-order mark, whatever the chunk sizes
        head += chunk
        if len(head) >= len(_UTF8_BOM):
            break
    yield from cutter.feed(head.removeprefix(_UTF8_BOM) if file_start else head)
    for chunk in chunks:
        yield from cutter.feed(chunk)
    yield from cutter.finish()
