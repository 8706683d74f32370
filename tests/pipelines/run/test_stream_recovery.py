"""The local stream survives: a failed window is retried, a restart re-reads nothing committed,
repeated failure ends it with an error, Ctrl-C abandons a window cleanly."""
import os
import signal
import subprocess
import sys
import time

import pyarrow.dataset as ds
import pytest

from pipelines.run.stream import StreamFailed
from tests.conftest import REPO
from tests.pipelines.run.test_stream import stream_from_argv

TEXT = "The harbour board says the {name} pier will close for a year of repairs, and ferries leave from the north quay."


def drop(folder, name):
    (folder / f"{name}.txt").write_text(TEXT.format(name=name))


def articles(out):
    if not (out / "articles").is_dir():
        return []
    return ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table().to_pylist()


def stream(inbox, out, *flags, report=None):
    lines = []
    manifests = stream_from_argv(["--watch", str(inbox / "*.txt"), "--output", str(out), "--poll-interval", "1",
                                  "--direct_running_mode=in_memory", *flags],
                                 report=report or lines.append)
    return manifests, lines


def blocked_output(tmp_path, note: str):
    """An inbox with one file, and an output whose articles folder is a file: every commit fails."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    out.mkdir()
    drop(inbox, "north")
    (out / "articles").write_text(note)
    return inbox, out


def test_a_failed_window_is_retried_and_its_files_land_once(tmp_path):
    inbox, out = blocked_output(tmp_path, "a file where the articles folder goes: the commit fails")
    lines = []

    def report(line):
        lines.append(line)
        if "failed" in line and (out / "articles").is_file():
            (out / "articles").unlink()  # the fault is gone before the retry

    manifests, _ = stream(inbox, out, "--duration", "12", "--run-id", "r1", report=report)
    assert any(line.startswith("window r1-w00000 failed") and "retried at the next poll" in line for line in lines)
    assert [m["run_id"] for m in manifests] == ["r1-w00000"]  # the retry, under the same run id
    assert [row["title"] or row["text"][:20] for row in articles(out)] and len(articles(out)) == 1
    assert manifests[0]["input_files"][0]["path"].endswith("north.txt")
    assert manifests[0]["runner"]["engine"] == "FnApiRunner"
    assert not any((out / "_tmp").iterdir())  # the failed window's temporary files are gone


def test_a_restart_reads_nothing_committed_and_a_changed_file_again(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    drop(inbox, "north")
    drop(inbox, "south")
    first, _ = stream(inbox, out, "--duration", "4", "--run-id", "a")
    assert sum(m["counts"]["articles"] for m in first) == 2
    again, _ = stream(inbox, out, "--duration", "3", "--run-id", "b")
    assert again == []  # nothing new: no window at all
    (inbox / "south.txt").write_text(TEXT.format(name="south") + " The work starts in May.")
    old = time.time() - 60
    os.utime(inbox / "south.txt", (old, old))  # settled
    changed, _ = stream(inbox, out, "--duration", "3", "--run-id", "c")
    assert [f["path"].rsplit("/", 1)[-1] for m in changed for f in m["input_files"]] == ["south.txt"]


def test_repeated_failure_ends_the_stream_with_an_error(tmp_path):
    inbox, out = blocked_output(tmp_path, "stays: every window fails")
    with pytest.raises(StreamFailed, match="2 windows in a row failed"):
        stream(inbox, out, "--poll-interval", "0.2", "--max-failures", "2", "--run-id", "f")
    assert not any((out / "_tmp").iterdir()) and not list((out / "_runs").glob("*.json"))


def test_ctrl_c_during_a_window_abandons_it_quietly(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    for n in range(40):
        drop(inbox, f"pier{n}")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli.main", "stream", "--watch", str(inbox / "*.txt"),
                             "--output", str(out), "--poll-interval", "1", "--run-id", "k"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list((out / "_tmp").glob("k-w00000*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # the window has started writing
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr.decode()[-2000:]
    said = (stdout + stderr).decode()
    assert "window k-w00000 abandoned, nothing of it is visible" in said and "0 windows committed" in said
    assert "newsbeam stream: interrupted" in stderr.decode()
    assert len(said.strip().splitlines()) <= 4 and "Traceback" not in said
    assert not any((out / "_tmp").iterdir()) and articles(out) == []
