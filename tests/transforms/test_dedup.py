"""Deduplication logic (pure) and the DeduplicateArticles stage on the DirectRunner."""
import random
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.dedup import (CURRENT, HISTORY, LATEST, band_buckets, instant, near_links, order_key, pick_winner,
                             richness)
from transforms.deduplicate import DUPLICATES, DeduplicateArticles

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


def test_stage_drops_exact_and_seen_copies_and_links_near_ones():
    rows = [row("a", "ha", simhash=0b0, published=T0), row("a", "hz", published=T1),
            row("b", "ha", published=T1), row("n", "hn", simhash=0b11, published=T1),
            row("s", "hs"), row("k", "hk", simhash=(1 << 63) - 1)]
    history = [{"id": "s", "content_hash": "x", "simhash": 0x00FF_FF00_0000_FFFF, "published_at": T0, "word_count": 100},
               {"id": "h", "content_hash": "hk", "simhash": 0x0FFF_0000_FFFF_0000, "published_at": T0, "word_count": 100}]
    with TestPipeline() as p:
        out = (p | "Rows" >> beam.Create(rows), p | "History" >> beam.Create(history)) | DeduplicateArticles(2, 50, 20)
        assert_that(out["articles"] | beam.Map(lambda r: (r["id"], r["duplicate_of"])),
                    equal_to([("a", None), ("n", "a")]), label="kept")
        assert_that(out[DUPLICATES] | beam.Map(lambda d: (d["id"], d["kept_id"], d["reason"], d["source_uri"])),
                    equal_to([("a", "a", "duplicate_id", "u-a"), ("b", "a", "duplicate_content", "u-b"),
                              ("s", "s", "seen_id", "u-s"), ("k", "h", "seen_content", "u-k")]),
                    label="dropped")


def test_short_texts_are_deduplicated_on_id_only():
    rows = [row("a", "same", words=4), row("b", "same", words=4), row("c", "same", words=0),
            row("d", "long", words=20), row("e", "long", words=20), row("a", "other", words=4)]
    history = [{"id": "x", "content_hash": "same", "simhash": 0, "published_at": T0, "word_count": 4}]
    with TestPipeline() as p:
        out = (p | "Rows" >> beam.Create(rows), p | "History" >> beam.Create(history)) | DeduplicateArticles(0, 50, 20)
        assert_that(out["articles"] | beam.Map(lambda r: r["id"]), equal_to(["a", "b", "c", "d"]), label="kept")
        assert_that(out[DUPLICATES] | beam.Map(lambda d: (d["id"], d["reason"])),
                    equal_to([("a", "duplicate_id"), ("e", "duplicate_content")]), label="dropped")


def test_short_texts_are_never_linked():
    rows = [row("a", "ha", simhash=0, published=T0, words=10), row("b", "hb", simhash=1, published=T1, words=10)]
    with TestPipeline() as p:
        out = (p | "Rows" >> beam.Create(rows), p | "History" >> beam.Create([])) | DeduplicateArticles(3, 50, 20)
        assert_that(out["articles"] | beam.Map(lambda r: r["duplicate_of"]), equal_to([None, None]))


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
