"""People and topics: author names from bylines, and cleaned topic lists.

Pure Python (no Beam import). Both accept what inputs declare -- strings,
lists, feedparser dicts -- and return de-duplicated tuples in input order.
"""
import re
from typing import Tuple

__all__ = ["split_authors", "clean_topics"]

_BYLINE_PREFIX_RE = re.compile(
    r"^(?:(?:written|reported|words|text|story)\s+)?by\b\s*:?\s*", re.IGNORECASE
)
_LIST_SEP_RE = re.compile(r"\s*[,;|\n]\s*(?:(?:and|&)\s+)?", re.IGNORECASE)  # ", and" too
_AND_RE = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
# a lower-case connector inside a name makes it an organisation, not two people:
# "Center for Drug Evaluation and Research", "Department of Health and Human Services"
_ORGANISATION_CONNECTOR_RE = re.compile(r"\s(?:of|for|the|de|du|des|der|für|on)\s")
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_EMAIL_THEN_NAME_RE = re.compile(rf"^\s*{_EMAIL}\s*\(([^)]*)\)\s*$")  # RSS "a@b.c (Name)"
_EMAIL_RE = re.compile(rf"\(\s*(?:mailto:)?{_EMAIL}\s*\)|<\s*{_EMAIL}\s*>|{_EMAIL}")


def _author_names(text: str):
    """Yield the individual names in one byline string."""
    match = _EMAIL_THEN_NAME_RE.match(text)
    if match:
        text = match.group(1)
    text = _EMAIL_RE.sub(" ", text)
    for item in _LIST_SEP_RE.split(text):
        parts = [item] if _ORGANISATION_CONNECTOR_RE.search(item) else _AND_RE.split(item)
        for part in parts:
            part = " ".join(_BYLINE_PREFIX_RE.sub("", part.strip()).split()).strip(" .:-")
            if any(c.isalpha() for c in part):
                yield part


def _dedupe(items) -> Tuple[str, ...]:
    """``items`` without case-insensitive duplicates, first spelling and order kept."""
    seen, out = set(), []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def split_authors(value) -> Tuple[str, ...]:
    """Author names from a byline string, a list of strings, or feedparser author dicts.

    "By Jane Doe and John Smith", "Jane Doe, John Smith" and "Jane Doe;
    John Smith" all give ("Jane Doe", "John Smith"); an organisation's name
    ("Center for Drug Evaluation and Research") is not split on its "and". A leading "By" is
    removed, e-mail addresses are dropped (RSS "jane@x.org (Jane Doe)" gives
    "Jane Doe"), dicts contribute their "name", duplicates are removed
    case-insensitively and order is kept.
    """
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, dict)) else value
    if not hasattr(items, "__iter__"):
        return ()
    names = []
    for item in items:
        if hasattr(item, "get"):
            item = item.get("name")
        if isinstance(item, str):
            names.extend(_author_names(item))
    return _dedupe(names)


def clean_topics(values) -> Tuple[str, ...]:
    """Topics stripped (inner whitespace collapsed), empties dropped, case-insensitive duplicates removed.

    Accepts None, one string (a single topic), or an iterable of strings or
    of feedparser tag dicts (their "term", else "label"). Order is kept.
    """
    if values is None:
        return ()
    items = [values] if isinstance(values, (str, dict)) else values
    if not hasattr(items, "__iter__"):
        return ()
    topics = []
    for item in items:
        if hasattr(item, "get"):
            item = item.get("term") or item.get("label")
        if isinstance(item, str):
            topic = " ".join(item.split())
            if topic:
                topics.append(topic)
    return _dedupe(topics)
