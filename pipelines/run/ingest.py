"""The batch ingest pipeline: files -> clean articles + rejected rows -> Parquet.

``build_pipeline`` only wires stages; ``run`` turns argv into settings and
Beam options, checks them and the output location, runs the graph (reporting
progress) and returns the committed manifest.
``python -m pipelines.run.ingest ...`` behaves like ``newsbeam run ...``.
"""
import functools
import logging
import operator
import os
import sys
import uuid
from datetime import timedelta
from typing import Optional

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

from pipelines.run.config import ConfigError, build_settings, read_config_file
from pipelines.run.malloc_arenas import limit_malloc_arenas
from pipelines.run.options import IngestOptions, options_parser, unknown_flags, with_local_defaults
from pipelines.run.output_lock import OutputLock
from pipelines.cli.progress import Progress, run_pipeline
from pipelines.run.run_context import feed_urls, new_run_context, resolve_inputs, run_header
from schemas import ARTICLE_SCHEMA, DUPLICATE_SCHEMA, REJECTED_SCHEMA
from transforms.text.article import partition_date
from transforms.text.boilerplate import load_rules
from transforms.text.clean import CleanArticles
from transforms.sinks.commit import CommitRun, CountPerBundleFn, CountRejectsByReason, MergeReasonStats
from transforms.sinks.commit_protocol import repair_output
from transforms.dead_letter import REJECTED
from transforms.sources.extract import ExtractDocuments
from schemas.layout import ARTICLES, DUPLICATES as DUPLICATES_KIND, REJECTED as REJECTED_KIND, join, manifest_path, temp_dir
from transforms.sinks.parquet_sink import PartitionSpec, WriteParquetPartitions
from transforms.sources.read import ReadInputFiles
from transforms.dedup.staged_rows import StageRows, WriteKeptRows
from transforms.dedup.dedup_sql import DedupParams
from transforms.dedup.deduplicate import DUPLICATE_COUNTS, DUPLICATE_FILES, DeduplicateStaged
from transforms.dedup.history import history_files
from transforms.sinks.feed_state import feed_requests, read_feed_state
from transforms.web.fetch import NOT_MODIFIED, PAGE_FAILURES, VALIDATORS, FetchFeeds, FetchLinkedPages
from transforms.web.http_client import FetchPolicy
from transforms.storage import read_json

_LOGGER = logging.getLogger(__name__)


def partition_specs(settings, run_id: str, tmp: str):
    """(articles spec, rejected spec, duplicates spec) for one run."""
    common = dict(output=settings.output, temp_dir=tmp, run_id=run_id,
                  max_rows_per_file=settings.max_rows_per_file, compression=settings.compression)
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


def fetch_policy(fetch) -> FetchPolicy:
    """The HTTP client's policy from the validated ``fetch`` settings."""
    return FetchPolicy(
        connect_timeout=fetch.connect_timeout, total_timeout=fetch.total_timeout,
        max_bytes=fetch.max_bytes, max_redirects=fetch.max_redirects, user_agent=fetch.user_agent,
        allow_networks=fetch.allow_networks, retries=fetch.retries, backoff_base=fetch.backoff,
        max_retry_after=fetch.max_retry_after, max_per_host=fetch.max_per_host,
    )


def read_sources(pipeline, settings, ctx, inputs, feed_requests):
    """Files and feeds -> (records, {step: read-stage rejects}, counts, feed validators)."""
    records, rejected, counts, validators = [], {}, [], []
    if inputs:
        read = pipeline | "ReadFiles" >> ReadInputFiles(inputs, ctx.run_id, settings.max_file_bytes,
                                                       settings.max_record_bytes)
        records.append(read["records"])
        rejected.update(read[REJECTED])
        counts.append(_count(read["files"], "files_matched"))
    if feed_requests:
        feeds = (pipeline | "FeedRequests" >> beam.Create(feed_requests)
                 | "FetchFeeds" >> FetchFeeds(ctx.run_id, fetch_policy(settings.fetch), settings.max_record_bytes))
        records.append(feeds.records)
        rejected["fetch"] = feeds[REJECTED]
        counts.append(_count(feeds[NOT_MODIFIED], "feeds_not_modified"))
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
    fetch = settings.fetch
    if fetch.articles == "never" or not feeds_fetched:
        return documents
    pages = documents | "LinkedPages" >> FetchLinkedPages(fetch_policy(fetch), fetch.articles,
                                                         fetch.article_min_words)
    failures = pages[PAGE_FAILURES] | "PageFailureKey" >> beam.Map(lambda reason: f"page_failed/{reason}")
    counts.append(_count(failures, "page_failures", each=True))
    return pages["docs"]


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


def build_pipeline(pipeline, settings, ctx, inputs, feed_requests, header, history_paths=()):
    """Wire sources -> extract -> clean -> write -> commit; returns the manifest PCollection."""
    tmp = temp_dir(settings.output, ctx.run_id, uuid.uuid4().hex[:8])
    article_spec, rejected_spec, duplicate_spec = partition_specs(settings, ctx.run_id, tmp)
    records, read_rejected, counts, validators = read_sources(pipeline, settings, ctx, inputs, feed_requests)
    extracted = records | "ExtractDocuments" >> ExtractDocuments(ctx.run_id)
    documents = complete_from_pages(extracted.documents, settings, counts, bool(feed_requests))
    counts.append(_count(documents | "FixedValues" >> beam.FlatMap(document_fixes), "document_fixes", each=True))
    cleaned = documents | "CleanArticles" >> CleanArticles(ctx, settings.rule_packs)
    # Rows and their keys wait in temp Parquet; deduplication decides out of core (transforms/dedup/staged_rows.py).
    staged = cleaned.articles | "StageArticles" >> StageRows(join(tmp, "staged"), article_spec)
    kept, duplicate_files = deduplicate(staged, settings, ctx, history_paths, counts, duplicate_spec, tmp)
    rejected_files, reasons = write_rejected(
        {**read_rejected, "extract": extracted[REJECTED], "clean": cleaned[REJECTED]}, rejected_spec, pipeline)
    files = _flatten([kept | "WriteArticles" >> WriteKeptRows(article_spec), *rejected_files, duplicate_files],
                     "AllFiles")
    commit = CommitRun(settings.output, ctx.run_id, tmp, header)
    return (files, count_labels(counts, pipeline), reasons, validators) | "CommitRun" >> commit


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


def run(argv, progress: Optional[Progress] = None, annotations: Optional[dict] = None) -> dict:
    """Run one batch ingest; returns the committed manifest.

    ``progress`` shows how the run is going (nothing by default); ``annotations``
    are extra manifest fields (``newsbeam replay`` records what it re-ran)."""
    check_beam_options(argv)
    settings, options = settings_from_args(argv)
    inputs = resolve_inputs(settings)
    prepare_output(settings.output)
    check_output_writable(settings.output)
    ctx = new_run_context(settings)
    with OutputLock(settings.output, ctx.run_id):
        repair(settings.output)
        return _run_locked(settings, options, ctx, inputs, progress, annotations)


def repair(output: str) -> None:
    """Finish or undo what a stopped commit left, remove abandoned temp folders (under the lock)."""
    done = repair_output(output)
    if any(done.values()):
        _LOGGER.warning("output %s: repaired what earlier runs left: %s", output, done)


def _run_locked(settings, options, ctx, inputs, progress, annotations) -> dict:
    """The run itself, once this process holds the output (``run``'s arguments, resolved)."""
    requests = feed_requests(feed_urls(settings), read_feed_state(settings.output))
    runner = describe_runner(options)
    if "mode" in runner:  # a local DirectRunner: its workers start from this process
        limit_malloc_arenas()
    _LOGGER.info("run %s: reading %d input globs and %d feeds into %s", ctx.run_id, len(inputs), len(requests),
                 settings.output)
    header = {**run_header(settings, ctx, inputs), "runner": runner, **(annotations or {})}
    cutoff = (ctx.ingested_at - timedelta(days=settings.lookback_days)).date()
    history = history_files(settings.output, ctx.run_id, cutoff)
    pipeline = new_pipeline(options)
    build_pipeline(pipeline, settings, ctx, inputs, requests, header, history)
    _LOGGER.info("run %s: starting the pipeline on %s", ctx.run_id, runner_words(runner))
    run_pipeline(pipeline, progress or Progress("off"))
    _LOGGER.info("run %s: finished; manifest %s", ctx.run_id, manifest_path(settings.output, ctx.run_id))
    return read_manifest(settings.output, ctx.run_id)


class _OptionParser(_BeamArgumentParser):
    """Beam's option parser, raising ConfigError where argparse would print usage and exit."""

    def error(self, message):
        raise ConfigError(f"Beam option: {message}")


def check_beam_options(argv) -> None:
    """Fail with one line when a Beam option's value is malformed (``--direct_num_workers abc``)."""
    options_parser(_OptionParser).parse_known_args(list(argv))


def new_pipeline(options) -> beam.Pipeline:
    """The Beam pipeline; an unknown runner or options the runner rejects are a ConfigError."""
    try:
        return beam.Pipeline(options=options)
    except ValueError as err:
        raise ConfigError(f"Beam options: {_first_line(err)}") from None


def check_output_writable(output: str) -> None:
    """Fail fast when files cannot be written under the output root (a file, read-only, unreachable)."""
    if "://" not in output and os.path.exists(output) and not os.path.isdir(output):
        raise ConfigError(f"output {output!r}: is a file, not a directory")
    probe = join(output, "_tmp", f".probe-{uuid.uuid4().hex[:8]}")
    try:
        with FileSystems.create(probe) as handle:
            handle.write(b"")
        FileSystems.delete([probe])
    except Exception as err:  # noqa: BLE001 - any filesystem failure means: cannot write there
        raise ConfigError(f"output {output!r}: cannot write there ({_first_line(err)})") from None


def describe_runner(options) -> dict:
    """The runner and, for the DirectRunner, its running mode and workers (for logs and the manifest)."""
    values = options.get_all_options()
    runner = {"name": values.get("runner") or "DirectRunner"}
    if runner["name"] in ("DirectRunner", "direct", "SwitchingDirectRunner"):
        workers = values.get("direct_num_workers")
        runner["mode"] = values.get("direct_running_mode") or "in_memory"
        runner["workers"] = (os.cpu_count() or 1) if workers == 0 else workers or 1
    return runner


def runner_words(runner: dict) -> str:
    if "mode" in runner:
        return f"{runner['name']} ({runner['mode']}, {runner['workers']} workers)"
    return runner["name"]


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def read_manifest(output: str, run_id: str) -> dict:
    manifest = read_json(manifest_path(output, run_id))
    if manifest is None:
        raise RuntimeError(f"the run finished but wrote no manifest for run {run_id}")
    return manifest


def main(argv=None) -> int:
    from pipelines.cli.main import main as cli_main

    return cli_main(["run", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
