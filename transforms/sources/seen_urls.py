"""Pages already in the dataset, by URL: an archived page whose URL an earlier run already
wrote is not extracted again (``archive.skip_seen``), but counted as skipped (``seen_url``).

An article read from a URL has the id ``"u" + blake24(link)`` (``transforms/text/identity.py``),
so the ids of the committed article files in the lookback window say which links are in the
dataset. They are kept as a sorted array of 64-bit prefixes (8 bytes per article; a false
match needs two 64-bit prefixes to collide). Pure: no Beam.
"""
from typing import Iterable, Optional

import numpy as np

from transforms.text.identity import blake24
from transforms.text.urls import link_identity

__all__ = ["SeenUrls", "url_prefix"]

URL_ID = "u"


def url_prefix(article_id: str) -> Optional[int]:
    """The 64-bit prefix of a URL-based article id, or None for another kind of id."""
    if not article_id or article_id[0] != URL_ID or len(article_id) < 17:
        return None
    try:
        return int(article_id[1:17], 16) - (1 << 63)
    except ValueError:
        return None


class SeenUrls:
    """The links earlier runs wrote articles for."""

    def __init__(self, article_ids: Iterable[str]):
        prefixes = (url_prefix(article_id) for article_id in article_ids)
        self._sorted = np.unique(np.fromiter((p for p in prefixes if p is not None), dtype=np.int64))

    def __len__(self) -> int:
        return len(self._sorted)

    def seen(self, url: Optional[str]) -> bool:
        """Whether an article with ``url``'s link id is in the dataset."""
        link = link_identity(url)
        if not link or not len(self._sorted):
            return False
        prefix = url_prefix(URL_ID + blake24(link))
        index = np.searchsorted(self._sorted, prefix)
        return bool(index < len(self._sorted) and self._sorted[index] == prefix)
