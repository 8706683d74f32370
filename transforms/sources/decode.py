"""Bytes to text: input format from the file name, capped decompression, charset decoding.

Pure functions (no Beam). Anything that cannot become text raises ``RejectError``
with a stable reason code.
"""
import bz2
import codecs
import re
import zlib
from typing import Iterator, Optional, Tuple

import zstandard
from charset_normalizer import from_bytes

from transforms.errors import (
    BINARY_INPUT,
    DECODE_ERROR,
    DECOMPRESS_ERROR,
    EMPTY_INPUT,
    TOO_LARGE,
    UNSUPPORTED_FORMAT,
    RejectError,
)

__all__ = ["detect_format", "decompress", "decompressed_chunks", "CompressedInput", "decode_text",
           "html_declared_charset", "COMPRESSION_SUFFIXES", "FORMAT_SUFFIXES"]

CHUNK_BYTES = 64 * 1024
FIRST_FEED_BYTES = 64  # a member's first input slice; doubled up to CHUNK_BYTES while it lasts
ZSTD_MAX_EXPANSION = 32 * 1024  # zstd output per input byte at most (RLE blocks: 4 bytes -> 128 KiB)
ZSTD_MIN_FEED_BYTES = 16
ZSTD_MAX_FEED_BYTES = 1024  # so one zstd call gives at most about 32 MiB
SNIFF_BYTES = 4096
MAX_CONTROL_SHARE = 0.05
MIN_UTF16_NUL_SHARE = 0.3

_FORMATS = {
    "txt": "txt",
    "html": "html",
    "htm": "html",
    "jsonl": "jsonl",
    "ndjson": "jsonl",
    "json": "json",  # one record or an array of records, read whole (within limits.max_file_mb)
    "xml": "feed",
    "rss": "feed",
    "atom": "feed",
    "warc": "warc",
    "csv": "csv",  # a header row, then one record per row, read whole (within limits.max_file_mb)
    "tsv": "tsv",
}
FORMAT_SUFFIXES = tuple(_FORMATS)  # the file types newsbeam reads, for messages
# File-name suffix -> codec: the one list of the compressions newsbeam reads (a file is
# decompressed by what its name says, never sniffed), for every module that needs it.
COMPRESSION_SUFFIXES = {"gz": "gzip", "bz2": "bz2", "zst": "zstd", "zstd": "zstd"}

_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"%PDF-",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",
    b"\x28\xb5\x2f\xfd",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"\x7fELF",
    b"7z\xbc\xaf\x27\x1c",
    b"\xfd7zXZ\x00",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
)
_NON_NUL = re.compile(rb"[^\x00]")
_BZIP2_MAGIC = re.compile(rb"\ABZh[1-9]1AY&SY")
_WEBP_MAGIC = re.compile(rb"\ARIFF....WEBP", re.DOTALL)
# WHATWG: pages labelled latin-1/ascii are decoded as windows-1252
_CP1252_ALIASES = {"latin_1", "iso8859_1", "ascii"}
# Labels that mislabelled UTF-8 pages commonly carry
_WESTERN_LABELS = _CP1252_ALIASES | {"cp1252", "iso8859_15"}
_LATIN_FAMILY = {"cp1252", "latin_1", "iso8859_15", "ascii"}
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_NEWLINES = re.compile(r"\r\n?")
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"\A\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)[\"']", re.IGNORECASE)


def detect_format(path: str) -> Tuple[str, Optional[str]]:
    """(format, compression) from the file name's suffixes, case-insensitively."""
    name = path.rstrip("/").rsplit("/", 1)[-1].lower()
    parts = name.split(".")
    compression = COMPRESSION_SUFFIXES.get(parts[-1]) if len(parts) > 1 else None
    if compression:
        parts = parts[:-1]
    fmt = _FORMATS.get(parts[-1]) if len(parts) > 1 else None
    if fmt is None:
        raise RejectError(UNSUPPORTED_FORMAT, f"unsupported file type: {name!r}")
    return fmt, compression


def decompress(data: bytes, compression: Optional[str], max_bytes: int) -> bytes:
    """Decompress ``data``, rejecting as soon as the output would exceed ``max_bytes``."""
    if compression is None:
        if len(data) > max_bytes:
            raise _too_large(max_bytes)
        return data
    out = bytearray()
    for chunk in decompressed_chunks(CompressedInput(data), compression, max_bytes):
        out += chunk
    return bytes(out)


def decompressed_chunks(source: "CompressedInput", compression: Optional[str], max_bytes: int) -> Iterator[bytes]:
    """The decompressed bytes of ``source`` in bounded chunks, every member, stream or frame.

    Time is linear in the input (a file of a million empty gzip members takes seconds, not
    hours) and the output stops with ``too_large`` once past ``max_bytes``, before the chunk
    that crosses it is handed out. Corrupt or truncated input raises ``decompress_error``; ``None`` passes the
    stored bytes through, still capped. Shared by whole files and streamed JSONL."""
    codecs_ = {None: _stored_blocks, "gzip": _gunzip, "bz2": _bunzip2, "zstd": _unzstd}
    if compression not in codecs_:
        raise RejectError(UNSUPPORTED_FORMAT, f"unsupported compression: {compression!r}")
    budget = _Budget(max_bytes)
    for chunk in codecs_[compression](source, budget):
        if chunk:
            budget.spend(len(chunk))
            yield chunk


class CompressedInput:
    """Compressed bytes handed out as memoryview slices, from one buffer or a file read block by block.

    A codec is only ever given one slice, which starts small and doubles while a member lasts:
    what the codec copies back (``unconsumed_tail``, ``unused_data``) is then at most about
    twice the member, never the rest of the file, so many small members stay linear."""

    def __init__(self, source, block_bytes: int = CHUNK_BYTES):
        whole = isinstance(source, (bytes, bytearray))
        self._handle = None if whole else source
        self._block = block_bytes
        self._data = source if whole else b""
        self._view = memoryview(self._data)
        self._pos = 0
        self.consumed = 0  # compressed bytes used so far (for a decompression-ratio guard)

    def piece(self, size: int) -> memoryview:
        """The next at most ``size`` bytes, not yet consumed; empty at the end of the input."""
        if self._pos == len(self._data) and self._handle is not None:
            self._data = self._handle.read(self._block)
            self._view, self._pos = memoryview(self._data), 0
        return self._view[self._pos : self._pos + size]

    def advance(self, count: int) -> None:
        """Mark ``count`` bytes of the last piece as consumed."""
        self._pos += count
        self.consumed += count

    def has_more(self, skip_nul: bool = False) -> bool:
        """Whether input remains, NUL bytes skipped first when ``skip_nul`` (gzip padding)."""
        if self._pos < len(self._data) and (not skip_nul or self._data[self._pos]):
            return True  # the common case, without a search
        while self.piece(1):
            if not skip_nul:
                return True
            found = _NON_NUL.search(self._data, self._pos)
            self.advance((found.start() if found else len(self._data)) - self._pos)
            if found:
                return True
        return False


class _Budget:
    """Output bytes still allowed; spending past the limit is a too_large reject."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.room = max_bytes

    def spend(self, count: int) -> None:
        self.room -= count
        if self.room < 0:
            raise _too_large(self.max_bytes)


def _too_large(max_bytes: int) -> RejectError:
    return RejectError(TOO_LARGE, f"decompressed size exceeds the {max_bytes}-byte limit")


def _corrupt(codec: str, exc: Exception) -> RejectError:
    return RejectError(DECOMPRESS_ERROR, f"{codec}: {exc}")


def _truncated(codec: str) -> RejectError:
    return RejectError(DECOMPRESS_ERROR, f"{codec}: truncated stream")


def _stored_blocks(source: CompressedInput, _budget: _Budget) -> Iterator[bytes]:
    """Uncompressed input, block by block as read (streamed JSONL)."""
    while True:
        piece = source.piece(1 << 62)  # the rest of the block in hand
        if not piece:
            return
        source.advance(len(piece))
        yield bytes(piece)


def _gunzip(source: CompressedInput, _budget: _Budget) -> Iterator[bytes]:
    """gzip or zlib streams, multi-member gzip included; NUL padding between and after members is tolerated."""
    while source.has_more(skip_nul=True):
        inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header
        size = FIRST_FEED_BYTES
        while not inflater.eof:
            piece = source.piece(size)
            try:
                chunk = inflater.decompress(piece, CHUNK_BYTES)
            except zlib.error as exc:
                raise _corrupt("gzip", exc) from None
            used = len(piece) - len(inflater.unconsumed_tail) - len(inflater.unused_data)
            if not chunk and not used:  # input used up, the member unfinished
                raise _truncated("gzip")
            source.advance(used)
            size = min(size * 2, CHUNK_BYTES)
            if chunk:
                yield chunk


def _bunzip2(source: CompressedInput, _budget: _Budget) -> Iterator[bytes]:
    """bzip2, multi-stream (pbzip2) included."""
    while source.has_more():
        yield from _bunzip2_stream(source)


def _bunzip2_stream(source: CompressedInput) -> Iterator[bytes]:
    """One bzip2 stream: each piece is drained before the next, so any unused_data is the last piece's tail."""
    inflater = bz2.BZ2Decompressor()
    size = FIRST_FEED_BYTES
    while not inflater.eof:
        piece = source.piece(size)
        if not piece:
            raise _truncated("bz2")
        chunk = _bz2_call(inflater, piece)
        while True:
            yield chunk
            if inflater.eof or inflater.needs_input:
                break
            chunk = _bz2_call(inflater, b"")
        source.advance(len(piece) - len(inflater.unused_data))
        size = min(size * 2, CHUNK_BYTES)


def _bz2_call(inflater, piece) -> bytes:
    try:
        return inflater.decompress(piece, CHUNK_BYTES)
    except (OSError, ValueError, EOFError) as exc:
        raise _corrupt("bz2", exc) from None


def _unzstd(source: CompressedInput, budget: _Budget) -> Iterator[bytes]:
    """zstd, all frames (skippable ones included); a frame cut short is a truncated stream."""
    decompressor = zstandard.ZstdDecompressor()
    while source.has_more():
        yield from _unzstd_frame(decompressor, source, budget)


def _unzstd_frame(decompressor, source: CompressedInput, budget: _Budget) -> Iterator[bytes]:
    """One frame. zstd's decompressobj has no output limit and a 4-byte RLE block expands
    to 128 KiB, so a piece is kept small enough that even all-RLE input stays near the room left."""
    frame = decompressor.decompressobj()
    size = FIRST_FEED_BYTES
    while not frame.eof:
        piece = source.piece(_zstd_feed(size, budget.room))
        if not piece:
            raise _truncated("zstd")
        try:
            chunk = frame.decompress(piece)
        except zstandard.ZstdError as exc:
            raise _corrupt("zstd", exc) from None
        source.advance(len(piece) - len(frame.unused_data))
        size = min(size * 2, CHUNK_BYTES)
        yield chunk


def _zstd_feed(size: int, room: int) -> int:
    return max(ZSTD_MIN_FEED_BYTES, min(size, ZSTD_MAX_FEED_BYTES, room // ZSTD_MAX_EXPANSION))


def html_declared_charset(data: bytes) -> Optional[str]:
    """Charset named by an XML declaration or an HTML ``<meta>`` in the first 4 KB."""
    head = data[:SNIFF_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
    return name if _codec_name(name) else None


def _codec_name(name: Optional[str]) -> Optional[str]:
    """Python's canonical codec name for ``name``, or None when unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name.replace("-", "_")
    except (LookupError, ValueError):
        return None


def decode_text(data: bytes, declared_charset: Optional[str] = None) -> str:
    """Decode document bytes to text with ``\\n`` newlines, or reject them."""
    if not data.strip():
        raise RejectError(EMPTY_INPUT, "input is empty")
    text = _decode_bom(data)
    if text is None:
        _reject_binary_bytes(data)
        text = _decode_without_bom(data, declared_charset)
    return _finish_text(text)


def _decode_bom(data: bytes) -> Optional[str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _reject_binary_bytes(data: bytes) -> None:
    head = data[:16]
    if head.startswith(_BINARY_MAGIC) or _BZIP2_MAGIC.match(head) or _WEBP_MAGIC.match(head):
        raise RejectError(BINARY_INPUT, f"binary file signature {head[:8]!r}")


def _decode_without_bom(data: bytes, declared_charset: Optional[str]) -> str:
    if b"\x00" in data:
        return _decode_utf16_without_bom(data)
    for decoder in (_decode_declared, _decode_utf8, _decode_guessed):
        text = decoder(data, declared_charset)
        if text is not None:
            return text
    return _decode_last_resort(data)


def _decode_utf16_without_bom(data: bytes) -> str:
    """NUL bytes only belong in BOM-less UTF-16; anything else with NULs is binary."""
    encoding = _utf16_without_bom(data)
    if encoding and len(data) % 2 == 0:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise RejectError(BINARY_INPUT, "input contains NUL bytes")


def _utf16_without_bom(data: bytes) -> Optional[str]:
    """"utf-16-le" or "utf-16-be" when the first 4 KB look like UTF-16 (BOM not checked), else None.

    ASCII characters (markup, spaces, digits) have a NUL high byte: many NULs at odd
    offsets mean little-endian, at even offsets big-endian.
    """
    sample = data[:SNIFF_BYTES]
    even, odd = sample[0::2], sample[1::2]
    share = max(even.count(0) / max(len(even), 1), odd.count(0) / max(len(odd), 1))
    if share < MIN_UTF16_NUL_SHARE:
        return None
    return "utf-16-be" if even.count(0) > odd.count(0) else "utf-16-le"


def _decode_declared(data: bytes, declared: Optional[str]) -> Optional[str]:
    codec = _codec_name(declared)
    if codec is None or codec.startswith(("utf_16", "utf_32")):
        return None  # a UTF-16 label without a BOM is a known lie (WHATWG)
    if codec in _WESTERN_LABELS and _is_non_ascii_utf8(data):
        return None  # mislabelled UTF-8 is far more common than cp1252 that is valid UTF-8
    if codec in _CP1252_ALIASES:
        codec = "cp1252"
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_non_ascii_utf8(data: bytes) -> bool:
    return not data.isascii() and _decode_utf8(data, None) is not None


def _decode_utf8(data: bytes, _declared: Optional[str]) -> Optional[str]:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode_guessed(data: bytes, _declared: Optional[str]) -> Optional[str]:
    """charset-normalizer's guess, except that plausible cp1252 wins a low-confidence tie."""
    best = from_bytes(data).best()
    if best is None:
        return None
    if best.encoding in _LATIN_FAMILY or "cp1252" in best.could_be_from_charset:
        return _decode_cp1252_strict(data) or str(best)
    cp1252 = from_bytes(data, cp_isolation=["cp1252"]).best()
    if cp1252 is not None and _at_least_as_plausible(cp1252, best):
        return str(cp1252)
    return str(best)


def _at_least_as_plausible(candidate, best) -> bool:
    margin = 0.05
    return candidate.chaos <= best.chaos + margin and candidate.coherence >= best.coherence - margin


def _decode_cp1252_strict(data: bytes) -> Optional[str]:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _decode_last_resort(data: bytes) -> str:
    text = data.decode("cp1252", errors="replace")
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise RejectError(BINARY_INPUT, "input does not look like text")
    if text.count("\ufffd") > len(text) * MAX_CONTROL_SHARE:
        raise RejectError(DECODE_ERROR, "no character set decodes this input")
    return text


def _control_share(text: str) -> float:
    """The share of control characters (``_CONTROL_BYTES``): counted on the UTF-8 bytes, where each is one
    byte and no multi-byte sequence holds one, by deleting them (a C loop, ~10x a regex)."""
    data = text.encode("utf-8", "surrogatepass")
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / max(len(text), 1)


def _finish_text(text: str) -> str:
    if "\x00" in text or _control_share(text) > MAX_CONTROL_SHARE:
        raise RejectError(BINARY_INPUT, "input has too many control characters")
    text = _NEWLINES.sub("\n", text.lstrip("\ufeff"))
    if not text.strip():
        raise RejectError(EMPTY_INPUT, "input is only whitespace")
    return text
