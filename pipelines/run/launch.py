"""Launching a run: the one path ``newsbeam run``, every ``stream`` window and ``replay`` take.

``run(settings, options)`` checks the inputs and the output location, takes the output
lock, repairs what an interrupted run left, and hands over to ``run_locked``, which builds
the graph (``pipelines/run/graph.py``), runs it with the progress line and the runner's
errors turned into one line, and returns the committed manifest. A stream holds the lock
for all its windows and calls ``run_locked`` per window.
"""
import logging
import os
import shutil
import uuid
from contextlib import contextmanager
from datetime import timedelta
from typing import Optional, Sequence

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from pipelines.cli.progress import Progress, run_pipeline
from pipelines.errors import ConfigError, first_line
from pipelines.run.graph import build_pipeline
from pipelines.run.malloc_arenas import limit_malloc_arenas
from pipelines.run.output_lock import OutputLock
from pipelines.run.run_context import feed_urls, input_bytes, new_run_context, resolve_inputs, run_header
from pipelines.run.runners import describe_runner, is_local, keep_grpc_local, local_runner, runner_words
from pipelines.tools.expectations import any_expectation, check_expectations, fill_counts
from schemas.layout import join, manifest_path
from schemas.records import RunContext
from transforms.dedup.history import history_files
from transforms.sinks.site_state import site_state_files
from transforms.sinks.commit_protocol import repair_output
from transforms.sinks.feed_state import feed_requests, read_feed_state
from transforms.progress_channel import PROGRESS_DIR_ENV
from transforms.storage import read_json, write_json_atomically

__all__ = ["run", "run_locked", "prepare_output", "repair", "read_manifest", "Interrupted", "clean_up_after"]

_LOGGER = logging.getLogger(__name__)


def run(settings, options, progress: Optional[Progress] = None, annotations: Optional[dict] = None) -> dict:
    """Run one batch ingest; returns the committed manifest.

    ``progress`` shows how the run is going (nothing by default); ``annotations``
    are extra manifest fields (``newsbeam replay`` records what it re-ran)."""
    inputs = resolve_inputs(settings)
    prepare_output(settings.output)
    ctx = new_run_context(settings)
    with OutputLock(settings.output, ctx.run_id):
        repair(settings.output)
        try:
            manifest = run_locked(settings, options, ctx, inputs, progress=progress, annotations=annotations)
        except KeyboardInterrupt:
            raise Interrupted(abandon_run(settings.output, ctx.run_id)) from None
        return with_expectations(settings, manifest)


def with_expectations(settings, manifest: dict) -> dict:
    """The manifest with the checks of ``expectations:`` (``pipelines/tools/expectations.py``)
    written into it, when any is configured."""
    if not any_expectation(settings.expectations):
        return manifest
    results = check_expectations(settings.expectations, fill_counts(settings.output, manifest))
    manifest = {**manifest, "expectations": {"passed": all(r["passed"] for r in results), "checks": results}}
    write_json_atomically(manifest_path(settings.output, manifest["run_id"]), manifest)
    return manifest


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run, after its temporary files were dealt with; the message says what stands."""


def clean_up_after(output: str, run_id: str) -> None:
    """After Ctrl-C: finish or undo ``run_id``'s commit and remove its temporary files (under the
    lock); a failure is logged, not raised (the next run repairs what is left)."""
    try:
        repair_output(output)
    except Exception:  # noqa: BLE001 - the next run repairs what is left
        _LOGGER.warning("could not remove the temporary files of run %s", run_id, exc_info=True)


def abandon_run(output: str, run_id: str) -> str:
    """After Ctrl-C: ``clean_up_after`` the run; one line saying whether the run was committed."""
    clean_up_after(output, run_id)
    if read_json(manifest_path(output, run_id)) is not None:
        return f"interrupted after run {run_id} was committed; its files stand"
    return (f"interrupted: run {run_id} abandoned, nothing of it is visible and its temporary files are "
            f"removed; earlier runs are untouched")


def run_locked(settings, options, ctx: RunContext, inputs: Sequence[str], progress: Optional[Progress] = None,
               annotations: Optional[dict] = None, requests: Optional[list] = None) -> dict:
    """The run itself, once this process holds the output; ``requests`` are the feed requests
    (by default: every configured feed, conditional on its saved validators)."""
    if requests is None:
        requests = feed_requests(feed_urls(settings), read_feed_state(settings.output))
    runner = describe_runner(options)
    keep_grpc_local()
    if "mode" in runner:  # a local DirectRunner: its workers start from this process
        limit_malloc_arenas()
    _LOGGER.info("run %s: reading %d input globs and %d feeds into %s", ctx.run_id, len(inputs), len(requests),
                 settings.output)
    header = {**run_header(settings, ctx, inputs), "runner": runner, **(annotations or {})}
    cutoff = (ctx.ingested_at - timedelta(days=settings.lookback_days)).date()
    history = history_files(settings.output, ctx.run_id, cutoff)
    site_state = site_state_files(settings.output, ctx.run_id, settings.site_lines.lookback_runs)
    pipeline = new_pipeline(options)
    build_pipeline(pipeline, settings, ctx, inputs, requests, header, history, site_state)
    _LOGGER.info("run %s: starting the pipeline on %s", ctx.run_id, runner_words(runner))
    progress = progress or Progress("off")
    with progress_channel_for(settings.output, ctx.run_id, inputs, progress):
        run_pipeline(pipeline, progress)
    _LOGGER.info("run %s: finished; manifest %s", ctx.run_id, manifest_path(settings.output, ctx.run_id))
    return read_manifest(settings.output, ctx.run_id)


@contextmanager
def progress_channel_for(output: str, run_id: str, inputs: Sequence[str], progress: Progress):
    """The workers count into ``OUT/_tmp/RUN-progress/`` (``transforms/progress_channel.py``) for
    the run's progress line, with the inputs' total size; removed after the run. Local outputs
    only: a cluster's workers cannot write the launcher's folders (they report Beam metrics)."""
    if progress.mode == "off" or "://" in output:
        yield
        return
    folder = os.path.join(output, "_tmp", f"{run_id}-progress")
    os.environ[PROGRESS_DIR_ENV] = folder
    progress.watch_channel(folder, input_bytes(inputs))
    try:
        yield
    finally:
        os.environ.pop(PROGRESS_DIR_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


def prepare_output(output: str) -> None:
    """Fail fast, before the pipeline starts, when the output root cannot be created or written."""
    try:
        if not FileSystems.exists(output):
            FileSystems.mkdirs(output)
    except Exception as err:  # noqa: BLE001 - any filesystem failure means: cannot write there
        raise ConfigError(f"output {output!r}: cannot be created ({err})") from None
    check_output_writable(output)


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
        raise ConfigError(f"output {output!r}: cannot write there ({first_line(err)})") from None


def repair(output: str) -> None:
    """Finish or undo what a stopped commit left, remove abandoned temp folders (under the lock)."""
    done = repair_output(output)
    if any(done.values()):
        _LOGGER.warning("output %s: repaired what earlier runs left: %s", output, done)


def new_pipeline(options) -> beam.Pipeline:
    """The Beam pipeline, on the local FnApiRunner when no other runner is named (``runners``);
    an unknown runner or options the runner rejects are a ConfigError."""
    try:
        return beam.Pipeline(runner=local_runner(options) if is_local(options) else None, options=options)
    except ValueError as err:
        raise ConfigError(f"Beam options: {first_line(err)}") from None


def read_manifest(output: str, run_id: str) -> dict:
    manifest = read_json(manifest_path(output, run_id))
    if manifest is None:
        raise RuntimeError(f"the run finished but wrote no manifest for run {run_id}")
    return manifest
