"""The out-of-core decider (DuckDB) decides as the pure reference rules in transforms/dedup/rules.py."""
import random

import pyarrow as pa
import pytest

from transforms.dedup.rules import CURRENT, HISTORY, LATEST, band_buckets, near_links, order_key, pick_winner
from transforms.dedup.dedup_sql import HISTORY_KEY_SCHEMA, KEY_SCHEMA, DedupDecider, DedupParams, band_edges


def key(article_id, content_hash, simhash=0, published=LATEST, words=100, filled=0, staged_row=0):
    """A staged key row; its first ``filled`` descriptive fields are set (for the reference's ``richness``)."""
    fields = {name: True for name in ("url", "title", "authors", "language", "topics", "summary")[:filled]}
    return {"staged_row": staged_row, "part": '[["dt", "2024-01-01"]]', "id": article_id,
            "content_hash": content_hash, "simhash": simhash, "published_at": published, "word_count": words,
            "body_words": words, "richness": filled + (published != LATEST),
            "source_uri": f"u-{article_id}-{staged_row}", "duplicate_of": None, **fields}


def decide(rows, history, threshold=0, near_words=50, content_words=20, files=1):
    """(kept {id: duplicate_of}, sorted dropped [(id, kept_id, reason)]) from the decider."""
    with DedupDecider(DedupParams(threshold, near_words, content_words, memory_mb=64)) as decider:
        for number in range(files):
            mine = [r for i, r in enumerate(rows) if i % files == number]
            if mine:
                decider.add_current(pa.RecordBatch.from_pylist(mine, KEY_SCHEMA), number)
        if history:
            decider.add_history(pa.Table.from_pylist(history, HISTORY_KEY_SCHEMA))
        decider.decide()
        kept = [r for b in decider.kept_batches() for r in b.to_pylist()]
        dropped = sorted((r["id"], r["kept_id"], r["reason"]) for b in decider.duplicate_batches() for r in b.to_pylist())
        counts = decider.reason_counts()
    assert sum(counts.values()) == len(dropped) and len(kept) + len(dropped) == len(rows)
    assert [(r["staged_file"], r["staged_row"]) for r in kept] == sorted((r["staged_file"], r["staged_row"]) for r in kept)
    id_of = {(i % files, r["staged_row"]): r["id"] for i, r in enumerate(rows)}
    return {id_of[(r["staged_file"], r["staged_row"])]: r["duplicate_of"] for r in kept}, dropped


def reference(rows, history, threshold, near_words, content_words):
    """The same decisions from dedup.py's pure functions, as the Beam stage made them."""
    rows = [dict(r, published_at=None if r["published_at"] == LATEST else r["published_at"]) for r in rows]
    dropped, kept = [], []
    seen_ids = {h["id"] for h in history}
    for group in _groups(rows, "id"):
        winner, losers = pick_winner(group)
        dropped += [(r["id"], winner["id"], "duplicate_id") for r in losers]
        (dropped.append((winner["id"], winner["id"], "seen_id")) if winner["id"] in seen_ids else kept.append(winner))
    long = [r for r in kept if r["body_words"] >= content_words]
    kept = [r for r in kept if r["body_words"] < content_words]
    for group in _groups(long, "content_hash"):
        winner, losers = pick_winner(group)
        dropped += [(r["id"], winner["id"], "duplicate_content") for r in losers]
        earlier = sorted(h["id"] for h in history if h["content_hash"] == winner["content_hash"])
        (dropped.append((winner["id"], earlier[0], "seen_content")) if earlier else kept.append(winner))
    links = {}
    if threshold:
        members = [(order_key(CURRENT, r["published_at"], r["id"]), r["id"], r["simhash"]) for r in kept
                   if r["word_count"] >= near_words]
        members += [(order_key(HISTORY, h["published_at"], h["id"]), h["id"], h["simhash"]) for h in history
                    if h["word_count"] >= near_words]
        for article_id, earlier in near_links(members, threshold):
            links[article_id] = min(links.get(article_id, earlier), earlier)
    return {r["id"]: links[r["id"]][1] if r["id"] in links else r["duplicate_of"] for r in kept}, sorted(dropped)


def _groups(rows, field):
    groups = {}
    for r in rows:
        groups.setdefault(r[field], []).append(r)
    return groups.values()


def random_case(rng):
    def simhash():
        base = rng.choice([0, -1, (1 << 62) + 12345, -(1 << 40)])
        for bit in rng.sample(range(64), rng.randint(0, 6)):
            base ^= 1 << bit
        base &= (1 << 64) - 1
        return base - (1 << 64) if base >= 1 << 63 else base

    rows = [key(f"id{rng.randint(0, 12)}", f"h{rng.randint(0, 8)}", simhash(), rng.choice([LATEST, 5, 9, 9]),
                rng.choice([0, 3, 25, 60, 60]), rng.randint(0, 3), staged_row=n) for n in range(rng.randint(1, 40))]
    history = [{"id": f"id{rng.randint(8, 20)}", "content_hash": f"h{rng.randint(6, 12)}", "simhash": simhash(),
                "published_at": rng.choice([LATEST, 1, 7]), "word_count": rng.choice([0, 60])}
               for _ in range(rng.randint(0, 6))]
    return rows, history


@pytest.mark.parametrize("seed", range(60))
def test_decisions_match_the_reference_rules(seed):
    rng = random.Random(seed)
    rows, history = random_case(rng)
    threshold, files = rng.choice([0, 1, 3, 5]), rng.choice([1, 3])
    expected = reference(rows, history, threshold, 50, 20)
    assert decide(rows, history, threshold, 50, 20, files) == expected


def test_exact_seen_and_near_copies():
    rows = [key("a", "ha", simhash=0b0, published=1), key("a", "hz", published=2, staged_row=1),
            key("b", "ha", published=2, staged_row=2), key("n", "hn", simhash=0b11, published=2, staged_row=3),
            key("s", "hs", staged_row=4), key("k", "hk", simhash=(1 << 63) - 1, staged_row=5)]
    history = [{"id": "s", "content_hash": "x", "simhash": 0x00FF_FF00_0000_FFFF, "published_at": 1, "word_count": 100},
               {"id": "h", "content_hash": "hk", "simhash": 0x0FFF_0000_FFFF_0000, "published_at": None,
                "word_count": 100}]
    kept, dropped = decide(rows, history, threshold=2)
    assert kept == {"a": None, "n": "a"}
    assert dropped == sorted([("a", "a", "duplicate_id"), ("b", "a", "duplicate_content"), ("s", "s", "seen_id"),
                              ("k", "h", "seen_content")])


def test_short_texts_are_deduplicated_on_id_only_and_never_linked():
    rows = [key("a", "same", words=4), key("b", "same", words=4, staged_row=1), key("c", "same", words=0, staged_row=2),
            key("d", "long", words=20, staged_row=3), key("e", "long", words=20, staged_row=4),
            key("a", "other", words=4, staged_row=5)]
    history = [{"id": "x", "content_hash": "same", "simhash": 0, "published_at": 1, "word_count": 4}]
    kept, dropped = decide(rows, history, threshold=3)
    assert kept == {"a": None, "b": None, "c": None, "d": None}
    assert [(i, reason) for i, _, reason in dropped] == [("a", "duplicate_id"), ("e", "duplicate_content")]


def test_band_edges_are_the_reference_bands():
    rng = random.Random(3)
    for threshold in (1, 2, 5, 16):
        for _ in range(50):
            value = rng.getrandbits(64) - (1 << 63)
            assert [(i, (value >> low) & mask) for i, low, mask in band_edges(threshold)] == \
                band_buckets(value, threshold)
