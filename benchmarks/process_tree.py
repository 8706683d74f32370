"""Run a command and measure it: wall time, and peak resident memory of its whole process tree.

Beam's multi-process DirectRunner, datatrove's executor and newsbeam's extraction
children are all subprocesses, so the peak of one process says little. A thread polls
``/proc`` every ``interval`` seconds and sums the RSS of the command and every
descendant; the largest sum is the tree's peak (each worker is its own interpreter, so
summing RSS double-counts little). Linux only.
"""
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Dict, List, Optional

__all__ = ["Measured", "run_measured"]

_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measured:
    """What ``run_measured`` saw."""

    returncode: int
    seconds: float
    peak_tree_bytes: int  # largest sum of RSS over the process and its descendants
    peak_process_bytes: int  # largest RSS of any single process of the tree
    peak_processes: int
    stdout: str
    stderr: str


def _parents() -> Dict[int, int]:
    """pid -> parent pid for every process visible in /proc."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            fields = stat[stat.rindex(b")") + 2:].split()
            found[int(name)] = int(fields[1])
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(root: int) -> List[int]:
    """RSS in bytes of ``root`` and each of its descendants."""
    children: Dict[int, List[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        queue.extend(children.get(pid, ()))
    return [_rss(pid) for pid in pids]


class _Poller(threading.Thread):
    def __init__(self, pid: int, interval: float):
        super().__init__(daemon=True)
        self._pid, self._interval = pid, interval
        self._stop_event = threading.Event()
        self.peak_tree = self.peak_process = self.peak_processes = 0

    def run(self):
        while not self._stop_event.is_set():
            sizes = tree_rss(self._pid)
            self.peak_tree = max(self.peak_tree, sum(sizes))
            self.peak_process = max(self.peak_process, max(sizes, default=0))
            self.peak_processes = max(self.peak_processes, sum(1 for size in sizes if size))
            self._stop_event.wait(self._interval)

    def stop(self):
        self._stop_event.set()
        self.join()


def run_measured(command: List[str], cwd: Optional[str] = None, env: Optional[dict] = None,
                 interval: float = 0.1) -> Measured:
    """Run ``command`` to completion; its output is captured, not shown."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    poller = _Poller(process.pid, interval)
    poller.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    poller.stop()
    return Measured(process.returncode, seconds, poller.peak_tree, poller.peak_process, poller.peak_processes,
                    stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))
