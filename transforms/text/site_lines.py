"""Site boilerplate learned from repetition: the pure part (no Beam).

A publisher's own sign-off, series blurb or desk note recurs across its articles in words no
rule pack knows. ``transforms/text/site_boilerplate.py`` counts, per source, how many articles
carry each line (by the fingerprint of its normalised form, this run plus what earlier runs
learned); a line is *site boilerplate* when ``is_site_line`` says so, and ``strip_site_lines``
removes it from an article unless the line is protected. Precision first:

* a line must recur in at least ``min_count`` articles **and** ``min_share`` of the source's
  articles, and in no more than ``max_sources`` sources (a wire paragraph or a statement carried
  by several sources is content);
* the first ``protect_first_lines`` lines, a line repeating the title, a headline-like line
  (short, no closing punctuation, mostly capitalised words) and a line quoting someone (five
  words or more in quotation marks: a statement many articles carry) are never removed;
* a line longer than ``max_line_words`` is never counted; an article is never left empty.
"""
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Tuple

from transforms.text.pattern_index import finite_matches

SITE_RULE = "site_repeated"

_MONTHS_AND_DAYS = (
    r"jan(?:uary|vier|uar|\.)?|feb(?:ruary|rero|ruar|\.)?|f[ée]vrier|mar(?:ch|zo|s|\.)?|m[äa]rz|apr(?:il|\.)?|"
    r"avril|abril|may|mai|mayo|june?|juin|junio|juni|july?|juillet|julio|juli|aug(?:ust|\.)?|ao[ûu]t|agosto|"
    r"sep(?:t(?:ember)?|tiembre|\.)?|septembre|oct(?:ober|obre|\.)?|okt(?:ober)?|octubre|nov(?:ember|embre|iembre|\.)?|"
    r"dec(?:ember|\.)?|d[ée]cembre|diciembre|dez(?:ember)?|"
    r"mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|mi[ée]rcoles|jueves|viernes|"
    r"s[áa]bado|domingo|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
)
_DIGITS = re.compile(r"\d+")
_NOT_WORD = re.compile(r"[^\w]+")
_ZERO_RUN = re.compile(rb"0{2,}")
# ASCII bytes: letters lower-cased, digits made "0", what is not a word character made a space
_ASCII_LINE_TABLE = bytes(
    (c + 32 if 65 <= c <= 90 else 48 if 48 <= c <= 57 else c if (97 <= c <= 122 or c == 95) else 32) for c in range(256)
)
_CLOSING_PUNCTUATION = tuple(".!?…:;\"'”»)")
_QUOTED_SPEECH = re.compile(r"[\"“„«‹]\s*(?:[^\"“”„«»‹›\s]+\s+){4,}[^\"“”„«»‹›]*[\"”“»›]")


@dataclass(frozen=True)
class SiteLineParams:
    """The ``site_boilerplate.*`` settings (docs/configuration.md)."""

    enabled: bool = True
    min_count: int = 4
    min_share: float = 0.2
    max_sources: int = 1
    protect_first_lines: int = 2
    max_line_words: int = 60
    lookback_runs: int = 30
    lines_per_source: int = 500
    sketch_mb: int = 1


class ArticleLine(NamedTuple):
    """A countable line of an article: its fingerprint and its text as it stands."""

    fingerprint: int
    text: str


def normalise_line(line: str) -> str:
    """The form lines are compared in: case, digits, dates, punctuation and spacing folded, so a
    footer carrying the day's date or a counter still matches itself. Word by word: each run of
    word characters, a run of digits made "0", and a month or day name made "0" (the same as
    replacing ``_MONTHS_AND_DAYS`` matches, ``\\b``-bounded, in the whole line; tested)."""
    if line.isascii():  # NFKC changes nothing, casefold is lower(), \\w is [A-Za-z0-9_]: bytes do it
        data = line.encode("ascii").translate(_ASCII_LINE_TABLE)
        words = (_ZERO_RUN.sub(b"0", data) if b"00" in data else data).decode("ascii").split()
    else:
        folded = unicodedata.normalize("NFKC", line).casefold()
        words = [word for word in _NOT_WORD.split(_DIGITS.sub("0", folded)) if word]
    if _DATE_WORDS.isdisjoint(words):
        return " ".join(words)
    return " ".join("0" if word in _DATE_WORDS else word for word in words)


# every month and day name, as words (".", as in "jan.", is never part of a word)
_DATE_WORDS = frozenset(word for word in finite_matches(_MONTHS_AND_DAYS) if "." not in word)


def line_fingerprint(line: str) -> int:
    """A signed 64-bit fingerprint of the line's normalised form (Parquet int64)."""
    return _fingerprint(normalise_line(line))


def _fingerprint(normalised: str) -> int:
    digest = hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def text_lines(text: str) -> List[str]:
    """The article's lines (paragraphs), trimmed, blank ones left out."""
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def countable_lines(text: str, max_line_words: int) -> Iterator[ArticleLine]:
    """Each distinct countable line of an article once (an article counts a line once)."""
    seen = set()
    for line in text_lines(text):
        normalised = normalise_line(line) if len(line.split()) <= max_line_words else ""
        if not normalised:
            continue
        fingerprint = _fingerprint(normalised)
        if fingerprint not in seen:
            seen.add(fingerprint)
            yield ArticleLine(fingerprint, line)


def is_site_line(count: int, articles: int, sources: int, params: SiteLineParams) -> bool:
    """Whether a line carried by ``count`` of a source's ``articles`` (and seen in ``sources``
    sources) is that source's boilerplate."""
    return (count >= params.min_count and articles > 0 and count / articles >= params.min_share
            and sources <= params.max_sources)


def is_headline_like(line: str, title: Optional[str]) -> bool:
    """The title itself, or a short line without closing punctuation whose words are mostly
    capitalised: a heading, kept whatever its count."""
    if title and normalise_line(line) == normalise_line(title):
        return True
    words = [word for word in line.split() if word[:1].isalpha()]
    if not words or len(line.split()) > 12 or line.endswith(_CLOSING_PUNCTUATION):
        return False
    return sum(word[0].isupper() for word in words) * 2 >= len(words) + 1


def is_quoted_speech(line: str) -> bool:
    """Five words or more in quotation marks: someone's statement, content however often it recurs."""
    return bool(_QUOTED_SPEECH.search(line))


def is_protected(line: str, title: Optional[str], params: SiteLineParams) -> bool:
    """A line never removed as site boilerplate, whatever its count (besides the first lines)."""
    return len(line.split()) > params.max_line_words or is_headline_like(line, title) or is_quoted_speech(line)


def strip_site_lines(text: str, title: Optional[str], learned: Mapping[int, int],
                     params: SiteLineParams) -> Tuple[str, List[Tuple[str, int]]]:
    """(the text without its source's learned lines, [(removed line, its count)]). Protected
    lines stay; when nothing would be left, the text is returned unchanged."""
    lines = text_lines(text)
    kept, removed = [], []
    for index, line in enumerate(lines):
        count = learned.get(line_fingerprint(line)) if index >= params.protect_first_lines else None
        if count is None or is_protected(line, title, params):
            kept.append(line)
        else:
            removed.append((line, count))
    if not removed or not kept:
        return text, []
    return "\n\n".join(kept), removed


def learned_from_state(rows: Iterable[dict], params: SiteLineParams) -> Dict[str, Dict[int, Tuple[int, str]]]:
    """source -> {fingerprint: (count, line)} of what saved state rows (``site_state``: a row
    with no fingerprint is a source's article count) make site boilerplate on their own: what
    ``newsbeam inspect`` shows and ``newsbeam clean --state`` removes."""
    articles, counts, lines, sources = Counter(), Counter(), {}, defaultdict(set)
    for row in rows:
        if row["fingerprint"] is None:
            articles[row["source"]] += row["count"]
            continue
        key = (row["source"], row["fingerprint"])
        counts[key] += row["count"]
        lines.setdefault(key, row["line"])
        sources[row["fingerprint"]].add(row["source"])
    learned = defaultdict(dict)
    for (source, fingerprint), count in counts.items():
        if is_site_line(count, articles[source], len(sources[fingerprint]), params):
            learned[source][fingerprint] = (count, lines[(source, fingerprint)])
    return dict(learned)
