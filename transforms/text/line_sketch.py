"""A count-min sketch of line fingerprints (numpy): which lines may recur, in fixed memory.

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
