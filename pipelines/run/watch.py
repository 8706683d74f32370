"""Watched folders: which files are new and complete (pure bookkeeping + FileSystems listing).

A file is picked up once, when it is *complete*: its size and modification
time were the same at two consecutive listings, or it has not changed for
``settle_seconds``. Names that writers use while a file is still being written
(``*.tmp``, ``*.part``, ``*.partial``, ``*.crdownload``, ``*~``, dot-files) are
never read; writing under such a name and renaming is the safe way to drop a
file in.

What was taken is known by (size, modification time): a file changed after it was taken is
taken again. A stream seeds the watch with the files its committed windows read (their
manifests' ``input_files``, ``committed_files``), so a restart re-reads nothing that was
committed, and ``release`` gives back the files of a window that failed, for the next poll.
"""
import re
import time
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

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


Stat = Tuple[int, float]  # (size in bytes, modification time in seconds)


def committed_files(manifests: Iterable[Mapping]) -> Dict[str, Stat]:
    """path -> (size, mtime) of the files committed windows read, the newest window's stat last."""
    found: Dict[str, Stat] = {}
    for manifest in sorted(manifests, key=lambda m: m.get("started_at") or ""):
        for entry in manifest.get("input_files") or ():
            found[entry["path"]] = (entry["size"], entry["mtime"])
    return found


def input_files_entry(files: Mapping[str, Stat]) -> List[dict]:
    """The manifest's ``input_files``: what a window read, for ``committed_files`` after a restart."""
    return [{"path": path, "size": size, "mtime": mtime} for path, (size, mtime) in sorted(files.items())]


class FolderWatch:
    """Remembers what was listed and what was taken; hands out complete new files."""

    def __init__(self, patterns, settle_seconds: float = 2.0, taken: Optional[Mapping[str, Stat]] = None):
        self._patterns = list(patterns)
        self._settle = settle_seconds
        self._last_listing: Dict[str, Stat] = {}
        self._taken: Dict[str, Stat] = dict(taken or {})

    def new_complete_files(self, now: float = None) -> Dict[str, Stat]:
        """path -> (size, mtime) of the files complete and not taken (in this stat) yet; now taken."""
        now = time.time() if now is None else now
        listing = list_files(self._patterns)
        ready = {path: stat for path, stat in sorted(listing.items()) if self._is_ready(path, stat, now)}
        self._last_listing = listing
        self._taken.update(ready)
        return ready

    def release(self, files: Iterable[str]) -> None:
        """Give ``files`` back (their window failed): the next poll takes them again."""
        for path in files:
            self._taken.pop(path, None)

    def _is_ready(self, path, stat, now) -> bool:
        if self._taken.get(path) == stat or in_progress_name(path):
            return False
        steady = self._last_listing.get(path) == stat
        return steady or (stat[1] and now - stat[1] >= self._settle)
