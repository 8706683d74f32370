"""The unbounded graph of ``newsbeam stream`` on streaming runners (Dataflow, Flink).

One long-running job instead of a batch run per window: feeds polled from a
``PeriodicImpulse`` (their validators kept in Beam state, ``transforms/web/feed_poll.py``),
folders from ``fileio.MatchContinuously``; then the batch path's own read, extract, linked
pages and clean transforms; each source's site boilerplate learned in keyed state
(``transforms/text/stream_site_lines.py``); deduplication in keyed state with timers
(``transforms/dedup/stream_dedup.py``); fixed windows of the poll interval; and a commit per
window pane (``transforms/sinks/window_commit.py``). ``build_unbounded`` takes the records from
any source, so tests drive it with ``TestStream`` on the DirectRunner.
"""
import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.transforms import trigger, window
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Duration, Timestamp

from pipelines.run.graph import partition_specs
from schemas.layout import temp_dir
from transforms.dead_letter import DEAD_LETTER
from transforms.dedup.stream_dedup import STREAM_DUPLICATES, StreamDeduplicate
from transforms.sinks.window_commit import CommitWindows, WriteWindowFiles
from transforms.sources.extract import ExtractDocuments
from transforms.sources.read import ReadInputFiles
from transforms.text.clean import CleanArticles
from transforms.text.stream_site_lines import StripSiteLinesInState
from transforms.web.feed_poll import PollFeeds
from transforms.web.fetch import FetchLinkedPages

__all__ = ["build_unbounded", "unbounded_records", "commit_windowing"]

ALLOWED_LATENESS_S = 24 * 3600  # an item up to a day behind the watermark still lands in its window


def commit_windowing(interval_s: float, lateness_s: float = ALLOWED_LATENESS_S):
    """Fixed windows of the poll interval, fired when the watermark passes, then once per late item."""
    return beam.WindowInto(window.FixedWindows(interval_s),
                           trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
                           accumulation_mode=trigger.AccumulationMode.DISCARDING,
                           allowed_lateness=Duration(seconds=lateness_s))


def unbounded_records(pipeline, settings, ctx, watch, poll_interval_s: float, duration_s=None):
    """RawDocuments from the feeds, polled every ``poll_interval_s``, and the files appearing (or
    changing) under the ``watch`` globs, for ``duration_s`` or for ever; (records, {step: rejected rows})."""
    parts, rejected = [], {}
    start = Timestamp.now()
    stop = start + Duration(seconds=duration_s) if duration_s else MAX_TIMESTAMP
    for number, pattern in enumerate(watch):
        paths = (pipeline | f"Watch{number}" >> fileio.MatchContinuously(
                     pattern, interval=poll_interval_s, start_timestamp=start, stop_timestamp=stop,
                     match_updated_files=True)
                 | f"Path{number}" >> beam.Map(lambda meta: meta.path))
        read = paths | f"ReadFiles{number}" >> ReadInputFiles([], ctx.run_id, settings.max_file_bytes,
                                                               settings.max_record_bytes)
        parts.append(read["records"])
        rejected.update({f"{step}{number}": rows for step, rows in read[DEAD_LETTER].items()})
    if settings.feeds:
        ticks = pipeline | "Poll" >> PeriodicImpulse(start_timestamp=start, stop_timestamp=stop,
                                                     fire_interval=poll_interval_s)
        polled = ticks | "PollFeeds" >> PollFeeds(list(settings.feeds), ctx.run_id, settings.fetch,
                                                  settings.max_record_bytes)
        parts.append(polled["records"])
        rejected["fetch"] = polled[DEAD_LETTER]
    return tuple(parts) | "AllRecords" >> beam.Flatten(), rejected


def build_unbounded(records, settings, ctx, header, interval_s: float, rejected=None,
                    lateness_s: float = ALLOWED_LATENESS_S):
    """RawDocuments (timestamped) -> committed windows; returns the manifests' PCollection."""
    specs = partition_specs(settings, ctx.run_id, temp_dir(settings.output, ctx.run_id, "w"))
    extracted = records | "ExtractDocuments" >> ExtractDocuments(ctx.run_id, settings.extraction_time_s,
                                                                 settings.record_fields)
    documents = extracted.documents
    if settings.feeds and settings.linked_pages != "never":  # its per-host grouping needs windows
        pages = (documents | "PageWindows" >> beam.WindowInto(window.FixedWindows(interval_s))
                 | "LinkedPages" >> FetchLinkedPages(settings.fetch, settings.linked_pages,
                                                     settings.linked_page_min_words, settings.extraction_time_s,
                                                     settings.archive))
        documents = pages["docs"] | "Unwindowed" >> beam.WindowInto(window.GlobalWindows())
    cleaned = documents | "CleanArticles" >> CleanArticles(ctx, settings.rule_packs)
    articles = cleaned.articles
    if settings.site_lines.enabled:
        articles = articles | "SiteLines" >> StripSiteLinesInState(settings.site_lines)
    lookback_s = settings.lookback_days * 86400
    decided = articles | "Deduplicate" >> StreamDeduplicate(lookback_s, settings.content_min_words)
    failures = [*(rejected or {}).values(), extracted[DEAD_LETTER], cleaned[DEAD_LETTER]]
    kinds = {"Articles": (decided["kept"], specs[0]),
             "Rejected": (tuple(failures) | "AllRejected" >> beam.Flatten(), specs[1]),
             "Duplicates": (decided[STREAM_DUPLICATES], specs[2])}
    described = []
    for name, (rows, spec) in kinds.items():
        windowed = rows | f"Window{name}" >> commit_windowing(interval_s, lateness_s)
        described.append(windowed | f"Write{name}" >> WriteWindowFiles(spec, ctx.run_id))
    return (tuple(described) | "AllFiles" >> beam.Flatten()
            | "CommitWindows" >> CommitWindows(settings.output, header))
