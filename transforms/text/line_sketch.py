"""Which line fingerprints recur: exact counts while they fit (``LineCounts``), a count-min sketch beyond.

Counting every distinct line of a corpus exactly would hold them all in memory on a local
runner; most lines occur once. The site-boilerplate stage first adds every article's line
fingerprints to this sketch (``depth`` rows of ``width`` saturating 8-bit counters), then counts
exactly only the lines the sketch says occur at least twice. A count-min sketch never
under-counts, so no repeated line is missed; a line that occurs once passes only when all its
``depth`` counters collide with other lines, which is rare while the lines added are well under
``width`` (``site_boilerplate.sketch_mb``: 1 MB = 4 rows of 256K counters by default).
"""
import numpy as np

DEPTH = 4
_MAX = 255
# Odd 64-bit multipliers (one per row) for multiply-shift hashing of the fingerprints.
_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
                        dtype=np.uint64)


class LineSketch:
    """Saturating count-min sketch over signed 64-bit fingerprints."""

    def __init__(self, megabytes: int = 1, table: np.ndarray = None):
        width = 1 << max(10, int(megabytes * (1 << 20) // DEPTH).bit_length() - 1)
        self.table = np.zeros((DEPTH, width), dtype=np.uint8) if table is None else table
        self._shift = np.uint64(64 - (self.table.shape[1].bit_length() - 1))

    def _cells(self, fingerprints) -> np.ndarray:
        keys = np.asarray(fingerprints, dtype=np.int64).view(np.uint64)
        with np.errstate(over="ignore"):
            return ((keys[None, :] * _MULTIPLIERS[:, None]) >> self._shift).astype(np.int64)

    def add(self, fingerprints, counts=None) -> "LineSketch":
        """Count each fingerprint once (or ``counts[i]`` times). Only the cells touched are
        worked on: no temporary array as wide as the sketch."""
        cells = self._cells(fingerprints)
        weights = np.ones(cells.shape[1], dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
        for row in range(DEPTH):
            touched, where = np.unique(cells[row], return_inverse=True)
            added = np.bincount(where, weights=weights, minlength=len(touched))
            self.table[row, touched] = np.minimum(self.table[row, touched] + added, _MAX).astype(np.uint8)
        return self

    def merge(self, other: "LineSketch") -> "LineSketch":
        self.table = np.minimum(self.table.astype(np.uint16) + other.table, _MAX).astype(np.uint8)
        return self

    def estimate(self, fingerprints) -> np.ndarray:
        """An upper bound of how often each fingerprint was added (saturating at 255)."""
        cells = self._cells(fingerprints)
        return np.min(self.table[np.arange(DEPTH)[:, None], cells], axis=0)


EXACT_MAX_LINES = 4_000_000  # distinct lines counted exactly (16 bytes each); beyond, a LineSketch
_COMPACT_FROM = 65_536  # pending fingerprints are merged into the sorted counts from this many on
_SKETCH_BYTES_PER_LINE = 20  # a sketch this large per distinct line lets ~0.1% of single lines through


class LineCounts:
    """How often each line fingerprint was added: exact (sorted unique keys and their counts) while
    at most ``max_lines`` distinct lines were added, then a ``LineSketch`` (an upper bound) sized to
    them, at least ``megabytes``. Never under-counts.

    A 1 MB sketch alone let 82% of the single lines of 40,000 articles (800,000 lines) through to
    the exact count; exact counts let none through and hold 16 bytes per distinct line.
    """

    def __init__(self, megabytes: int = 1, max_lines: int = EXACT_MAX_LINES):
        self._megabytes, self._max_lines = megabytes, max_lines
        self._keys, self._counts = np.empty(0, np.int64), np.empty(0, np.int64)
        self._pending_keys, self._pending_counts, self._pending = [], [], 0
        self.sketch = None  # a LineSketch once over max_lines

    def add(self, fingerprints, counts=None) -> "LineCounts":
        keys = np.asarray(fingerprints, dtype=np.int64)
        weights = np.ones(len(keys), np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
        if self.sketch is not None:
            self.sketch.add(keys, weights)
            return self
        self._pending_keys.append(keys)
        self._pending_counts.append(weights)
        self._pending += len(keys)
        if self._pending >= max(_COMPACT_FROM, len(self._keys)):
            self._compact()
        return self

    def merge(self, other: "LineCounts") -> "LineCounts":
        other._compact()
        if other.sketch is None and self.sketch is None:
            return self.add(other._keys, other._counts)
        self._compact()
        self._to_sketch(len(self._keys))
        theirs = other.sketch or LineSketch(self._megabytes).add(other._keys, other._counts)
        width = min(self.sketch.table.shape[1], theirs.table.shape[1])
        self.sketch = _folded(self.sketch, width).merge(_folded(theirs, width))
        return self

    def estimate(self, fingerprints) -> np.ndarray:
        """How often each fingerprint was added (exact), or an upper bound once over ``max_lines``."""
        self._compact()
        keys = np.asarray(fingerprints, dtype=np.int64)
        if self.sketch is not None:
            return self.sketch.estimate(keys)
        if not len(self._keys):
            return np.zeros(len(keys), np.int64)
        at = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        return np.where(self._keys[at] == keys, self._counts[at], 0)

    def at_least(self, count: int) -> "LineCounts":
        """Only the lines added ``count`` times or more (what the exact count needs): a small copy."""
        self._compact()
        if self.sketch is not None:
            return self
        kept = self._counts >= count
        smaller = LineCounts(self._megabytes, self._max_lines)
        smaller._keys, smaller._counts = self._keys[kept], self._counts[kept]
        return smaller

    def _compact(self) -> None:
        if not self._pending:
            return
        keys = np.concatenate([self._keys, *self._pending_keys])
        counts = np.concatenate([self._counts, *self._pending_counts])
        self._pending_keys, self._pending_counts, self._pending = [], [], 0
        self._keys, where = np.unique(keys, return_inverse=True)
        self._counts = np.zeros(len(self._keys), np.int64)
        np.add.at(self._counts, where.ravel(), counts)
        if len(self._keys) > self._max_lines:
            self._to_sketch(len(self._keys))

    def _to_sketch(self, lines: int) -> None:
        if self.sketch is None:
            megabytes = max(self._megabytes, -(-lines * _SKETCH_BYTES_PER_LINE // (1 << 20)))
            self.sketch = LineSketch(megabytes).add(self._keys, self._counts)
            self._keys, self._counts = np.empty(0, np.int64), np.empty(0, np.int64)


def _folded(sketch: LineSketch, width: int) -> LineSketch:
    """``sketch`` at ``width`` counters a row: a cell of half the width is the two cells whose index
    shifted right by one is its own, summed (multiply-shift hashing keeps the top bits): still an upper bound."""
    table = sketch.table.astype(np.uint16)
    while table.shape[1] > width:
        table = table[:, 0::2] + table[:, 1::2]
    return LineSketch(table=np.minimum(table, _MAX).astype(np.uint8))
