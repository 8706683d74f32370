"""PatternIndex finds the same first match as trying every pattern in order (plain pytest)."""
import random
import re
import string
from pathlib import Path

import pytest

from transforms.text.boilerplate import load_rules
from transforms.text.pattern_index import ASCII_LOOKALIKES, PatternIndex, analyse, fold

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "boilerplate"
SHARED_CASES = Path(__file__).resolve().parents[4] / "shared" / "samples" / "boilerplate-cases.txt"
LOOKALIKES = "\u0130\u0131\u017f\u212a"


def first_in_order(patterns, line, start=0):
    return next((i for i in range(start, len(patterns)) if patterns[i].fullmatch(line)), None)


def pack_patterns():
    rules = load_rules(("default", "de", "fr", "es"))
    return [pattern for rule in rules.rules for pattern in rule.patterns]


def sample_lines():
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))]
    if SHARED_CASES.exists():
        texts.append(SHARED_CASES.read_text(encoding="utf-8"))
    lines = [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    rng = random.Random(11)
    edits = (str.upper, str.lower, str.title, lambda s: "\u0130" + s, lambda s: s.replace("s", "\u017f"),
             lambda s: s.replace("k", "\u212a"), lambda s: s.replace("i", "\u0131"), lambda s: "- " + s + " -",
             lambda s: s[: len(s) // 2], lambda s: s + " extra", lambda s: "\u201c" + s, lambda s: s[1:])
    return lines + [rng.choice(edits)(line) for line in lines for _ in range(2)] + ["", "a", "Ad", "©", "¿ya"]


def test_rule_packs_first_match_is_unchanged():
    patterns = pack_patterns()
    index = PatternIndex(patterns)
    for line in sample_lines():
        assert index.first(line) == first_in_order(patterns, line), line
        found = index.first(line)
        if found is not None:
            assert index.first(line, found + 1) == first_in_order(patterns, line, found + 1), line


TRICKY = [
    r"(a)\1", r"(?x) a b c", r"abc", r"(?=ab)a.*", r"(?<=x)y", r".{0,40}\bwatch\b.*", r"[^a-z]+x", r"\d+\s*views?",
    r"(?:foo|bar|)baz", r"x{0}y", r"[\w-]+\.com", r"(?>atomic)group", r"pos*+essive", r"(?P<n>ab)(?P=n)",
    r"[\u0100-\u0200]ab", r"caf\u00e9", r"\u212aelvin", r"\u017fign", r"(?i:case)y", r"(?-i:Case)z",
    r"(?:a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p)(?:a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p)(?:a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p)x",
    r"\W+", r"(?:ab)*", r"a?", r"\S+@\S+", r"[A-Z]{2,}\d",
]


def random_lines(count: int, seed: int):
    rng = random.Random(seed)
    alphabet = list(string.ascii_letters + string.digits + " .-@_()") + list(LOOKALIKES) + list("éÉ©¿“")
    words = ["ab", "abab", "abc", "watch", "views", "baz", "foobaz", "bazx", "y", "kelvin", "sign", "case", "café",
             "atomicgroup", "posssessive", "x", "example.com", "AB1"]
    found = []
    for _ in range(count):
        if rng.random() < 0.5:
            found.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))))
        else:
            found.append(rng.choice(["", " ", "x"]) + rng.choice(words) + rng.choice(["", " watch", "x", "!"]))
    return found


@pytest.mark.parametrize("flags", [re.IGNORECASE, 0])
def test_tricky_patterns_first_match_is_unchanged(flags):
    patterns = [re.compile(p, flags) for p in TRICKY]
    index = PatternIndex(patterns)
    for line in random_lines(4000, seed=flags):
        assert index.first(line) == first_in_order(patterns, line), (line, flags)


def test_unknown_constructs_are_always_tried():
    prefixes, cut, literal = analyse(re.compile(r".{0,120}\bpostfach\b.*", re.I))
    assert "" in prefixes and literal == ("postfach",)  # may begin with anything: gated by its literal
    assert analyse(re.compile(r"[^x]abc", re.I))[0] == {""}
    assert analyse(re.compile(r"(a)\1", re.I))[0] == {"a"}  # known up to the back-reference
    assert analyse(re.compile(r"advert(?:isement)?", re.I))[0] == {"adv"}


def test_a_required_alternation_gates_by_its_branches_literals():
    pattern = re.compile(r".{0,60}\b(?:hier|unter diesem link|über diesen link)\b.{0,20}", re.I)
    assert analyse(pattern)[2] == ("hier", "unter diesem link", "ber diesen link")
    assert analyse(re.compile(r".{0,60}(?:hier|x) spenden", re.I))[2] == (" spenden",)  # a literal wins
    assert analyse(re.compile(r".{0,60}(?:hier|ab)(?:\s|-)x", re.I))[2] == ()  # "ab" is too short to gate
    assert analyse(re.compile(r"[^?]{3,80}\?\s*(?:write|call) us", re.I))[2] == ("?",)  # a rare mark gates
    index = PatternIndex([pattern])
    for line in ["Mehr Infos HIER, bitte.", "Unter diesem Link spenden", "Über diesen Link spenden", "ÜBER DIESEN LINK",
                 "Dort spenden.", "hierzu nichts"]:
        assert index.first(line) == first_in_order([pattern], line), line


def test_non_ascii_first_characters_are_cut_prefixes():
    prefixes, cut, _ = analyse(re.compile(r"(?:à |a )?lire", re.I))
    assert "" in cut and {"a l", "lir"} <= prefixes


def test_only_four_non_ascii_characters_equal_ascii_ones_ignoring_case():
    """What ASCII_LOOKALIKES assumes: checked over every code point, both ways."""
    any_ascii = re.compile(r"[\x00-\x7f]", re.IGNORECASE)
    found = {chr(c) for c in range(0x80, 0x110000) if any_ascii.fullmatch(chr(c))}
    assert found == set(LOOKALIKES)
    for char in LOOKALIKES:
        for ascii_char in map(chr, range(128)):
            same = re.fullmatch(re.escape(char), ascii_char, re.IGNORECASE) is not None
            assert same == (ascii_char.lower() == char.translate(ASCII_LOOKALIKES)), (char, ascii_char)
            assert (re.fullmatch(re.escape(ascii_char), char, re.IGNORECASE) is not None) == same


def test_fold():
    assert fold("ADVERT") == "advert"
    assert fold("\u0130\u017fT \u212aEY") == "ist key"


def test_finite_matches_lists_every_string_of_a_finite_pattern():
    from transforms.text.pattern_index import finite_matches

    assert sorted(finite_matches(r"mar(?:ch|s|\.)?|m[äa]rz")) == ["mar", "mar.", "march", "mars", "marz", "märz"]
    with pytest.raises(ValueError):
        finite_matches(r"jan\w+")
