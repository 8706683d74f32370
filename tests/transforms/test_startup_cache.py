"""The start-up cache: a value built once is read back; anything wrong with the cache only costs time."""
import os
import subprocess
import sys

import pytest

from transforms import startup_cache
from transforms.startup_cache import cached


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBEAM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def counting_build(calls, value):
    def build():
        calls.append(1)
        return value
    return build


def test_built_once_then_read_back(folder):
    calls = []
    assert cached("table", "k1", counting_build(calls, {"a": [1, 2]})) == {"a": [1, 2]}
    assert cached("table", "k1", counting_build(calls, "other")) == {"a": [1, 2]}
    assert cached("table", "k2", counting_build(calls, "new key")) == "new key"
    assert len(calls) == 2 and len(list(folder.iterdir())) == 2


def test_a_corrupt_or_truncated_file_is_rebuilt(folder):
    cached("table", "k", lambda: list(range(1000)))
    (path,) = folder.iterdir()
    path.write_bytes(path.read_bytes()[:50])
    assert cached("table", "k", lambda: "rebuilt") == "rebuilt"
    path.write_bytes(b"\x00not a pickle")
    assert cached("table", "k", lambda: "again") == "again"


def test_a_folder_that_cannot_be_written_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NEWSBEAM_CACHE_DIR", str(blocker / "cache"))
    calls = []
    assert cached("table", "k", counting_build(calls, 1)) == 1
    assert cached("table", "k", counting_build(calls, 1)) == 1 and len(calls) == 2


def test_off_builds_every_time(monkeypatch):
    monkeypatch.setenv("NEWSBEAM_CACHE_DIR", "off")
    calls = []
    cached("table", "k", counting_build(calls, 1))
    cached("table", "k", counting_build(calls, 1))
    assert len(calls) == 2 and startup_cache.cache_folder() is None


def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSBEAM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert startup_cache.cache_folder() == tmp_path / "newsbeam"


def test_only_the_newest_versions_of_a_value_are_kept(folder):
    for key in range(startup_cache.KEEP + 3):
        cached("table", f"k{key}", lambda: key)
        cached("other", "k", lambda: "kept")
    names = sorted(p.name for p in folder.iterdir())
    assert len([n for n in names if n.startswith("table-")]) == startup_cache.KEEP
    assert len([n for n in names if n.startswith("other-")]) == 1


def test_a_failed_build_writes_nothing(folder):
    def broken():
        raise ValueError("bad rule")
    with pytest.raises(ValueError, match="bad rule"):
        cached("table", "k", broken)
    assert not folder.exists() or not list(folder.iterdir())


def test_a_process_that_cannot_write_the_folder_still_runs(tmp_path):
    """Read-only for an unprivileged user (the tests run as root: permissions need a real user)."""
    if os.geteuid() != 0 or not any(os.access(os.path.join(p, "setpriv"), os.X_OK) for p in os.environ["PATH"].split(":")):
        pytest.skip("needs root and setpriv to run as another user")
    folder = tmp_path / "cache"
    folder.mkdir()
    tmp_path.chmod(0o755)
    code = ("from transforms.startup_cache import cached; import sys;"
            "sys.exit(0 if cached('t', 'k', lambda: 41) + 1 == 42 else 1)")
    env = {**os.environ, "NEWSBEAM_CACHE_DIR": str(folder), "PYTHONPATH": os.getcwd()}
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c"]
    probe = subprocess.run(as_nobody + ["import transforms.startup_cache"], env=env, capture_output=True, cwd=os.getcwd())
    if probe.returncode != 0:
        pytest.skip("an unprivileged user cannot run this interpreter or read the repository here")
    done = subprocess.run(as_nobody + [code], env=env, capture_output=True, text=True, cwd=os.getcwd())
    assert done.returncode == 0, done.stderr
    assert not list(folder.iterdir())


def test_code_without_a_readable_source_is_never_cached(folder):
    class Frozen:
        __file__ = None

    assert startup_cache.source_digest(Frozen) is None
    calls = []
    cached("table", None, counting_build(calls, 1))
    cached("table", None, counting_build(calls, 1))
    assert len(calls) == 2 and not folder.exists()
