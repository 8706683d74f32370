"""py3langid's classifier with its two slow steps done by numpy: the same results, faster.

py3langid walks its byte-level DFA in a Python loop (one step per byte of the sample)
and scores with a float16 table that numpy casts to float32 on every call. Here:

* the walk is done in ``ROUNDS`` vectorised steps: state ``i`` is first computed from
  the ``ROUNDS`` bytes ending at ``i`` (an Aho-Corasick automaton forgets everything
  older than its deepest state), then *checked* with one more vectorised step
  (``state[i] == next(state[i-1], byte[i])`` for every ``i``), which proves it is the
  sequence the loop would produce; a text that fails the check takes py3langid's loop;
* the table is cast to float32 once per process (and kept instead of the float16 one), so
  each call is a gather plus the same float32 matrix product numpy ran before, on the same
  values (the result is bit-for-bit the same).

Features are counted, and listed in first-seen order as py3langid's ``Counter`` lists
them (so the product sums in the same order), with ``ufunc.at`` on per-thread scratch
arrays. No Beam import.
"""
import threading

import numpy as np
from py3langid.langid import LanguageIdentifier

__all__ = ["FastLanguageIdentifier", "ROUNDS"]

ROUNDS = 6  # the deepest state of the packaged model; a deeper model is still exact, via the check
_UNSEEN = np.iinfo(np.int64).max


class FastLanguageIdentifier(LanguageIdentifier):
    """A ``py3langid`` ``LanguageIdentifier`` whose raw scores come from :meth:`_raw_score` below."""

    __slots__ = ("_next_np", "_rowbase_np", "_output_np", "_ptc32", "_scratch")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_np = np.frombuffer(self.tk_nextmove, dtype=np.dtype(self.tk_nextmove.typecode))
        self._rowbase_np = np.asarray(self._rowbase, dtype=np.int64)
        self._output_np = np.asarray(self.tk_output, dtype=np.int64)
        self._ptc32 = np.asarray(self.nb_ptc, dtype=np.float32)
        self._scratch = threading.local()  # Beam may run bundles on several threads of a worker
        if hasattr(self, "_full_model"):  # keep one copy of the table, not a float16 one beside it
            self.nb_ptc = self._ptc32
            self._full_model = (self._ptc32, *self._full_model[1:])

    def set_languages(self, langs=None):
        super().set_languages(langs)
        self._ptc32 = np.asarray(self.nb_ptc, dtype=np.float32)

    def _raw_score(self, text):
        states = self._states(text)
        if states is None:  # the vectorised walk could not be proved: py3langid's own loop
            return super()._raw_score(text)
        features = self._output_np[states]
        features = features[features >= 0]
        if not features.size:
            return super()._raw_score(b"")  # py3langid's answer for a text without features
        keys, counts = self._first_seen_counts(features)
        return np.log1p(counts) @ self._ptc32[keys] + self.nb_pc

    def _first_seen_counts(self, features):
        """(distinct features in first-seen order, their counts as float32): ``Counter(features)``."""
        first, count = self._scratch_arrays()
        positions = np.arange(len(features))
        try:
            np.minimum.at(first, features, positions)
            keys = features[first[features] == positions]
            np.add.at(count, features, 1)
            counts = count[keys].astype(np.float32)
        except BaseException:
            first.fill(_UNSEEN)
            count.fill(0)
            raise
        first[keys] = _UNSEEN  # back to all-unseen for the next text
        count[keys] = 0
        return keys, counts

    def _scratch_arrays(self):
        scratch = self._scratch
        if not hasattr(scratch, "first"):
            size = int(self._output_np.max()) + 1
            scratch.first = np.full(size, _UNSEEN, dtype=np.int64)
            scratch.count = np.zeros(size, dtype=np.int64)
        return scratch.first, scratch.count

    def _states(self, text: bytes):
        """The DFA state after each byte, or None when the vectorised walk cannot prove it."""
        if not text:
            return None
        data = np.frombuffer(text, dtype=np.uint8).astype(np.int64)
        nextmove, rowbase = self._next_np, self._rowbase_np
        current = nextmove[rowbase[0] + data]
        heads = [current[:1]]
        for offset in range(1, min(ROUNDS, len(data))):
            current = nextmove[rowbase[current[:-1]] + data[offset:]]
            heads.append(current[:1])
        states = np.concatenate(heads[:-1] + [current])
        previous = np.concatenate(([0], states[:-1]))
        if not np.array_equal(nextmove[rowbase[previous] + data], states):
            return None
        return states
