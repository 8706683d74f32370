"""The commit protocol: a run's files become visible all at once, through its manifest.

Readers (``inspect``, ``report``, the history read by deduplication, ``replay`` and the
documented DuckDB / pandas queries) read only the files a committed manifest lists
(``committed_paths``). A commit, run once all of a run's files are written:

1. ``intent``: writes ``_runs/RUN.json.pending``: the moves it will make and the files the
   run's current manifest lists (an earlier attempt of the same run id);
2. ``moved``: moves the new files into place, under unique names never listed before;
3. ``manifest``: writes ``_runs/RUN.json`` (temp name, then an atomic rename) -- the commit
   point: before it readers see the old state, after it the new one;
4. ``replaced``: deletes the files of the earlier attempt, which no manifest lists any more;
5. ``state``: the caller saves feed validators (only now: a failed commit hides no item);
6. ``done``: removes the intent and the temp folder.

``repair_output`` (run by the next run, under the output lock) finishes a commit stopped
after step 3 and undoes one stopped before it, using only what the intent names; it also
removes abandoned temp folders. Nothing else is ever deleted. ``fault_point`` lets the
tests stop a real run at each step (environment variable ``NEWSBEAM_COMMIT_FAULT``).
"""
import logging
import os
from typing import Callable, Dict, Iterable, List, Optional, Set

from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems

from schemas.layout import COMMITTED_KINDS, join, manifest_path
from transforms.storage import ensure_parent, read_json, write_json_atomically

__all__ = ["commit_files", "committed_paths", "listed_paths", "read_manifests", "repair_output", "intent_path", "STEPS"]

_LOGGER = logging.getLogger(__name__)
STEPS = ("intent", "moved", "manifest", "replaced", "state", "done")
FAULT_ENV = "NEWSBEAM_COMMIT_FAULT"
PENDING_SUFFIX = ".pending"


def fault_point(step: str) -> None:
    """Test failpoint: the process dies right after ``step`` when the environment names it."""
    if os.environ.get(FAULT_ENV) == step:
        _LOGGER.error("commit stopped after step %r (%s is set)", step, FAULT_ENV)
        os._exit(137)


def intent_path(output: str, run_id: str) -> str:
    return manifest_path(output, run_id) + PENDING_SUFFIX


def _match(pattern: str) -> List[str]:
    try:
        return [m.path for m in FileSystems.match([pattern])[0].metadata_list]
    except BeamIOError:
        return []


def read_manifests(output: str) -> Dict[str, dict]:
    """{run id: manifest} of every committed manifest; an unreadable one is skipped (warned)."""
    manifests = {}
    for path in sorted(_match(join(output, "_runs", "*.json"))):
        try:
            manifest = read_json(path)
        except (ValueError, OSError) as err:
            _LOGGER.warning("manifest %s cannot be read (%s): its files are not visible", path, err)
            continue
        if isinstance(manifest, dict) and manifest.get("status") == "committed":
            manifests[str(manifest.get("run_id"))] = manifest
    return manifests


def listed_paths(manifest: Optional[dict]) -> List[str]:
    """Relative paths of the files ``manifest`` lists (none unless it is a committed manifest)."""
    if not isinstance(manifest, dict) or manifest.get("status") != "committed":
        return []
    return [item["path"] for item in manifest.get("files", []) if isinstance(item, dict) and "path" in item]


def committed_paths(output: str, kinds: Iterable[str] = COMMITTED_KINDS,
                    manifests: Optional[Dict[str, dict]] = None) -> List[str]:
    """Relative paths of the files committed manifests list, of the given kinds, sorted."""
    manifests = read_manifests(output) if manifests is None else manifests
    wanted = tuple(f"{kind}/" for kind in kinds)
    return sorted({path for m in manifests.values() for path in listed_paths(m) if path.startswith(wanted)})


def _delete_existing(paths: Iterable[str]) -> int:
    existing = [path for path in paths if FileSystems.exists(path)]
    if existing:
        FileSystems.delete(existing)
    return len(existing)


def commit_files(output: str, run_id: str, temp_dir: str, files: List[dict],
                 build_manifest: Callable[[int], dict], save_state: Callable[[], None]) -> dict:
    """Steps 1-6 above for ``files`` (descriptions with ``temp_path`` and relative ``path``);
    ``build_manifest(replaced)`` is given how many files of an earlier attempt the commit
    replaces. Returns the manifest written."""
    old = listed_paths(read_json(manifest_path(output, run_id)))
    moves = [[item["temp_path"], item["path"]] for item in files]
    write_json_atomically(intent_path(output, run_id), {"run_id": run_id, "temp_dir": temp_dir,
                                                        "moves": moves, "replaces": old})
    fault_point("intent")
    for temp, path in moves:
        final = join(output, path)
        if not FileSystems.exists(temp) and FileSystems.exists(final):
            continue  # moved by an earlier attempt of this commit (a retried bundle)
        ensure_parent(final)
        FileSystems.rename([temp], [final])
    fault_point("moved")
    manifest = build_manifest(len(old))
    write_json_atomically(manifest_path(output, run_id), manifest)
    fault_point("manifest")
    new = {item["path"] for item in files}
    _delete_existing(join(output, path) for path in old if path not in new)
    fault_point("replaced")
    save_state()
    fault_point("state")
    _finish(output, run_id, temp_dir)
    fault_point("done")
    return manifest


def _finish(output: str, run_id: str, temp_dir: str) -> None:
    _delete_existing([temp_dir])
    _delete_existing([intent_path(output, run_id)])


def _repair_intent(output: str, intent: dict, listed: Set[str]) -> str:
    """Finish (the manifest lists the moved files) or undo (it does not) one stopped commit."""
    run_id = intent["run_id"]
    moved = {path for _, path in intent.get("moves", [])}
    committed = moved == set(listed_paths(read_json(manifest_path(output, run_id))))
    stale = intent.get("replaces", []) if committed else moved
    _delete_existing(join(output, path) for path in stale if path not in listed)
    _finish(output, run_id, intent.get("temp_dir", ""))
    return "finished" if committed else "undone"


def repair_output(output: str, keep_temp: Iterable[str] = ()) -> Dict[str, int]:
    """Finish or undo every stopped commit and remove abandoned temp folders (except
    ``keep_temp``); run under the output lock, before a run. Returns what it did."""
    done = {"finished": 0, "undone": 0, "temp_folders_removed": 0}
    listed = set(committed_paths(output))
    for path in _match(join(output, "_runs", "*.json" + PENDING_SUFFIX)):
        try:
            intent = read_json(path)
            done[_repair_intent(output, intent, listed)] += 1
        except (ValueError, OSError, KeyError, TypeError) as err:
            _LOGGER.warning("commit intent %s cannot be read (%s); left in place", path, err)
    keep = {folder.rstrip("/") for folder in keep_temp}
    for folder in _temp_folders(output):
        if folder.rstrip("/") not in keep:
            done["temp_folders_removed"] += _delete_existing([folder])
    return done


def _temp_folders(output: str) -> List[str]:
    """The run folders under ``OUT/_tmp/`` (local outputs; object stores list prefixes only)."""
    root = join(output, "_tmp")
    if "://" in output or not os.path.isdir(root):
        return []
    return [join(root, name) for name in sorted(os.listdir(root)) if os.path.isdir(os.path.join(root, name))]
