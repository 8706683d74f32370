"""Deduplication logic (pure, no Beam): which copy wins, and which articles are
near-duplicates of earlier ones.

Exact duplicates share an ``id`` or a ``content_hash``; the winner is chosen by
``winner_key`` (a copy with words, then earliest published, then richer metadata, then id and source),
so the result does not depend on the runner's ordering. Near duplicates are
found with simhash: two fingerprints within ``threshold`` bits of each other
agree exactly on at least one of ``threshold + 1`` bands (pigeonhole), so only
articles sharing a band bucket are ever compared.
"""
from datetime import datetime, timedelta, timezone
from typing import Iterable, List, Sequence, Tuple

from transforms.text.fingerprints import hamming_distance

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
LATEST = (1 << 63) - 1  # the instant of a missing date: after every real one
_MASK64 = (1 << 64) - 1
RICH_FIELDS = ("url", "title", "authors", "published_at", "language", "topics", "summary")

HISTORY = 0  # copies already in the dataset come before anything in this run
CURRENT = 1


def instant(value) -> int:
    """Microseconds since the epoch of a date (a datetime, naive meaning UTC, or already such an int).

    Deduplication compares dates as ints (the key files hold them as int64, which DuckDB
    orders directly). A missing date is LATEST."""
    if value is None:
        return LATEST
    if isinstance(value, int):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return (value - _EPOCH) // _MICROSECOND


def richness(row: dict) -> int:
    """How many descriptive fields a row fills (a date counts when present, whatever its value)."""
    dated = row.get("published_at") is not None
    return dated + sum(1 for field in RICH_FIELDS if field != "published_at" and row.get(field))


def winner_key(row: dict) -> tuple:
    """Sort key: the smallest key is the copy that is kept (a copy with words before one without)."""
    wordless = not row.get("word_count")
    return (wordless, instant(row.get("published_at")), -richness(row), row["id"], row.get("source_uri") or "")


def pick_winner(rows: Iterable[dict]) -> Tuple[dict, List[dict]]:
    """(the copy to keep, the others)."""
    ordered = sorted(rows, key=winner_key)
    return ordered[0], ordered[1:]


def band_buckets(simhash: int, threshold: int) -> List[Tuple[int, int]]:
    """(band index, band value) for the ``threshold + 1`` bands of a 64-bit simhash."""
    bands = threshold + 1
    value = simhash & _MASK64
    edges = [round(64 * i / bands) for i in range(bands + 1)]
    return [(i, (value >> edges[i]) & ((1 << (edges[i + 1] - edges[i])) - 1)) for i in range(bands)]


def order_key(origin: int, published_at, article_id: str) -> tuple:
    """Earlier means: already in the dataset, then published earlier, then smaller id."""
    return (origin, instant(published_at), article_id)


def near_links(members: Sequence[tuple], threshold: int) -> List[Tuple[str, tuple]]:
    """For each current-run member, every earlier member within ``threshold`` bits.

    ``members`` are ``(order_key, id, simhash)``; returns ``(id, (order_key, earlier_id))``.
    """
    ordered = sorted(members)
    links = []
    for position, (key, article_id, simhash) in enumerate(ordered):
        if key[0] != CURRENT:
            continue
        for earlier_key, earlier_id, earlier_hash in ordered[:position]:
            if earlier_id != article_id and hamming_distance(simhash, earlier_hash) <= threshold:
                links.append((article_id, (earlier_key, earlier_id)))
    return links
