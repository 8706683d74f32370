"""One writer at a time: a lock file under the output root, with owner, host and heartbeat.

``OUT/_lock.json`` holds the run id, host, pid, start time and a heartbeat. A run takes it
before anything is written (exclusive create on a local filesystem), a daemon thread
refreshes the heartbeat every ``HEARTBEAT_S`` seconds, and the run removes it at the end.
A second run finds it and stops with a one-line ``ConfigError`` (exit 2) naming the owner.

A lock is stale when its heartbeat is older than ``STALE_S`` seconds or its owner is a dead
process on this host; a stale lock is taken over by renaming it aside (of two runs racing
for it only one rename succeeds) and creating a new one. An unreadable lock file counts by
its modification time. On object stores (gs://, s3://) there is no exclusive create: the
lock is written when absent and read back to confirm the owner, which narrows the race but
cannot close it (docs/scheduling.md).
"""
import json
import os
import socket
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Optional

from apache_beam.io.filesystems import FileSystems

from pipelines.errors import ConfigError
from schemas.layout import join
from transforms.storage import read_json, write_json_atomically

__all__ = ["OutputLock", "LOCK_NAME"]

LOCK_NAME = "_lock.json"
HEARTBEAT_S = 10.0
STALE_S = 60.0


def _now() -> float:
    return time.time()


def _pid_alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, TypeError, OverflowError):
        return True
    return True


def is_stale(holder: Optional[dict], mtime: float, now: float) -> bool:
    """Whether a lock (its JSON, or None when unreadable) no longer has a live owner."""
    if not isinstance(holder, dict):
        return now - mtime > STALE_S
    if holder.get("host") == socket.gethostname() and not _pid_alive(holder.get("pid")):
        return True
    beat = holder.get("heartbeat")
    return not isinstance(beat, (int, float)) or now - beat > STALE_S


def describe_holder(holder: Optional[dict], now: float) -> str:
    if not isinstance(holder, dict):
        return "an unreadable lock file"
    age = now - holder["heartbeat"] if isinstance(holder.get("heartbeat"), (int, float)) else float("nan")
    return (f"run {holder.get('run_id')} (host {holder.get('host')}, pid {holder.get('pid')}, "
            f"last heartbeat {age:.0f} s ago)")


class OutputLock:
    """``with OutputLock(output, run_id):`` -- held for the body, released after it."""

    def __init__(self, output: str, run_id: str):
        self.path = join(output, LOCK_NAME)
        self._local = "://" not in output
        self._record = {"run_id": run_id, "host": socket.gethostname(), "pid": os.getpid(),
                        "token": uuid.uuid4().hex, "started_at": datetime.now(timezone.utc).isoformat()}
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
        return False

    def _payload(self) -> dict:
        return {**self._record, "heartbeat": _now()}

    def acquire(self) -> None:
        for _ in range(3):
            if self._try_create():
                self._start_heartbeat()
                return
            self._take_over_if_stale()
        raise ConfigError(f"output {self.path.rsplit('/', 1)[0]!r} is in use by another run; try again later")

    def _try_create(self) -> bool:
        if not self._local:
            return self._try_create_remote()
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as handle:
            json.dump(self._payload(), handle)
        return True

    def _try_create_remote(self) -> bool:
        if FileSystems.exists(self.path):
            return False
        write_json_atomically(self.path, self._payload())
        return (read_json(self.path) or {}).get("token") == self._record["token"]

    def _holder(self):
        try:
            return read_json(self.path)
        except (ValueError, OSError):
            return None

    def _mtime(self) -> float:
        try:
            return os.path.getmtime(self.path) if self._local else _now()
        except OSError:
            return _now()

    def _take_over_if_stale(self) -> None:
        holder, now = self._holder(), _now()
        if not is_stale(holder, self._mtime(), now):
            raise ConfigError(f"output {self.path.rsplit('/', 1)[0]!r} is locked by {describe_holder(holder, now)}: "
                              f"one run writes an output at a time; if that run is dead, its lock is taken over "
                              f"{STALE_S:.0f} s after its last heartbeat (or remove {self.path})")
        aside = f"{self.path}.stale-{uuid.uuid4().hex[:8]}"
        try:
            if self._local:
                os.rename(self.path, aside)
                os.remove(aside)
            else:
                FileSystems.delete([self.path])
        except OSError:
            pass  # another run moved it first: try to create again

    def _start_heartbeat(self) -> None:
        self._thread = threading.Thread(target=self._beat, name="newsbeam-lock-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            if self._owned():
                write_json_atomically(self.path, self._payload())

    def _owned(self) -> bool:
        return (self._holder() or {}).get("token") == self._record["token"]

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=HEARTBEAT_S)
        if self._owned():
            FileSystems.delete([self.path])
