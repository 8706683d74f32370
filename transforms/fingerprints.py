"""Text fingerprints: normalised text, content hash, 64-bit SimHash, word count.

Pure Python (no Beam import) and deterministic across processes and machines
(hashlib only, never ``hash()``): a fingerprint computed on one worker matches
another's.
"""
import functools
import hashlib
import re
import unicodedata

__all__ = ["normalise_text_for_hash", "content_hash", "simhash64", "hamming_distance", "word_count"]

_WORD_RE = re.compile(r"\w+")
_MASK64 = (1 << 64) - 1
_SIGN64 = 1 << 63


def normalise_text_for_hash(text: str) -> str:
    """The text reduced to its words: NFKC, casefolded, ``\\w+`` tokens joined by one space.

    Case, whitespace and punctuation-only differences (quotes, dashes,
    ellipses, trailing full stops) therefore vanish; word order is kept.
    """
    if not text:
        return ""
    return _normalised(text)


@functools.lru_cache(maxsize=16)
def _normalised(text: str) -> str:
    """Memoised body of normalise_text_for_hash: content_hash and simhash64 of one text share it."""
    return " ".join(_WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold()))


def content_hash(text: str) -> str:
    """Hex SHA-256 of ``normalise_text_for_hash(text)``."""
    return hashlib.sha256(normalise_text_for_hash(text).encode("utf-8")).hexdigest()


def _to_int64(unsigned: int) -> int:
    """Reinterpret a 64-bit unsigned value as a signed int64."""
    return unsigned - (1 << 64) if unsigned & _SIGN64 else unsigned


def _majority_bits(blob: bytes, count: int) -> int:
    """Bits set in more than half of the ``count`` big-endian 8-byte words packed in ``blob``.

    Column sums without a per-bit loop per word: byte position ``pos`` of
    every word is gathered (``blob[pos::8]``) into one big int, and bit
    ``b`` of all those bytes is counted at once with a mask that has bit
    ``b`` set in every byte, then ``int.bit_count``. 64 big-int ANDs in all.
    """
    ones = int.from_bytes(b"\x01" * count, "big")
    masks = [(ones << bit, 1 << bit) for bit in range(8)]
    half = count / 2
    result = 0
    for pos in range(8):
        column = int.from_bytes(blob[pos::8], "big")
        byte = 0
        for mask, flag in masks:
            if (column & mask).bit_count() > half:
                byte |= flag
        result |= byte << ((7 - pos) * 8)
    return result


def simhash64(text: str) -> int:
    """64-bit SimHash of ``text`` as a signed int64 (0 for text without words).

    Features are word 3-shingles of ``normalise_text_for_hash(text)`` (the
    whole text is one feature when it has fewer than 3 words), each hashed
    with blake2b (8-byte digest read big-endian; stable across processes),
    all weighted 1. Bit i of the result is set when more than half of the
    features have bit i set.
    """
    words = normalise_text_for_hash(text).encode("utf-8").split()
    if not words:
        return 0
    if len(words) < 3:
        shingles = [b" ".join(words)]
    else:
        shingles = list(map(b" ".join, zip(words, words[1:], words[2:])))
    blake = hashlib.blake2b
    blob = b"".join([blake(s, digest_size=8).digest() for s in shingles])
    return _to_int64(_majority_bits(blob, len(shingles)))


def hamming_distance(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints (signed or unsigned)."""
    return ((a ^ b) & _MASK64).bit_count()


def word_count(text: str) -> int:
    """Number of unicode ``\\w+`` tokens in ``text``."""
    if not text:
        return 0
    return len(_WORD_RE.findall(text))
