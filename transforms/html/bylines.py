"""Bylines in a page's markup: ``rel=author`` links, ``itemprop=author``, author/byline elements,
"By" / "Written by" labels followed by a name and links to an author page; and the cleaning of
the names found (dates, roles and initials removed; user handles recognised).

Pure functions over an lxml tree (no Beam); the finders return candidate strings for
``metadata.split_authors`` and never raise.
"""
import re
from typing import List

from lxml import etree

__all__ = [
    "byline_authors", "labelled_byline_authors", "author_link_authors", "author_box_authors", "described_authors",
    "site_owner_authors", "clean_author_names", "is_handle", "without_site",
]

MAX_BYLINE_CHARS = 80
MAX_BYLINE_WORDS = 8
# the cheap test first: every class below holds "author", "byline" or "contributor-name"
_CANDIDATES = etree.XPath(
    "//*[@rel='author' or @itemprop='author' or (contains(@class, 'author') or contains(@class, 'byline') "
    "or contains(@class, 'contributor-name')) and (contains(concat(' ', normalize-space(@class), ' '), ' author ') "
    "or contains(@class, 'author-name') or contains(@class, 'author_name') or contains(@class, 'byline') "
    "or contains(@class, 'post-author') or contains(@class, 'entry-author') or contains(@class, 'article-author')"
    " or contains(@class, 'authorName') or contains(@class, 'author__name') or contains(@class, 'contributor-name'))]"
    " | //*[@itemprop='author']//*[@itemprop='name']"
)
_SKIP_ANCESTOR = etree.XPath(
    "ancestor::*[contains(@class, 'comment') or contains(@id, 'comment') or self::footer "
    "or contains(@class, 'related') or contains(@class, 'author-bio') or contains(@class, 'author-box')]"
)
_LABEL = re.compile(r"^(?:(?:written|posted|published|reviewed|edited|words|story|text)\s+)?by\b\s*:?\s*"
                    r"|^(?:author|authors|autor|auteur|autore)\s*:\s*", re.IGNORECASE)
_LEAD_IN = re.compile(r"^(?:.{0,40}?\b(?:written|authored|posted|reviewed|edited|reported)\s+by|read more (?:about|from|by)"
                      r"|authored by|author)\s*:?\s+", re.IGNORECASE)
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_TRAILER = re.compile(r"\s+(?:last\s+)?(?:updated|published|posted|modified|on)\b.*$"
                      rf"|\s+{_MONTH}\s+\d.*$"
                      # a bare month name cut from its date; not May, June, April or August (also names)
                      r"|\s+(?:january|february|march|july|september|october|november|december)$", re.IGNORECASE)
# job titles: "Jane Doe, Senior Editor" names Jane Doe; "Head" and "Co-Founder" are not people
_ROLE_WORDS = frozenset(
    "expert editor editors founder cofounder director manager writer contributor specialist reporter correspondent "
    "analyst winemaker officer president ceo cto cfo coo consultant strategist journalist columnist producer "
    "engineer developer designer scientist researcher advisor adviser coordinator chief lead blogger photographer"
    .split()
)
_TITLE_MODIFIERS = frozenset(
    "head senior junior chief lead staff managing executive contributing associate assistant deputy guest co "
    "principal vice general".split()
)
# a lead-in whose name is elsewhere: "Insights from", "A note by"
_DANGLING = re.compile(r"\b(?:from|by|of|with|and|at|for|to|the)$", re.IGNORECASE)
# "Jane Doe - Acme Editorial Team", "Jane Doe – Senior Editor": a dash, then the desk or the role
_DESK_SUFFIX = re.compile(r"\s+[-–—]\s+.*\b(?:team|staff|editorial|desk|newsroom|%s)$" % "|".join(
    sorted(_ROLE_WORDS)), re.IGNORECASE)
_INITIALS = re.compile(r"^([A-Z]{2,3})\s+(.+)$")
_MONTH_OR_ROLE = re.compile(rf"^{_MONTH}$"
                            r"|^(?:author|authors|admin|administrator|editor|staff|guest|team|unknown|anonymous|undefined|null|none)$",
                            re.IGNORECASE)
_AUTHOR_LINKS = etree.XPath("//a[contains(@href, '/author/') or contains(@href, '/authors/')]")
_AUTHOR_SLUG = re.compile(r"/authors?/([^/?#]+)")
_IN_NAVIGATION = etree.XPath("ancestor::*[self::nav or contains(@class, 'menu') or contains(@class, 'nav')]")
_TEXT_NODES = etree.XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
_BY_LABEL = re.compile(r"^(?:(?:written|posted|article|authored|reported|words|story|text)\s+)?by\b\s*:?\s*(.*)$",
                       re.IGNORECASE)
_NAME_END = re.compile(r"\s+(?:at|on|in|for|[|·•,–—-])\s.*$|\s*[|·•]\s*$", re.IGNORECASE)
MAX_LABELLED_TEXT_NODES = 20_000
_AUTHOR_BOXES = etree.XPath(
    "//*[contains(@class, 'author-box') or contains(@class, 'author-card') or contains(@class, 'author-bio') "
    "or contains(@class, 'about-author') or contains(@class, 'author-info')]"
    "[not(ancestor::*[contains(@class, 'comment') or contains(@id, 'comment')])]"
)
_BOX_TEXTS = etree.XPath(".//text()[not(ancestor::script or ancestor::style)]")
MAX_BOX_TEXTS = 3  # a box's name comes first, after at most a label or two
_BOX_LABEL = re.compile(r"^(?:about|meet|more from|posts by)\b|\bauthors?\b|^(?:written|posted) by\b", re.IGNORECASE)
_DESCRIPTIONS = etree.XPath("//meta[@name='description' or @property='og:description']/@content")
# two to four capitalised words, with any particles between them ("Jan van der Berg")
_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:(?:van|von|der|den|de|da|del|la|le)\s+)*[A-Z][\w'’.-]*){1,3}"
_FULL_NAME = re.compile(_NAME)
_DESCRIBED_BY = re.compile(rf"\b(?:[Ww]ritten|[Aa]uthored|[Pp]osted) by ({_NAME})")
_SITE_LABELS = etree.XPath("//head/title/text() | //meta[@property='og:site_name']/@content")
_SITE_SEPARATOR = re.compile(r"\s+[|–—·-]\s+")
_OWNED_SITE = re.compile(rf"^({_NAME})['’]s\s+(?:blog|weblog|website|site|homepage|newsletter|notes|journal)$")
_HANDLE = re.compile(r"^[a-z0-9]+(?:[._][a-z0-9]+)*$")
_NOT_A_NAME = re.compile(r"\d|@|https?:|\b(?:min(?:ute)?s? read|updated|published|share|follow)\b", re.IGNORECASE)


def byline_authors(tree) -> List[str]:
    """The first short byline text in the markup, with any "By" label removed; [] when none.

    The texts of the element's children are joined with spaces ("<b>Jane Doe</b><i>Editor</i>"
    reads "Jane Doe Editor", not "Jane DoeEditor").
    """
    for element in _CANDIDATES(tree):
        if _SKIP_ANCESTOR(element):
            continue
        text = _LABEL.sub("", " ".join(" ".join(element.itertext()).split())).strip(" ,;|·-")
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


def author_link_authors(tree) -> List[str]:
    """The text of the first link to an author page that spells the page's slug
    (``<a href="/author/jane-doe/">Jane Doe</a>``); [] when none."""
    for link in _AUTHOR_LINKS(tree):
        text = " ".join(link.text_content().split())
        match = _AUTHOR_SLUG.search(link.get("href", ""))
        if (match and _looks_like_names(text) and _name_words(text) == _name_words(match.group(1))
                and not _SKIP_ANCESTOR(link) and not _IN_NAVIGATION(link)):
            return [text]
    return []


def author_box_authors(tree) -> List[str]:
    """The name an author box or card starts with (``<div class="author-box"><b>Jane Doe</b>
    <p>Jane writes about ...</p>``), after at most a label ("About the author"); [] when none
    or when its first text is more than a name (two to four capitalised words).
    Only the page's first box is read: a later one may present another writer."""
    boxes = _AUTHOR_BOXES(tree)
    texts = [" ".join(text.split()) for text in _BOX_TEXTS(boxes[0])] if boxes else []
    for text in [text for text in texts if text][:MAX_BOX_TEXTS]:
        if _BOX_LABEL.search(text):
            continue
        return [text] if _looks_like_names(text) and _FULL_NAME.fullmatch(text) else []
    return []


def described_authors(tree) -> List[str]:
    """The name after "written by" / "posted by" in the page's description ("This post was
    written by Jane Doe, MD, cardiologist"); [] when none."""
    for description in _DESCRIPTIONS(tree):
        match = _DESCRIBED_BY.search(description)
        if match:
            return [match.group(1)]
    return []


def site_owner_authors(tree) -> List[str]:
    """The owner a personal site's title or name gives ("Notes on X | Jane Doe's blog"); [] when none."""
    for label in _SITE_LABELS(tree):
        for segment in _SITE_SEPARATOR.split(" ".join(label.split())):
            match = _OWNED_SITE.match(segment)
            if match:
                return [match.group(1)]
    return []


def _name_words(text: str) -> List[str]:
    return re.findall(r"[^\W\d_]+", text.casefold())


def _capitalised(text: str) -> bool:
    """The first letter is upper case (a name, not "by submitting this form")."""
    return next((c for c in text if c.isalpha()), "a").isupper()


def _looks_like_names(text: str) -> bool:
    """Short, has letters, no digits or links, and is not a lead-in without its name ("Insights from")."""
    return (0 < len(text) <= MAX_BYLINE_CHARS and len(text.split()) <= MAX_BYLINE_WORDS
            and any(c.isalpha() for c in text) and not _NOT_A_NAME.search(text) and not _DANGLING.search(text))


def clean_author_names(names) -> tuple:
    """Names without lead-ins ("This post was written by"), trailing dates ("Jane Doe Last updated
    May 3", "Jane Doe December"), desk or role suffixes ("Jane Doe - Acme Editorial Team"), avatar
    initials ("JD Jane Doe"), bare month names, roles or unset values ("Author", "Dec", "undefined"),
    lead-ins without a name ("Insights from") and job titles (see ``_without_roles``). User
    handles ("jdoe", "jane.doe") are kept: see ``is_handle``."""
    cleaned = []
    for name in names:
        name = _TRAILER.sub("", _LEAD_IN.sub("", name)).strip(" ,;:|·-")
        name = _without_initials(_DESK_SUFFIX.sub("", name))
        if (name and not _MONTH_OR_ROLE.match(name) and not _DANGLING.search(name)
                and any(c.isalpha() for c in name)):
            cleaned.append(name)
    return tuple(dict.fromkeys(_without_roles(cleaned)))


def is_handle(name: str) -> bool:
    """A user handle ("jdoe", "jane.doe", "q_admin"): it names an account, not a person's name."""
    return bool(_HANDLE.match(name))


def _without_initials(name: str) -> str:
    """"JD Jane Doe" (an avatar's initials before the name) gives "Jane Doe"."""
    match = _INITIALS.match(name)
    if match and match.group(1) == "".join(word[0] for word in match.group(2).split()).upper():
        return match.group(2)
    return name


def _without_roles(names: List[str]) -> List[str]:
    """``names`` without job titles split off a "Name, Role" byline as if they were people.

    "Jane Doe, Privacy and Security Expert" arrives as ["Jane Doe", "Privacy", "Security Expert"];
    "Jane Doe Head Winemaker, Co-Founder" as ["Jane Doe Head Winemaker", "Co-Founder"]. A trailing
    "<modifier> <role>" title is cut from the first name; then, when the first name is a person and
    some later one a role, the kept names are the first and any other of two or more words directly
    followed by a role ("Jane Doe, Editor, John Roe, Writer"): the rest are pieces of a role phrase.
    A byline that starts with a role ("Travel Editor", "Acme Contributor") is left as it is.
    """
    if not names:
        return names
    names = [_without_trailing_title(names[0])] + names[1:]
    roles = [_is_role(name) for name in names]
    if roles[0] or not any(roles):
        return names
    return [name for i, name in enumerate(names) if not roles[i] and (
        i == 0 or (len(name.split()) > 1 and i + 1 < len(names) and roles[i + 1]))]


def _is_role(name: str) -> bool:
    """A job title: ends in a role word ("Security Expert", "Co-Founder"), is "<title> of/at/for ..."
    ("Head of Marketing") or is made of title words only ("Head", "Senior Staff")."""
    words = [_title_word(word) for word in name.split()]
    title_words = _ROLE_WORDS | _TITLE_MODIFIERS
    return (words[-1] in _ROLE_WORDS or (len(words) > 1 and words[0] in title_words and words[1] in ("of", "at", "for"))
            or all(word in title_words for word in words))


def _without_trailing_title(name: str) -> str:
    """"Jane Doe Head Winemaker" gives "Jane Doe": a capitalised title of modifiers ("Head", "Senior",
    "Staff") then role words at the end, cut when two words are left; "Acme Travel Editor" is kept."""
    words = name.split()
    end = len(words)
    while end > 2 and _title_word(words[end - 1]) in _ROLE_WORDS:
        end -= 1
    roles_start = end
    while end > 2 and _title_word(words[end - 1]) in _TITLE_MODIFIERS:
        end -= 1
    title = words[end:]
    if roles_start < len(words) and end < roles_start and all(word[0].isupper() for word in title):
        return " ".join(words[:end])
    return name


def _title_word(word: str) -> str:
    """The casefolded last part of a word ("Co-Founder" gives "founder")."""
    return word.casefold().split("-")[-1]


def without_site(names: tuple, site_names) -> tuple:
    """``names`` without the site or publisher named as a co-author, unless it is the only name."""
    sites = [_letters(site) for site in site_names if site and _letters(site)]
    kept = tuple(name for name in names if not any(_letters(name) and _letters(name) in site for site in sites))
    return kept or names


def _letters(text: str) -> str:
    words = re.findall(r"\w+", text.casefold())
    return "".join(w for w in words if w != "the")
