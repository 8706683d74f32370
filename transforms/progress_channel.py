"""Live counts from the workers to the launcher, through files newsbeam owns (no Beam).

The local runner reports Beam metrics only when a run has ended, so the workers also add
their counts here: when the launcher sets ``NEWSBEAM_PROGRESS_DIR`` (inherited by worker
processes), each process keeps its running totals and writes them, at most every
``FLUSH_SECONDS``, to its own small JSON file in that folder (temp name, then an atomic
rename). The launcher sums the files (``read_totals``) to draw the progress line. Without
the variable (a cluster worker) counting costs a dictionary update.
"""
import json
import os
import threading
import time
import uuid
from typing import Dict, Optional

__all__ = ["PROGRESS_DIR_ENV", "count", "flush", "read_totals"]

PROGRESS_DIR_ENV = "NEWSBEAM_PROGRESS_DIR"
FLUSH_SECONDS = 0.5

_lock = threading.Lock()
_state = {"dir": None, "path": None, "totals": {}, "flushed": 0.0}


def _target() -> Optional[str]:
    """This process's file in the progress folder the environment names now (None: not counting)."""
    folder = os.environ.get(PROGRESS_DIR_ENV)
    if folder != _state["dir"]:  # a new run (a stream window) in this process: start over
        _state.update(dir=folder, totals={}, flushed=0.0,
                      path=os.path.join(folder, f"{os.getpid()}-{uuid.uuid4().hex[:8]}.json") if folder else None)
    return _state["path"]


def count(name: str, amount: int = 1) -> None:
    """Add ``amount`` to this process's ``name``; written out at most every FLUSH_SECONDS."""
    with _lock:
        if _target() is None:
            return
        totals = _state["totals"]
        totals[name] = totals.get(name, 0) + amount
        if time.monotonic() - _state["flushed"] >= FLUSH_SECONDS:
            _write()


def flush() -> None:
    """Write this process's totals now (a worker's bundle ended)."""
    with _lock:
        if _target() is not None and _state["totals"]:
            _write()


def _write() -> None:
    _state["flushed"] = time.monotonic()
    path = _state["path"]
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temp = f"{path}.{uuid.uuid4().hex[:6]}.tmp"
        with open(temp, "w") as handle:
            json.dump(_state["totals"], handle)
        os.replace(temp, path)
    except OSError:  # progress is best effort: never a reason to fail a run
        pass


def read_totals(folder: str) -> Dict[str, int]:
    """The sum of every process's totals in ``folder`` ({} before the first file)."""
    totals: Dict[str, int] = {}
    try:
        names = [name for name in os.listdir(folder) if name.endswith(".json")]
    except OSError:
        return totals
    for name in names:
        try:
            with open(os.path.join(folder, name)) as handle:
                counts = json.load(handle)
        except (OSError, ValueError):
            continue  # being replaced: the next read has it
        for key, value in counts.items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    return totals
