"""``newsbeam stream``: poll feeds and watch folders all day, committing a window at a time.

Each poll interval is one *window*: the feeds are fetched (conditional GET, so
unchanged feeds cost a 304), the watched globs are listed for new complete
files, and whatever is new runs through the very same graph as a batch run
(``pipelines.run.ingest.build_pipeline``) as run ``RUNID-wNNNNN``. The window's
files appear atomically with their own manifest; deduplication against the
dataset (``dedup.lookback_days``) keeps every item to one row across windows.
``--duration`` bounds the run; Ctrl-C stops it between or during windows
without touching what was committed.
"""
import logging
import time
from datetime import datetime, timedelta, timezone

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.run.config import ConfigError
from pipelines.run.ingest import build_pipeline, prepare_output, read_manifest, repair, settings_from_args
from pipelines.run.output_lock import OutputLock
from pipelines.run.run_context import feed_urls, new_run_context, run_header
from pipelines.run.watch import FolderWatch
from transforms.sinks.feed_state import feed_requests, read_feed_state
from transforms.dedup.history import history_files
from schemas.records import RunContext

_LOGGER = logging.getLogger(__name__)


class StreamOptions(PipelineOptions):
    """Flags of ``newsbeam stream`` beyond those of ``newsbeam run``."""

    @classmethod
    def _add_argparse_args(cls, parser):
        parser.add_argument("--watch", action="append", default=None,
                            help="glob of a folder or bucket to watch for new files (repeatable)")
        parser.add_argument("--poll-interval", "--poll_interval", dest="poll_interval", type=float,
                            default=30.0, help="seconds between polls; each poll commits one window")
        parser.add_argument("--duration", type=float, default=None,
                            help="stop by itself after this many seconds (default: run until stopped)")


def window_argv(argv) -> list:
    """The run flags for each window: in-process runner unless DirectRunner flags are given."""
    argv = list(argv)
    if not any(a.startswith(("--runner", "--direct_")) for a in argv):
        argv.append("--direct_running_mode=in_memory")
    return argv


def window_context(base: RunContext, index: int) -> RunContext:
    """Window ``index`` of the stream: its own run id and ingest time."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return RunContext(run_id=f"{base.run_id}-w{index:05d}", ingested_at=now, pipeline_version=base.pipeline_version)


def run_window(settings, options, ctx, files) -> dict:
    """One window through the batch graph; returns its manifest (None when idle)."""
    requests = feed_requests(feed_urls(settings), read_feed_state(settings.output))
    if not files and not requests:
        return None
    cutoff = (ctx.ingested_at - timedelta(days=settings.lookback_days)).date()
    history = history_files(settings.output, ctx.run_id, cutoff)
    with beam.Pipeline(options=options) as pipeline:
        build_pipeline(pipeline, settings, ctx, files, requests, run_header(settings, ctx, files), history)
    return read_manifest(settings.output, ctx.run_id)


def window_line(manifest: dict) -> str:
    counts = manifest["counts"]
    return (f"window {manifest['run_id']}: {counts['articles']} articles, {counts['duplicates']} duplicates, "
            f"{counts['rejected']} rejected, {len(manifest['files'])} files")


def stream(argv, report=print) -> list:
    """Poll until ``--duration`` passes (or Ctrl-C); returns the windows' manifests."""
    ours = PipelineOptions(list(argv)).view_as(StreamOptions)
    if ours.poll_interval <= 0 or (ours.duration is not None and ours.duration <= 0):
        raise ConfigError("--poll-interval and --duration must be positive numbers of seconds")
    settings, options = settings_from_args(window_argv(argv))
    if not (ours.watch or settings.feeds):
        raise ConfigError("nothing to stream: give --feed URL and/or --watch GLOB (or sources: in --config)")
    prepare_output(settings.output)
    base = new_run_context(settings)
    with OutputLock(settings.output, base.run_id):
        repair(settings.output)
        return _poll(settings, options, ours, base, report)


def _poll(settings, options, ours, base, report) -> list:
    """The windows, one per poll, until the deadline (or Ctrl-C)."""
    watch = FolderWatch(list(ours.watch or []) + list(settings.inputs))
    deadline = None if ours.duration is None else time.monotonic() + ours.duration
    manifests, index = [], 0
    while True:
        started = time.monotonic()
        manifest = run_window(settings, options, window_context(base, index), watch.new_complete_files())
        if manifest is not None:
            manifests.append(manifest)
            report(window_line(manifest))
            index += 1
        if deadline is not None and time.monotonic() >= deadline:
            return manifests  # the last window ran at the deadline: nothing seen so far is left out
        pause = ours.poll_interval - (time.monotonic() - started)
        if deadline is not None:
            pause = min(pause, deadline - time.monotonic())
        time.sleep(max(pause, 0))
