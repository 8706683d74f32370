"""Shared test helpers: run the CLI for real and read its Parquet back."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def pytest_configure(config):
    """The tests' start-up cache (``transforms.startup_cache``) is their own, never the user's."""
    config.newsbeam_cache = tempfile.mkdtemp(prefix="newsbeam-test-cache-")
    os.environ["NEWSBEAM_CACHE_DIR"] = config.newsbeam_cache


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "newsbeam_cache", ""), ignore_errors=True)


def run_cli(*args, cwd=None, stdin=None, timeout=600):
    """Run ``newsbeam ARGS`` in a fresh interpreter; returns CompletedProcess."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", "pipelines.cli.main", *args], cwd=cwd, input=stdin,
                          capture_output=True, env=env, timeout=timeout)


def read_manifest(out: Path) -> dict:
    manifests = sorted((out / "_runs").glob("*.json"))
    assert manifests, f"no manifest under {out}/_runs"
    return json.loads(manifests[-1].read_text())


@pytest.fixture
def shared_dir():
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED
