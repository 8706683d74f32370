"""Text fingerprints: normalised text, content hash, 64-bit SimHash, word count.

Pure Python (no Beam import) and deterministic across processes and machines
(hashlib only, never ``hash()``): a fingerprint computed on one worker matches
another's.
"""
import functools
import hashlib
import re
import string
import unicodedata
from typing import List, Optional, Tuple

import numpy as np

from transforms.text.shingle_hash import shingle_hashes

__all__ = ["normalise_text_for_hash", "content_hash", "simhash64", "hamming_distance", "word_count", "body_words"]

_WORD_RE = re.compile(r"\w+")
# Scripts written without spaces between words (Han, kana, Thai, Lao, Myanmar, Khmer): a \w+
# token there is a whole clause, so ``body_words`` counts their characters instead.
_UNSPACED_RE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                          "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
_MASK64 = (1 << 64) - 1
_SIGN64 = 1 << 63
# Characters common in news text that are never part of a \w+ token, before or after NFKC,
# and never compose with a neighbour: replacing them by a space changes no token (checked
# in tests/transforms/text/test_fingerprints.py), and often leaves plain ASCII, which has a fast path.
SEPARATORS = ("\u00a0\u2002\u2003\u2009\u200a\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026"
              "\u00ab\u00bb\u00b7\u2022\u00b0\u00a9\u20ac\u00a3")
_ASCII_WORD_BYTES = (string.ascii_lowercase + string.digits + "_").encode("ascii")
_ASCII_NON_WORD_TO_SPACE = bytes(b if b in _ASCII_WORD_BYTES else 32 for b in range(256))


def normalise_text_for_hash(text: str) -> str:
    """The text reduced to its words: NFKC, casefolded, ``\\w+`` tokens joined by one space.

    Case, whitespace and punctuation-only differences (quotes, dashes,
    ellipses, trailing full stops) therefore vanish; word order is kept.
    """
    if not text:
        return ""
    return _tokens(text)[0].decode("utf-8")


def _ascii_view(text: str) -> Optional[bytes]:
    """``text`` as ASCII bytes once SEPARATORS are spaces, or None when other non-ASCII remains."""
    if not text.isascii():
        for char in SEPARATORS:
            if char in text:
                text = text.replace(char, " ")
        if not text.isascii():
            return None
    return text.encode("ascii")


@functools.lru_cache(maxsize=16)
def _tokens(text: str) -> Tuple[bytes, List[bytes], Optional[int]]:
    """(normalised text as UTF-8, its words, the word count of ``text`` when known on the way).

    Memoised: content_hash, simhash64 and word_count of one text share the work. For text
    that is ASCII (after SEPARATORS), NFKC changes nothing, casefolding is lower-casing and
    ``\\w`` is ``[a-z0-9_]``, so one byte translation gives the words.
    """
    plain = _ascii_view(text)
    if plain is not None:
        words = plain.lower().translate(_ASCII_NON_WORD_TO_SPACE).split()
        return b" ".join(words), words, len(words)
    folded = unicodedata.normalize("NFKC", text).casefold()
    normalised = " ".join(_WORD_RE.findall(folded)).encode("utf-8")
    return normalised, normalised.split(), None


def content_hash(text: str) -> str:
    """Hex SHA-256 of ``normalise_text_for_hash(text)``."""
    return hashlib.sha256(_tokens(text)[0] if text else b"").hexdigest()


def _to_int64(unsigned: int) -> int:
    """Reinterpret a 64-bit unsigned value as a signed int64."""
    return unsigned - (1 << 64) if unsigned & _SIGN64 else unsigned


def _majority_bits(features: np.ndarray) -> int:
    """Bits set in more than half of the uint64 ``features``.

    ``unpackbits`` of the big-endian bytes lays each feature out most significant bit
    first, so column ``j`` of the (count, 64) bit matrix is bit ``63 - j``; the column sums
    (a float32 product with a ones vector: exact below 2**24 features, and much faster
    than an integer reduction along columns) are compared with count / 2 and packed back.
    """
    count = len(features)
    bits = np.unpackbits(features.astype(">u8").view(np.uint8)).reshape(count, 64)
    majority = np.ones(count, dtype=np.float32) @ bits.astype(np.float32) > count / 2
    return int.from_bytes(np.packbits(majority).tobytes(), "big")


def _word_hash(word: bytes) -> int:
    """64 bits of blake2b of ``word`` (8-byte digest read big-endian)."""
    return int.from_bytes(hashlib.blake2b(word, digest_size=8).digest(), "big")


def simhash64(text: str) -> int:
    """64-bit SimHash of ``text`` as a signed int64 (0 for text without words).

    Features are the word 3-shingles of ``normalise_text_for_hash(text)``, hashed by
    ``shingle_hash.shingle_hashes`` (the whole text is one feature, blake2b'd, when it has
    fewer than 3 words), all weighted 1. Bit i of the result is set when more than half of the features
    have bit i set. Stable across processes and machines (no ``hash()``).
    """
    if not text:
        return 0
    normalised, words, _ = _tokens(text)
    if not words:
        return 0
    if len(words) < 3:
        return _to_int64(_word_hash(normalised))
    return _to_int64(_majority_bits(shingle_hashes(normalised)))


def hamming_distance(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints (signed or unsigned)."""
    return ((a ^ b) & _MASK64).bit_count()


def word_count(text: str) -> int:
    """Number of unicode ``\\w+`` tokens in ``text``."""
    if not text:
        return 0
    known = _tokens(text)[2]
    return len(_WORD_RE.findall(text)) if known is None else known


def body_words(text: str) -> int:
    """Words of ``text`` for deduplication's minimum: ``\\w+`` tokens, where each two characters
    of a script written without spaces (Chinese, Japanese, Thai, ...) count as one word."""
    if not text or text.isascii():
        return word_count(text)
    unspaced = len(_UNSPACED_RE.findall(text))
    if not unspaced:
        return word_count(text)
    return len(_WORD_RE.findall(_UNSPACED_RE.sub(" ", text))) + (unspaced + 1) // 2
