"""Fetch stages: feeds over HTTP, and the linked pages of short feed entries.

Requests are grouped by host (split into ``max_per_host`` lanes), so one
worker thread walks each lane in turn: together with the fetcher's per-host
semaphore this keeps at most ``max_per_host`` requests in flight per host.
Heavy objects are built on the worker: the HTTP session in ``setup()``, the page
extractor's child process when the first page needs it.
"""
import logging
import zlib
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urldefrag, urlsplit

import apache_beam as beam
from apache_beam import pvalue

from transforms.dead_letter import DEAD_LETTER, CaughtFailure, GuardedFn
from transforms.errors import RejectError
from transforms.sources.feed_xml import content_type_charset
from transforms.sources.feeds import split_feed
from transforms.sources.files import within_record_limit
from transforms.sources.page_filters import HEAD_BYTES, PageFilter
from transforms.sources.timed_extraction import TimedExtractor
from transforms.web.http_client import Fetcher
from transforms.web.linked_pages import merge_entry_and_page, needs_page
from schemas.records import RawDocument

_LOGGER = logging.getLogger(__name__)

__all__ = ["FetchFeeds", "FetchFeedFn", "FetchLinkedPages", "NOT_MODIFIED", "VALIDATORS", "PAGE_FAILURES"]

NOT_MODIFIED = "not_modified"
VALIDATORS = "validators"
PAGE_FAILURES = "page_failures"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
PAGE_CACHE_SIZE = 32


def host_lane(url: str, lanes: int) -> str:
    """Grouping key: the URL's host and one of ``lanes`` lanes, chosen by the URL without its
    fragment (entries linking to one page share a lane, and its page cache)."""
    page = urldefrag(url)[0]
    return f"{(urlsplit(page).hostname or '').lower()}#{zlib.crc32(page.encode('utf-8')) % lanes}"


def charset_of(headers) -> str:
    return content_type_charset(headers.get("content-type"))


class _ByHostLane(beam.PTransform):
    """Elements -> the same elements, regrouped so each host lane is walked serially."""

    def __init__(self, url_of, lanes):
        super().__init__()
        self._url_of = url_of
        self._lanes = lanes

    def expand(self, pcoll):
        return (
            pcoll
            | "KeyByHost" >> beam.Map(lambda e, f=self._url_of, n=self._lanes: (host_lane(f(e), n), e))
            | "GroupByHost" >> beam.GroupByKey()
            | "Ungroup" >> beam.FlatMap(lambda kv: kv[1])
        )


class _UsesFetcher:
    """DoFn mixin: one HTTP client per DoFn instance, built in setup(), closed in teardown()."""

    _policy = None
    _fetcher = None

    def setup(self):
        super().setup()
        self._fetcher = Fetcher(self._policy)

    def teardown(self):
        if self._fetcher is not None:
            self._fetcher.close()


class FetchFeedFn(_UsesFetcher, GuardedFn):
    """FeedRequest -> the feed's records (conditional GET), NOT_MODIFIED, VALIDATORS, rejected rows."""

    stage = "fetch"

    def __init__(self, run_id, policy, max_record_bytes):
        super().__init__(run_id)
        self._policy = policy
        self._max_record = max_record_bytes

    def describe(self, element):
        return element.url, b""

    def transform(self, request):
        result = self._fetcher.fetch(request.url, request.etag, request.last_modified, accept=FEED_ACCEPT)
        if result.not_modified:
            yield pvalue.TaggedOutput(NOT_MODIFIED, request.url)
            return
        try:
            records = list(split_feed(result.body, request.url, "feed", result.headers))
        except RejectError as err:
            yield self.reject(request.url, result.body, err.reason, err.message)
            return
        validators = {"etag": result.etag, "last_modified": result.last_modified,
                      "fetched_at": datetime.now(timezone.utc).isoformat()}
        yield pvalue.TaggedOutput(VALIDATORS, (request.url, validators))
        yield from within_record_limit(records, self._max_record, self.reject)  # as for a saved feed file


class FetchFeeds(beam.PTransform):
    """FeedRequests -> RawDocuments of their entries, plus tagged outputs
    ``rejected``, ``not_modified`` (URLs answered 304) and ``validators``."""

    def __init__(self, run_id, policy, max_record_bytes):
        super().__init__()
        self._run_id = run_id
        self._policy = policy
        self._max_record = max_record_bytes

    def expand(self, requests):
        return (
            requests
            | "ByHost" >> _ByHostLane(lambda r: r.url, self._policy.max_per_host)
            | "Fetch" >> beam.ParDo(FetchFeedFn(self._run_id, self._policy, self._max_record)).with_outputs(
                DEAD_LETTER, NOT_MODIFIED, VALIDATORS, main="records")
        )


class _FetchPageFn(_UsesFetcher, beam.DoFn):
    """Short entry -> entry merged with its page. A failed page keeps the entry: the failure is
    judged by the dead-letter policy (``CaughtFailure``), as in every stage, but it is not a
    rejected row: its reason goes to ``page_failures``, and the entry goes on as it came. So
    does a page the ``archive:`` filters drop (``filtered_*``: by host or URL pattern before it
    is fetched, by its language hint before it is extracted)."""

    def __init__(self, policy, time_limit_s, page_filters=None):
        super().__init__()
        self._policy = policy
        self._time_limit_s = time_limit_s
        self._filters = page_filters
        self._page_filter = None
        self._extractor = None
        self._pages = OrderedDict()

    def setup(self):
        super().setup()
        filters = self._filters
        self._page_filter = PageFilter(filters) if filters is not None and filters.active else None

    def _check(self, url, headers=None, body=b""):
        """Raise the ``filtered_*`` reason when the page filters drop the page at ``url``."""
        if self._page_filter is None:
            return
        language = headers.get("content-language") if headers is not None else None
        keep, reason = self._page_filter.decide(url, language, body[:HEAD_BYTES])
        if not keep:
            raise RejectError(reason, f"linked page {url} dropped by the archive filters")

    def teardown(self):
        super().teardown()
        if self._extractor is not None:
            self._extractor.close()

    def _extract(self, raw):
        if self._extractor is None:  # the page extractor runs time-limited in a child process
            self._extractor = TimedExtractor(self._time_limit_s)
        return self._extractor(raw)

    def _page(self, url):
        """The extracted page at ``url`` (fragment dropped), or the RejectError it gave: the last
        ``PAGE_CACHE_SIZE`` pages are kept, so the podcast episodes or fragment permalinks that
        all link to one page (one host lane, in turn) fetch it once."""
        key = urldefrag(url)[0]
        if key not in self._pages:
            try:
                self._check(key)
                result = self._fetcher.fetch(key, accept=PAGE_ACCEPT)
                self._check(result.url, result.headers, result.body)
                raw = RawDocument(result.body, result.url, "html", "web", charset_of(result.headers))
                self._pages[key] = replace(self._extract(raw), raw=b"")  # the page's bytes are not kept
            except RejectError as err:
                self._pages[key] = err
            if len(self._pages) > PAGE_CACHE_SIZE:
                self._pages.popitem(last=False)
        page = self._pages[key]
        if isinstance(page, RejectError):
            raise page
        return page

    def process(self, doc):
        with CaughtFailure() as failure:
            merged = merge_entry_and_page(doc, self._page(doc.url))
        if not failure:
            yield merged
            return
        if failure.unexpected:
            _LOGGER.warning("linked page %s failed unexpectedly", doc.url, exc_info=failure.error)
        yield pvalue.TaggedOutput(PAGE_FAILURES, failure.reason)
        yield doc


class FetchLinkedPages(beam.PTransform):
    """ExtractedDocuments -> the same, short feed entries completed from their pages;
    ``page_failures`` carries the reason of each page that could not be used."""

    def __init__(self, policy, mode, min_words, time_limit_s, page_filters=None):
        super().__init__()
        self._policy, self._time_limit_s = policy, time_limit_s
        self._mode = mode
        self._min_words = min_words
        self._filters = page_filters

    def expand(self, docs):
        split = docs | "NeedsPage" >> beam.Partition(
            lambda d, _, mode=self._mode, n=self._min_words: int(needs_page(d, mode, n)), 2)
        fetched = (
            split[1]
            | "ByHost" >> _ByHostLane(lambda d: d.url, self._policy.max_per_host)
            | "FetchPages" >> beam.ParDo(_FetchPageFn(self._policy, self._time_limit_s, self._filters)).with_outputs(PAGE_FAILURES, main="docs")
        )
        merged = (split[0], fetched.docs) | "AllDocs" >> beam.Flatten()
        return {"docs": merged, PAGE_FAILURES: fetched[PAGE_FAILURES]}
