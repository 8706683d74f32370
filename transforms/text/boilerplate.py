"""Boilerplate removal: rule packs (data in ``configs/rules/*.yaml``) applied line by line.

Pure Python, no Beam: the clean stage's DoFn (``transforms.text.clean``) loads the rules
once, in ``setup()``, and ``transforms.text.article`` applies :func:`strip_boilerplate`. The
rule format is documented at the top of ``configs/rules/default.yaml``.

Text is split into lines (one paragraph per line); blank lines are ignored and every
line is trimmed. A rule's patterns must match the *whole* trimmed line (precision
first: a sentence that merely mentions an advert or a newsletter stays).

* ``anywhere`` rules remove a matching line wherever it is;
* ``tail`` rules remove a line only if every line after it was removed too;
* ``head`` rules remove a line only if every line before it was removed too.

Within a pass the first matching rule wins, in pack order then file order. A pass
does not try every pattern on every line: ``transforms.text.pattern_index`` skips the
patterns a line cannot match (by its first character, or a literal it lacks) and tries
the rest as one compiled alternation; the result is the same as trying them in order.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

from configs import InvalidYAML, load_yaml
from transforms.text.metadata import dedupe_ignoring_case
from transforms.startup_cache import cached, source_digest
from transforms.text import pattern_index
from transforms.text.lazy_pattern import LazyPattern
from transforms.text.pattern_index import PatternIndex

RULES_PACKAGE = "configs.rules"
KINDS = frozenset({
    "marker", "call_to_action", "footer", "credit", "related_link", "share_widget",
    "newsletter", "paywall", "cookie_notice", "wire_footer", "comments",
})
WHERES = ("anywhere", "tail", "head")
EXTRACTS = frozenset({"topics"})
RULE_KEYS = ("id", "kind", "where", "patterns", "unless", "extract")
REQUIRED_RULE_KEYS = ("id", "kind", "where", "patterns")
PACK_KEYS = ("pack", "rules")

_FLAGS = re.IGNORECASE
_ID_RE = re.compile(r"[a-z][a-z0-9_]*")
_PACK_NAME_RE = re.compile(r"[a-z][a-z0-9_-]*")
_TOPIC_SEPARATORS_RE = re.compile(r"[,;|·•]")


@dataclass(frozen=True)
class Rule:
    """One boilerplate rule, compiled from a rule pack."""

    id: str
    kind: str
    where: str
    patterns: tuple[re.Pattern | LazyPattern, ...]
    unless: tuple[re.Pattern | LazyPattern, ...]
    extract: str | None
    pack: str

    def match(self, line: str) -> re.Match | None:
        """Return the full match of ``line`` by this rule, or None (also when ``unless`` hits)."""
        for pattern in self.patterns:
            found = pattern.fullmatch(line)
            if found:
                return None if any(u.search(line) for u in self.unless) else found
        return None


@dataclass(frozen=True)
class RuleSet:
    """The rules of one or more packs, in load order."""

    rules: tuple[Rule, ...]
    _passes: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def rule_pass(self, where: str) -> "_RulePass":
        """The rules that apply at ``where``, indexed for matching (built once, on first use;
        a pickled rule set keeps the passes built so far)."""
        found = self._passes.get(where)
        if found is None:
            found = self._passes[where] = _RulePass(tuple(r for r in self.rules if r.where == where))
        return found


class _RulePass:
    """The rules of one pass; ``first_hit`` gives what trying them in order would give."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = rules
        self._owner = [number for number, rule in enumerate(rules) for _ in rule.patterns]
        ends = [len(rule.patterns) for rule in rules]
        self._next_rule_at = [sum(ends[: number + 1]) for number in range(len(rules))]
        self._index = PatternIndex([pattern for rule in rules for pattern in rule.patterns])

    def first_hit(self, line: str) -> "_Hit | None":
        """The first rule matching ``line`` (its ``unless`` included), with its match."""
        start = 0
        while True:
            branch = self._index.first(line, start)
            if branch is None:
                return None
            number = self._owner[branch]
            found = self.rules[number].match(line)  # the same pattern matches; this checks `unless`
            if found:
                return self.rules[number], found
            start = self._next_rule_at[number]


@dataclass(frozen=True)
class CleanedText:
    """Result of :func:`strip_boilerplate`."""

    text: str
    removed: tuple[tuple[str, str], ...]
    topics: tuple[str, ...]


# --------------------------------------------------------------------------- loading


def load_rules(packs: Sequence[str]) -> RuleSet:
    """Load and compile rule packs (names in ``configs.rules`` or paths to .yaml files).

    Raises ValueError with a one-line message naming the pack, rule and key on any problem.
    """
    if isinstance(packs, str):
        packs = [packs]
    sources = [(item, _read_pack(item)) for item in dict.fromkeys(packs)]
    code = source_digest(sys.modules[__name__], pattern_index)
    key = "\0".join([code, *(f"{i}\0{t}" for i, t in sources)]) if code else None
    return cached("rule-packs", key, lambda: _compiled_rules(sources))


def _compiled_rules(sources: Sequence[tuple[str, str]]) -> RuleSet:
    """The packs' rules, every pattern compiled (which checks it), with every pass indexed. The
    rules carry their patterns as ``LazyPattern``s: loaded from the start-up cache (``load_rules``),
    a pattern is compiled only when a line first needs it."""
    rules: list[Rule] = []
    owners: dict[str, str] = {}
    for item, text in sources:
        for rule in _parse_pack(item, text):
            if rule.id in owners:
                raise ValueError(f"rule pack {item!r}: rule {rule.id!r}: duplicate id "
                                 f"(already defined in pack {owners[rule.id]!r})")
            owners[rule.id] = item
            rules.append(rule)
    ruleset = RuleSet(tuple(replace(rule, patterns=_lazy(rule.patterns), unless=_lazy(rule.unless)) for rule in rules))
    for where in WHERES:
        ruleset.rule_pass(where)
    return ruleset


def _lazy(patterns: tuple[re.Pattern, ...]) -> tuple[LazyPattern, ...]:
    return tuple(LazyPattern(p.pattern, p.flags, p) for p in patterns)


def available_packs() -> tuple[str, ...]:
    """Names of the rule packs shipped in ``configs.rules``."""
    root = resources.files(RULES_PACKAGE)
    return tuple(sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml")))


def _read_pack(item: str) -> str:
    """Return the YAML text of a pack given by name or path."""
    if _PACK_NAME_RE.fullmatch(item):
        source = resources.files(RULES_PACKAGE) / f"{item}.yaml"
        if not source.is_file():
            raise ValueError(f"rule pack {item!r}: no such pack in {RULES_PACKAGE} "
                             f"(available: {', '.join(available_packs())})")
        return source.read_text(encoding="utf-8")
    path = Path(item)
    if not path.is_file():
        raise ValueError(f"rule pack {item!r}: file not found")
    return path.read_text(encoding="utf-8")


def _parse_pack(item: str, source: str) -> list[Rule]:
    """Parse and validate one pack's YAML text into rules."""
    try:
        data = load_yaml(source)
    except InvalidYAML as err:
        raise ValueError(f"rule pack {item!r}: invalid YAML: {_one_line(err)}") from None
    ctx = f"rule pack {item!r}"
    if not isinstance(data, dict):
        raise ValueError(f"{ctx}: expected a mapping with keys 'pack' and 'rules'")
    _check_keys(ctx, data, PACK_KEYS, ("rules",))
    name = data.get("pack", Path(item).stem)
    if not isinstance(name, str) or not name:
        raise ValueError(f"{ctx}: key 'pack': expected a non-empty string, got {name!r}")
    if not isinstance(data["rules"], list):
        raise ValueError(f"{ctx}: key 'rules': expected a list of rules")
    return [_parse_rule(item, name, n, raw) for n, raw in enumerate(data["rules"], 1)]


def _parse_rule(item: str, pack: str, number: int, raw: Any) -> Rule:
    """Validate and compile one rule mapping."""
    ctx = f"rule pack {item!r}: rule #{number}"
    if not isinstance(raw, dict):
        raise ValueError(f"{ctx}: expected a mapping, got {type(raw).__name__}")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID_RE.fullmatch(rule_id):
        raise ValueError(f"{ctx}: key 'id': expected a snake_case string, got {rule_id!r}")
    ctx = f"rule pack {item!r}: rule {rule_id!r}"
    _check_keys(ctx, raw, RULE_KEYS, REQUIRED_RULE_KEYS)
    kind = _choice(ctx, raw, "kind", sorted(KINDS))
    patterns = _compile(ctx, "patterns", raw["patterns"], required=True)
    extract = _extract(ctx, raw.get("extract"), kind, patterns)
    return Rule(id=rule_id, kind=kind, where=_choice(ctx, raw, "where", WHERES),
                patterns=patterns, unless=_compile(ctx, "unless", raw.get("unless", [])),
                extract=extract, pack=pack)


def _check_keys(ctx: str, raw: dict, allowed: Iterable[str], required: Iterable[str]) -> None:
    """Reject unknown keys and report the first missing required key."""
    for key in raw:
        if key not in allowed:
            raise ValueError(f"{ctx}: unknown key {key!r}")
    for key in required:
        if key not in raw:
            raise ValueError(f"{ctx}: missing key {key!r}")


def _choice(ctx: str, raw: dict, key: str, choices: Sequence[str]) -> str:
    """Return ``raw[key]`` if it is one of ``choices``."""
    value = raw[key]
    if value not in choices:
        raise ValueError(f"{ctx}: key {key!r}: expected one of {', '.join(choices)}; got {value!r}")
    return value


def _compile(ctx: str, key: str, value: Any, required: bool = False) -> tuple[re.Pattern, ...]:
    """Compile a list of regex strings (case-insensitive)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{ctx}: key {key!r}: expected a list of non-empty regex strings")
    if required and not value:
        raise ValueError(f"{ctx}: key {key!r}: expected at least one pattern")
    compiled = []
    for text in value:
        try:
            compiled.append(re.compile(text, _FLAGS))
        except re.error as err:
            raise ValueError(f"{ctx}: key {key!r}: bad regex {text!r}: {err}") from None
    return tuple(compiled)


def _extract(ctx: str, value: Any, kind: str, patterns: tuple[re.Pattern, ...]) -> str | None:
    """Validate the optional ``extract`` key."""
    if value is None:
        return None
    if value not in EXTRACTS:
        raise ValueError(f"{ctx}: key 'extract': expected one of {', '.join(sorted(EXTRACTS))}; "
                         f"got {value!r}")
    if kind != "footer":
        raise ValueError(f"{ctx}: key 'extract': only footer rules may extract, kind is {kind!r}")
    for pattern in patterns:
        if "items" not in pattern.groupindex:
            raise ValueError(f"{ctx}: key 'extract': pattern {pattern.pattern!r} "
                             f"has no named group 'items'")
    return value


def _one_line(err: Exception) -> str:
    """Collapse an exception message onto one line."""
    return " ".join(str(err).split())


# --------------------------------------------------------------------------- applying

_Hit = tuple[Rule, re.Match]


def strip_boilerplate(text: str, rules: RuleSet, keep_only_line: bool = False) -> CleanedText:
    """Remove boilerplate lines from ``text`` and collect topics from topic footers.

    ``keep_only_line``: a text of one line that only a head or tail rule would remove is
    kept (a release note "3.8.11" is not a footer when it is all the entry says)."""
    lines = [line for line in map(str.strip, text.splitlines()) if line]
    anywhere = rules.rule_pass("anywhere")
    hits: list[_Hit | None] = [anywhere.first_hit(line) for line in lines] if anywhere.rules else [None] * len(lines)
    if keep_only_line and len(lines) == 1 and hits[0] is None:
        return CleanedText(text=lines[0], removed=(), topics=())
    _mark_edge(lines, hits, rules.rule_pass("tail"), range(len(lines) - 1, -1, -1))
    _mark_edge(lines, hits, rules.rule_pass("head"), range(len(lines)))
    kept = [line for line, hit in zip(lines, hits) if hit is None]
    removed = tuple((hit[0].id, line) for line, hit in zip(lines, hits) if hit is not None)
    return CleanedText(text="\n\n".join(kept), removed=removed, topics=_topics(hits))


def split_topics(items: str) -> tuple[str, ...]:
    """Split a topic list on , ; | · • into stripped, non-empty, de-duplicated items."""
    return dedupe_ignoring_case(piece.strip() for piece in _TOPIC_SEPARATORS_RE.split(items))


def _mark_edge(lines: list[str], hits: list[_Hit | None], rules: _RulePass,
               order: Iterable[int]) -> None:
    """Walk from one end, removing lines by ``rules`` until a kept line is met."""
    if not rules.rules:
        return
    for index in order:
        if hits[index] is None:
            hits[index] = rules.first_hit(lines[index])
            if hits[index] is None:
                return


def _topics(hits: Iterable[_Hit | None]) -> tuple[str, ...]:
    """Topics named by extracting footers, in document order, de-duplicated."""
    found: list[str] = []
    for hit in hits:
        if hit is not None and hit[0].extract == "topics":
            found.extend(split_topics(hit[1].group("items") or ""))
    return dedupe_ignoring_case(found)
