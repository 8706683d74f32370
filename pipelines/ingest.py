"""The batch ingest pipeline: files -> clean articles + rejected rows -> Parquet.

``build_pipeline`` only wires stages; ``run`` turns argv into settings and
Beam options, runs the graph and returns the committed manifest.
``python -m pipelines.ingest ...`` behaves like ``newsbeam run ...``.
"""
import functools
import logging
import operator
import sys
import uuid
from datetime import timedelta

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms import combiners

from pipelines.config import ConfigError, build_settings, read_config_file
from pipelines.options import IngestOptions, unknown_flags, with_local_defaults

from pipelines.run_context import feed_urls, new_run_context, resolve_inputs, run_header
from schemas import ARTICLE_SCHEMA, REJECTED_SCHEMA
from transforms.article import partition_date
from transforms.boilerplate import load_rules
from transforms.clean import CleanArticles
from transforms.commit import CommitRun, CountRejectsByReason
from transforms.dead_letter import REJECTED
from transforms.extract import ExtractDocuments
from transforms.layout import ARTICLES, REJECTED as REJECTED_KIND, manifest_path, temp_dir
from transforms.parquet_sink import PartitionSpec, WriteParquetPartitions
from transforms.read import ReadInputFiles
from transforms.deduplicate import DUPLICATES, DeduplicateArticles
from transforms.history import ReadHistory, history_files
from transforms.feed_state import feed_requests, read_feed_state
from transforms.fetch import NOT_MODIFIED, PAGE_FAILURES, VALIDATORS, FetchFeeds, FetchLinkedPages
from transforms.http_fetch import FetchPolicy
from transforms.storage import read_json

_LOGGER = logging.getLogger(__name__)


def partition_specs(settings, run_id: str, tmp: str):
    """(articles spec, rejected spec) for one run."""
    common = dict(output=settings.output, temp_dir=tmp, run_id=run_id,
                  max_rows_per_file=settings.max_rows_per_file, compression=settings.compression)
    use_published = settings.partition_date == "published"
    articles = PartitionSpec(kind=ARTICLES, schema=ARTICLE_SCHEMA, columns=settings.partition_columns,
                             date_of=functools.partial(partition_date, use_published=use_published), **common)
    rejected = PartitionSpec(kind=REJECTED_KIND, schema=REJECTED_SCHEMA, columns=(),
                             date_of=operator.itemgetter("rejected_at"), **common)
    return articles, rejected


def _count(pcoll, label):
    return pcoll | f"Count_{label}" >> combiners.Count.Globally() | f"Key_{label}" >> beam.Map(
        lambda n, key=label: (key, n))


def _flatten(parts, label, pipeline=None):
    if not parts:
        return pipeline | label >> beam.Create([])
    return tuple(parts) | label >> beam.Flatten()


def fetch_policy(fetch) -> FetchPolicy:
    """The HTTP client's policy from the validated ``fetch`` settings."""
    return FetchPolicy(
        connect_timeout=fetch.connect_timeout, total_timeout=fetch.total_timeout,
        max_bytes=fetch.max_bytes, max_redirects=fetch.max_redirects, user_agent=fetch.user_agent,
        allow_networks=fetch.allow_networks, retries=fetch.retries, backoff_base=fetch.backoff,
        max_retry_after=fetch.max_retry_after, max_per_host=fetch.max_per_host,
    )


def read_sources(pipeline, settings, ctx, inputs, feed_requests):
    """Files and feeds -> (records, read-stage rejects, counts, feed validators)."""
    records, rejected, counts, validators = [], [], [], []
    if inputs:
        read = pipeline | "ReadFiles" >> ReadInputFiles(inputs, ctx.run_id, settings.max_file_bytes,
                                                       settings.max_record_bytes)
        records.append(read["records"])
        rejected.append(read[REJECTED])
        counts.append(_count(read["files"], "files_matched"))
    if feed_requests:
        feeds = (pipeline | "FeedRequests" >> beam.Create(feed_requests)
                 | "FetchFeeds" >> FetchFeeds(ctx.run_id, fetch_policy(settings.fetch)))
        records.append(feeds.records)
        rejected.append(feeds[REJECTED])
        counts.append(_count(feeds[NOT_MODIFIED], "feeds_not_modified"))
        validators.append(feeds[VALIDATORS])
    records = _flatten(records, "AllRecords")
    rejected = _flatten(rejected, "ReadRejected")
    counts += [_count(records, "records"), _count(rejected, "read_rejected")]
    return records, rejected, counts, _flatten(validators, "AllValidators", pipeline)


def complete_from_pages(documents, settings, counts):
    """Short feed entries completed from their linked pages (when configured)."""
    fetch = settings.fetch
    if fetch.articles == "never":
        return documents
    pages = documents | "LinkedPages" >> FetchLinkedPages(fetch_policy(fetch), fetch.articles,
                                                         fetch.article_min_words)
    failures = pages[PAGE_FAILURES] | "PageFailureKey" >> beam.Map(lambda reason: f"page_failed/{reason}")
    counts.append(failures | "CountPageFailures" >> combiners.Count.PerElement())
    return pages["docs"]


def deduplicate(articles, pipeline, settings, history_paths, counts):
    """Within-run and cross-run deduplication; dropped copies are counted per reason."""
    history = pipeline | "ReadHistory" >> ReadHistory(history_paths)
    deduped = (articles, history) | "Deduplicate" >> DeduplicateArticles(settings.near_threshold,
                                                                        settings.near_min_words)
    reasons = deduped[DUPLICATES] | "DuplicateKey" >> beam.Map(lambda reason: f"duplicate/{reason}")
    counts.append(reasons | "CountDuplicates" >> combiners.Count.PerElement())
    return deduped["articles"]


def build_pipeline(pipeline, settings, ctx, inputs, feed_requests, header, history_paths=()):
    """Wire sources -> extract -> clean -> write -> commit; returns the manifest PCollection."""
    tmp = temp_dir(settings.output, ctx.run_id, uuid.uuid4().hex[:8])
    article_spec, rejected_spec = partition_specs(settings, ctx.run_id, tmp)
    records, read_rejected, counts, validators = read_sources(pipeline, settings, ctx, inputs, feed_requests)
    extracted = records | "ExtractDocuments" >> ExtractDocuments(ctx.run_id)
    documents = complete_from_pages(extracted.documents, settings, counts)
    cleaned = documents | "CleanArticles" >> CleanArticles(ctx, settings.rule_packs)
    articles = deduplicate(cleaned.articles, pipeline, settings, history_paths, counts)
    rejected = _flatten((read_rejected, extracted[REJECTED], cleaned[REJECTED]), "AllRejected")
    files = _flatten((articles | "WriteArticles" >> WriteParquetPartitions(article_spec),
                      rejected | "WriteRejected" >> WriteParquetPartitions(rejected_spec)), "AllFiles")
    reasons = rejected | "RejectReasons" >> CountRejectsByReason()
    commit = CommitRun(settings.output, ctx.run_id, tmp, header)
    return (files, _flatten(counts, "AllCounts"), reasons, validators) | "CommitRun" >> commit


def settings_from_args(argv):
    """(Settings, IngestOptions) from command-line arguments; raises ConfigError."""
    unknown = unknown_flags(argv)
    if unknown:
        raise ConfigError(f"unknown option {unknown[0]!r} (not a newsbeam flag nor a Beam pipeline option)")
    options = PipelineOptions(with_local_defaults(argv))
    ours = options.view_as(IngestOptions)
    user = read_config_file(ours.config) if ours.config else {}
    overrides = {"inputs": ours.input, "output": ours.output, "run_id": ours.run_id}
    feeds = [{"type": "feed", "urls": ours.feed}] if ours.feed else []
    user = {**user, "sources": list(user.get("sources", [])) + feeds} if feeds else user
    if ours.allow_network:
        fetch = dict(user.get("fetch") or {})
        fetch["allow_networks"] = list(fetch.get("allow_networks", [])) + ours.allow_network
        user = {**user, "fetch": fetch}
    settings = build_settings(user, overrides)
    try:
        load_rules(settings.rule_packs)
    except ValueError as err:
        raise ConfigError(f"config key 'boilerplate.packs': {err}") from None
    return settings, options


def prepare_output(output: str) -> None:
    """Fail fast, before the pipeline starts, when the output root cannot be created."""
    try:
        if not FileSystems.exists(output):
            FileSystems.mkdirs(output)
    except Exception as err:  # noqa: BLE001 - any filesystem failure means: cannot write there
        raise ConfigError(f"output {output!r}: cannot be created ({err})") from None


def run(argv) -> dict:
    """Run one batch ingest; returns the committed manifest."""
    settings, options = settings_from_args(argv)
    inputs = resolve_inputs(settings)
    prepare_output(settings.output)
    ctx = new_run_context(settings)
    requests = feed_requests(feed_urls(settings), read_feed_state(settings.output))
    _LOGGER.info("run %s: %d input globs, %d feeds into %s", ctx.run_id, len(inputs), len(requests),
                 settings.output)
    header = run_header(settings, ctx, inputs)
    cutoff = (ctx.ingested_at - timedelta(days=settings.lookback_days)).date()
    history = history_files(settings.output, ctx.run_id, cutoff)
    with beam.Pipeline(options=options) as pipeline:
        build_pipeline(pipeline, settings, ctx, inputs, requests, header, history)
    return read_manifest(settings.output, ctx.run_id)


def read_manifest(output: str, run_id: str) -> dict:
    manifest = read_json(manifest_path(output, run_id))
    if manifest is None:
        raise RuntimeError(f"the run finished but wrote no manifest for run {run_id}")
    return manifest


def main(argv=None) -> int:
    from pipelines.cli import main as cli_main

    return cli_main(["run", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
