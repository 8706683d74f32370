"""Deduplication in an unbounded pipeline: Beam keyed state and timers instead of a database.

The batch path decides among all of a run's copies at once (``dedup_sql``). A stream cannot
wait for copies still to come, so here the *first* copy to arrive is kept: rows are keyed by
``id`` (then by ``content_hash``, for rows with at least ``content_min_words`` words), a
stateful DoFn keeps the id of the first row of each key, and every later row of that key is a
duplicate (``duplicate_id`` / ``duplicate_content``) naming it. The state of a key is cleared
by an event-time timer ``lookback`` after its first row, so state is bounded by the keys of
the lookback window, as the batch path's history is by ``dedup.lookback_days``. Keyed state is
per window, so this runs in the global window, before the rows are cut into commit windows.
Near-duplicate linking (``duplicate_of``) is a batch feature.
"""
from typing import Any, Tuple

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import StrUtf8Coder
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Duration

__all__ = ["StreamDeduplicate", "STREAM_DUPLICATES", "content_key", "duplicate_entry"]

STREAM_DUPLICATES = "duplicates"


def duplicate_entry(row: dict, kept_id: str, reason: str) -> dict:
    """A ``duplicates/`` row (its run id and time are set where it is written)."""
    return {"id": row["id"], "kept_id": kept_id, "reason": reason, "source_uri": row.get("source_uri")}


def content_key(row: dict, min_words: int) -> str:
    """The content hash of a row with enough words; a key of its own (its id) otherwise."""
    if (row.get("word_count") or 0) >= min_words and row.get("content_hash"):
        return f"c:{row['content_hash']}"
    return f"i:{row['id']}"


class _FirstSeenFn(beam.DoFn):
    """(key, row) -> the row when it is the key's first within the lookback, else a duplicate entry."""

    KEPT = ReadModifyWriteStateSpec("kept", StrUtf8Coder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, reason: str, lookback_s: float):
        self._reason = reason
        self._lookback = Duration(seconds=lookback_s)

    def process(self, element, timestamp=beam.DoFn.TimestampParam, kept=beam.DoFn.StateParam(KEPT),
                expiry=beam.DoFn.TimerParam(EXPIRY)):
        _, row = element
        first = kept.read()
        if first is None:
            kept.write(row["id"])
            expiry.set(timestamp + self._lookback)
            yield row
        else:
            yield pvalue.TaggedOutput(STREAM_DUPLICATES, duplicate_entry(row, first, self._reason))

    @on_timer(EXPIRY)
    def expire(self, kept=beam.DoFn.StateParam(KEPT)):
        kept.clear()


class StreamDeduplicate(beam.PTransform):
    """Article rows -> ``kept`` rows and ``duplicates`` entries, first copy kept (see above)."""

    def __init__(self, lookback_s: float, content_min_words: int):
        super().__init__()
        self._lookback_s = lookback_s
        self._min_words = content_min_words

    def expand(self, rows):
        by_id = (rows | "KeyById" >> beam.Map(lambda row: (row["id"], row))
                 | "FirstById" >> beam.ParDo(_FirstSeenFn("duplicate_id", self._lookback_s))
                 .with_input_types(Tuple[str, Any]).with_outputs(STREAM_DUPLICATES, main="kept"))
        by_content = (by_id.kept | "KeyByContent" >> beam.Map(lambda row, n=self._min_words: (content_key(row, n), row))
                      | "FirstByContent" >> beam.ParDo(_FirstSeenFn("duplicate_content", self._lookback_s))
                      .with_input_types(Tuple[str, Any]).with_outputs(STREAM_DUPLICATES, main="kept"))
        duplicates = ((by_id[STREAM_DUPLICATES], by_content[STREAM_DUPLICATES])
                      | "AllDuplicates" >> beam.Flatten())
        return {"kept": by_content.kept, STREAM_DUPLICATES: duplicates}
