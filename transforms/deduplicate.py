"""Deduplicate stage: one copy per article within a run and across runs, and
near-duplicates linked to their earliest copy (``duplicate_of``).

Every dropped copy leaves a record on the ``duplicates`` output (its id, the id
of the copy kept, the reason, its source), written to ``OUT/duplicates/`` and
counted in the manifest: ``duplicate_id`` / ``duplicate_content`` (within the
run), ``seen_id`` / ``seen_content`` (already in the dataset). Content hashes
are compared only for texts with a real body (``content_min_words``).

Two groupings decide the exact copies: by ``id``, then by ``content_hash``, each joined
with the history's keys. In a group the winner (``dedup.pick_winner``) stays, the other
copies count as ``duplicate_*``, and the winner itself is dropped as ``seen_*`` when the
dataset already holds that key. Near-duplicates are linked among what is left.
"""
import apache_beam as beam
from apache_beam import pvalue

from transforms.dedup import CURRENT, HISTORY, band_buckets, near_links, order_key, pick_winner

__all__ = ["DeduplicateArticles", "DUPLICATES"]

DUPLICATES = "duplicates"


def duplicate_record(row: dict, kept_id: str, reason: str) -> dict:
    """What the duplicates table says of one dropped copy (run id and time are added at write)."""
    return {"id": row["id"], "kept_id": kept_id, "reason": reason, "source_uri": row.get("source_uri")}


class _KeepNewWinnerFn(beam.DoFn):
    """One group of copies sharing a key: the winner stays unless history has the key;
    every dropped copy leaves a duplicate record naming the copy that was kept."""

    def __init__(self, duplicate_reason, seen_reason):
        self._duplicate, self._seen = duplicate_reason, seen_reason

    def process(self, keyed):
        grouped = keyed[1]
        current = list(grouped["current"])
        if not current:
            return
        winner, losers = pick_winner(current)
        for loser in losers:
            yield pvalue.TaggedOutput(DUPLICATES, duplicate_record(loser, winner["id"], self._duplicate))
        earlier = sorted(grouped["history"])
        if earlier:
            yield pvalue.TaggedOutput(DUPLICATES, duplicate_record(winner, earlier[0], self._seen))
        else:
            yield winner


def _keep_new_one_per(rows, history, field, duplicate_reason, seen_reason):
    """One row per ``field`` value (``duplicate_reason`` for the others), none when history has it."""
    current = rows | f"Current_{field}" >> beam.Map(lambda r, f=field: (r[f], r))
    seen = history | f"Seen_{field}" >> beam.Map(lambda h, f=field: (h[f], h["id"]))
    return ({"current": current, "history": seen}
            | f"Join_{field}" >> beam.CoGroupByKey()
            | f"KeepNew_{field}" >> beam.ParDo(_KeepNewWinnerFn(duplicate_reason, seen_reason))
            .with_outputs(DUPLICATES, main="rows"))


def _keep_new_one_per_body(rows, history, min_words):
    """``_keep_new_one_per`` on the content hash, for rows with at least ``min_words`` body words;
    shorter texts (a teaser, "...", a title-only entry) are deduplicated on their id only."""
    short, long = rows | "HasBody" >> beam.Partition(
        lambda r, _, n=min_words: int((r.get("body_words") or 0) >= n), 2)
    by_hash = _keep_new_one_per(long, history, "content_hash", "duplicate_content", "seen_content")
    kept = (short, by_hash.rows) | "ShortAndKept" >> beam.Flatten()
    return kept, by_hash[DUPLICATES]


def _members(row, origin, threshold, min_words):
    if (row.get("word_count") or 0) < min_words:
        return []
    member = (order_key(origin, row.get("published_at"), row["id"]), row["id"], row["simhash"])
    return [(bucket, member) for bucket in band_buckets(row["simhash"], threshold)]


def _attach_link(keyed):
    grouped = keyed[1]
    links = sorted(grouped["link"])
    for row in grouped["row"]:
        yield dict(row, duplicate_of=links[0][1]) if links else row


class _LinkNearDuplicates(beam.PTransform):
    def __init__(self, threshold, min_words):
        super().__init__()
        self._threshold = threshold
        self._min_words = min_words

    def expand(self, inputs):
        rows, history = inputs
        t, n = self._threshold, self._min_words
        current = rows | "CurrentBands" >> beam.FlatMap(_members, CURRENT, t, n)
        earlier = history | "HistoryBands" >> beam.FlatMap(_members, HISTORY, t, n)
        links = ((current, earlier) | "AllBands" >> beam.Flatten()
                 | "GroupByBand" >> beam.GroupByKey()
                 | "CompareInBand" >> beam.FlatMap(lambda kv, th=t: near_links(list(kv[1]), th))
                 | "EarliestCopy" >> beam.CombinePerKey(min))
        keyed = rows | "KeyById" >> beam.Map(lambda r: (r["id"], r))
        return ({"row": keyed, "link": links} | "JoinLinks" >> beam.CoGroupByKey()
                | "AttachLink" >> beam.FlatMap(_attach_link))


class DeduplicateArticles(beam.PTransform):
    """(articles, history rows) -> {"articles": kept rows, "duplicates": a record per dropped copy}."""

    def __init__(self, near_threshold, near_min_words, content_min_words):
        super().__init__()
        self._threshold = near_threshold
        self._min_words = near_min_words
        self._content_min_words = content_min_words

    def expand(self, inputs):
        rows, history = inputs
        by_id = _keep_new_one_per(rows, history, "id", "duplicate_id", "seen_id")
        kept, by_hash = _keep_new_one_per_body(by_id.rows, history, self._content_min_words)
        if self._threshold > 0:
            kept = (kept, history) | "LinkNearDuplicates" >> _LinkNearDuplicates(self._threshold, self._min_words)
        duplicates = (by_id[DUPLICATES], by_hash) | "AllDuplicates" >> beam.Flatten()
        return {"articles": kept, DUPLICATES: duplicates}
