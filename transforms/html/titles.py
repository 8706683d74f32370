"""A page's headline: the ``<h1>`` that agrees with the declared title, else that title without " | Site".

A short label at the chosen headline's edges is dropped last: " | Opinion", " - Top 10 Picks",
"Blog | ", "example.com ".

Pure functions over strings (no lxml trees, no Beam); never raise.
"""
import re
import unicodedata
from typing import List, Optional, Sequence

from transforms.html.selectors import (
    COLON_OR_SPACE, CONTINUATION, DOMAIN_EDGE, KICKER_END, LOST_CHARACTER, PIPE_PREFIX, SECTION_LABEL_PREFIX, SENTENCE_MARKS, TITLE_DATE,
    TITLE_SEPARATOR, WORD,
)

__all__ = ["choose_title", "strip_site_suffix"]

MIN_AGREEMENT = 0.5  # share of words an h1 and a declared title (site name removed) must share
MAX_TITLE_CHARS = 300
_SUFFIX_MAX_WORDS = 6
_PREFIX_MAX_WORDS = 3
_KICKER_MAX_WORDS = 5
_KICKER_MIN_REST = 3


def _segments(title: str) -> List[str]:
    """The non-blank parts of ``title`` between separators ("Headline | Site" gives both)."""
    return [part for part in TITLE_SEPARATOR.split(title) if part and part.strip()]


def _words(text: str) -> List[str]:
    return WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _agreement(h1: str, titles: Sequence[str]) -> float:
    """How well the h1 agrees with the best declared title: the share of the h1's words in it.

    An h1 that contains all of a declared title's words (it extends a short title) agrees fully.
    An h1 made of a few of a long title's words (a site or section name: "Blog" in "Blog: A
    long headline") agrees only if it is a whole " | " segment of the title or half its words.
    """
    words = set(_words(h1))
    best = 0.0
    for title in titles:
        other = set(_words(title))
        if not words or not other:
            continue
        if words < other and len(words) < MIN_AGREEMENT * len(other) and not _is_segment(h1, title):
            continue
        best = max(best, 1.0 if other <= words else len(words & other) / len(words))
    return best


def _is_segment(h1: str, title: str) -> bool:
    return any(_same(h1, part) for part in TITLE_SEPARATOR.split(title))


def _continues(title: str, h1: str) -> bool:
    """The declared title is the h1 continued by more words ("Best Tents" -> "Best Tents in 2025"), not by
    a separated segment (" | Site", ", Tested", " (via X)"): the h1 is a shortened headline. An h1 ending
    in punctuation ("What is X?") is a complete headline."""
    head, h1 = " ".join(title.split()).casefold(), " ".join(h1.split()).casefold()
    return h1[-1:].isalnum() and head.startswith(h1) and bool(CONTINUATION.match(head[len(h1):]))


def _garbled_copy(h1: str, title: str) -> bool:
    """The h1 is the declared title with characters lost to encoding ("Beginner? Guide" for "Beginner's Guide")."""
    if not LOST_CHARACTER.search(h1):
        return False
    pattern = ".{1,3}".join(re.escape(part) for part in LOST_CHARACTER.split(h1))
    return bool(re.fullmatch(pattern, title, re.IGNORECASE)) and not _same(h1, title)


def _labelled_copy(h1: str, title: str) -> bool:
    """The h1 is a one-word section label and the declared title ("Blog: Headline" for "Headline")."""
    match = SECTION_LABEL_PREFIX.match(" ".join(h1.split()))
    return bool(match) and _same(match.group(1), title)


def _dated_extension(h1: str, title: str) -> bool:
    """The h1 is the declared title plus a date ("Dec 18 2025 Headline", "Headline Posted on July 1, 2024")."""
    words, other = _words(h1), set(_words(title))
    extra = " ".join(w for w in words if w not in other)
    return bool(other) and other < set(words) and bool(TITLE_DATE.search(extra))


def _kicker_variant(h1: str, title: str) -> bool:
    """One is the other with a kicker before it ("Nach Gaetz-Rückzug: Trump-Anwältin soll …"): the page
    declares which one is its headline. The kicker is shorter than the rest; both the kicker and what follows it start as a headline does (not
    "'A quote': economists say", not "keyword phrase: Headline")."""
    a, b = _words(h1), _words(title)
    longer, shorter = (h1, title) if len(a) > len(b) else (title, h1)
    extra = abs(len(a) - len(b))
    match = KICKER_END.match(longer)
    rest = len(_words(shorter))
    return (0 < extra <= _KICKER_MAX_WORDS and extra < rest and rest >= _KICKER_MIN_REST and bool(match)
            and len(_words(match.group(0))) == extra and _same(longer[match.end():], shorter)
            and not longer[:1].islower() and not longer[match.end():][:1].islower())


def _respelled(h1: str, title: str) -> bool:
    """The same words with a colon or space restored ("Ahrtal-Flut Zwei" and "Ahrtal-Flut: Zwei")."""
    return h1 != title and COLON_OR_SPACE.sub("", h1) == COLON_OR_SPACE.sub("", title)


def _same(a: str, b: str) -> bool:
    return _words(a) == _words(b)


def strip_site_suffix(title: str, site_names: Sequence[str]) -> str:
    """``title`` without leading or trailing segments naming the site ("Headline | Site", "Site - Headline").

    Without a known site name, a short title-cased last segment after a separator is taken as the site
    ("Headline - Daily Ledger", not "Headline - Leeds lose at home").
    """
    parts = _segments(title)
    if len(parts) < 2:
        return title.strip()
    names = [n for n in site_names if n]
    while len(parts) > 1 and any(_names_site(parts[-1], n) for n in names):
        parts.pop()
    while len(parts) > 1 and any(_names_site(parts[0], n) for n in names):
        parts.pop(0)
    if len(parts) == len(TITLE_SEPARATOR.split(title)) and len(parts) > 1 and not names and not _opens_quote(parts[-2]):
        if (len(_words(parts[-1])) <= _SUFFIX_MAX_WORDS and len(_words(parts[-1])) < len(_words(parts[0]))
                and _title_cased(parts[-1])):
            parts.pop()
    return _rejoin(title, parts)


def _opens_quote(segment: str) -> bool:
    """The segment ends in a colon: what follows is the headline's quote ("fødestua: – Helt absurd"), not a site."""
    return segment.rstrip().endswith(":")


def _names_site(segment: str, site_name: str) -> bool:
    """The segment is the site's name, part of it, or its initials ("WFA" for "World Future Awards")."""
    seg, site = "".join(_words(segment)), "".join(_words(site_name))
    initials = "".join(word[0] for word in _words(site_name))
    return bool(seg) and bool(site) and (seg == site or seg in site or site in seg and len(seg) < 2 * len(site)
                                          or len(initials) > 1 and seg == initials)


def _rejoin(title: str, parts: List[str]) -> str:
    """The span of ``title`` from the first kept part to the last (keeps inner separators as written)."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if 0 <= start < end else parts[0].strip()


def _without_edge_labels(title: str) -> str:
    """``title`` without a label at its edges: a short last segment (" | Opinion", " - Top 10 Picks"; see
    ``_is_label``), a short first segment before a pipe or bullet ("Blog | Headline") or a lowercase
    domain name before or after it ("example.com Headline")."""
    parts = _segments(title)
    if len(parts) > 1 and _is_label(parts[-1], parts[0]) and not _opens_quote(parts[-2]):
        title = _rejoin(title, parts[:-1])
    title = DOMAIN_EDGE.sub("", title)
    prefix = PIPE_PREFIX.match(title)
    return prefix.group(2).strip() if prefix and _is_prefix_label(*prefix.groups()) else title


def _is_label(segment: str, other: str, max_words: int = _SUFFIX_MAX_WORDS) -> bool:
    """The segment names a site, section or tagline, not half of the headline: at most ``max_words`` words,
    fewer than the ``other`` segment, capitalised, without commas or sentence marks ("tips and tricks" or
    "Features, Pricing, and More" continue the headline)."""
    count = len(_words(segment))
    return (0 < count <= max_words and count < len(_words(other)) and segment.strip()[:1].isupper()
            and not SENTENCE_MARKS.search(segment) and _title_cased(segment))


def _title_cased(segment: str) -> bool:
    """Every word of four or more letters is capitalised, as labels are ("Top Local Repair Experts"); a
    clause is not ("Leeds lose at home", "Irans Justiz dementiert")."""
    return not any(word[:1].islower() for word in WORD.findall(segment) if len(word) >= 4)


def _is_prefix_label(segment: str, rest: str) -> bool:
    """A first segment is a label ("Blog | ...", "The Agency | ...") when it is at most three words and
    at most half as long as the rest: a first half of the headline is usually longer."""
    return _is_label(segment, rest, _PREFIX_MAX_WORDS) and 2 * len(_words(segment)) <= len(_words(rest))


def _segment_named_in(h1: str, title: str) -> Optional[str]:
    """The title's first segment when it is the only one of two or more whose words (two or more) run
    inside the h1 ("Get the app Trail Mix" and "Trail Mix | App Store"): the rest names a platform."""
    parts = _segments(title)
    named = [part for part in parts if _runs_inside(part, h1)]
    return parts[0].strip() if len(parts) > 1 and named == parts[:1] else None


def _runs_inside(part: str, text: str) -> bool:
    words, within = _words(part), _words(text)
    return len(words) > 1 and any(within[i:i + len(words)] == words for i in range(len(within) - len(words) + 1))


def choose_title(h1s: Sequence[str], declared: Sequence[str], site_names: Sequence[str]) -> Optional[str]:
    """The headline (see ``_headline``) without labels at its edges (see ``_without_edge_labels``)."""
    title = _headline(h1s, declared, site_names)
    return _without_edge_labels(title) if title else title


def _headline(h1s: Sequence[str], declared: Sequence[str], site_names: Sequence[str]) -> Optional[str]:
    """The h1 agreeing best with a declared title, a longer or repaired declared copy of it, or the first
    declared title's segment the h1 names, else the first declared title; titles without their site names."""
    h1s = [h for h in h1s if 1 < len(h) <= MAX_TITLE_CHARS and not any(_same(h, s) for s in site_names)]
    declared = [d for d in declared if len(d) <= 2 * MAX_TITLE_CHARS]
    cleaned = [strip_site_suffix(d, site_names) for d in declared]
    if h1s:
        best = max(h1s, key=lambda h: _agreement(h, cleaned))
        longer = [title for title in cleaned
                  if _dated_extension(best, title) or _continues(title, best) or _garbled_copy(best, title)
                  or _labelled_copy(best, title) or _kicker_variant(best, title) or _respelled(best, title)]
        if longer:
            return longer[0]
        if _agreement(best, cleaned) >= MIN_AGREEMENT or (len(h1s) == 1 and not declared):
            return best
        if cleaned and (segment := _segment_named_in(best, cleaned[0])):
            return segment
    return cleaned[0] if cleaned else (h1s[0] if h1s else None)
