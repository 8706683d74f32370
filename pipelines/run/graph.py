"""The pipeline's graph: files and feeds -> clean articles, duplicates and rejected rows -> Parquet
-> one commit. ``build_pipeline`` only wires stages (``pipelines/run/launch.py`` runs it)."""
import functools
import operator
import uuid

import apache_beam as beam

from schemas import ARTICLE_SCHEMA, DUPLICATE_SCHEMA, REJECTED_SCHEMA
from transforms.text.article import partition_date
from transforms.text.clean import CleanArticles
from transforms.text.site_boilerplate import REMOVED_COUNTS, STATE_FILE, LearnSiteLines, StripSiteLines
from transforms.sinks.commit import CommitRun, CountPerBundleFn, CountRejectsByReason, MergeReasonStats
from transforms.dead_letter import DEAD_LETTER
from transforms.sources.extract import ExtractDocuments
from schemas.layout import ARTICLES, DUPLICATES as DUPLICATES_KIND, REJECTED as REJECTED_KIND, join, temp_dir
from transforms.sinks.parquet_sink import PartitionSpec, WriteParquetPartitions
from transforms.sources.read import ARCHIVE_SKIPPED, ReadInputFiles
from transforms.dedup.staged_rows import StageRows, WriteKeptRows
from transforms.dedup.dedup_sql import DedupParams
from transforms.dedup.deduplicate import DUPLICATE_COUNTS, DUPLICATE_FILES, DeduplicateStaged
from transforms.web.fetch import NOT_MODIFIED, PAGE_FAILURES, VALIDATORS, FetchFeeds, FetchLinkedPages

# The steps the progress line names while they run (pipelines/cli/progress.py), by their labels
# below (a path for a step inside one): renaming a step without its entry here fails
# tests/pipelines/run/test_graph.py.
STEP_PHASES = {
    "ReadFiles": "reading files",
    "FetchFeeds": "fetching feeds",
    "ExtractDocuments": "extracting text",
    "LinkedPages": "fetching linked pages",
    "CleanArticles": "cleaning",
    "StageArticles": "staging rows",
    "LearnSiteLines": "learning site boilerplate",
    "StripSiteLines": "removing site boilerplate",
    "Deduplicate": "deduplicating",
    "WriteArticles": "writing Parquet",
    "WriteRejected": "writing Parquet",
    "CommitRun/Commit": "committing",
}


def partition_specs(settings, run_id: str, tmp: str):
    """(articles spec, rejected spec, duplicates spec) for one run."""
    common = dict(output=settings.output, temp_dir=tmp, run_id=run_id,
                  max_rows_per_file=settings.max_rows_per_file, compression=settings.compression,
                  **settings.writer_sizes)
    use_published = settings.partition_date == "published"
    articles = PartitionSpec(kind=ARTICLES, schema=ARTICLE_SCHEMA, columns=settings.partition_columns,
                             date_of=functools.partial(partition_date, use_published=use_published), **common)
    rejected = PartitionSpec(kind=REJECTED_KIND, schema=REJECTED_SCHEMA, columns=(),
                             date_of=operator.itemgetter("rejected_at"), **common)
    duplicates = PartitionSpec(kind=DUPLICATES_KIND, schema=DUPLICATE_SCHEMA, columns=(),
                               date_of=operator.itemgetter("recorded_at"), **common)
    return articles, rejected, duplicates


def _count(pcoll, label, each=False, step=""):
    """(label, n) per bundle (``each``: every element is its own label); summed in ``count_labels``.
    ``step`` tells apart several counts of one label."""
    return pcoll | f"Count_{label}{step}" >> beam.ParDo(CountPerBundleFn(None if each else label))


def count_labels(partial_counts, pipeline):
    """(label, count) for every counter of the run, in one combine (a stage per counter is slow
    on the DirectRunner, which runs stages one at a time). A label never seen is absent: 0."""
    return _flatten(partial_counts, "AllCounts", pipeline) | "SumCounts" >> beam.CombinePerKey(sum)


def _flatten(parts, label, pipeline=None):
    """One PCollection of ``parts``. A single part is returned as it is: a Flatten makes the
    local runner hold all its elements in memory between stages."""
    parts = list(parts)
    if not parts:
        return pipeline | label >> beam.Create([])
    if len(parts) == 1:
        return parts[0]
    return tuple(parts) | label >> beam.Flatten()


def read_sources(pipeline, settings, ctx, inputs, feed_requests, history_paths=()):
    """Files and feeds -> (records, {step: read-stage rejects}, counts, feed validators);
    ``history_paths``: committed article files whose URLs archived pages are not extracted again."""
    records, rejected, counts, validators = [], {}, [], []
    if inputs:
        read = pipeline | "ReadFiles" >> ReadInputFiles(inputs, ctx.run_id, settings.max_file_bytes,
                                                       settings.max_record_bytes, archive_filters=settings.archive,
                                                       seen_paths=history_paths if settings.archive_skip_seen else ())
        records.append(read["records"])
        rejected.update(read[DEAD_LETTER])
        counts.append(_count(read["files"], "files_matched"))
        skipped = read[ARCHIVE_SKIPPED] | "ArchiveSkippedKey" >> beam.Map(lambda kind: f"archive_skipped/{kind}")
        counts.append(_count(skipped, "archive_skipped", each=True))
    if feed_requests:
        feeds = (pipeline | "FeedRequests" >> beam.Create(feed_requests)
                 | "FetchFeeds" >> FetchFeeds(ctx.run_id, settings.fetch, settings.max_record_bytes))
        records.append(feeds.records)
        rejected["fetch"] = feeds[DEAD_LETTER]
        counts.append(_count(feeds[NOT_MODIFIED], "feeds_not_modified"))
        counts.append(_count(feeds[VALIDATORS], "feeds_fetched"))  # one per feed fetched and read
        validators.append(feeds[VALIDATORS])
    records = _flatten(records, "AllRecords")
    counts.append(_count(records, "records"))
    counts += [_count(rows, "read_rejected", step=f"_{step}") for step, rows in rejected.items()]
    return records, rejected, counts, _flatten(validators, "AllValidators", pipeline)


def write_rejected(rejected: dict, spec, pipeline):
    """Each step's rejected rows written, and counted by reason, in the step's own stage; only
    file descriptions and per-reason numbers travel on -> (files, reason stats)."""
    files = [rows | f"WriteRejected_{step}" >> WriteParquetPartitions(spec) for step, rows in rejected.items()]
    stats = [rows | f"RejectReasons_{step}" >> CountRejectsByReason() for step, rows in rejected.items()]
    return files, _flatten(stats, "AllReasonStats", pipeline) | "MergeReasons" >> MergeReasonStats()


def complete_from_pages(documents, settings, counts, feeds_fetched: bool):
    """Short feed entries completed from their linked pages (when configured and feeds are read)."""
    if settings.linked_pages == "never" or not feeds_fetched:
        return documents
    pages = documents | "LinkedPages" >> FetchLinkedPages(settings.fetch, settings.linked_pages,
                                                         settings.linked_page_min_words, settings.extraction_time_s,
                                                         settings.archive)
    failures = pages[PAGE_FAILURES] | "PageFailureKey" >> beam.Map(page_counter)
    counts.append(_count(failures, "page_failures", each=True))
    return pages["docs"]


def page_counter(reason: str) -> str:
    """The manifest counter of a linked page not used: ``page_skipped/filtered_*`` for one the
    archive filters drop, ``page_failed/<reason>`` for one that failed."""
    return f"page_skipped/{reason}" if reason.startswith("filtered_") else f"page_failed/{reason}"


def document_fixes(doc) -> list:
    """One label per value the extract step could not keep as it was: a date it could not read
    (``date_unparsed``), an invalid character it replaced or dropped (``invalid_chars``)."""
    return ["date_unparsed"] * doc.unparsed_dates + ["invalid_chars"] * doc.invalid_chars


def deduplicate(staged, settings, ctx, history_paths, counts, spec, tmp):
    """Within-run and cross-run deduplication of the staged rows -> ((rows file, decisions file)
    pairs, the duplicates' files); dropped copies are counted per reason."""
    params = DedupParams(settings.near_threshold, settings.near_min_words, settings.content_min_words,
                         settings.dedup_memory_mb)
    stamp = {"run_id": ctx.run_id, "recorded_at": ctx.ingested_at}
    decided = staged | "Deduplicate" >> DeduplicateStaged(params, history_paths, spec, stamp, join(tmp, "decisions"))
    counts.append(decided[DUPLICATE_COUNTS])
    return decided.kept, decided[DUPLICATE_FILES]


def strip_site_boilerplate(staged, settings, ctx, state_paths, counts, spec, tmp):
    """Each source's repeated lines learned (this run and the state) and removed from the staged
    rows -> (staged files, the run's state file descriptions)."""
    params = settings.site_lines
    learned = staged | "LearnSiteLines" >> LearnSiteLines(params, state_paths, tmp, ctx.run_id)
    stripped = (staged, learned["learned"]) | "StripSiteLines" >> StripSiteLines(join(tmp, "staged"), spec, params)
    counts.append(stripped[REMOVED_COUNTS])
    return stripped.staged, learned[STATE_FILE]


def build_pipeline(pipeline, settings, ctx, inputs, feed_requests, header, history_paths=(), site_state_paths=()):
    """Wire sources -> extract -> clean -> write -> commit; returns the manifest PCollection."""
    tmp = temp_dir(settings.output, ctx.run_id, uuid.uuid4().hex[:8])
    article_spec, rejected_spec, duplicate_spec = partition_specs(settings, ctx.run_id, tmp)
    records, read_rejected, counts, validators = read_sources(pipeline, settings, ctx, inputs, feed_requests,
                                                              history_paths)
    extracted = records | "ExtractDocuments" >> ExtractDocuments(ctx.run_id, settings.extraction_time_s,
                                                                 settings.record_fields)
    documents = complete_from_pages(extracted.documents, settings, counts, bool(feed_requests))
    counts.append(_count(documents | "FixedValues" >> beam.FlatMap(document_fixes), "document_fixes", each=True))
    cleaned = documents | "CleanArticles" >> CleanArticles(ctx, settings.rule_packs)
    # Rows and their keys wait in temp Parquet; deduplication decides out of core (transforms/dedup/staged_rows.py).
    line_words = settings.site_lines.max_line_words if settings.site_lines.enabled else None
    staged = cleaned.articles | "StageArticles" >> StageRows(join(tmp, "staged"), article_spec, line_words)
    counts.append(_count(staged, "staged_files"))  # one per worker bundle that had rows: how far the work spread
    state_files = []
    if settings.site_lines.enabled:
        staged, state_file = strip_site_boilerplate(staged, settings, ctx, site_state_paths, counts, article_spec, tmp)
        state_files.append(state_file)
    kept, duplicate_files = deduplicate(staged, settings, ctx, history_paths, counts, duplicate_spec, tmp)
    rejected_files, reasons = write_rejected(
        {**read_rejected, "extract": extracted[DEAD_LETTER], "clean": cleaned[DEAD_LETTER]}, rejected_spec, pipeline)
    files = _flatten([kept | "WriteArticles" >> WriteKeptRows(article_spec), *rejected_files, duplicate_files,
                      *state_files], "AllFiles")
    keep_state = settings.site_lines.lookback_runs if settings.site_lines.enabled else None
    commit = CommitRun(settings.output, ctx.run_id, tmp, header, keep_state, article_spec)
    return (files, count_labels(counts, pipeline), reasons, validators) | "CommitRun" >> commit
