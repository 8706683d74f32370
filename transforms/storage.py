"""Small FileSystems helpers shared by the commit step and the run state.

Everything goes through Beam's FileSystems, so local paths, gs:// and s3://
behave the same.
"""
import json
import os
from typing import Optional

from apache_beam.io.filesystems import FileSystems


def ensure_parent(path: str) -> None:
    """Create the folder that will hold ``path`` (a no-op on object stores)."""
    parent = path.rsplit("/", 1)[0]
    if not FileSystems.exists(parent):
        try:
            FileSystems.mkdirs(parent)
        except (IOError, OSError):  # created meanwhile by another writer
            pass


def write_json_atomically(path: str, payload: dict) -> None:
    """Write JSON to a temp name, then rename it over ``path``: on a local filesystem one
    atomic ``os.replace`` (readers see the old file or the new one, never none); object
    stores have no atomic replace, so there the old object is deleted first."""
    temp = path + ".inprogress"
    ensure_parent(path)
    with FileSystems.create(temp) as handle:
        handle.write(json.dumps(payload, indent=2, default=str).encode("utf-8"))
    if "://" not in path:
        os.replace(temp, path)
        return
    if FileSystems.exists(path):
        FileSystems.delete([path])
    FileSystems.rename([temp], [path])


def read_json(path: str) -> Optional[dict]:
    """The JSON object at ``path``, or None when there is no such file."""
    if not FileSystems.exists(path):
        return None
    with FileSystems.open(path) as handle:
        return json.loads(handle.read().decode("utf-8"))
