"""Bylines in a page's markup: ``rel=author`` links, ``itemprop=author``, author/byline elements,
"By" / "Written by" labels followed by a name and links to an author page; and the cleaning of
the names found (dates, roles and initials removed; user handles recognised).

Pure functions over an lxml tree (no Beam); the finders return candidate strings for
``metadata.split_authors`` and never raise.
"""
from typing import List

from transforms.html.selectors import (
    AUTHOR_BOXES, AUTHOR_BOX_LABEL, AUTHOR_LINKS, AUTHOR_SLUG, AVATAR_INITIALS, BODY_TEXT_NODES, BOX_TEXTS,
    BYLINE_ELEMENTS, BY_LABEL, BY_LABEL_THEN_NAME, BY_LEAD_IN, DANGLING_LEAD_IN, DESCRIBED_BY, DESK_SUFFIX,
    FULL_NAME, IN_NAVIGATION, LABEL_THEN_BY, LETTERS, META_DESCRIPTIONS, MONTH_OR_ROLE, NAME_END, NAME_TRAILER,
    NOT_A_NAME, NOT_THE_ARTICLES_BYLINE, OWNED_SITE, ROLE_WORDS, SITE_LABELS, SITE_LABEL_SEPARATOR, TITLE_MODIFIERS,
    USER_HANDLE, WORD,
)

__all__ = [
    "byline_authors", "labelled_byline_authors", "author_link_authors", "author_box_authors", "described_authors",
    "site_owner_authors", "clean_author_names", "is_handle", "without_site",
]

MAX_BYLINE_CHARS = 80
MAX_BYLINE_WORDS = 8
MAX_LABELLED_TEXT_NODES = 20_000
MAX_BOX_TEXTS = 3  # a box's name comes first, after at most a label or two


def byline_authors(tree) -> List[str]:
    """The first short byline text in the markup, with any "By" label removed; [] when none.

    The texts of the element's children are joined with spaces ("<b>Jane Doe</b><i>Editor</i>"
    reads "Jane Doe Editor", not "Jane DoeEditor"). When the element's whole text is more than
    names (a date, a reading time beside them), the items of a list in it that are names are the
    names, when every other item holds a digit (a date, a time, minutes of reading).
    """
    for element in BYLINE_ELEMENTS(tree):
        if NOT_THE_ARTICLES_BYLINE(element):
            continue
        text = _byline_text(element)
        if _looks_like_names(text):
            return [text]
        listed = [_byline_text(item) for item in element.iter("li")]  # items: the authors, a date, a time
        names = [item for item in listed if _looks_like_names(item)]
        if names and all(item in names or any(char.isdigit() for char in item) for item in listed):
            return names
    return []


def _byline_text(element) -> str:
    return BY_LABEL.sub("", LABEL_THEN_BY.sub("", " ".join(" ".join(element.itertext()).split()))).strip(" ,;|·-")


def labelled_byline_authors(tree) -> List[str]:
    """The name after the first "By" / "Written by" label in the page's text; [] when none.

    The name is the rest of the label's text ("Posted by Jane Doe at 10:00" gives "Jane Doe")
    or, when the label stands alone ("<span>By</span> <a>Jane Doe</a>"), the next text.
    """
    texts = [t for t in BODY_TEXT_NODES(tree)[:MAX_LABELLED_TEXT_NODES] if t.strip()]
    for index, text in enumerate(texts):
        match = BY_LABEL_THEN_NAME.match(" ".join(text.split()))
        parent = text.getparent()
        if not match or len(text) > MAX_BYLINE_CHARS or NOT_THE_ARTICLES_BYLINE(parent) or IN_NAVIGATION(parent):
            continue
        rest = match.group(1) or (" ".join(texts[index + 1].split()) if index + 1 < len(texts) else "")
        name = NAME_END.sub("", rest).strip(" ,;|·-")
        if _looks_like_names(name) and _capitalised(name):
            return [name]
    return []


def author_link_authors(tree) -> List[str]:
    """The text of the first link to an author page that spells the page's slug
    (``<a href="/author/jane-doe/">Jane Doe</a>``); [] when none."""
    for link in AUTHOR_LINKS(tree):
        text = " ".join(link.text_content().split())
        match = AUTHOR_SLUG.search(link.get("href", ""))
        if (match and _looks_like_names(text) and _name_words(text) == _name_words(match.group(1))
                and not NOT_THE_ARTICLES_BYLINE(link) and not IN_NAVIGATION(link)):
            return [text]
    return []


def author_box_authors(tree) -> List[str]:
    """The name an author box or card starts with (``<div class="author-box"><b>Jane Doe</b>
    <p>Jane writes about ...</p>``), after at most a label ("About the author"); [] when none
    or when its first text is more than a name (two to four capitalised words).
    Only the page's first box is read: a later one may present another writer."""
    boxes = AUTHOR_BOXES(tree)
    texts = [" ".join(text.split()) for text in BOX_TEXTS(boxes[0])] if boxes else []
    for text in [text for text in texts if text][:MAX_BOX_TEXTS]:
        if AUTHOR_BOX_LABEL.search(text):
            continue
        return [text] if _looks_like_names(text) and FULL_NAME.fullmatch(text) else []
    return []


def described_authors(tree) -> List[str]:
    """The name after "written by" / "posted by" in the page's description ("This post was
    written by Jane Doe, MD, cardiologist"); [] when none."""
    for description in META_DESCRIPTIONS(tree):
        match = DESCRIBED_BY.search(description)
        if match:
            return [match.group(1)]
    return []


def site_owner_authors(tree) -> List[str]:
    """The owner a personal site's title or name gives ("Notes on X | Jane Doe's blog"); [] when none."""
    for label in SITE_LABELS(tree):
        for segment in SITE_LABEL_SEPARATOR.split(" ".join(label.split())):
            match = OWNED_SITE.match(segment)
            if match:
                return [match.group(1)]
    return []


def _name_words(text: str) -> List[str]:
    return LETTERS.findall(text.casefold())


def _capitalised(text: str) -> bool:
    """The first letter is upper case (a name, not "by submitting this form")."""
    return next((c for c in text if c.isalpha()), "a").isupper()


def _looks_like_names(text: str) -> bool:
    """Short, has letters, no digits or links, and is not a lead-in without its name ("Insights from")."""
    return (0 < len(text) <= MAX_BYLINE_CHARS and len(text.split()) <= MAX_BYLINE_WORDS
            and any(c.isalpha() for c in text) and not NOT_A_NAME.search(text) and not DANGLING_LEAD_IN.search(text))


def clean_author_names(names) -> tuple:
    """Names without lead-ins ("This post was written by"), trailing dates ("Jane Doe Last updated
    May 3", "Jane Doe December"), desk or role suffixes ("Jane Doe - Acme Editorial Team"), avatar
    initials ("JD Jane Doe"), bare month names, roles or unset values ("Author", "Dec", "undefined"),
    lead-ins without a name ("Insights from") and job titles (see ``_without_roles``). User
    handles ("jdoe", "jane.doe") are kept: see ``is_handle``."""
    cleaned = []
    for name in names:
        name = NAME_TRAILER.sub("", BY_LEAD_IN.sub("", name)).strip(" ,;:|·-")
        name = _without_initials(DESK_SUFFIX.sub("", name))
        if (name and not MONTH_OR_ROLE.match(name) and not DANGLING_LEAD_IN.search(name)
                and any(c.isalpha() for c in name)):
            cleaned.append(name)
    return tuple(dict.fromkeys(_without_roles(cleaned)))


def is_handle(name: str) -> bool:
    """A user handle ("jdoe", "jane.doe", "q_admin"): it names an account, not a person's name."""
    return bool(USER_HANDLE.match(name))


def _without_initials(name: str) -> str:
    """"JD Jane Doe" (an avatar's initials before the name) gives "Jane Doe"."""
    match = AVATAR_INITIALS.match(name)
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
    title_words = ROLE_WORDS | TITLE_MODIFIERS
    return (words[-1] in ROLE_WORDS or (len(words) > 1 and words[0] in title_words and words[1] in ("of", "at", "for"))
            or all(word in title_words for word in words))


def _without_trailing_title(name: str) -> str:
    """"Jane Doe Head Winemaker" gives "Jane Doe": a capitalised title of modifiers ("Head", "Senior",
    "Staff") then role words at the end, cut when two words are left; "Acme Travel Editor" is kept."""
    words = name.split()
    end = len(words)
    while end > 2 and _title_word(words[end - 1]) in ROLE_WORDS:
        end -= 1
    roles_start = end
    while end > 2 and _title_word(words[end - 1]) in TITLE_MODIFIERS:
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
    words = WORD.findall(text.casefold())
    return "".join(w for w in words if w != "the")
