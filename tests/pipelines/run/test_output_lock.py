"""One writer at a time: the output lock, its heartbeat and the take-over of a dead run's lock."""
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pyarrow.dataset as ds
import pytest

import pipelines.run.output_lock as output_lock
from pipelines.errors import ConfigError
from pipelines.run.output_lock import LOCK_NAME, OutputLock
from tests.conftest import read_manifest, run_cli


def write_lock(out, **fields):
    out.mkdir(parents=True, exist_ok=True)
    holder = {"run_id": "other", "host": socket.gethostname(), "pid": os.getpid(), "token": "t",
              "heartbeat": time.time(), **fields}
    (out / LOCK_NAME).write_text(json.dumps(holder))


def test_a_held_output_refuses_a_second_writer_naming_the_first(tmp_path):
    with OutputLock(str(tmp_path), "first"):
        with pytest.raises(ConfigError, match="locked by run first"):
            OutputLock(str(tmp_path), "second").acquire()
    assert not (tmp_path / LOCK_NAME).exists()
    with OutputLock(str(tmp_path), "third"):  # released: free again
        assert json.loads((tmp_path / LOCK_NAME).read_text())["run_id"] == "third"


def test_a_lock_of_a_dead_process_or_without_heartbeat_is_taken_over(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    write_lock(tmp_path, pid=int(dead.stdout))
    with OutputLock(str(tmp_path), "mine"):
        assert json.loads((tmp_path / LOCK_NAME).read_text())["run_id"] == "mine"
    write_lock(tmp_path, host="elsewhere", heartbeat=time.time() - output_lock.STALE_S - 5)
    with OutputLock(str(tmp_path), "mine-again"):
        pass


def test_a_live_lock_elsewhere_and_a_fresh_unreadable_lock_are_respected(tmp_path):
    write_lock(tmp_path, host="elsewhere", pid=1)
    with pytest.raises(ConfigError, match="host elsewhere"):
        OutputLock(str(tmp_path), "mine").acquire()
    (tmp_path / LOCK_NAME).write_text("{not json")
    with pytest.raises(ConfigError, match="unreadable lock file"):
        OutputLock(str(tmp_path), "mine").acquire()


def test_the_heartbeat_keeps_a_long_run_alive(tmp_path, monkeypatch):
    monkeypatch.setattr(output_lock, "HEARTBEAT_S", 0.05)
    with OutputLock(str(tmp_path), "long"):
        first = json.loads((tmp_path / LOCK_NAME).read_text())["heartbeat"]
        time.sleep(0.5)
        assert json.loads((tmp_path / LOCK_NAME).read_text())["heartbeat"] > first


def test_the_cli_exits_2_with_one_line_when_the_output_is_in_use(tmp_path):
    write_lock(tmp_path / "out", host="elsewhere", pid=1)
    result = run_cli("run", "--output", str(tmp_path / "out"))
    assert result.returncode == 2
    assert b"is locked by run other (host elsewhere" in result.stderr and len(result.stderr.splitlines()) == 1


def test_two_runs_at_once_never_write_twice(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n in range(5):
        (inputs / f"{n}.txt").write_text(f"Story {n}: the lifeboat was launched twice on Sunday in heavy seas.")
    out = tmp_path / "out"
    results = {}

    def launch(run_id):
        results[run_id] = run_cli("run", "--input", str(inputs / "*"), "--output", str(out), "--run-id", run_id)

    threads = [threading.Thread(target=launch, args=(run_id,)) for run_id in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(result.returncode for result in results.values())
    assert codes in ([0, 0], [0, 2]), {k: v.stderr.decode()[-300:] for k, v in results.items()}
    ids = ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table().column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 5  # the second run either waited its turn (all seen) or was refused
    assert read_manifest(out)["reconciliation"]["ok"]
