"""Run a command and measure it: wall time, and peak resident memory of its whole process tree.

Beam's multi-process DirectRunner, datatrove's executor and newsbeam's extraction
children are all subprocesses, so the peak of one process says little. A thread polls
``/proc`` every ``interval`` seconds and sums the RSS of the command and every
descendant; the largest sum is the tree's peak (each worker is its own interpreter, so
summing RSS double-counts little). CPU time is the tree's (``RUSAGE_CHILDREN``, or the
sum of what each process had used when last polled), and the 1-minute load average is sampled too: on a
shared machine, other tenants' load slows multi-process runs more than single-process ones.
Linux only.
"""
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

__all__ = ["Measured", "run_measured"]

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measured:
    """What ``run_measured`` saw."""

    returncode: int
    seconds: float
    peak_tree_bytes: int  # largest sum of RSS over the process and its descendants
    peak_process_bytes: int  # largest RSS of any single process of the tree
    peak_processes: int
    cpu_seconds: float  # user + system time of the whole tree
    max_load: float  # highest 1-minute load average seen while it ran
    stdout: str
    stderr: str


def _processes() -> Dict[int, Tuple[int, float]]:
    """pid -> (parent pid, CPU seconds so far) for every process visible in /proc."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            fields = stat[stat.rindex(b")") + 2:].split()
            found[int(name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS)
    return found


def _parents() -> Dict[int, int]:
    """pid -> parent pid for every process visible in /proc."""
    return {pid: parent for pid, (parent, _) in _processes().items()}


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _tree(root: int, processes: Dict[int, Tuple[int, float]]) -> List[int]:
    children: Dict[int, List[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        queue.extend(children.get(pid, ()))
    return pids


def tree_rss(root: int) -> List[int]:
    """RSS in bytes of ``root`` and each of its descendants."""
    return [_rss(pid) for pid in _tree(root, _processes())]


class _Poller(threading.Thread):
    def __init__(self, pid: int, interval: float):
        super().__init__(daemon=True)
        self._pid, self._interval = pid, interval
        self._stop_event = threading.Event()
        self.peak_tree = self.peak_process = self.peak_processes = 0
        self.max_load = 0.0
        self.cpu: Dict[int, float] = {}  # pid -> CPU seconds when last seen

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())

    def run(self):
        while not self._stop_event.is_set():
            with open("/proc/loadavg", encoding="ascii") as handle:
                self.max_load = max(self.max_load, float(handle.read().split()[0]))
            processes = _processes()
            pids = _tree(self._pid, processes)
            self.cpu.update((pid, processes[pid][1]) for pid in pids if pid in processes)
            sizes = [_rss(pid) for pid in pids]
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
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    poller = _Poller(process.pid, interval)
    poller.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    poller.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Waited-for descendants are all in RUSAGE_CHILDREN; ones reaped by another process (a
    # fork server's workers) are not, but were sampled while they ran.
    cpu = max((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), poller.cpu_seconds)
    return Measured(process.returncode, seconds, poller.peak_tree, poller.peak_process, poller.peak_processes, cpu,
                    poller.max_load, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))
