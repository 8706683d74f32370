"""Bytes to text: input format from the file name, capped decompression, charset decoding.

Pure functions (no Beam). Anything that cannot become text raises ``RejectError``
with a stable reason code.
"""
import bz2
import codecs
import io
import re
import zlib
from typing import Optional, Tuple

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

__all__ = ["detect_format", "decompress", "decode_text", "html_declared_charset", "utf16_xml_as_utf8"]

CHUNK_BYTES = 64 * 1024
SNIFF_BYTES = 4096
MAX_CONTROL_SHARE = 0.05
MIN_UTF16_NUL_SHARE = 0.3

_FORMATS = {
    "txt": "txt",
    "html": "html",
    "htm": "html",
    "jsonl": "jsonl",
    "ndjson": "jsonl",
    "xml": "feed",
    "rss": "feed",
    "atom": "feed",
}
_COMPRESSIONS = {"gz": "gzip", "bz2": "bz2", "zst": "zstd", "zstd": "zstd"}

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
_BZIP2_MAGIC = re.compile(rb"\ABZh[1-9]1AY&SY")
_WEBP_MAGIC = re.compile(rb"\ARIFF....WEBP", re.DOTALL)
# WHATWG: pages labelled latin-1/ascii are decoded as windows-1252
_CP1252_ALIASES = {"latin_1", "iso8859_1", "ascii"}
# Labels that mislabelled UTF-8 pages commonly carry
_WESTERN_LABELS = _CP1252_ALIASES | {"cp1252", "iso8859_15"}
_LATIN_FAMILY = {"cp1252", "latin_1", "iso8859_15", "ascii"}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?")
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"\A\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)[\"']", re.IGNORECASE)
_XML_DECLARED_ENCODING = re.compile(r"\A(\s*<\?xml[^>]*?\bencoding\s*=\s*)([\"'])[^\"']*\2")


def detect_format(path: str) -> Tuple[str, Optional[str]]:
    """(format, compression) from the file name's suffixes, case-insensitively."""
    name = path.rstrip("/").rsplit("/", 1)[-1].lower()
    parts = name.split(".")
    compression = _COMPRESSIONS.get(parts[-1]) if len(parts) > 1 else None
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
    readers = {"gzip": _gunzip, "bz2": _bunzip2, "zstd": _unzstd}
    if compression not in readers:
        raise RejectError(UNSUPPORTED_FORMAT, f"unsupported compression: {compression!r}")
    return readers[compression](data, max_bytes)


def _too_large(max_bytes: int) -> RejectError:
    return RejectError(TOO_LARGE, f"decompressed size exceeds the {max_bytes}-byte limit")


def _append_capped(out: bytearray, chunk: bytes, max_bytes: int) -> None:
    out += chunk
    if len(out) > max_bytes:
        raise _too_large(max_bytes)


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """gzip or zlib streams, multi-member gzip included."""
    out = bytearray()
    pending = data
    try:
        while pending.strip(b"\x00"):  # NUL padding after the last member is tolerated
            inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header
            _append_capped(out, inflater.decompress(pending, CHUNK_BYTES), max_bytes)
            while inflater.unconsumed_tail or not inflater.eof:
                chunk = inflater.decompress(inflater.unconsumed_tail, CHUNK_BYTES)
                if not chunk and not inflater.unconsumed_tail:
                    raise RejectError(DECOMPRESS_ERROR, "gzip: truncated stream")
                _append_capped(out, chunk, max_bytes)
            pending = inflater.unused_data
    except zlib.error as exc:
        raise RejectError(DECOMPRESS_ERROR, f"gzip: {exc}") from None
    return bytes(out)


def _bunzip2(data: bytes, max_bytes: int) -> bytes:
    """bzip2, multi-stream (pbzip2) included."""
    out = bytearray()
    pending = data
    try:
        while pending:
            inflater = bz2.BZ2Decompressor()
            chunk = inflater.decompress(pending, CHUNK_BYTES)
            while True:
                _append_capped(out, chunk, max_bytes)
                if inflater.eof or inflater.needs_input:
                    break
                chunk = inflater.decompress(b"", CHUNK_BYTES)
            if not inflater.eof:
                raise RejectError(DECOMPRESS_ERROR, "bz2: truncated stream")
            pending = inflater.unused_data
    except (OSError, ValueError, EOFError) as exc:
        raise RejectError(DECOMPRESS_ERROR, f"bz2: {exc}") from None
    return bytes(out)


def _unzstd(data: bytes, max_bytes: int) -> bytes:
    """zstd, all frames: a capped streaming pass, then a check that no frame is cut short."""
    out = bytearray()
    decompressor = zstandard.ZstdDecompressor()
    try:
        with decompressor.stream_reader(io.BytesIO(data), read_across_frames=True) as reader:
            for chunk in iter(lambda: reader.read(CHUNK_BYTES), b""):
                _append_capped(out, chunk, max_bytes)
        _check_zstd_frames_complete(decompressor, data)
    except zstandard.ZstdError as exc:
        raise RejectError(DECOMPRESS_ERROR, f"zstd: {exc}") from None
    return bytes(out)


def _check_zstd_frames_complete(decompressor, data: bytes) -> None:
    """The streaming reader stops quietly at a truncated frame; a decompressobj notices.

    Runs only after the capped pass, so each frame's output is known to fit the cap.
    """
    pending = data
    while pending:
        frame = decompressor.decompressobj()
        frame.decompress(pending)
        if not frame.eof:
            raise RejectError(DECOMPRESS_ERROR, "zstd: truncated stream")
        pending = frame.unused_data


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


def utf16_xml_as_utf8(data: bytes) -> bytes:
    """A BOM-less UTF-16 XML document re-encoded as UTF-8; any other ``data`` unchanged (the same object).

    feedparser recognises BOM-less UTF-16 only when it starts with ``<?xml``: after
    whitespace, or with ``<rss`` first, it finds no entries. The XML declaration's encoding is rewritten
    to utf-8 so the parser does not decode the new bytes as UTF-16 again. A trailing odd byte
    becomes U+FFFD. UTF-32 (decoded text still holding NULs) and non-XML are left alone.
    """
    if data.startswith(tuple(bom for bom, _ in _BOMS)):
        return data
    encoding = _utf16_without_bom(data)
    if encoding is None:
        return data
    text = data.decode(encoding, errors="replace")
    if "\x00" in text or not text.lstrip().startswith("<"):
        return data
    return _XML_DECLARED_ENCODING.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")


def undeclared_xml_as_utf8(data: bytes, charset_declared: bool = False) -> bytes:
    """XML that declares no encoding (no BOM, no ``encoding=``, no HTTP charset) and is not
    UTF-8, decoded by charset-normalizer's guess (cp1252 on a tie) and re-encoded as UTF-8;
    any other ``data`` unchanged (the same object).

    An XML parser reads such bytes as UTF-8, fails, and feedparser then falls back to
    windows-1252, which garbles EUC-JP, Big5, KOI8-R, TIS-620 and the like.
    """
    if charset_declared or data.startswith(tuple(bom for bom, _ in _BOMS)) or _XML_ENCODING.match(data):
        return data
    if _decode_utf8(data, None) is not None:
        return data
    text = _decode_guessed(data, None)
    return data if text is None else text.encode("utf-8")


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
    return len(_CONTROL_CHARS.findall(text)) / max(len(text), 1)


def _finish_text(text: str) -> str:
    if "\x00" in text or _control_share(text) > MAX_CONTROL_SHARE:
        raise RejectError(BINARY_INPUT, "input has too many control characters")
    text = _NEWLINES.sub("\n", text.lstrip("\ufeff"))
    if not text.strip():
        raise RejectError(EMPTY_INPUT, "input is only whitespace")
    return text
