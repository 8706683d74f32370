"""Progress of a running pipeline: a live line on a terminal, log lines with --verbose.

What a runner can tell us while it runs differs, and the line never shows more
than the runner knows (checked on Beam 2.77):

- The local DirectRunner executes batch pipelines on the FnApiRunner, in every
  ``direct_running_mode`` (in_memory, multi_threading, multi_processing):
  ``pipeline.run()`` returns only once the run has finished, so no metrics exist
  during the run. The line then shows the elapsed time and what the runner is
  executing (from its bundle log: reading files, cleaning, deduplicating, ...).
- BundleBasedDirectRunner and DataflowRunner return from ``run()`` at once and
  ``result.metrics()`` answers during the run: the line shows documents read,
  articles cleaned, rejected rows and the rate (counters of
  ``transforms.dead_letter``).
- Portable runners (Prism, Flink, Spark) cache their first metrics answer, so
  they are asked only when the run has ended.
"""
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Optional

from apache_beam.metrics.metric import MetricsFilter
from apache_beam.runners.runner import PipelineState
from apache_beam.utils.subprocess_server import SubprocessServer

from pipelines.errors import PipelineFailed
from pipelines.run.graph import STEP_PHASES
from transforms.dead_letter import ARTICLES_CLEANED, DOCUMENTS_READ, PROGRESS_NAMESPACE, REJECTED_ROWS
from transforms.progress_channel import read_totals
from transforms.sources.read import BYTES_READ

__all__ = ["Progress", "Snapshot", "format_line", "counts_from_metrics", "stage_phases", "run_pipeline"]

_LOGGER = logging.getLogger(__name__)

# Runners whose results answer metrics queries while the run goes on.
LIVE_METRICS_RUNNERS = frozenset({"BundleBasedDirectRunner", "DataflowRunner", "TestDataflowRunner"})
# The FnApiRunner logs "Running bundle for stage %s" here, at DEBUG, from the launching process.
BUNDLE_LOGGER = "apache_beam.runners.portability.fn_api_runner.fn_runner.run_bundle"
POLL_SECONDS = 1.0
REDRAW_SECONDS = 0.5
LOG_EVERY_SECONDS = 15.0
PLAIN_EVERY_SECONDS = 30.0  # a progress line on stderr when it is not a terminal (logs)
RATE_WINDOW_SECONDS = 10.0

# Plain words for the steps of pipelines/run/graph.py, found in a fused stage's name by label.
_PHASES = tuple((re.compile(r"(?<![A-Za-z])" + re.escape(label).replace("/", "[-/]")), words)
                for label, words in STEP_PHASES.items())
_INPUT_READ = re.compile(r"\([^()+]*/Read\)")


@dataclass(frozen=True)
class Snapshot:
    """What is known about a run at one moment; counts are None when the runner has not said."""

    elapsed: float
    documents: Optional[int] = None
    articles: Optional[int] = None
    rejected: Optional[int] = None
    phase: str = ""
    live: bool = False  # the runner reports counts during the run
    finished: bool = False
    bytes_read: Optional[int] = None  # stored bytes of the input files read so far (progress channel)
    bytes_total: Optional[int] = None  # of every input file, listed before the run
    rate: Optional[float] = None  # documents per second over the last RATE_WINDOW_SECONDS


def format_elapsed(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def format_line(snap: Snapshot, width: int = 120) -> str:
    """One line, at most ``width`` characters, saying only what the runner (or the workers'
    progress channel) reported."""
    parts = [f"newsbeam {format_elapsed(snap.elapsed)}"]
    if snap.bytes_total and snap.bytes_read is not None:
        parts.append(f"{snap.bytes_read / 1e6:,.1f} of {snap.bytes_total / 1e6:,.1f} MB read "
                     f"({min(snap.bytes_read / snap.bytes_total, 1):.0%})")
        eta = _eta(snap)
        if eta is not None and not snap.finished:
            parts.append(f"ETA {format_elapsed(eta)}")
    if snap.documents is not None:
        parts.append(f"{snap.documents:,} documents")
        parts.append(f"{snap.articles or 0:,} articles")
        parts.append(f"{snap.rejected or 0:,} rejected")
        rate = snap.rate if snap.rate is not None else (snap.documents / snap.elapsed if snap.elapsed >= 1 else None)
        if rate:
            parts.append(f"{rate:,.0f} docs/s")
        if snap.phase and not snap.finished:
            parts.append(snap.phase)
    elif snap.finished:
        parts.append("pipeline finished")
    else:
        parts.append(snap.phase or "running")
        parts.append("waiting for the first counts" if snap.live else "counts come at the end on this runner")
    line = " | ".join(parts)
    return line if len(line) <= width else line[: max(0, width - 3)] + "..."


def _eta(snap: Snapshot) -> Optional[float]:
    """Seconds left, from the share of input bytes read so far (None until there is a share)."""
    if not snap.bytes_total or not snap.bytes_read or snap.elapsed < 2:
        return None
    done = min(snap.bytes_read / snap.bytes_total, 1.0)
    return snap.elapsed * (1 - done) / done if done < 1 else 0.0


def counts_from_metrics(counters) -> dict:
    """{documents, articles, rejected} from ``metrics().query()["counters"]`` results.

    Committed values where the runner has them, else attempted ones; a counter
    the runner has not reported yet is 0 once any other one has been reported."""
    names = {DOCUMENTS_READ: "documents", ARTICLES_CLEANED: "articles", REJECTED_ROWS: "rejected"}
    totals = {}
    for result in counters:
        key = names.get(result.key.metric.name)
        if key is None or result.key.metric.namespace != PROGRESS_NAMESPACE:
            continue
        value = result.committed if result.committed is not None else result.attempted
        totals[key] = totals.get(key, 0) + int(value or 0)
    if not totals:
        return {}
    return {key: totals.get(key, 0) for key in names.values()}


def stage_phases(stage_name: str) -> str:
    """Plain words for a fused runner stage, e.g. ``"cleaning, deduplicating"``; '' if unknown.

    The stage's reads of earlier stages' outputs (``(LinkedPages/AllDocs/Read)``) are not its steps."""
    own_steps = _INPUT_READ.sub("", stage_name)
    words = []
    for pattern, phrase in _PHASES:
        if pattern.search(own_steps) and phrase not in words:
            words.append(phrase)
    return ", ".join(words)


class _StageWatcher(logging.Handler):
    """Receives the FnApiRunner's "Running bundle for stage %s" records."""

    def __init__(self, on_phase):
        super().__init__(level=logging.DEBUG)
        self._on_phase = on_phase

    def emit(self, record):
        if str(record.msg).startswith("Running bundle for stage") and record.args:
            phase = stage_phases(str(record.args[0]))
            if phase:
                self._on_phase(phase)


class Progress:
    """Shows a run's progress: ``line`` (one line redrawn on a terminal), ``log`` (INFO lines) or ``off``."""

    def __init__(self, mode: str = "off", stream=None, clock=time.monotonic, quiet_workers: bool = False):
        if mode not in ("line", "log", "plain", "off"):
            raise ValueError(f"progress mode {mode!r}")
        self.mode = mode
        self.quiet_workers = quiet_workers  # keep worker processes' raw stderr off the console
        self._given_stream = stream  # None: whatever sys.stderr is when drawing
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self._snap = Snapshot(elapsed=0.0)
        self._stop = threading.Event()
        self._thread = None
        self._watcher = None
        self._saved_logger = None
        self._drawn = False
        self._channel = None  # the workers' progress folder (transforms/progress_channel.py)
        self._recent = []  # (time, documents) over the last RATE_WINDOW_SECONDS

    @classmethod
    def choose(cls, quiet: bool, verbose: bool, stream=None) -> "Progress":
        """``off`` with --quiet, ``log`` with --verbose, ``line`` on a terminal, else ``plain`` (a
        line every PLAIN_EVERY_SECONDS, for logs). Without --verbose, worker processes' raw
        stderr (tracebacks) is kept off the console."""
        if verbose:
            return cls("log", stream)
        if quiet:
            return cls("off", stream, quiet_workers=True)
        mode = "line" if _is_terminal(stream if stream is not None else sys.stderr) else "plain"
        return cls(mode, stream, quiet_workers=True)

    def watch_channel(self, folder: str, bytes_total: Optional[int]) -> None:
        """Read the workers' counts from ``folder`` while the run goes on; ``bytes_total``: of the inputs."""
        self._channel = folder
        self.update(bytes_total=bytes_total or None)

    def _read_channel(self) -> None:
        totals = read_totals(self._channel)
        if not totals:
            return
        documents = totals.get(DOCUMENTS_READ, 0)
        now = self._clock()
        self._recent = [(t, n) for t, n in self._recent if now - t <= RATE_WINDOW_SECONDS] + [(now, documents)]
        (first_t, first_n), rate = self._recent[0], None
        if now - first_t >= 2:
            rate = (documents - first_n) / (now - first_t)
        self.update(documents=documents, articles=totals.get(ARTICLES_CLEANED, 0),
                    rejected=totals.get(REJECTED_ROWS, 0), bytes_read=totals.get(BYTES_READ, 0), rate=rate)

    @property
    def _stream(self):
        return self._given_stream if self._given_stream is not None else sys.stderr

    # -- state
    def update(self, **fields) -> None:
        with self._lock:
            self._snap = replace(self._snap, **fields)

    def snapshot(self) -> Snapshot:
        with self._lock:
            return replace(self._snap, elapsed=self._clock() - self._started)

    # -- lifecycle
    def __enter__(self):
        self._started = self._clock()
        if self.mode != "off":
            self._watch_stages()
            self._thread = threading.Thread(target=self._tick, name="newsbeam-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._unwatch_stages()
        if self.mode == "line" and self._drawn:
            self._write("\r\x1b[K")
        return False

    def _tick(self):
        last_log = last_read = self._clock()
        while not self._stop.wait(REDRAW_SECONDS):
            if self._channel is not None and self._clock() - last_read >= POLL_SECONDS:
                last_read = self._clock()
                self._read_channel()
            if self.mode == "line":
                self._draw()
            elif self.mode == "plain" and self._clock() - last_log >= PLAIN_EVERY_SECONDS:
                last_log = self._clock()
                self._write(format_line(self.snapshot(), width=400) + "\n")
            elif self.mode == "log" and self._clock() - last_log >= LOG_EVERY_SECONDS:
                last_log = self._clock()
                _LOGGER.info("progress: %s", format_line(self.snapshot(), width=400))

    def _draw(self):
        width = _terminal_width(self._stream)
        self._write("\r\x1b[K" + format_line(self.snapshot(), width=width - 1))
        self._drawn = True

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # the terminal went away: stop drawing, keep running
            self.mode = "off"

    def _watch_stages(self):
        logger = logging.getLogger(BUNDLE_LOGGER)
        self._saved_logger = (logger.level, logger.propagate)
        self._watcher = _StageWatcher(lambda phase: self.update(phase=phase))
        logger.addHandler(self._watcher)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False  # the DEBUG records are for us, not for the console

    def _unwatch_stages(self):
        if self._watcher is None:
            return
        logger = logging.getLogger(BUNDLE_LOGGER)
        logger.removeHandler(self._watcher)
        logger.setLevel(self._saved_logger[0])
        logger.propagate = self._saved_logger[1]
        self._watcher = None


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _terminal_width(stream) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return shutil.get_terminal_size().columns or 80


# --------------------------------------------------------------------------- running


def query_counts(result) -> dict:
    """The progress counters of ``result`` so far; {} when the runner has none (or fails to say)."""
    try:
        counters = result.metrics().query(MetricsFilter().with_namespace(PROGRESS_NAMESPACE))["counters"]
    except Exception as err:  # noqa: BLE001 - progress must never break a run
        _LOGGER.debug("metrics query failed: %s", err)
        return {}
    return counts_from_metrics(counters)


def reports_live_metrics(result) -> bool:
    """Whether ``result.metrics()`` may be asked during the run and give fresh numbers."""
    if PipelineState.is_terminal(result.state):
        return False
    try:
        from apache_beam.runners.portability.portable_runner import PipelineResult as PortableResult
    except ImportError:  # pragma: no cover - part of every Beam install
        return True
    return not isinstance(result, PortableResult)  # caches its first answer


class _Waiter(threading.Thread):
    """``result.wait_until_finish()`` on a thread, so the caller can poll metrics meanwhile."""

    def __init__(self, result):
        super().__init__(name="newsbeam-wait", daemon=True)
        self._result = result
        self.error = None

    def run(self):
        try:
            self._result.wait_until_finish()
        except BaseException as err:  # noqa: BLE001 - re-raised on the caller's thread
            self.error = err


@contextmanager
def workers_stderr_aside(enabled: bool):
    """Keep worker processes' stderr off the console for the run.

    Beam's SDK worker prints every failed bundle's traceback straight to file
    descriptor 2, which the multi-process DirectRunner's workers inherit. For the
    run, descriptor 2 goes to a temp file (deleted afterwards: the failure is
    reported in one line, ``--verbose`` shows everything), while ``sys.stderr``
    and the log handlers writing to it keep the terminal."""
    if not enabled:
        yield
        return
    old = sys.stderr
    old.flush()
    terminal = os.dup(2)
    aside, path = tempfile.mkstemp(prefix="newsbeam-workers-", suffix=".log")
    os.dup2(aside, 2)
    os.close(aside)
    sys.stderr = os.fdopen(terminal, "w", buffering=1, encoding=getattr(old, "encoding", None) or "utf-8",
                           errors="replace")
    _redirect_log_handlers(old, sys.stderr)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(terminal, 2)
        _redirect_log_handlers(sys.stderr, old)
        sys.stderr.close()
        sys.stderr = old
        os.unlink(path)


def _redirect_log_handlers(old, new) -> None:
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is old:
            handler.setStream(new)


def run_pipeline(pipeline, progress: Progress):
    """Run ``pipeline`` to the end, feeding ``progress``; returns the result, raises on failure.

    Like ``with beam.Pipeline() as p``, runner subprocesses (a Prism job server) live until
    the run ends."""
    with SubprocessServer.cache_subprocesses(), workers_stderr_aside(progress.quiet_workers), progress:
        progress.update(live=type(pipeline.runner).__name__ in LIVE_METRICS_RUNNERS)
        result = pipeline.run()  # the FnApiRunner returns only when the run has finished
        live = reports_live_metrics(result)
        progress.update(live=live)
        waiter = _Waiter(result)
        waiter.start()
        while waiter.is_alive():
            if live:
                progress.update(**query_counts(result))
            waiter.join(POLL_SECONDS)
        if waiter.error is not None:
            raise waiter.error
        progress.update(finished=True, **query_counts(result))
    if result.state != PipelineState.DONE:
        raise PipelineFailed(f"the pipeline ended in state {result.state}")
    return result
