"""Deduplication logic (pure): the reference rules that transforms/dedup/dedup_sql.py runs at scale."""
import random
from datetime import datetime, timezone

from transforms.dedup.rules import (CURRENT, HISTORY, LATEST, band_buckets, instant, near_links, order_key, pick_winner,
                             richness)

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
T1 = datetime(2024, 1, 2, tzinfo=timezone.utc)


def row(article_id, content_hash, simhash=0, published=None, words=100, **extra):
    return {"id": article_id, "content_hash": content_hash, "simhash": simhash, "published_at": published,
            "word_count": words, "body_words": words, "source_uri": f"u-{article_id}", "duplicate_of": None,
            **extra}


def test_winner_is_earliest_then_richest_whatever_the_order():
    rows = [row("b", "h", published=T1), row("a", "h", published=None, title="x"),
            row("c", "h", published=T0), row("d", "h", published=T0, title="t", url="u")]
    for _ in range(10):
        random.shuffle(rows)
        winner, losers = pick_winner(rows)
        assert winner["id"] == "d" and len(losers) == 3


def test_bands_share_a_bucket_whenever_hashes_are_close():
    rng = random.Random(7)
    for threshold in (1, 3, 5, 8):
        for _ in range(200):
            a = rng.getrandbits(64)
            b = a
            for bit in rng.sample(range(64), rng.randint(0, threshold)):
                b ^= 1 << bit
            assert set(band_buckets(a, threshold)) & set(band_buckets(b, threshold))


def test_near_links_point_to_earlier_members_only():
    old = (order_key(HISTORY, T1, "old"), "old", 0b1111)
    first = (order_key(CURRENT, T0, "first"), "first", 0b1110)
    later = (order_key(CURRENT, T1, "later"), "later", 0b0110)
    far = (order_key(CURRENT, T0, "far"), "far", (1 << 40) - 1)
    links = near_links([later, far, first, old], threshold=2)
    assert sorted((i, e[1]) for i, e in links) == [("first", "old"), ("later", "first"), ("later", "old")]


def test_instants_are_integer_microseconds_in_date_order():
    assert instant(datetime(1970, 1, 1, 0, 0, 1, tzinfo=timezone.utc)) == 1_000_000
    assert instant(datetime(2024, 1, 1)) == instant(T0)  # naive means UTC
    assert instant(instant(T1)) == instant(T1) and instant(None) == LATEST
    assert instant(T0) < instant(T1) < instant(None)
    epoch = row("e", "h", published=datetime(1970, 1, 1, tzinfo=timezone.utc))
    assert richness(epoch) == richness(dict(epoch, published_at=instant(epoch["published_at"]))) == 1


def test_a_copy_with_words_wins_over_a_title_only_one():
    title_only = row("a", "h0", published=T0, words=0, title="Release")
    with_text = row("a", "h1", published=T1, words=3)
    for rows in ([title_only, with_text], [with_text, title_only]):
        assert pick_winner(rows)[0] is with_text
