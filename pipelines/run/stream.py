"""``newsbeam stream``: poll feeds and watch folders all day, committing a window at a time.

Each poll interval is one *window*: the feeds are fetched (conditional GET, so
unchanged feeds cost a 304), the watched globs are listed for new complete
files, and whatever is new runs through the very same graph as a batch run
(``pipelines.run.launch.run_locked``) as run ``RUNID-wNNNNN``. The window's
files appear atomically with their own manifest; deduplication against the
dataset (``dedup.lookback_days``) keeps every item to one row across windows.
``--duration`` bounds the run; Ctrl-C stops it between or during windows
without touching what was committed.
"""
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional, Tuple

from pipelines.errors import ConfigError
from pipelines.run.launch import prepare_output, repair, run_locked
from pipelines.run.output_lock import OutputLock
from pipelines.run.run_context import feed_urls, new_run_context
from pipelines.run.watch import FolderWatch
from schemas.records import RunContext
from transforms.sinks.feed_state import feed_requests, read_feed_state

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamPlan:
    """What ``newsbeam stream`` watches and for how long (its flags beyond those of ``run``)."""

    watch: Tuple[str, ...] = ()
    poll_interval: float = 30.0
    duration: Optional[float] = None


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


def run_window(settings, options, ctx, files) -> Optional[dict]:
    """One window through the batch launch path; returns its manifest (None when idle)."""
    requests = feed_requests(feed_urls(settings), read_feed_state(settings.output))
    if not files and not requests:
        return None
    return run_locked(settings, options, ctx, files, requests=requests)


def window_line(manifest: dict) -> str:
    counts = manifest["counts"]
    return (f"window {manifest['run_id']}: {counts['articles']} articles, {counts['duplicates']} duplicates, "
            f"{counts['rejected']} rejected, {len(manifest['files'])} files")


def stream(settings, options, plan: StreamPlan, report=print) -> list:
    """Poll until ``plan.duration`` passes (or Ctrl-C); returns the windows' manifests."""
    if plan.poll_interval <= 0 or (plan.duration is not None and plan.duration <= 0):
        raise ConfigError("--poll-interval and --duration must be positive numbers of seconds")
    if not (plan.watch or settings.feeds):
        raise ConfigError("nothing to stream: give --feed URL and/or --watch GLOB (or sources: in --config)")
    prepare_output(settings.output)
    base = new_run_context(settings)
    with OutputLock(settings.output, base.run_id):
        repair(settings.output)
        return _poll(settings, options, plan, base, report)


def _poll(settings, options, plan: StreamPlan, base, report) -> list:
    """The windows, one per poll, until the deadline (or Ctrl-C)."""
    watch = FolderWatch(list(plan.watch) + list(settings.inputs))
    deadline = None if plan.duration is None else time.monotonic() + plan.duration
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
        pause = plan.poll_interval - (time.monotonic() - started)
        if deadline is not None:
            pause = min(pause, deadline - time.monotonic())
        time.sleep(max(pause, 0))
