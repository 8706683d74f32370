"""A page's headline: the ``<h1>`` that agrees with the declared title, else that title without " | Site".

Pure functions over strings (no lxml, no Beam); never raise.
"""
import re
import unicodedata
from typing import List, Optional, Sequence

__all__ = ["choose_title", "strip_site_suffix"]

MIN_AGREEMENT = 0.5  # share of words an h1 and a declared title (site name removed) must share
MAX_TITLE_CHARS = 300
_SEPARATOR = re.compile(r"\s+[|•·»~:/–—-]{1,2}\s+|\s*\|\s*")
_WORD = re.compile(r"\w+")
_SUFFIX_MAX_WORDS = 6
_LOST = re.compile(r"(?<=\w)[?\ufffd](?=\s*\w)")
_LABEL_PREFIX = re.compile(r"^\w+:\s+(.+)$")
_CONTINUATION = re.compile(r"\s+\w")
_DATE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\s+\d{1,2}\b"
                   r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\s+\d{4}\b")


def _words(text: str) -> List[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


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
    return any(_same(h1, part) for part in _SEPARATOR.split(title))


def _continues(title: str, h1: str) -> bool:
    """The declared title is the h1 continued by more words ("Best Tents" -> "Best Tents in 2025"), not by
    a separated segment (" | Site", ", Tested", " (via X)"): the h1 is a shortened headline. An h1 ending
    in punctuation ("What is X?") is a complete headline."""
    head, h1 = " ".join(title.split()).casefold(), " ".join(h1.split()).casefold()
    return h1[-1:].isalnum() and head.startswith(h1) and bool(_CONTINUATION.match(head[len(h1):]))


def _garbled_copy(h1: str, title: str) -> bool:
    """The h1 is the declared title with characters lost to encoding ("Beginner? Guide" for "Beginner's Guide")."""
    if not _LOST.search(h1):
        return False
    pattern = ".{1,3}".join(re.escape(part) for part in _LOST.split(h1))
    return bool(re.fullmatch(pattern, title, re.IGNORECASE)) and not _same(h1, title)


def _labelled_copy(h1: str, title: str) -> bool:
    """The h1 is a one-word section label and the declared title ("Blog: Headline" for "Headline")."""
    match = _LABEL_PREFIX.match(" ".join(h1.split()))
    return bool(match) and _same(match.group(1), title)


def _dated_extension(h1: str, title: str) -> bool:
    """The h1 is the declared title plus a date ("Dec 18 2025 Headline", "Headline Posted on July 1, 2024")."""
    words, other = _words(h1), set(_words(title))
    extra = " ".join(w for w in words if w not in other)
    return bool(other) and other < set(words) and bool(_DATE.search(extra))


def _same(a: str, b: str) -> bool:
    return _words(a) == _words(b)


def strip_site_suffix(title: str, site_names: Sequence[str]) -> str:
    """``title`` without leading or trailing segments naming the site ("Headline | Site", "Site - Headline").

    Without a known site name, a short last segment after a separator is taken as the site.
    """
    parts = [p for p in _SEPARATOR.split(title) if p and p.strip()]
    if len(parts) < 2:
        return title.strip()
    names = [n for n in site_names if n]
    while len(parts) > 1 and any(_names_site(parts[-1], n) for n in names):
        parts.pop()
    while len(parts) > 1 and any(_names_site(parts[0], n) for n in names):
        parts.pop(0)
    if len(parts) == len(_SEPARATOR.split(title)) and len(parts) > 1 and not names:
        if len(_words(parts[-1])) <= _SUFFIX_MAX_WORDS and len(_words(parts[-1])) < len(_words(parts[0])):
            parts.pop()
    return _rejoin(title, parts)


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


def choose_title(h1s: Sequence[str], declared: Sequence[str], site_names: Sequence[str]) -> Optional[str]:
    """The headline: the h1 agreeing best with a declared title, else the first declared title, cleaned."""
    h1s = [h for h in h1s if 1 < len(h) <= MAX_TITLE_CHARS and not any(_same(h, s) for s in site_names)]
    declared = [d for d in declared if len(d) <= 2 * MAX_TITLE_CHARS]
    cleaned = [strip_site_suffix(d, site_names) for d in declared]
    if h1s:
        best = max(h1s, key=lambda h: _agreement(h, cleaned))
        longer = [title for title in cleaned
                  if _dated_extension(best, title) or _continues(title, best) or _garbled_copy(best, title)
                  or _labelled_copy(best, title)]
        if longer:
            return longer[0]
        if _agreement(best, cleaned) >= MIN_AGREEMENT or (len(h1s) == 1 and not declared):
            return best
    return cleaned[0] if cleaned else (h1s[0] if h1s else None)
