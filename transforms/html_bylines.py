"""Bylines in a page's markup: ``rel=author`` links, ``itemprop=author``, author/byline elements and
"By" / "Written by" labels followed by a name.

Pure function over an lxml tree (no Beam); returns candidate strings for
``metadata.split_authors`` and never raises.
"""
import re
from typing import List

from lxml import etree

__all__ = ["byline_authors", "labelled_byline_authors", "clean_author_names", "without_site"]

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
_IN_NAVIGATION = etree.XPath("ancestor::*[self::nav or contains(@class, 'menu') or contains(@class, 'nav')]")
_TEXT_NODES = etree.XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
_BY_LABEL = re.compile(r"^(?:(?:written|posted|article|authored|reported|words|story|text)\s+)?by\b\s*:?\s*(.*)$",
                       re.IGNORECASE)
_NAME_END = re.compile(r"\s+(?:at|on|in|for|[|·•,–—-])\s.*$|\s*[|·•]\s*$", re.IGNORECASE)
MAX_LABELLED_TEXT_NODES = 20_000
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


def labelled_byline_authors(tree) -> List[str]:
    """The name after the first "By" / "Written by" label in the page's text; [] when none.

    The name is the rest of the label's text ("Posted by Jane Doe at 10:00" gives "Jane Doe")
    or, when the label stands alone ("<span>By</span> <a>Jane Doe</a>"), the next text.
    """
    texts = [t for t in _TEXT_NODES(tree)[:MAX_LABELLED_TEXT_NODES] if t.strip()]
    for index, text in enumerate(texts):
        match = _BY_LABEL.match(" ".join(text.split()))
        parent = text.getparent()
        if not match or len(text) > MAX_BYLINE_CHARS or _SKIP_ANCESTOR(parent) or _IN_NAVIGATION(parent):
            continue
        rest = match.group(1) or (" ".join(texts[index + 1].split()) if index + 1 < len(texts) else "")
        name = _NAME_END.sub("", rest).strip(" ,;|·-")
        if _looks_like_names(name) and _capitalised(name):
            return [name]
    return []


def _capitalised(text: str) -> bool:
    """The first letter is upper case (a name, not "by submitting this form")."""
    return next((c for c in text if c.isalpha()), "a").isupper()


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


def without_site(names: tuple, site_names) -> tuple:
    """``names`` without the site or publisher named as a co-author, unless it is the only name."""
    sites = [_letters(site) for site in site_names if site and _letters(site)]
    kept = tuple(name for name in names if not any(_letters(name) and _letters(name) in site for site in sites))
    return kept or names


def _letters(text: str) -> str:
    words = re.findall(r"\w+", text.casefold())
    return "".join(w for w in words if w != "the")
