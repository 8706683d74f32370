"""64-bit hashes of the word 3-shingles of a normalised text, all at once with numpy.

A shingle is the byte span of three consecutive words with the single spaces between them
(``b"a b c"``), exactly as ``b" ".join`` would build it. Its hash is a polynomial hash of
those bytes modulo 2**64, ``sum(byte[j] * BASE**j)``, passed through SplitMix64's
finaliser (the polynomial's low bits are weak on their own; the finaliser makes every input
bit flip about half the output bits).

With prefix sums ``H[i] = sum(byte[j] * BASE**j for j < i)`` the polynomial of the span
``[s, e)`` is ``(H[e] - H[s]) * BASE**-s``: BASE is odd, so it has an inverse modulo 2**64,
and uint64 arithmetic wraps modulo 2**64. So every shingle of a text costs a few vectorised
operations over its bytes instead of one Python-level hash call per shingle.
"""
import numpy as np

__all__ = ["BASE", "shingle_hashes"]

BASE = 0x9E3779B97F4A7C15  # odd: invertible modulo 2**64
_BASE_INVERSE = pow(BASE, -1, 1 << 64)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_SPACE = 32
_CACHED_POWERS = 1 << 20  # texts up to 1 MiB reuse the power tables (16 MiB)


def _powers(base: int, count: int) -> np.ndarray:
    """base**0 .. base**(count - 1) modulo 2**64, as uint64."""
    steps = np.full(count, base, dtype=np.uint64)
    steps[0] = 1
    return np.cumprod(steps, dtype=np.uint64)


class _PowerTables:
    """BASE**j and BASE**-j, grown on demand (doubling) up to ``_CACHED_POWERS`` entries."""

    def __init__(self):
        self._up = self._down = np.ones(0, dtype=np.uint64)

    def get(self, count: int):
        if count > len(self._up):
            size = max(count, min(2 * len(self._up), _CACHED_POWERS), 4096)
            if size > _CACHED_POWERS:
                return _powers(BASE, count), _powers(_BASE_INVERSE, count)
            self._up, self._down = _powers(BASE, size), _powers(_BASE_INVERSE, size)
        return self._up[:count], self._down[:count]


_TABLES = _PowerTables()


def _finalise(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, element-wise (uint64 products wrap)."""
    values = (values ^ (values >> np.uint64(30))) * _MIX1
    values = (values ^ (values >> np.uint64(27))) * _MIX2
    return values ^ (values >> np.uint64(31))


def shingle_hashes(normalised: bytes) -> np.ndarray:
    """uint64 hashes of the word 3-shingles of ``normalised`` (words joined by single spaces), in order.

    Empty when the text has fewer than 3 words."""
    data = np.frombuffer(normalised, dtype=np.uint8)
    spaces = np.flatnonzero(data == _SPACE)
    if len(spaces) < 2:
        return np.zeros(0, dtype=np.uint64)
    up, down = _TABLES.get(len(data))
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum(data * up, out=prefix[1:])
    starts = np.concatenate(([0], spaces[:-2] + 1))  # first byte of words 0 .. n-3
    ends = np.concatenate((spaces[2:], [len(data)]))  # one past the last byte of words 2 .. n-1
    return _finalise((prefix[ends] - prefix[starts]) * down[starts])
