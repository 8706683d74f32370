"""Rules read back from the start-up cache are the rules built from the packs, and strip the same lines."""
import pickle
import re
from pathlib import Path

import pytest

from transforms.text.boilerplate import load_rules, strip_boilerplate
from transforms.text.lazy_pattern import LazyPattern
from transforms.text.pattern_index import PatternIndex

PACKS = ["default", "de", "fr", "es"]
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "boilerplate"


def texts():
    """Each fixture line between two content lines, then each fixture file whole."""
    lines = [line.split(" => ")[0] for p in sorted(FIXTURES.glob("*.txt"))
             for line in p.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) > 100
    around = "The council met on Tuesday to vote on the budget for next year."
    return [f"{around}\n{line}\n{around}" for line in lines] + ["\n".join(lines[:60]), "\n".join(lines[60:])]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBEAM_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_rules_from_the_cache_strip_what_fresh_rules_strip(cache, monkeypatch):
    built = load_rules(PACKS)
    assert list(cache.glob("rule-packs-*.pickle"))
    read_back = load_rules(PACKS)
    assert read_back == built and read_back is not built
    assert not any(p._compiled for r in read_back.rules for p in r.patterns)  # nothing compiled yet
    monkeypatch.setenv("NEWSBEAM_CACHE_DIR", "off")
    fresh = load_rules(PACKS)
    for text in texts():
        assert strip_boilerplate(text, read_back) == strip_boilerplate(text, fresh)
    assert any(p._compiled for r in read_back.rules for p in r.patterns)  # compiled as lines needed them


def test_an_edited_pack_is_not_read_from_the_cache(cache, tmp_path):
    pack = tmp_path / "site.yaml"
    pack.write_text("pack: site\nrules:\n- {id: promo, kind: marker, where: anywhere, patterns: ['promo']}\n")
    assert strip_boilerplate("A real sentence here.\nPROMO", load_rules([str(pack)])).removed == (("promo", "PROMO"),)
    pack.write_text("pack: site\nrules:\n- {id: promo, kind: marker, where: anywhere, patterns: ['deal']}\n")
    assert strip_boilerplate("A real sentence here.\nPROMO", load_rules([str(pack)])).removed == ()


def test_a_bad_pattern_is_reported_not_cached(cache, tmp_path):
    pack = tmp_path / "bad.yaml"
    pack.write_text("pack: bad\nrules:\n- {id: broken, kind: marker, where: anywhere, patterns: ['(unclosed']}\n")
    for _ in range(2):
        with pytest.raises(ValueError, match="bad regex"):
            load_rules([str(pack)])
    assert not list(cache.glob("rule-packs-*"))


def test_a_lazy_pattern_acts_as_its_compiled_pattern():
    compiled = re.compile(r"(?P<items>\w+) more", re.IGNORECASE)
    lazy = LazyPattern(compiled.pattern, compiled.flags)
    assert lazy == compiled and lazy._compiled is None
    assert lazy.fullmatch("Read MORE").group("items") == "Read" and lazy.search("x: a more").start() == 3
    assert lazy.groupindex == {"items": 1}
    copy = pickle.loads(pickle.dumps(lazy))
    assert copy == lazy and copy._compiled is None


def test_an_index_of_lazy_patterns_finds_what_one_of_compiled_patterns_finds():
    sources = [r"advert(?:isement)?", r".{0,40}\bnewsletter\b.*", r"read more", r"\w+ more"]
    lines = ["Advertisement", "Sign up to our newsletter today", "read more", "tell me more", "nothing"]
    compiled = PatternIndex([re.compile(s, re.IGNORECASE) for s in sources])
    lazy = PatternIndex([LazyPattern(s, re.IGNORECASE) for s in sources])
    again = pickle.loads(pickle.dumps(lazy))
    for line in lines:
        assert compiled.first(line) == lazy.first(line) == again.first(line)
        assert compiled.first(line, 3) == lazy.first(line, 3) == again.first(line, 3)
