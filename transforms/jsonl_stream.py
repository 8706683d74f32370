"""JSONL files read as a stream: one record per line, memory bounded by the longest line allowed.

A JSONL dump can be many gigabytes (compressed or not), so it is never held whole: the file
is decompressed through a reader that returns bounded chunks (gzip and bzip2 multi-member
streams, zstd across frames), and lines are cut from those chunks. A line longer than the
record limit is reported with its first bytes and skipped to its end. Pure (no Beam).
"""
import bz2
import gzip
import re
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Optional

import zstandard

from transforms.errors import UNSUPPORTED_FORMAT, RejectError

__all__ = ["Line", "open_decompressed", "jsonl_lines", "starts_with_utf16_or_32_bom", "DECOMPRESS_FAILURES"]

CHUNK_BYTES = 1 << 20
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_OR_32_BOM = re.compile(rb"\A(?:\xff\xfe|\xfe\xff|\x00\x00\xfe\xff)")
# What the decompressing readers raise on corrupt or truncated input.
DECOMPRESS_FAILURES = (OSError, EOFError, zlib.error, zstandard.ZstdError)


@dataclass(frozen=True)
class Line:
    """One non-blank line (stripped), or the first ``max_bytes`` of a longer one (``too_long``)."""

    data: bytes
    too_long: bool = False


def open_decompressed(handle: BinaryIO, compression: Optional[str]) -> BinaryIO:
    """A reader of the decompressed bytes of ``handle`` whose ``read(n)`` returns at most n bytes."""
    if compression is None:
        return handle
    if compression == "gzip":
        return gzip.GzipFile(fileobj=handle, mode="rb")
    if compression == "bz2":
        return bz2.BZ2File(handle, mode="rb")
    if compression == "zstd":
        return zstandard.ZstdDecompressor().stream_reader(handle, read_across_frames=True)
    raise RejectError(UNSUPPORTED_FORMAT, f"unsupported compression: {compression!r}")


def starts_with_utf16_or_32_bom(data: bytes) -> bool:
    """``data`` begins with a UTF-16 or UTF-32 byte-order mark (such JSONL is decoded whole)."""
    return bool(_UTF16_OR_32_BOM.match(data))


def _chunks(reader: BinaryIO, first: bytes) -> Iterator[bytes]:
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
            start = end + 1

    def finish(self) -> Iterator[Line]:
        """The line in progress, at a newline or at the end of the input."""
        line = bytes(self._pending).strip()
        self._pending.clear()
        if line and not self._skipping:
            if len(line) > self._max:
                yield Line(line[: self._max], too_long=True)
            else:
                yield Line(line)
        self._skipping = False


def jsonl_lines(reader: BinaryIO, max_line_bytes: int, first: bytes = b"") -> Iterator[Line]:
    """The non-blank lines of a decompressed reader (``first``: bytes already read from it).

    A UTF-8 byte-order mark at the start is dropped. Corrupt or truncated compressed input
    raises one of DECOMPRESS_FAILURES after the lines before it were given out."""
    cutter = _LineCutter(max_line_bytes)
    chunks = _chunks(reader, first)
    head = b""
    for chunk in chunks:  # enough bytes to see a byte-order mark, whatever the chunk sizes
        head += chunk
        if len(head) >= len(_UTF8_BOM):
            break
    yield from cutter.feed(head.removeprefix(_UTF8_BOM))
    for chunk in chunks:
        yield from cutter.feed(chunk)
    yield from cutter.finish()
