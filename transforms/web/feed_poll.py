"""Feeds polled by an unbounded pipeline, their validators kept in Beam state.

Each tick of a ``PeriodicImpulse`` becomes one request per feed, keyed by URL; a stateful
DoFn holds the feed's last ETag / Last-Modified (what the batch path saves in
``_state/feeds.json``), fetches conditionally with the batch path's own fetch step
(``fetch.FetchFeedFn``: same limits, guard and reasons), and keeps the new validators in
state. An unchanged feed costs one 304 per poll. State is per key and window, so the ticks
stay in the global window.
"""
import json
from typing import Any, Tuple

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import StrUtf8Coder
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from transforms.dead_letter import DEAD_LETTER
from transforms.sinks.feed_state import FeedRequest
from transforms.web.fetch import NOT_MODIFIED, VALIDATORS, FetchFeedFn

__all__ = ["PollFeeds"]


class _PollFeedFn(beam.DoFn):
    """(url, tick) -> the feed's records, rejected rows (DEAD_LETTER) and NOT_MODIFIED urls."""

    VALIDATORS_STATE = ReadModifyWriteStateSpec("validators", StrUtf8Coder())

    def __init__(self, run_id, policy, max_record_bytes):
        self._fetch = FetchFeedFn(run_id, policy, max_record_bytes)

    def setup(self):
        self._fetch.setup()

    def teardown(self):
        self._fetch.teardown()

    def process(self, element, saved=beam.DoFn.StateParam(VALIDATORS_STATE)):
        url = element[0]
        validators = json.loads(saved.read() or "{}")
        request = FeedRequest(url, validators.get("etag"), validators.get("last_modified"))
        for output in self._fetch.process(request):
            if isinstance(output, pvalue.TaggedOutput) and output.tag == VALIDATORS:
                saved.write(json.dumps(output.value[1], sort_keys=True))
            else:
                yield output


class PollFeeds(beam.PTransform):
    """Ticks -> ``records`` of the feeds' entries, ``rejected`` rows and ``not_modified`` urls."""

    def __init__(self, urls, run_id, policy, max_record_bytes):
        super().__init__()
        self._urls = list(dict.fromkeys(urls))
        self._fn = _PollFeedFn(run_id, policy, max_record_bytes)

    def expand(self, ticks):
        return (ticks | "Requests" >> beam.FlatMap(lambda tick, urls=self._urls: [(url, tick) for url in urls])
                .with_output_types(Tuple[str, Any])
                | "Fetch" >> beam.ParDo(self._fn).with_input_types(Tuple[str, Any]).with_outputs(DEAD_LETTER, NOT_MODIFIED, main="records"))
