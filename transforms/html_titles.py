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


def _words(text: str) -> List[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _agreement(h1: str, titles: Sequence[str]) -> float:
    """How well the h1 agrees with the best declared title: the share of the h1's words in it.

    An h1 that contains all of a declared title's words (it extends a short title) agrees fully.
    """
    words = set(_words(h1))
    best = 0.0
    for title in titles:
        other = set(_words(title))
        if words and other:
            best = max(best, 1.0 if other <= words else len(words & other) / len(words))
    return best


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
    seg, site = "".join(_words(segment)), "".join(_words(site_name))
    return bool(seg) and bool(site) and (seg == site or seg in site or site in seg and len(seg) < 2 * len(site))


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
        if _agreement(best, cleaned) >= MIN_AGREEMENT or (len(h1s) == 1 and not declared):
            return best
    return cleaned[0] if cleaned else (h1s[0] if h1s else None)
