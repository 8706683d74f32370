"""trafilatura's reading of a page's metadata, its two costly fields read only when used.

trafilatura's ``extract_metadata`` reads every field on every call: when the meta tags
name no author it copies and prunes the whole page to search for one (~9 ms a page), it
runs htmldate even when the caller has a date, and it reads a licence newsbeam does not
keep. ``PageGuesses(tree)`` runs the same steps of ``trafilatura.metadata``, in the same
order, for the cheap fields (meta tags, JSON-LD, title, URL, site name, categories, tags);
``author`` and ``date()`` run the author search and htmldate only when asked for. Each
field is what ``extract_metadata`` would give. ``tree`` is never changed.
"""
import logging
from functools import cached_property
from html import unescape
from typing import Optional

from htmldate import find_date
from trafilatura.metadata import (
    META_URL, examine_meta, extract_author, extract_catstags, extract_meta_json, extract_sitename,
    extract_title, extract_url,
)
from trafilatura.utils import line_processing

__all__ = ["PageGuesses"]

_DATES = {"original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
MAX_FIELD_CHARS = 10_000  # trafilatura's limit on a metadata string
_LOG = logging.getLogger(__name__)


class PageGuesses:
    """trafilatura's metadata of one parsed page: cheap fields at once, author and date on demand."""

    def __init__(self, tree):
        self._tree = tree
        document = _declared(tree)
        self._declared_author, document.author = document.author, None
        document.title = document.title or extract_title(tree)
        document.url = document.url or extract_url(tree)
        document.sitename = _site_name(document.sitename or extract_sitename(tree), document.url)
        document.categories = document.categories or extract_catstags("category", tree)
        document.tags = document.tags or extract_catstags("tag", tree)
        document.clean_and_trim()
        self.document = document  # a trafilatura Document without author, date, host and licence

    @cached_property
    def author(self) -> Optional[str]:
        """The author the meta tags name, else trafilatura's search of the page (";"-separated)."""
        return _clean(self._declared_author or extract_author(self._tree))

    def date(self, search_text: bool) -> Optional[str]:
        """htmldate's publication date; ``search_text`` adds its costly search of the page's free text."""
        return _clean(find_date(self._tree, **_DATES, extensive_search=search_text, url=self.document.url))


def _declared(tree):
    """Meta tags, then JSON-LD over them; an author without a space is not a name (trafilatura's rule)."""
    document = examine_meta(tree)
    if document.author and " " not in document.author:
        document.author = None
    try:
        return extract_meta_json(tree, document)
    except Exception as exc:  # noqa: BLE001 -- trafilatura's own guard: bugs in its JSON-LD reader
        _LOG.warning("trafilatura's JSON-LD reader failed: %s", exc)
        return document


def _site_name(name: Optional[str], url: Optional[str]) -> Optional[str]:
    """trafilatura's site name: without a leading "@", capitalised; else the URL's host."""
    if name:
        name = name.lstrip("@")
        return name.title() if name and "." not in name and not name[0].isupper() else name
    match = META_URL.match(url) if url else None
    return match[1] if match else None


def _clean(value: Optional[str]) -> Optional[str]:
    """trafilatura's ``clean_and_trim`` for one string."""
    if not value:
        return value
    if len(value) > MAX_FIELD_CHARS:
        value = value[:MAX_FIELD_CHARS - 1] + "…"
    return line_processing(unescape(value))
