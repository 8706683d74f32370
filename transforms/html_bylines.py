"""Bylines in a page's markup: ``rel=author`` links, ``itemprop=author`` and author/byline elements.

Pure function over an lxml tree (no Beam); returns candidate strings for
``metadata.split_authors`` and never raises.
"""
import re
from typing import List

from lxml import etree

__all__ = ["byline_authors", "clean_author_names"]

MAX_BYLINE_CHARS = 80
MAX_BYLINE_WORDS = 8
_CANDIDATES = etree.XPath(
    "//*[@rel='author'] | //*[@itemprop='author']//*[@itemprop='name'] | //*[@itemprop='author'] "
    "| //*[contains(concat(' ', normalize-space(@class), ' '), ' author ') "
    "or contains(@class, 'author-name') or contains(@class, 'author_name') or contains(@class, 'byline') "
    "or contains(@class, 'post-author') or contains(@class, 'entry-author') or contains(@class, 'article-author')"
    " or contains(@class, 'authorName') or contains(@class, 'author__name') or contains(@class, 'contributor-name')]"
)
_SKIP_ANCESTOR = etree.XPath(
    "ancestor::*[contains(@class, 'comment') or contains(@id, 'comment') or self::footer "
    "or contains(@class, 'related') or contains(@class, 'author-bio') or contains(@class, 'author-box')]"
)
_LABEL = re.compile(r"^(?:(?:written|posted|published|reviewed|edited|words|story|text)\s+)?by\b\s*:?\s*"
                    r"|^(?:author|authors|autor|auteur|autore)\s*:\s*", re.IGNORECASE)
_LEAD_IN = re.compile(r"^(?:.{0,40}?\b(?:written|authored|posted|reviewed|edited|reported)\s+by|read more (?:about|from|by)"
                      r"|authored by|author)\s*:?\s+", re.IGNORECASE)
_TRAILER = re.compile(r"\s+(?:last\s+)?(?:updated|published|posted|modified|on)\b.*$"
                      r"|\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d.*$", re.IGNORECASE)
_MONTH_OR_ROLE = re.compile(r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$"
                            r"|^(?:author|authors|admin|administrator|editor|staff|guest|team|unknown|anonymous)$",
                            re.IGNORECASE)
_HANDLE = re.compile(r"^[a-z0-9]+(?:[._][a-z0-9]+)*$")
_NOT_A_NAME = re.compile(r"\d|@|https?:|\b(?:min(?:ute)?s? read|updated|published|share|follow)\b", re.IGNORECASE)


def byline_authors(tree) -> List[str]:
    """The first short byline text in the markup, with any "By" label removed; [] when none."""
    for element in _CANDIDATES(tree):
        if _SKIP_ANCESTOR(element):
            continue
        text = _LABEL.sub("", " ".join(element.text_content().split())).strip(" ,;|·-")
        if _looks_like_names(text):
            return [text]
    return []


def _looks_like_names(text: str) -> bool:
    return (0 < len(text) <= MAX_BYLINE_CHARS and len(text.split()) <= MAX_BYLINE_WORDS
            and any(c.isalpha() for c in text) and not _NOT_A_NAME.search(text))


def clean_author_names(names) -> tuple:
    """Names without lead-ins ("This post was written by"), trailing dates ("Jane Doe Last updated
    May 3"), user handles ("jdoe", "jane.doe") and bare month names or roles ("Author", "Dec")."""
    cleaned = []
    for name in names:
        name = _TRAILER.sub("", _LEAD_IN.sub("", name)).strip(" ,;:|·-")
        if name and not _MONTH_OR_ROLE.match(name) and not _HANDLE.match(name) and any(c.isalpha() for c in name):
            cleaned.append(name)
    return tuple(dict.fromkeys(cleaned))
