"""The publication date a page shows its readers.

``labelled_published(tree)`` is a date the page's text labels "Published" / "Posted on"
(and the same words in German, French, Spanish): it wins over declared metadata, which
some templates fill with a build date. ``time_element_published(tree)``, for pages that
declare nothing, is the first ``<time>`` element outside navigation, sidebars and footers. A
date the page labels as an update is never taken for the publication date;
``labelled_updated(tree)`` reads it instead. Pure functions on an lxml HTML tree; the
value returned is the string as found, or an ISO day for a numeric one (parse it with
``dates.parse_datetime_utc``).
"""
from typing import Iterator, Optional

from transforms.text.dates import parse_datetime_utc
from transforms.html.selectors import (
    DATE_LABEL_TAGS, NUMERIC_DAY, OUTSIDE_ARTICLE_TAGS, PUBLISHED_LABEL, UPDATED_LABEL, UPDATE_WORDS,
)

__all__ = ["labelled_published", "labelled_updated", "time_element_published"]

MAX_LABEL_CHARS = 80  # an element holding a labelled date is short: "Published: January 3, 2024"


def labelled_published(tree) -> Optional[str]:
    """A date after a "Published" label: in the labelled element, just after it, or in the next element."""
    return _labelled_date(tree, PUBLISHED_LABEL, skip_updates=True)


def labelled_updated(tree) -> Optional[str]:
    """A date after a "Last updated" / "Updated on" label, found the same way."""
    return _labelled_date(tree, UPDATED_LABEL, skip_updates=False)


def _labelled_date(tree, label_pattern, skip_updates: bool) -> Optional[str]:
    for element in tree.iter(*DATE_LABEL_TAGS):
        if not label_pattern.match(element.text or ""):
            continue
        text = _short_text(element)
        label = label_pattern.match(text or "")
        if not label or (skip_updates and UPDATE_WORDS.search(text)):
            continue
        value = _readable_date(_time_attribute(element) or text[label.end():] or _text_after(element))
        if value:
            return value
    return None


def _time_attribute(element) -> Optional[str]:
    """The ``datetime`` of the first ``<time>`` in ``element`` (itself included), or None."""
    time_element = next(element.iter("time"), None)
    return time_element.get("datetime") if time_element is not None else None


def _text_after(element) -> str:
    """The text right after ``element``: its tail, else the next element's text."""
    tail = " ".join((element.tail or "").split())
    if tail:
        return tail[:MAX_LABEL_CHARS]
    sibling = element.getnext()
    return (_short_text(sibling) or "") if sibling is not None else ""


def _short_text(element) -> Optional[str]:
    """The element's text, whitespace collapsed, or None when it is longer than ``MAX_LABEL_CHARS``.

    Reads at most that many characters, so a label check on a large container costs little.
    """
    parts, size = [], 0
    for part in element.itertext():
        parts.append(part)
        size += len(part)
        if size > 2 * MAX_LABEL_CHARS:
            break
    text = " ".join("".join(parts).split())
    return text if len(text) <= MAX_LABEL_CHARS else None


def time_element_published(tree) -> Optional[str]:
    """The first ``<time>`` date outside navigation, sidebars and footers that is not labelled an update."""
    for element in _article_time_elements(tree):
        value = _readable_date((element.get("datetime") or _short_text(element) or "").strip())
        if value:
            return value
    return None


def _readable_date(value: str) -> Optional[str]:
    """``value`` if it parses as a date, with a numeric day first made ISO; None if it does not parse.

    Dotted numeric dates are day first ("04.03.2024" is 4 March). With slashes or dashes,
    "04/03/2024" is 4 March in Europe and April 3 in the US: refused unless a part is over 12.
    """
    numeric = NUMERIC_DAY.match(value or "")
    if numeric:
        first, separator, second, year = numeric.groups()
        day, month = int(first), int(second)
        if separator != ".":
            if day != month and max(day, month) <= 12:
                return None
            day, month = (day, month) if day > 12 else (month, day)
        value = f"{year}-{month:02d}-{day:02d}"
    return value if value and parse_datetime_utc(value) is not None else None


def _article_time_elements(tree) -> Iterator:
    """``<time>`` elements outside navigation, sidebars and footers, not marked or labelled as updates."""
    for element in tree.iter("time"):
        if _marked_update(element):
            continue
        if not any(ancestor.tag in OUTSIDE_ARTICLE_TAGS for ancestor in element.iterancestors()):
            yield element


def _marked_update(element) -> bool:
    """Its class or itemprop says "updated", or its short parent reads like "Updated: <time>"."""
    if UPDATE_WORDS.search(f"{element.get('class') or ''} {element.get('itemprop') or ''}"):
        return True
    parent = element.getparent()
    context = _short_text(parent) if parent is not None else None
    return bool(context and UPDATE_WORDS.search(context))
