"""A regex compiled when it is first used.

The rule packs hold ~300 patterns; compiling them took ~0.1 s at every start, and a page meets
few of them (the pattern index's pre-filters skip the rest). Loaded from the start-up cache,
rules carry ``LazyPattern``s: the same ``pattern``, ``flags`` and matching methods as
``re.Pattern``, compiled on the first call. It pickles as its source and flags.
"""
import re
from typing import Optional

__all__ = ["LazyPattern"]


class LazyPattern:
    """``re.compile(pattern, flags)``, deferred until a method needs it."""

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int, compiled: Optional[re.Pattern] = None):
        self.pattern, self.flags, self._compiled = pattern, flags, compiled

    def compiled(self) -> re.Pattern:
        found = self._compiled
        if found is None:
            found = self._compiled = re.compile(self.pattern, self.flags)
        return found

    def fullmatch(self, text: str, *args) -> Optional[re.Match]:
        return self.compiled().fullmatch(text, *args)

    def search(self, text: str, *args) -> Optional[re.Match]:
        return self.compiled().search(text, *args)

    def match(self, text: str, *args) -> Optional[re.Match]:
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
