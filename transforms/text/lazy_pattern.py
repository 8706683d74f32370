"""A regex compiled when it is first used.

The rule packs hold ~300 patterns; compiling them took ~0.1 s at every start, and a page meets
few of them (the pattern index's pre-filters skip the rest). Loaded from the start-up cache,
rules carry ``LazyPattern``s: the same ``pattern``, ``flags`` and matching methods as
``re.Pattern``, compiled on the first call. After that, ``fullmatch``, ``search`` and ``match``
are the compiled pattern's own methods (no wrapper left on the hot path). It pickles as its
source and flags.
"""
import re
from typing import Optional

__all__ = ["LazyPattern"]


class LazyPattern:
    """``re.compile(pattern, flags)``, deferred until a method needs it."""

    __slots__ = ("pattern", "flags", "_compiled", "fullmatch", "search", "match")

    def __init__(self, pattern: str, flags: int, compiled: Optional[re.Pattern] = None):
        self.pattern, self.flags, self._compiled = pattern, flags, None
        if compiled is not None:
            self._bind(compiled)
        else:
            self.fullmatch, self.search, self.match = self._first_fullmatch, self._first_search, self._first_match

    def compiled(self) -> re.Pattern:
        return self._compiled if self._compiled is not None else self._bind(re.compile(self.pattern, self.flags))

    def _bind(self, compiled: re.Pattern) -> re.Pattern:
        self._compiled = compiled
        self.fullmatch, self.search, self.match = compiled.fullmatch, compiled.search, compiled.match
        return compiled

    def _first_fullmatch(self, text: str, *args) -> Optional[re.Match]:
        return self.compiled().fullmatch(text, *args)

    def _first_search(self, text: str, *args) -> Optional[re.Match]:
        return self.compiled().search(text, *args)

    def _first_match(self, text: str, *args) -> Optional[re.Match]:
        return self.compiled().match(text, *args)

    @property
    def groupindex(self):
        return self.compiled().groupindex

    def __reduce__(self):
        return LazyPattern, (self.pattern, self.flags)

    def __eq__(self, other) -> bool:
        return (isinstance(other, (LazyPattern, re.Pattern)) and self.pattern == other.pattern
                and self.flags == other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"
