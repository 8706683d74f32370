"""Ctrl-C during a run: the whole process group gets SIGINT, as from a terminal. The run stops
within seconds with one line, leaves no temporary files and nothing half-visible."""
import json
import os
import signal
import subprocess
import sys
import time

from tests.conftest import REPO, run_cli


def test_ctrl_c_stops_a_run_quietly_and_cleans_its_temporary_files(tmp_path):
    source = tmp_path / "dump.jsonl"
    with open(source, "w") as handle:
        for n in range(40_000):
            handle.write(json.dumps({"id": str(n), "text": f"The ferry timetable changes on day {n}. " * 15}) + "\n")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli.main", "run", "--input", str(source),
                             "--output", str(out), "--run-id", "cut"], cwd=REPO, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 120
    while not list(out.glob("_tmp/cut-*/staged/*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # the workers are writing
    os.killpg(proc.pid, signal.SIGINT)
    stopped = time.monotonic()
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and time.monotonic() - stopped < 20
    (line,) = stderr.decode().splitlines()
    assert line.startswith("newsbeam run: interrupted: run cut abandoned, nothing of it is visible")
    assert not any((out / "_tmp").iterdir()) and not (out / "_runs" / "cut.json").exists()
    again = run_cli("-q", "run", "--input", str(source), "--output", str(out), "--run-id", "cut")
    assert again.returncode == 0 and b"40,000 articles" in again.stdout
