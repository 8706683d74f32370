"""Temporary folders of runs that died: listed by ``inspect``, removed by ``gc`` (never a live run's)."""
import json
import os
import socket
import time

from tests.conftest import run_cli


def small_output(tmp_path):
    (tmp_path / "a.txt").write_text("The harbour board says the ferry pier will close for a year of repairs.\n")
    out = tmp_path / "out"
    assert run_cli("-q", "run", "--input", str(tmp_path / "a.txt"), "--output", str(out),
                   "--direct_running_mode=in_memory").returncode == 0
    dead = out / "_tmp" / "20240101T000000Z-dead00-1a2b3c4d" / "staged"
    dead.mkdir(parents=True)
    (dead / "rows-x.parquet").write_bytes(b"x" * 2_000_000)
    return out


def test_inspect_lists_stale_temporary_folders_and_gc_removes_them(tmp_path):
    out = small_output(tmp_path)
    shown = run_cli("inspect", str(out)).stdout.decode()
    assert "stale        1 temporary folder" in shown and "20240101T000000Z-dead00-1a2b3c4d" in shown
    info = json.loads(run_cli("inspect", str(out), "--json").stdout)
    assert info["temp"]["folders"]["20240101T000000Z-dead00-1a2b3c4d"]["bytes"] == 2_000_000
    result = run_cli("gc", str(out))
    assert result.returncode == 0 and b"removed 1 temporary folder" in result.stdout
    assert not any((out / "_tmp").iterdir()) and "temporary folder" not in run_cli("inspect", str(out)).stdout.decode()


def test_gc_leaves_a_live_runs_output_alone(tmp_path):
    out = small_output(tmp_path)
    (out / "_lock.json").write_text(json.dumps({"run_id": "live-1", "host": socket.gethostname(), "pid": os.getpid(),
                                                "started_at": "now", "heartbeat": time.time()}))
    assert "in progress  run live-1 holds the output" in run_cli("inspect", str(out)).stdout.decode()
    result = run_cli("gc", str(out))
    assert result.returncode == 2 and b"live-1" in result.stderr
    assert (out / "_tmp" / "20240101T000000Z-dead00-1a2b3c4d").is_dir()
