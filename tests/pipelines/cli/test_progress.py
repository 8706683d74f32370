"""Progress: the pure line formatting, the counters it reads, and a run on a real terminal (pty)."""
import io
import os
import pty
import select
import sys
import time

import apache_beam as beam
import pytest
from apache_beam.metrics import Metrics
from apache_beam.metrics.execution import MetricKey, MetricResult
from apache_beam.metrics.metricbase import MetricName
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.errors import PipelineFailed
from pipelines.cli.progress import (
    Progress,
    Snapshot,
    counts_from_metrics,
    format_elapsed,
    format_line,
    run_pipeline,
    stage_phases,
)
from tests.conftest import REPO
from transforms.dead_letter import DOCUMENTS_READ, PROGRESS_NAMESPACE, REJECTED_ROWS


def metric(name, committed, attempted, namespace=PROGRESS_NAMESPACE, step="s"):
    return MetricResult(MetricKey(step, MetricName(namespace, name)), committed, attempted)


# --------------------------------------------------------------------------- pure


def test_elapsed_is_minutes_then_hours():
    assert [format_elapsed(s) for s in (0, 59.9, 61, 3599, 3600, 7325)] == \
        ["0:00", "0:59", "1:01", "59:59", "1:00:00", "2:02:05"]


def test_line_with_counts_shows_rate_and_phase():
    snap = Snapshot(elapsed=20, documents=4000, articles=3900, rejected=12, phase="cleaning", live=True)
    line = format_line(snap)
    assert line == "newsbeam 0:20 | 4,000 documents | 3,900 articles | 12 rejected | 200 docs/s | cleaning"


def test_line_with_the_inputs_size_shows_the_share_read_and_an_eta():
    snap = Snapshot(elapsed=20, documents=4000, articles=3900, rejected=12, bytes_read=25_000_000,
                    bytes_total=100_000_000, rate=150.0)
    assert format_line(snap) == ("newsbeam 0:20 | 25.0 of 100.0 MB read (25%) | ETA 1:00 | 4,000 documents | "
                                 "3,900 articles | 12 rejected | 150 docs/s")


def test_line_without_counts_says_so_rather_than_showing_zeros():
    line = format_line(Snapshot(elapsed=75, phase="cleaning, deduplicating"))
    assert line == "newsbeam 1:15 | cleaning, deduplicating | counts come at the end on this runner"
    assert "0 documents" not in line
    waiting = format_line(Snapshot(elapsed=3, live=True))
    assert waiting == "newsbeam 0:03 | running | waiting for the first counts"


def test_line_fits_the_terminal():
    line = format_line(Snapshot(elapsed=5, phase="reading files, extracting text"), width=40)
    assert len(line) == 40 and line.endswith("...")


def test_counts_prefer_committed_and_sum_over_steps():
    counters = [metric(DOCUMENTS_READ, 10, 12, step="a"), metric(DOCUMENTS_READ, None, 5, step="b"),
                metric(REJECTED_ROWS, 2, 2),
                metric("rejected_too_large", 2, 2, namespace="transforms.sources.read._SplitFileFn")]
    assert counts_from_metrics(counters) == {"documents": 15, "articles": 0, "rejected": 2}
    assert counts_from_metrics([]) == {}


def test_stage_phases_in_plain_words():
    fused = ("((((LinkedPages/AllDocs/Read)+(ref_AppliedPTransform_CleanArticles-BuildArticle-ParDo-"
             "_BuildArticleFn-_99))+(AllRejected/Write/2))+(ref_AppliedPTransform_Deduplicate-KeyById_120))")
    assert stage_phases(fused) == "cleaning, deduplicating"
    assert stage_phases("ref_AppliedPTransform_ReadFiles-Patterns-Impulse_4") == "reading files"
    assert stage_phases("ref_AppliedPTransform_CommitRun-Commit_190") == "committing"
    assert stage_phases("ref_AppliedPTransform_CommitRun-Once-Impulse_187") == ""
    assert stage_phases("Count_records/CombineGlobally(CountCombineFn)/DoOnce/Impulse") == ""


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_mode_follows_switches_and_terminal():
    assert Progress.choose(quiet=False, verbose=False, stream=FakeTerminal()).mode == "line"
    assert Progress.choose(quiet=False, verbose=False, stream=io.StringIO()).mode == "plain"  # logs get a line now and then
    assert Progress.choose(quiet=True, verbose=False, stream=FakeTerminal()).mode == "off"
    assert Progress.choose(quiet=False, verbose=True, stream=FakeTerminal()).mode == "log"


def test_line_mode_redraws_then_clears_the_line():
    stream = FakeTerminal()
    with Progress("line", stream=stream) as progress:
        progress.update(phase="cleaning")
        time.sleep(1.2)
    text = stream.getvalue()
    assert "\r\x1b[Knewsbeam 0:01 | cleaning | counts come at the end on this runner" in text
    assert text.endswith("\r\x1b[K")


def test_off_mode_writes_nothing():
    stream = FakeTerminal()
    with Progress("off", stream=stream) as progress:
        progress.update(phase="cleaning")
        time.sleep(0.7)
    assert stream.getvalue() == ""


# --------------------------------------------------------------------------- runners


class _CountDocumentsFn(beam.DoFn):
    def __init__(self):
        self._read = Metrics.counter(PROGRESS_NAMESPACE, DOCUMENTS_READ)

    def process(self, element):
        self._read.inc()
        yield element


class _FailFn(beam.DoFn):
    def process(self, element):
        raise ValueError("boom")


@pytest.mark.parametrize("args", [["--direct_running_mode=in_memory"],
                                  ["--direct_running_mode=multi_processing", "--direct_num_workers=2"],
                                  ["--runner=BundleBasedDirectRunner"]])
def test_run_pipeline_reports_the_final_counts_on_each_local_runner(args):
    pipeline = beam.Pipeline(options=PipelineOptions(args))
    _ = pipeline | beam.Create(range(25)) | beam.ParDo(_CountDocumentsFn())
    progress = Progress("off")
    result = run_pipeline(pipeline, progress)
    snap = progress.snapshot()
    assert str(result.state) == "DONE"
    assert (snap.documents, snap.finished) == (25, True)
    assert snap.live is (args == ["--runner=BundleBasedDirectRunner"])


def test_run_pipeline_raises_when_the_pipeline_fails():
    pipeline = beam.Pipeline(options=PipelineOptions(["--direct_running_mode=in_memory"]))
    _ = pipeline | beam.Create([1]) | beam.ParDo(_FailFn())
    with pytest.raises(Exception, match="boom"):
        run_pipeline(pipeline, Progress("off"))
    assert issubclass(PipelineFailed, RuntimeError)


# --------------------------------------------------------------------------- end to end, on a terminal


def run_on_terminal(args, cwd, timeout=300):
    """``newsbeam ARGS`` with stdin/stdout/stderr on a pseudo-terminal; returns (exit code, output)."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.chdir(cwd)
        os.environ["PYTHONPATH"] = str(REPO)
        os.execv(sys.executable, [sys.executable, "-m", "pipelines.cli.main", *args])
    output, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def test_progress_line_on_a_terminal_then_the_summary(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("The ferry service resumed on Tuesday after the storm passed.\n")
    code, output = run_on_terminal(["run", "--input", str(src), "--output", str(tmp_path / "out")], tmp_path)
    assert code == 0, output
    assert "\r\x1b[Knewsbeam 0:0" in output
    summary = output.rsplit("\r\x1b[K", 1)[-1]
    assert summary.startswith("newsbeam run ") and "1 article," in summary
    assert "Traceback" not in output


def test_plain_mode_writes_whole_lines_for_logs(monkeypatch):
    from pipelines.cli import progress as progress_module

    monkeypatch.setattr(progress_module, "PLAIN_EVERY_SECONDS", 0.4)
    stream = io.StringIO()
    with Progress("plain", stream=stream) as progress:
        progress.update(phase="cleaning")
        time.sleep(1.3)
    lines = stream.getvalue().splitlines()
    assert lines and all(line.startswith("newsbeam 0:0") and "\r" not in line for line in lines)


def test_live_counts_from_the_workers_on_the_default_runner(tmp_path):
    """The default (multi-process) runner has no live metrics: the line counts from the progress channel."""
    import json

    src = tmp_path / "dump.jsonl"
    with open(src, "w") as handle:
        for n in range(30_000):
            handle.write(json.dumps({"id": str(n), "text": f"The ferry timetable changes on day {n}. " * 12}) + "\n")
    code, output = run_on_terminal(["run", "--input", str(src), "--output", str(tmp_path / "out")], tmp_path)
    assert code == 0, output[-2000:]
    frames = [frame for frame in output.split("\r\x1b[K") if "MB read" in frame]
    assert frames, output[-2000:]
    assert any("documents" in frame and "%)" in frame for frame in frames)
    assert not (tmp_path / "out" / "_tmp" / "progress").exists() and not any(
        p.name.endswith("-progress") for p in (tmp_path / "out" / "_tmp").iterdir())
