"""Finding the next readable record of a WARC file after a corrupt or truncated one.

A Common Crawl archive is a sequence of gzip members, one per record, so a damaged member
(bytes flipped, a download cut short and resumed) need not cost the rest of the file: the
next member that starts a WARC record is found by its gzip magic (``1f 8b 08``) and checked
by decompressing its first bytes, which must read ``WARC/``. In an uncompressed archive the
next record is the next line that starts with ``WARC/1.``. ``readable_head`` gives the bytes
of the damaged record that can still be read (decompressed as far as the damage allows), for
its rejected row. Files are scanned in chunks: memory stays bounded. Pure (no Beam).
"""
import zlib
from typing import Optional

__all__ = ["GZIP_MAGIC", "is_gzipped", "starts_archive", "next_record_start", "readable_head"]

GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_LINE = b"\nWARC/1."
_CHUNK = 1 << 20
_PROBE = 4096  # compressed bytes decompressed to check a candidate member
_PIECE = 256  # compressed bytes of a damaged member decompressed at a time


def is_gzipped(handle) -> bool:
    """Whether the archive ``handle`` reads is gzip-compressed (its first bytes)."""
    handle.seek(0)
    return handle.read(2) == GZIP_MAGIC[:2]


def starts_archive(handle, gzipped: bool) -> bool:
    """Whether the file starts as a WARC (``WARC/``) or an old ARC file (``filedesc://``) does."""
    handle.seek(0)
    probe = handle.read(_PROBE)
    if gzipped:
        try:
            probe = zlib.decompressobj(31).decompress(probe, 16)
        except zlib.error:
            return False
    return probe.startswith((b"WARC/", b"filedesc://"))


def next_record_start(handle, after: int, gzipped: bool) -> Optional[int]:
    """The offset of the first record that starts after byte ``after``, or None."""
    marker = GZIP_MAGIC if gzipped else WARC_LINE
    position = after + 1
    while True:
        handle.seek(position)
        chunk = handle.read(_CHUNK + len(marker))
        found = chunk.find(marker)
        while found >= 0:
            start = position + found + (0 if gzipped else 1)  # a WARC line starts after its "\n"
            if _starts_warc(handle, start, gzipped):
                return start
            found = chunk.find(marker, found + 1)
        if len(chunk) <= _CHUNK:
            return None
        position += _CHUNK


def _starts_warc(handle, start: int, gzipped: bool) -> bool:
    handle.seek(start)
    probe = handle.read(_PROBE)
    if not gzipped:
        return probe.startswith(b"WARC/1.")
    try:
        return zlib.decompressobj(31).decompress(probe, 16).startswith(b"WARC/")
    except zlib.error:
        return False


def readable_head(handle, start: int, end: Optional[int], gzipped: bool, limit: int) -> bytes:
    """The bytes of the damaged record at ``start`` (up to ``end``, the next record, or the file's
    end) that can be read: decompressed as far as the damage allows, at most ``limit`` bytes."""
    handle.seek(start)
    raw = handle.read(min(limit, end - start) if end is not None else limit)
    if not gzipped:
        return raw
    inflater, out = zlib.decompressobj(31), b""
    for offset in range(0, len(raw), _PIECE):  # small pieces: a piece that fails gives nothing
        try:
            out += inflater.decompress(raw[offset:offset + _PIECE], limit - len(out))
        except zlib.error:
            break
        if len(out) >= limit or inflater.eof:
            break
    return out
