"""``newsbeam stream``: poll feeds and watch folders all day, committing a window at a time.

Each poll interval is one *window*: the feeds are fetched (conditional GET, so
unchanged feeds cost a 304), the watched globs are listed for new complete
files, and whatever is new runs through the very same graph as a batch run
(``pipelines.run.launch.run_locked``) as run ``RUNID-wNNNNN``. The window's
files appear atomically with their own manifest; deduplication against the
dataset (``dedup.lookback_days``) keeps every item to one row across windows.
``--duration`` bounds the run; Ctrl-C stops it between or during windows
without touching what was committed.

A window that fails (a fetch outage, a write error, an exception in the runner) is logged,
its temporary files removed and its files given back: the next poll retries it under the
same run id, after a backoff that doubles with each failure in a row (up to 10 polls). The
stream ends with an error only after ``max_failures`` failures in a row. Each window's
manifest lists the files it read (``input_files``: path, size, modification time), and a
stream starts from them: after a restart nothing committed is read again, and a file
changed since is read again.
"""
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional, Tuple

from apache_beam.options.pipeline_options import StandardOptions

from pipelines.cli.words import counted
from pipelines.errors import ConfigError, InputError, UsageError, first_line
from pipelines.run.launch import clean_up_after, new_pipeline, prepare_output, repair, run_locked
from pipelines.run.output_lock import OutputLock
from pipelines.run.run_context import feed_urls, new_run_context, run_header
from pipelines.run.runners import describe_runner, is_local, runner_words
from pipelines.run.unbounded import build_unbounded, unbounded_records
from pipelines.run.watch import FolderWatch, committed_files, input_files_entry
from schemas.records import RunContext
from transforms.sinks.commit_protocol import read_manifests, repair_output
from transforms.sinks.feed_state import feed_requests, read_feed_state

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamPlan:
    """What ``newsbeam stream`` watches and for how long (its flags beyond those of ``run``)."""

    watch: Tuple[str, ...] = ()
    poll_interval: float = 30.0
    duration: Optional[float] = None
    max_failures: int = 5  # windows failing in a row before the stream gives up


class StreamFailed(RuntimeError):
    """``max_failures`` windows in a row failed."""


MAX_BACKOFF_POLLS = 10


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
    """One window through the batch launch path; returns its manifest (None when idle).
    ``files``: path -> (size, mtime), recorded in the manifest as ``input_files``."""
    requests = feed_requests(feed_urls(settings), read_feed_state(settings.output))
    if not files and not requests:
        return None
    return run_locked(settings, options, ctx, list(files), requests=requests,
                      annotations={"input_files": input_files_entry(files)})


def window_line(manifest: dict) -> str:
    counts = manifest["counts"]
    return (f"window {manifest['run_id']}: {counted(counts['articles'], 'article')}, "
            f"{counted(counts['duplicates'], 'duplicate')}, {counts['rejected']:,} rejected, "
            f"{counted(len(manifest['files']), 'file')}")


def stream(settings, options, plan: StreamPlan, report=print) -> list:
    """Poll until ``plan.duration`` passes (or Ctrl-C); returns the windows' manifests."""
    if plan.poll_interval <= 0 or (plan.duration is not None and plan.duration <= 0):
        raise ConfigError("--poll-interval and --duration must be positive numbers of seconds")
    if plan.max_failures < 1:
        raise ConfigError("--max-failures must be 1 or more")
    if not (plan.watch or settings.feeds):
        raise ConfigError("nothing to stream: give --feed URL and/or --watch GLOB (or sources: in --config)")
    prepare_output(settings.output)
    if not is_local(options):
        return stream_unbounded(settings, options, plan, report)
    base = new_run_context(settings)
    with OutputLock(settings.output, base.run_id):
        repair(settings.output)
        return _poll(settings, options, plan, base, report)


def stream_unbounded(settings, options, plan: StreamPlan, report) -> list:
    """One unbounded job on a streaming runner (``pipelines/run/unbounded.py``): submitted, then
    waited for (``--duration``: its sources stop then, and the job ends once the last window is
    committed). Each window pane commits its own manifest; returns the manifests found then."""
    options.view_as(StandardOptions).streaming = True
    ctx = new_run_context(settings)
    header = {**run_header(settings, ctx, list(plan.watch) + list(settings.inputs)),
              "runner": describe_runner(options), "mode": "unbounded"}
    pipeline = new_pipeline(options)
    records, rejected = unbounded_records(pipeline, settings, ctx, list(plan.watch) + list(settings.inputs),
                                          plan.poll_interval, plan.duration)
    build_unbounded(records, settings, ctx, header, plan.poll_interval, rejected)
    result = pipeline.run()
    report(f"stream {ctx.run_id}: one unbounded job on {runner_words(describe_runner(options))}; "
           f"a manifest per window under {settings.output}/_runs/")
    result.wait_until_finish()
    return [m for m in read_manifests(settings.output).values() if m["run_id"].startswith(f"{ctx.run_id}-")]


def _poll(settings, options, plan: StreamPlan, base, report) -> list:
    """The windows, one per poll, until the deadline (or Ctrl-C)."""
    taken = committed_files(read_manifests(settings.output).values())
    watch = FolderWatch(list(plan.watch) + list(settings.inputs), taken=taken)
    deadline = None if plan.duration is None else time.monotonic() + plan.duration
    manifests, index, failures = [], 0, 0
    while True:
        started = time.monotonic()
        ctx = window_context(base, index)
        files = watch.new_complete_files()
        try:
            manifest = run_window(settings, options, ctx, files)
        except (ConfigError, InputError, UsageError):
            raise
        except KeyboardInterrupt:
            _abandon(settings, ctx, manifests, report)
            raise
        except Exception as err:  # noqa: BLE001 - a failed window is retried, not the end of the stream
            if _interrupted(err):  # Ctrl-C inside a DoFn comes back wrapped by the runner
                _abandon(settings, ctx, manifests, report)
                raise KeyboardInterrupt from None
            failures = _failed(settings, plan, ctx, err, failures, report)
            watch.release(files)
            manifest = None
        else:
            failures = 0
        if manifest is not None:
            manifests.append(manifest)
            report(window_line(manifest))
            index += 1
        if deadline is not None and time.monotonic() >= deadline:
            return manifests  # the last window ran at the deadline: nothing seen so far is left out
        pause = plan.poll_interval * min(2 ** failures, MAX_BACKOFF_POLLS) if failures else plan.poll_interval
        pause -= time.monotonic() - started
        if deadline is not None:
            pause = min(pause, deadline - time.monotonic())
        _wait(max(pause, 0), manifests, report)


def _interrupted(err: BaseException) -> bool:
    """Whether ``err`` is, or was caused by, a KeyboardInterrupt (Beam re-raises what a DoFn
    raised as its own error, naming the original type first in the message)."""
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, KeyboardInterrupt) or str(err).startswith("KeyboardInterrupt"):
            return True
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return False


def _wait(seconds: float, manifests, report) -> None:
    try:
        time.sleep(seconds)
    except KeyboardInterrupt:
        report(f"stopped between windows: {_committed_words(manifests)}")
        raise


def _committed_words(manifests) -> str:
    last = f", the last {manifests[-1]['run_id']}" if manifests else ""
    return f"{counted(len(manifests), 'window')} committed{last}"


def _failed(settings, plan: StreamPlan, ctx, err, failures: int, report) -> int:
    """Log a failed window, remove its temporary files; the failures in a row, or StreamFailed."""
    failures += 1
    _LOGGER.debug("window %s failed", ctx.run_id, exc_info=err)  # the traceback with --verbose
    repair_output(settings.output)
    if failures >= plan.max_failures:
        raise StreamFailed(f"{failures} windows in a row failed; the last, {ctx.run_id}: {first_line(err)}") from err
    report(f"window {ctx.run_id} failed ({first_line(err)}); retried at the next poll "
           f"({counted(failures, 'failure')} in a row, the stream stops at {plan.max_failures})")
    return failures


def _abandon(settings, ctx, manifests, report) -> None:
    """Ctrl-C during a window: nothing of it is visible; its temporary files go; say where it stopped."""
    clean_up_after(settings.output, ctx.run_id)
    report(f"stopped: {_committed_words(manifests)}; window {ctx.run_id} abandoned, nothing of it is visible")
