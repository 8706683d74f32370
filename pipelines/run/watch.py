"""Watched folders: which files are new and complete (pure bookkeeping + FileSystems listing).

A file is picked up once, when it is *complete*: its size and modification
time were the same at two consecutive listings, or it has not changed for
``settle_seconds``. Names that writers use while a file is still being written
(``*.tmp``, ``*.part``, ``*.partial``, ``*.crdownload``, ``*~``, dot-files) are
never read; writing under such a name and renaming is the safe way to drop a
file in.
"""
import re
import time
from typing import Dict, Iterable, List, Tuple

from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems

_IN_PROGRESS = re.compile(r"(^\.|\.(tmp|part|partial|crdownload|inprogress)$|~$)", re.IGNORECASE)


def in_progress_name(path: str) -> bool:
    return bool(_IN_PROGRESS.search(path.rsplit("/", 1)[-1]))


def list_files(patterns: Iterable[str]) -> Dict[str, Tuple[int, float]]:
    """path -> (size, mtime) of every file the globs match now."""
    found = {}
    for pattern in patterns:
        try:
            matched = FileSystems.match([pattern])[0].metadata_list
        except BeamIOError:
            continue
        for meta in matched:
            found[meta.path] = (meta.size_in_bytes, meta.last_updated_in_seconds)
    return found


class FolderWatch:
    """Remembers what was listed and what was taken; hands out complete new files."""

    def __init__(self, patterns, settle_seconds: float = 2.0):
        self._patterns = list(patterns)
        self._settle = settle_seconds
        self._last_listing: Dict[str, Tuple[int, float]] = {}
        self._taken = set()

    def new_complete_files(self, now: float = None) -> List[str]:
        now = time.time() if now is None else now
        listing = list_files(self._patterns)
        ready = sorted(path for path, stat in listing.items() if self._is_ready(path, stat, now))
        self._last_listing = listing
        self._taken.update(ready)
        return ready

    def _is_ready(self, path, stat, now) -> bool:
        if path in self._taken or in_progress_name(path):
            return False
        steady = self._last_listing.get(path) == stat
        return steady or (stat[1] and now - stat[1] >= self._settle)
