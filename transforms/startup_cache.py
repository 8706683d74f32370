"""What a process builds at start-up from fixed inputs, kept on disk for the next process.

``newsbeam clean PAGE`` is a process per page: building the public-suffix trie and analysing
the rule packs' regexes took longer than cleaning the page. ``cached(name, key, build)``
returns ``build()``, pickled under the cache folder in a file named by a hash of ``key``
(which must name everything the value depends on: library versions, the source of the code
that built it, its inputs). A missing, unreadable or corrupt file is rebuilt; a cache folder
that cannot be written is skipped. Nothing in the cache is ever needed: deleting the folder
only costs the next start-up. Of one value, the ``KEEP`` newest versions are kept.

The folder: ``$NEWSBEAM_CACHE_DIR``, else ``$XDG_CACHE_HOME/newsbeam``, else
``~/.cache/newsbeam``; ``NEWSBEAM_CACHE_DIR=off`` turns the cache off. Like Python's own
``__pycache__``, its files are loaded as code-bearing pickles: the folder must be the user's.
"""
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Callable, Optional, TypeVar

__all__ = ["cached", "cache_folder", "source_digest"]

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")
KEEP = 8  # versions of one value kept


def cache_folder() -> Optional[Path]:
    """Where cached values live; None when the cache is off."""
    chosen = os.environ.get("NEWSBEAM_CACHE_DIR")
    if chosen:
        return None if chosen.lower() == "off" else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "newsbeam"


def source_digest(*modules) -> Optional[str]:
    """A digest of the source files of ``modules`` (code that builds a cached value is part of its
    key); None when a source cannot be read (then nothing is cached: see ``cached``)."""
    digest = hashlib.sha256()
    try:
        for module in modules:
            digest.update(Path(module.__file__).read_bytes())
    except (OSError, TypeError):  # no file (a zip import, a frozen module)
        return None
    return digest.hexdigest()


def cached(name: str, key: Optional[str], build: Callable[[], T]) -> T:
    """``build()``, or what it returned before for the same ``name`` and ``key`` (None: not cached)."""
    folder = cache_folder()
    if folder is None or key is None:
        return build()
    path = folder / f"{name}-{hashlib.sha256(f'{sys.version}|{key}'.encode()).hexdigest()[:32]}.pickle"
    try:
        with open(path, "rb") as handle:
            return _unpickled(handle.read())
    except FileNotFoundError:
        pass
    except Exception as err:  # noqa: BLE001 - a corrupt or foreign file is rebuilt, never trusted
        _LOGGER.debug("startup cache %s unreadable (%s): rebuilt", path, err)
    value = build()
    _store(path, value)
    return value


def _unpickled(data: bytes):
    """``pickle.loads`` with the cyclic collector paused: the tens of thousands of containers a
    table holds would otherwise set off full collections over everything imported so far."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if was_enabled:
            gc.enable()


def _store(path: Path, value) -> None:
    """Write ``value`` to ``path`` atomically (a rename); any failure only loses the cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        _prune(path)
    except Exception as err:  # noqa: BLE001 - a read-only or full disk: start-up is slower, nothing else
        _LOGGER.debug("startup cache %s not written: %s", path, err)


def _prune(path: Path) -> None:
    """Keep the ``KEEP`` newest files of ``path``'s name (edited rule packs leave older versions)."""
    name = path.name.rsplit("-", 1)[0]
    versions = sorted(path.parent.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in versions[KEEP:]:
        old.unlink(missing_ok=True)
