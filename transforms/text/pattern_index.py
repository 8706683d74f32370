"""Which of many case-insensitive regexes is the first to match a whole line, found fast.

``PatternIndex(patterns).first(line)`` returns what
``next((i for i, p in enumerate(patterns) if p.fullmatch(line)), None)`` returns, while
trying only the few patterns the line can match. Two exact pre-filters come from each
pattern's parse tree:

* the strings of up to ``PREFIX_CHARS`` characters a match can begin with, lower-cased
  (a line beginning "The c" never needs ``(?:read more|related)...``);
* for a pattern that can begin with anything (``.{0,120}\\bpostfach\\b.*``), a literal
  every match contains (a line without "postfach" never needs it), or the literals of an
  alternation every match passes through, one per branch.

Both pre-filters are supersets: whatever the analysis does not understand (``.``, negated classes,
back-references, an unexpected construct) makes it keep the pattern. Lines are
lower-cased for the look-up after mapping the four non-ASCII characters that
``re.IGNORECASE`` equates with ASCII letters (checked over every code point in the tests).
``finite_matches`` lists every string a finite pattern (no repetition beyond ``?``) matches.
Pure Python, no Beam.
"""
import re
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple, Union

try:  # Python 3.11+
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre  # pylint: disable=deprecated-module
    import sre_parse as _sre_parse  # pylint: disable=deprecated-module

__all__ = ["PatternIndex", "PREFIX_CHARS", "ASCII_LOOKALIKES", "finite_matches"]

PREFIX_CHARS = 3
ASCII_LOOKALIKES = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_MAX_PREFIXES = 4096
_MIN_LITERAL = 4
_MAX_GATE_LITERALS = 4  # more are slower to look for than trying the pattern
_RARE_MARKS = "?@"  # a gate on its own: few lines hold one
_MAX_CACHED_KEYS = 1 << 16
_ASCII_SPACE = " \t\n\r\x0b\x0c"
_CATEGORY_CHARS = {  # their ASCII members; every one of them matches non-ASCII characters too
    _sre.CATEGORY_DIGIT: "0123456789",
    _sre.CATEGORY_SPACE: _ASCII_SPACE,
    _sre.CATEGORY_WORD: "abcdefghijklmnopqrstuvwxyz0123456789_",
}
_REPEATS = tuple(op for op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) if op)
_ZERO_WIDTH = (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT)
_LOOKALIKE_CODES = (0x130, 0x131, 0x17F, 0x212A)


def fold(text: str) -> str:
    """``text`` as the index compares it: look-alikes mapped to ASCII, then lower-cased (``translate``
    with a table is slow: only a text holding one of the four look-alikes takes it)."""
    if text.isascii() or not ("\u0130" in text or "\u0131" in text or "\u017f" in text or "\u212a" in text):
        return text.lower()
    return text.translate(ASCII_LOOKALIKES).lower()


class _Prefixes:
    """Prefixes of the matches of a pattern part, lower-cased.

    ``exact``: still being followed; ``open``: finished (``PREFIX_CHARS`` long, or followed
    by a character not tracked -- any line beginning so may match); ``cut``: followed by a
    non-ASCII character (only a line whose ASCII head ends there may match).
    """

    __slots__ = ("exact", "open", "cut")

    def __init__(self, exact: Set[str], open_: Set[str], cut: Set[str]):
        self.exact, self.open, self.cut = exact, open_, cut

    def size(self) -> int:
        return len(self.exact) + len(self.open) + len(self.cut)

    def closed(self) -> "_Prefixes":
        return _Prefixes(set(), self.exact | self.open, set(self.cut))

    def start(self) -> "_Prefixes":
        """A state following the same exact prefixes, with nothing finished yet."""
        return _Prefixes(set(self.exact), set(), set())


def _char_options(op, av) -> Tuple[FrozenSet[str], Optional[bool]]:
    """(lower-cased ASCII characters a one-character item matches, does it match other characters
    too); None for the second when it matches characters not worked out (``.``, ``[^...]``)."""
    if op is _sre.LITERAL:
        char = chr(av).translate(ASCII_LOOKALIKES).lower()
        return (frozenset(char), False) if char.isascii() and len(char) == 1 else (frozenset(), True)
    if op is not _sre.IN:
        return frozenset(), None  # ANY, NOT_LITERAL, ...
    chars, other = set(), False
    for item_op, item_av in av:
        if item_op is _sre.LITERAL:
            found, more = _char_options(item_op, item_av)
            chars |= found
            other = other or more
        elif item_op is _sre.RANGE:
            low, high = item_av
            chars.update(chr(c).lower() for c in range(low, min(high, 127) + 1))
            chars.update(chr(c).translate(ASCII_LOOKALIKES) for c in _LOOKALIKE_CODES if low <= c <= high)
            other = other or high >= 128
        elif item_op is _sre.CATEGORY and item_av in _CATEGORY_CHARS:
            chars.update(_CATEGORY_CHARS[item_av])
            other = True
        else:  # NEGATE, other categories
            return frozenset(), None
    return frozenset(chars), other


def _extend(state: _Prefixes, items) -> _Prefixes:
    for op, av in items:
        if not state.exact:
            return state
        following = _extend_item(state, op, av)
        if following is None or following.size() > _MAX_PREFIXES:
            return state.closed()
        state = following
    return state


def _extend_item(state: _Prefixes, op, av) -> Optional[_Prefixes]:
    """The prefixes after one more item; None when they would be more than ``_MAX_PREFIXES``."""
    if op in (_sre.LITERAL, _sre.IN, _sre.ANY, _sre.NOT_LITERAL):
        chars, other = _char_options(op, av)
        if other is None:
            return state.closed()
        if len(state.exact) * len(chars) > _MAX_PREFIXES:  # as many new prefixes: too many, not built
            return None
        exact = {prefix + char for prefix in state.exact for char in chars}
        done = {p for p in exact if len(p) >= PREFIX_CHARS}
        cut = state.cut | state.exact if other else state.cut
        return _Prefixes(exact - done, state.open | done, cut)
    if op is _sre.BRANCH:
        merged = _Prefixes(set(), set(state.open), set(state.cut))
        for branch in av[1]:
            found = _extend(state.start(), branch)
            merged.exact |= found.exact
            merged.open |= found.open
            merged.cut |= found.cut
        return merged
    if op is _sre.SUBPATTERN:
        return _extend(state, av[-1])
    if op is getattr(_sre, "ATOMIC_GROUP", None):
        return _extend(state, av)
    if op in _REPEATS:
        return _repeat(state, *av)
    if op in _ZERO_WIDTH:
        return state  # what it asserts is ignored: a superset
    return state.closed()  # back-references, conditionals, anything new


def _repeat(state: _Prefixes, least: int, most, items) -> _Prefixes:
    """Prefixes after ``least``..``most`` repetitions of ``items``."""
    merged = _Prefixes(set(), set(state.open), set(state.cut))
    current, count = state.start(), 0
    while True:
        if count >= least:
            merged.exact |= current.exact
        merged.open |= current.open
        merged.cut |= current.cut
        if count == most or not current.exact:
            return merged
        following = _extend(current.start(), items)
        if (following.exact <= current.exact and following.open <= merged.open
                and following.cut <= merged.cut):
            merged.exact |= current.exact  # a fixed point: more repetitions add nothing new
            return merged
        current, count = following, count + 1


def _required_literal(items) -> Optional[str]:
    """The longest run of ASCII letters, digits and spaces every match contains (lower-cased), else
    a rare mark it contains ("?" of a question, "@" of an address); None when neither is there."""
    best, run, marks = "", "", ""
    for op, av in _flatten(items):
        if op is _sre.LITERAL and av < 128 and (chr(av).isalnum() or av == 32):
            run += chr(av).lower()
            best = max(best, run, key=len)
        else:
            run = ""
            marks += chr(av) if op is _sre.LITERAL and chr(av) in _RARE_MARKS else ""
    return best if len(best.strip()) >= _MIN_LITERAL else (marks[:1] or None)


def _required_literals(items) -> Tuple[str, ...]:
    """Literals one of which every match contains: the longest required literal, else those of a
    required alternation, one per branch (``.{0,160}\\b(?:hier|unter diesem link)...``); () when none."""
    literal = _required_literal(items)
    if literal:
        return (literal,)
    for op, av in _flatten(items):
        if op is _sre.BRANCH:
            literals = tuple(_required_literal(branch) for branch in av[1])
            if all(literals) and len(literals) <= _MAX_GATE_LITERALS:
                return literals
    return ()


def _flatten(items):
    """Top-level items, with plain (non-repeated) groups opened up."""
    for op, av in items:
        if op is _sre.SUBPATTERN:
            yield from _flatten(av[-1])
        else:
            yield op, av


def analyse(pattern: re.Pattern) -> Tuple[FrozenSet[str], FrozenSet[str], Tuple[str, ...]]:
    """What a line matching ``pattern`` begins with: (prefixes -- "" for anything --, prefixes
    followed by a non-ASCII character, and when it may begin with anything the literals one of
    which it contains, lower-cased; () when none is known)."""
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags).data
        found = _extend(_Prefixes({""}, set(), set()), parsed)
    except Exception:  # noqa: BLE001 - anything unexpected: the pattern is always tried
        return frozenset({""}), frozenset(), ()
    prefixes = frozenset(found.exact | found.open)
    return prefixes, frozenset(found.cut), (_required_literals(parsed) if "" in prefixes else ())


def finite_matches(pattern: str) -> Tuple[str, ...]:
    """Every string ``pattern`` matches, when it is finite: literals, character sets, groups,
    alternations and ``?`` only (ValueError for anything else). ``"mar(?:ch|s)?"`` gives
    ``("mar", "march", "mars")`` (case as written)."""
    return _finite(_sre_parse.parse(pattern).data, ("",))


def _finite(items, prefixes: Tuple[str, ...]) -> Tuple[str, ...]:
    for op, av in items:
        if op is _sre.LITERAL:
            prefixes = tuple(prefix + chr(av) for prefix in prefixes)
        elif op is _sre.IN:
            chars = [chr(value) for kind, value in av if kind is _sre.LITERAL]
            prefixes = tuple(prefix + char for prefix in prefixes for char in chars)
        elif op is _sre.SUBPATTERN:
            prefixes = _finite(av[-1], prefixes)
        elif op is _sre.BRANCH:
            prefixes = tuple(word for branch in av[1] for word in _finite(branch, prefixes))
        elif op is _sre.MAX_REPEAT and av[:2] == (0, 1):
            prefixes = prefixes + _finite(av[2], prefixes)
        else:
            raise ValueError(f"not a finite pattern: {op}")
    return prefixes


_NO_GATE, _MARK, _LITERAL, _ANY_LITERAL = "none", "mark", "literal", "any literal"
_GATE_KINDS = {kind: kind for kind in (_NO_GATE, _MARK, _LITERAL, _ANY_LITERAL)}


def _gate(literals: Tuple[str, ...]) -> Tuple[str, Union[None, str, Tuple[str, ...]]]:
    """(kind, gate): what ``first`` looks for before trying a pattern: nothing, a rare mark in the
    line, a literal in the folded line, or any of several literals in it."""
    if not literals:
        return _NO_GATE, None
    if len(literals) > 1:
        return _ANY_LITERAL, literals
    return (_MARK if literals[0] in _RARE_MARKS else _LITERAL), literals[0]


class PatternIndex:
    """First-match search over compiled ``patterns``."""

    def __init__(self, patterns: Sequence):
        """``patterns``: ``re.Pattern``s, or objects with the same ``pattern``, ``flags`` and a
        ``compiled()`` method (``LazyPattern``: compiled on its first try). An index pickles as its
        tables: built once, it can be kept (``transforms.startup_cache``)."""
        self._patterns = tuple(patterns)
        self._by_prefix: Dict[str, List[int]] = {}
        self._by_cut: Dict[str, List[int]] = {}
        self._tries: List[Tuple] = []  # per pattern: (fullmatch, gate kind, gate), read in the hot loop
        for index, pattern in enumerate(self._patterns):
            if pattern.flags & re.IGNORECASE:
                prefixes, cuts, literals = analyse(pattern)
            else:  # the analysis assumes case-insensitive matching: always try the others
                prefixes, cuts, literals = frozenset({""}), frozenset(), ()
            for prefix in prefixes:
                self._by_prefix.setdefault(prefix, []).append(index)
            for prefix in cuts:
                self._by_cut.setdefault(prefix, []).append(index)
            # a gate is looked for before the pattern is tried: one of its literals is in every match
            self._tries.append((self._fullmatch_of(index, pattern), *_gate(literals)))
        self._cache: Dict[Tuple[str, bool], Tuple[int, ...]] = {}

    def __getstate__(self) -> dict:  # the tables, not the bound methods (rebuilt on load)
        return {"patterns": self._patterns, "by_prefix": self._by_prefix, "by_cut": self._by_cut,
                "gates": [entry[1:] for entry in self._tries]}

    def __setstate__(self, state: dict) -> None:
        self._patterns, self._by_prefix, self._by_cut = state["patterns"], state["by_prefix"], state["by_cut"]
        self._tries = [(self._fullmatch_of(i, p), _GATE_KINDS[kind], gate)  # kinds are compared by identity
                       for i, (p, (kind, gate)) in enumerate(zip(self._patterns, state["gates"]))]
        self._cache = {}

    def _fullmatch_of(self, index: int, pattern):
        """``pattern.fullmatch``; for a lazily compiled pattern, a first try that compiles it and
        puts the compiled ``fullmatch`` in its place (the hot loop then calls it directly)."""
        if isinstance(pattern, re.Pattern):
            return pattern.fullmatch

        def first_try(line: str):
            fullmatch = pattern.compiled().fullmatch
            self._tries[index] = (fullmatch, *self._tries[index][1:])
            return fullmatch(line)

        return first_try

    def first(self, line: str, start: int = 0) -> Optional[int]:
        """Index of the first pattern at or after ``start`` that fullmatches ``line``, or None."""
        folded = None
        tries = self._tries
        for index in self._candidates(line):
            if index < start:
                continue
            fullmatch, kind, gate = tries[index]
            if kind is _MARK:
                if gate not in line:
                    continue
            elif kind is not _NO_GATE:
                folded = fold(line) if folded is None else folded
                if not (gate in folded if kind is _LITERAL else any(each in folded for each in gate)):
                    continue
            if fullmatch(line):
                return index
        return None

    def _candidates(self, line: str) -> Tuple[int, ...]:
        """The patterns ``line`` may match, by its first characters, in order."""
        head = fold(line[:PREFIX_CHARS])[:PREFIX_CHARS]
        if head.isascii():
            key = (head, False)
        else:
            key = (head[:next(n for n, char in enumerate(head) if not char.isascii())], True)
        found = self._cache.get(key)
        if found is None:
            found = self._lookup(*key)
            if len(self._cache) < _MAX_CACHED_KEYS:
                self._cache[key] = found
        return found

    def _lookup(self, head: str, cut: bool) -> Tuple[int, ...]:
        found = set(self._by_cut.get(head, ())) if cut else set()
        for size in range(len(head) + 1):
            found.update(self._by_prefix.get(head[:size], ()))
        return tuple(sorted(found))
