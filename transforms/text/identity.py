"""Article identity: the key that names one article in this run and in every later one.

Pure Python (no Beam import). Like a feed reader, an entry is keyed on what its
publisher says it is before what it points at:

1. a feed entry's id/guid, scoped to its feed: ``"g" + blake2b12(scope NUL guid)``;
2. its link *with* the fragment: ``"u" + blake2b12(canonical URL#fragment)``, so
   permalinks that differ only by ``#fragment`` stay apart (a link without a fragment
   gives the same id as before schema v2);
3. a record's own id, scoped to its declared source: ``"e" + blake2b12(source NUL id)``;
4. the content: ``"h"`` + the first 24 hex characters of its content hash; for a feed entry
   (no guid, no link) ``"h" + blake2b12(scope NUL title NUL text)`` (``feed_content_key``):
   the same short text in two feeds ("Some text", "...") is two entries, and a text that
   normalises to nothing ("…", "¤") still has a key of its own.

``blake2b12`` is ``hashlib.blake2b(utf8, digest_size=12).hexdigest()``; the ids are the
same on every worker and machine. Two entries with different guids are two articles even
when they share a URL; the canonical URL (no fragment) stays in the ``url`` column.
"""
import hashlib
from typing import Optional

from transforms.text.urls import link_identity

__all__ = ["article_id", "blake24", "feed_content_key"]


def blake24(text: str) -> str:
    """24 hex characters: blake2b with a 12-byte digest of UTF-8 ``text``."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def feed_content_key(scope: str, title: Optional[str], text: str) -> str:
    """The content key of a feed entry with neither guid nor link: its feed, title and exact text."""
    return blake24(f"{scope}\x00{title or ''}\x00{text}")


def _stripped(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def article_id(link: Optional[str], entry_id: Optional[str], scope: Optional[str],
               source: Optional[str], content_hash: str) -> str:
    """The id of one article (see the module docstring for the order).

    ``scope`` is set for feed entries only (the feed their guid is unique in); for other
    records ``entry_id`` is their own id, used after the link. Raises ValueError when it
    has to fall back to an empty ``content_hash``."""
    entry = _stripped(entry_id)
    if entry and _stripped(scope):
        return "g" + blake24(f"{scope.strip()}\x00{entry}")
    link_key = link_identity(link)
    if link_key:
        return "u" + blake24(link_key)
    if entry:
        return "e" + blake24(f"{source or ''}\x00{entry}")
    if not content_hash:
        raise ValueError("article_id: no entry id, no link and an empty content hash")
    return "h" + content_hash[:24].lower()
