"""Tests for transforms.text.boilerplate: rule packs, stripping, topics (plain pytest, no Beam)."""

from __future__ import annotations

import ast
import pickle
from dataclasses import dataclass
from pathlib import Path

import pytest

import transforms.text.boilerplate as boilerplate
from transforms.text.boilerplate import (
    CleanedText,
    RuleSet,
    available_packs,
    load_rules,
    split_topics,
    strip_boilerplate,
)

HERE = Path(__file__).resolve()
REPO = HERE.parents[3]
SHARED_SAMPLES = REPO.parent / "shared" / "samples"
CASES_FILE = SHARED_SAMPLES / "boilerplate-cases.txt"
SEED_FILE = SHARED_SAMPLES / "seed-article.txt"
FIXTURES = HERE.parents[2] / "fixtures" / "boilerplate"
ALL_PACKS = ("default", "de", "fr", "es")

SEED_TOPICS = ("Russia", "Ukraine", "Vladimir Putin", "Volodymyr Zelensky", "World News")
CONTENT_A = "The council approved the budget on Tuesday after a three-hour debate."
CONTENT_B = "Opposition members said the plan would raise rents for thousands of families."


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(ALL_PACKS)


def kept_lines(result: CleanedText) -> list[str]:
    return result.text.split("\n\n") if result.text else []


def fixture_lines(name: str) -> list[tuple[int, str]]:
    """(line number, line) of a fixture file, without comments and blank lines."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [(n, line.strip()) for n, line in enumerate(lines, 1)
            if line.strip() and not line.lstrip().startswith("#")]


# --------------------------------------------------------------------------- shared cases


@dataclass
class Case:
    id: str
    language: str
    topics: list[str]
    lines: list[tuple[bool, str]]  # (is_boilerplate, text)

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)


def parse_cases(source: str) -> list[Case]:
    """Parse ../shared/samples/boilerplate-cases.txt (format in its header)."""
    cases: list[Case] = []
    for raw in source.splitlines():
        if raw.startswith("#") or not raw.strip():
            continue
        if raw.startswith("=== "):
            case_id, language, topics = (part.strip() for part in raw[4:].split("|"))
            cases.append(Case(case_id, language, [t.strip() for t in topics.split(";") if t.strip()], []))
        elif raw.startswith("§ "):
            cases[-1].lines.append((True, raw[2:].strip()))
        else:
            cases[-1].lines.append((False, raw.strip()))
    return cases


def case_params():
    if not CASES_FILE.is_file():
        reason = f"shared sample not present: {CASES_FILE}"
        return [pytest.param(None, id="missing", marks=pytest.mark.skip(reason=reason))]
    return [pytest.param(case, id=case.id) for case in parse_cases(CASES_FILE.read_text("utf-8"))]


@pytest.mark.parametrize("case", case_params())
def test_shared_case(case: Case, rules: RuleSet):
    result = strip_boilerplate(case.text, rules)
    assert kept_lines(result) == [text for is_bp, text in case.lines if not is_bp]
    removed_texts = [text for _, text in result.removed]
    for is_bp, text in case.lines:
        if is_bp:
            assert text in removed_texts, f"boilerplate kept: {text!r}"
    assert list(result.topics) == case.topics


def test_shared_cases_parse():
    if not CASES_FILE.is_file():
        pytest.skip(f"shared sample not present: {CASES_FILE}")
    cases = parse_cases(CASES_FILE.read_text("utf-8"))
    assert cases and all(case.lines for case in cases)
    assert any(is_bp for case in cases for is_bp, _ in case.lines)


# --------------------------------------------------------------------------- seed article


def test_seed_article(rules: RuleSet):
    if not SEED_FILE.is_file():
        pytest.skip(f"shared sample not present: {SEED_FILE}")
    text = SEED_FILE.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    donation = next(line for line in lines if line.startswith("If you would like to donate"))
    footer = next(line for line in lines if line.startswith("Topics:"))
    result = strip_boilerplate(text, rules)
    assert result.removed == (
        ("ad_marker", "Advert"), ("ad_marker", "Advert"), ("ad_marker", "Advert"),
        ("donation_appeal", donation), ("topics_footer", footer),
    )
    assert kept_lines(result) == [line for line in lines
                                  if line not in ("Advert", donation, footer)]
    assert len(kept_lines(result)) == len(lines) - 5
    assert result.topics == SEED_TOPICS


# --------------------------------------------------------------------------- precision / recall


PRECISION = fixture_lines("precision.txt")
RECALL = [(n, *line.rsplit(" => ", 1)) for n, line in fixture_lines("recall.txt")]


def test_fixture_sizes():
    assert len(PRECISION) >= 30
    assert all(len(item) == 3 for item in RECALL), "recall lines need ' => rule_id'"


@pytest.mark.parametrize("line", [pytest.param(line, id=f"L{n}") for n, line in PRECISION])
def test_precision_line_is_kept(line: str, rules: RuleSet):
    result = strip_boilerplate(line, rules)
    assert result.removed == ()
    assert result.text == line
    assert result.topics == ()


def test_precision_article_is_kept(rules: RuleSet):
    lines = [line for _, line in PRECISION]
    result = strip_boilerplate("\n\n".join(lines), rules)
    assert result.removed == ()
    assert kept_lines(result) == lines


@pytest.mark.parametrize("line, rule_id", [pytest.param(line, rid, id=f"L{n}-{rid}")
                                           for n, line, rid in RECALL])
def test_recall_line_alone(line: str, rule_id: str, rules: RuleSet):
    result = strip_boilerplate(line, rules)
    assert result.removed == ((rule_id, line),)
    assert result.text == ""


@pytest.mark.parametrize("line, rule_id", [pytest.param(line, rid, id=f"L{n}-{rid}")
                                           for n, line, rid in RECALL])
def test_recall_line_in_place(line: str, rule_id: str, rules: RuleSet):
    where = {rule.id: rule.where for rule in rules.rules}[rule_id]
    placed = {"anywhere": [CONTENT_A, line, CONTENT_B], "tail": [CONTENT_A, CONTENT_B, line],
              "head": [line, CONTENT_A, CONTENT_B]}[where]
    result = strip_boilerplate("\n".join(placed), rules)
    assert result.removed == ((rule_id, line),)
    assert kept_lines(result) == [CONTENT_A, CONTENT_B]


EDGE_RULE_IDS = {rule.id for rule in load_rules(ALL_PACKS).rules if rule.where != "anywhere"}


@pytest.mark.parametrize("line, rule_id", [pytest.param(line, rid, id=f"L{n}-{rid}")
                                           for n, line, rid in RECALL if rid in EDGE_RULE_IDS])
def test_edge_rule_line_mid_article_is_kept(line: str, rule_id: str, rules: RuleSet):
    result = strip_boilerplate("\n".join([CONTENT_A, line, CONTENT_B]), rules)
    assert result.removed == ()
    assert kept_lines(result) == [CONTENT_A, line, CONTENT_B]


def test_recall_all_together(rules: RuleSet):
    result = strip_boilerplate("\n".join(line for _, line, _ in RECALL), rules)
    assert result.text == ""
    assert result.removed == tuple((rid, line) for _, line, rid in RECALL)


def test_recall_covers_every_rule(rules: RuleSet):
    covered = {rid for _, _, rid in RECALL}
    assert {rule.id for rule in rules.rules} - covered == set()
    assert covered - {rule.id for rule in rules.rules} == set()


# --------------------------------------------------------------------------- semantics


def test_topics_line_mid_article_stays(rules: RuleSet):
    text = f"{CONTENT_A}\nTopics: Housing, Rents\n{CONTENT_B}"
    result = strip_boilerplate(text, rules)
    assert kept_lines(result) == [CONTENT_A, "Topics: Housing, Rents", CONTENT_B]
    assert result.removed == () and result.topics == ()


def test_tail_walks_past_removed_lines(rules: RuleSet):
    text = "\n".join([CONTENT_A, "Topics: Housing, Rents", "Advertisement", "Share this:",
                      "Like Loading..."])
    result = strip_boilerplate(text, rules)
    assert kept_lines(result) == [CONTENT_A]
    assert [rid for rid, _ in result.removed] == [
        "topics_footer", "ad_marker", "share_widget", "share_widget"]
    assert result.topics == ("Housing", "Rents")


def test_tail_stops_at_content(rules: RuleSet):
    text = "\n".join([CONTENT_A, "___", "Tags: a, b", CONTENT_B, "Tags: c"])
    result = strip_boilerplate(text, rules)
    assert kept_lines(result) == [CONTENT_A, "___", "Tags: a, b", CONTENT_B]
    assert result.topics == ("c",)


WORDPRESS_FOOTER = "The post Council approves budget appeared first on Example Gazette."


def test_wordpress_feed_footer_removed_at_tail(rules: RuleSet):
    text = "\n".join([CONTENT_A, "Read the full story […]", WORDPRESS_FOOTER])
    result = strip_boilerplate(text, rules)
    assert result.removed == (("wordpress_feed_footer", WORDPRESS_FOOTER),)
    assert kept_lines(result) == [CONTENT_A, "Read the full story […]"]


WORDPRESS_LOOKALIKES = [  # sentences of the footer's shape: content, even as the last line
    "The post office appeared first on the list of closures.",
    "The post office appeared first on the list of closures, officials said.",
    "La entrada en vigor de la norma aparece primero en el calendario del ministerio.",
]


@pytest.mark.parametrize("line", [WORDPRESS_FOOTER, *WORDPRESS_LOOKALIKES])
def test_wordpress_feed_footer_mid_text_is_kept(line: str, rules: RuleSet):
    result = strip_boilerplate("\n".join([CONTENT_A, line, CONTENT_B]), rules)
    assert result.removed == ()
    assert kept_lines(result) == [CONTENT_A, line, CONTENT_B]


@pytest.mark.parametrize("line", WORDPRESS_LOOKALIKES)
def test_wordpress_footer_lookalike_at_tail_is_kept(line: str, rules: RuleSet):
    result = strip_boilerplate("\n".join([CONTENT_A, line]), rules)
    assert result.removed == ()
    assert kept_lines(result) == [CONTENT_A, line]


def test_head_rules_only_at_start(rules: RuleSet):
    text = "\n".join(["Advertisement", "5 min read", CONTENT_A, "5 min read", CONTENT_B])
    result = strip_boilerplate(text, rules)
    assert result.removed == (("ad_marker", "Advertisement"), ("reading_aid", "5 min read"))
    assert kept_lines(result) == [CONTENT_A, "5 min read", CONTENT_B]


def test_output_format(rules: RuleSet):
    text = f"  {CONTENT_A}  \r\n\r\n\r\n\tAdvert\r\n{CONTENT_B}\t\r\n  \r\n"
    result = strip_boilerplate(text, rules)
    assert result == CleanedText(f"{CONTENT_A}\n\n{CONTENT_B}", (("ad_marker", "Advert"),), ())


def test_empty_text(rules: RuleSet):
    assert strip_boilerplate("", rules) == CleanedText("", (), ())
    assert strip_boilerplate(" \n\n\t\n", rules) == CleanedText("", (), ())


def test_no_rules_keeps_everything():
    result = strip_boilerplate(f"{CONTENT_A}\nAdvert", RuleSet(()))
    assert kept_lines(result) == [CONTENT_A, "Advert"] and result.removed == ()


def test_french_topics_with_space_before_colon(rules: RuleSet):
    for line in ("Sujets : Politique, Élections", "Sujets\u00a0: Politique, Élections",
                 "Sujets\u202f:\u00a0Politique, Élections"):
        result = strip_boilerplate(f"{CONTENT_A}\n{line}", rules)
        assert result.topics == ("Politique", "Élections"), line
        assert result.removed == (("topics_footer_fr", line),)


def test_topics_from_several_footers_are_merged_in_order(rules: RuleSet):
    text = f"{CONTENT_A}\nTopics: Energy, Housing\nTags: housing; Bills"
    assert strip_boilerplate(text, rules).topics == ("Energy", "Housing", "Bills")


@pytest.mark.parametrize("items, expected", [
    ("Russia, Ukraine, World News", ("Russia", "Ukraine", "World News")),
    ("a; b | c · d • e", ("a", "b", "c", "d", "e")),
    ("  Energy ,, Housing ;  ", ("Energy", "Housing")),
    ("Lottery, lottery, LOTTERY, UK News", ("Lottery", "UK News")),
    ("Vladimir Putin", ("Vladimir Putin",)),
    ("", ()),
])
def test_split_topics(items: str, expected: tuple[str, ...]):
    assert split_topics(items) == expected


# --------------------------------------------------------------------------- loading


def write_pack(tmp_path: Path, body: str, name: str = "site.yaml") -> str:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


GOOD_RULE = """\
pack: site
rules:
  - id: ad_marker_site
    kind: marker
    where: anywhere
    patterns: ['promo']
"""


def test_available_packs():
    assert set(ALL_PACKS) <= set(available_packs())


@pytest.mark.parametrize("pack", ALL_PACKS)
def test_each_pack_loads_alone(pack: str):
    ruleset = load_rules([pack])
    assert ruleset.rules and all(rule.pack == pack for rule in ruleset.rules)


def test_rule_ids_unique_and_valid(rules: RuleSet):
    ids = [rule.id for rule in rules.rules]
    assert len(ids) == len(set(ids))
    for rule in rules.rules:
        assert rule.kind in boilerplate.KINDS and rule.where in boilerplate.WHERES
        assert rule.patterns and (rule.extract is None or rule.kind == "footer")


def test_ruleset_is_picklable(rules: RuleSet):
    assert pickle.loads(pickle.dumps(rules)) == rules


def test_load_from_path_and_pack_name(tmp_path: Path):
    ruleset = load_rules(["default", write_pack(tmp_path, GOOD_RULE)])
    assert ruleset.rules[-1].id == "ad_marker_site" and ruleset.rules[-1].pack == "site"
    result = strip_boilerplate(f"{CONTENT_A}\nPROMO", ruleset)
    assert result.removed == (("ad_marker_site", "PROMO"),)


def test_pack_name_defaults_to_file_stem(tmp_path: Path):
    path = write_pack(tmp_path, GOOD_RULE.replace("pack: site\n", ""), "mysite.yaml")
    assert load_rules([path]).rules[0].pack == "mysite"


def test_same_pack_twice_loads_once():
    assert load_rules(["de", "de"]) == load_rules(["de"])


def test_unless_protects_a_line(tmp_path: Path):
    body = GOOD_RULE.replace("patterns: ['promo']", "patterns: ['promo.*']\n    unless: ['said']")
    ruleset = load_rules([write_pack(tmp_path, body)])
    assert strip_boilerplate("Promo code inside", ruleset).removed == (
        ("ad_marker_site", "Promo code inside"),)
    assert strip_boilerplate("Promo codes work, he said", ruleset).removed == ()


def test_patterns_must_match_whole_line(tmp_path: Path):
    ruleset = load_rules([write_pack(tmp_path, GOOD_RULE)])
    assert strip_boilerplate("A promo for the show", ruleset).removed == ()


def test_first_matching_rule_wins(tmp_path: Path):
    body = GOOD_RULE + """\
  - id: second
    kind: marker
    where: anywhere
    patterns: ['promo|other']
"""
    ruleset = load_rules([write_pack(tmp_path, body)])
    assert strip_boilerplate("promo\nother", ruleset).removed == (
        ("ad_marker_site", "promo"), ("second", "other"))


def load_error(tmp_path: Path, body: str) -> str:
    path = write_pack(tmp_path, body, "x.yaml")
    with pytest.raises(ValueError) as info:
        load_rules([path])
    message = str(info.value)
    assert "\n" not in message and f"rule pack {path!r}" in message
    return message


def test_error_unknown_key(tmp_path: Path):
    message = load_error(tmp_path, GOOD_RULE.replace("patterns:", "patern: ['x']\n    patterns:"))
    assert message.endswith("rule 'ad_marker_site': unknown key 'patern'")


def test_error_unknown_key_message_format(tmp_path: Path):
    path = write_pack(tmp_path, GOOD_RULE.replace("patterns:", "patern:"), "x.yaml")
    with pytest.raises(ValueError, match=r"^rule pack '.*x\.yaml': rule 'ad_marker_site': "
                                         r"unknown key 'patern'$"):
        load_rules([path])


def test_error_bad_regex(tmp_path: Path):
    message = load_error(tmp_path, GOOD_RULE.replace("['promo']", "['promo(']"))
    assert "rule 'ad_marker_site': key 'patterns': bad regex 'promo('" in message


def test_error_bad_unless_regex(tmp_path: Path):
    message = load_error(tmp_path, GOOD_RULE + "    unless: ['[a-']\n")
    assert "rule 'ad_marker_site': key 'unless': bad regex" in message


@pytest.mark.parametrize("old, new, key", [
    ("kind: marker", "kind: banner", "kind"),
    ("where: anywhere", "where: middle", "where"),
    ("    patterns: ['promo']\n", "", "patterns"),
    ("patterns: ['promo']", "patterns: []", "patterns"),
    ("patterns: ['promo']", "patterns: [3]", "patterns"),
    ("id: ad_marker_site", "id: Ad Marker", "id"),
])
def test_error_bad_values_name_the_key(tmp_path: Path, old: str, new: str, key: str):
    message = load_error(tmp_path, GOOD_RULE.replace(old, new))
    assert f"'{key}'" in message


def test_error_extract_needs_footer_and_items_group(tmp_path: Path):
    message = load_error(tmp_path, GOOD_RULE + "    extract: topics\n")
    assert "key 'extract'" in message and "footer" in message
    footer = GOOD_RULE.replace("kind: marker", "kind: footer") + "    extract: topics\n"
    assert "named group 'items'" in load_error(tmp_path, footer)
    assert "key 'extract'" in load_error(tmp_path, footer.replace("topics\n", "tags\n"))


def test_error_pack_level(tmp_path: Path):
    assert "unknown key 'rulez'" in load_error(tmp_path, GOOD_RULE.replace("rules:", "rulez:"))
    assert "missing key 'rules'" in load_error(tmp_path, "pack: site\n")
    assert "invalid YAML" in load_error(tmp_path, "rules: [unclosed\n")
    assert "expected a mapping" in load_error(tmp_path, "- just\n- a list\n")


def test_error_duplicate_id(tmp_path: Path):
    body = GOOD_RULE.replace("ad_marker_site", "ad_marker")
    path = write_pack(tmp_path, body)
    with pytest.raises(ValueError, match="rule 'ad_marker': duplicate id"):
        load_rules(["default", path])


def test_error_unknown_pack(tmp_path: Path):
    with pytest.raises(ValueError, match=r"rule pack 'klingon': no such pack"):
        load_rules(["default", "klingon"])
    with pytest.raises(ValueError, match=r"file not found"):
        load_rules([str(tmp_path / "missing.yaml")])


def test_module_does_not_import_beam():
    tree = ast.parse(Path(boilerplate.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "apache_beam" not in imported and "configs" in imported  # YAML through configs.load_yaml
