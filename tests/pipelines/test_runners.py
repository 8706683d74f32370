"""The same pipeline, unchanged, on three engines gives the same rows.

``newsbeam run`` (the real CLI path, in a fresh interpreter) on one small input --
the bundled samples plus exact and near duplicates -- on

* the in-process DirectRunner (``--direct_running_mode in_memory``),
* the multi-process DirectRunner (workers are separate interpreters: every DoFn gets
  its configuration through pickling and builds its state, rule packs included, from
  the installed package in ``setup()``),
* the portable job API (``--runner=PortableRunner --job_endpoint=embed
  --environment_type=LOOPBACK``), the path Flink, Spark and Dataflow jobs take,
* the portable job API with Beam's worker pool started as a separate process
  (``--environment_type=EXTERNAL``), whose SDK workers are processes of their own that
  import newsbeam from the installed package, the way Flink and Spark clusters run Python,

and the article and rejected rows must be identical, apart from the run's own id and
timestamps. A last test installs the package the way ``--setup_file ./setup.py`` ships it
to Dataflow workers (an sdist, pip-installed) and runs it alone: the rule packs and
defaults come with it.
"""
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from tests.conftest import REPO, run_cli

RUNNERS = {
    "in_memory": ("--direct_running_mode", "in_memory"),
    "multi_processing": ("--direct_running_mode", "multi_processing", "--direct_num_workers", "2"),
    "portable": ("--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=LOOPBACK"),
}
RUN_FIELDS = {"run_id", "ingested_at", "rejected_at", "dt"}  # differ between runs by design
DEDUP_FIXTURES = REPO / "tests" / "fixtures" / "dedup"


def _records():
    council = (DEDUP_FIXTURES / "council-budget.txt").read_text()
    robot = (DEDUP_FIXTURES / "robot-surgery.txt").read_text()
    return [
        {"id": "council", "url": "https://news-a.co.uk/council", "text": council, "title": "Council",
         "published_at": "2024-03-01T09:00:00Z"},
        {"id": "council-again", "url": "https://news-a.co.uk/council", "text": council, "title": "Again",
         "published_at": "2024-03-02T09:00:00Z"},  # same URL: one is dropped
        {"id": "council-edit", "url": "https://news-c.com/c", "text": council.replace("412 million", "415 million"),
         "title": "Edited", "published_at": "2024-03-02T11:00:00Z"},  # near-duplicate: linked
        {"id": "robot", "url": "https://news-d.com/r", "text": "Advertisement\n" + robot + "\nTopics: Health, NHS",
         "title": "Robot", "published_at": "2024-03-01T11:00:00Z"},
        {"id": "empty", "url": "https://news-d.com/e", "text": "Advertisement\nSign up for our newsletter"},
    ]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    for path in (REPO / "samples" / "data").iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "duplicates.jsonl").write_text("\n".join(json.dumps(r) for r in _records()) + "\n")
    return folder


@pytest.fixture(scope="module")
def worker_pool(tmp_path_factory):
    """Beam's worker pool (``worker_pool_main``) in its own process, started from an unrelated
    folder: the SDK workers it starts import newsbeam from the installed package."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pool = subprocess.Popen([sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main",
                             f"--service_port={port}"], cwd=tmp_path_factory.mktemp("pool"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield f"127.0.0.1:{port}"
    pool.terminate()
    pool.wait(timeout=30)


@pytest.fixture(scope="module")
def outputs(inputs, tmp_path_factory, worker_pool):
    found = {}
    external = ("--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=EXTERNAL",
                f"--environment_config={worker_pool}")
    for name, flags in {**RUNNERS, "external": external}.items():
        out = tmp_path_factory.mktemp(f"out-{name}")
        result = run_cli("run", "--input", str(inputs / "*"), "--output", str(out), "--run-id", f"runners-{name}",
                         *flags)
        assert result.returncode == 0, f"{name}: {result.stderr.decode()[-3000:]}"
        found[name] = out
    return found


def comparable(folder: Path):
    """Every row of a hive-partitioned Parquet folder, minus the per-run fields, sorted."""
    if not folder.exists():
        return []
    rows = ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()
    kept = [{k: v for k, v in row.items() if k not in RUN_FIELDS} for row in rows]
    return sorted(kept, key=lambda row: json.dumps(row, sort_keys=True, default=str))


def manifest(out: Path, name: str) -> dict:
    return json.loads((out / "_runs" / f"runners-{name}.json").read_text())


def test_every_runner_completes_and_reconciles(outputs):
    for name, out in outputs.items():
        found = manifest(out, name)
        assert found["reconciliation"]["ok"], name
        assert found["counts"]["articles"] >= 10, name
        assert found["counts"]["duplicates"] >= 1 and found["counts"]["rejected"] >= 2, name


def test_runners_write_identical_articles(outputs):
    expected = comparable(outputs["in_memory"] / "articles")
    assert any(row["duplicate_of"] for row in expected), "the input has a near-duplicate to link"
    assert any(row["topics"] == ["Health", "NHS"] for row in expected)
    for name in ("multi_processing", "portable", "external"):
        assert comparable(outputs[name] / "articles") == expected, name


def test_runners_write_identical_rejected_rows(outputs):
    expected = comparable(outputs["in_memory"] / "rejected")
    assert {row["reason"] for row in expected} >= {"boilerplate_only"}
    for name in ("multi_processing", "portable", "external"):
        assert comparable(outputs[name] / "rejected") == expected, name


def test_runners_count_the_same(outputs):
    counts = {name: manifest(out, name)["counts"] for name, out in outputs.items()}
    assert counts["multi_processing"] == counts["in_memory"] == counts["portable"] == counts["external"]


def test_local_runs_name_the_engine_that_ran(outputs):
    runner = manifest(outputs["multi_processing"], "multi_processing")["runner"]
    assert runner == {"name": "DirectRunner", "engine": "FnApiRunner", "mode": "multi_processing", "workers": 2}
    assert manifest(outputs["external"], "external")["runner"] == {"name": "PortableRunner"}


def test_setup_file_package_runs_on_its_own(tmp_path, inputs):
    """What ``--setup_file ./setup.py`` ships: Beam's stager builds an sdist, workers pip-install it.

    The installed copy alone (first on the path, run from an unrelated folder) must find
    its rule packs and defaults and clean an article."""
    from apache_beam.runners.portability.stager import Stager

    sdist = Path(Stager._build_setup_package(str(REPO / "setup.py"), str(tmp_path)))  # pylint: disable=protected-access
    target = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                              "--no-index", "--target", str(target), str(sdist)], capture_output=True, timeout=600)
    assert install.returncode == 0, install.stderr.decode()[-2000:]
    rule_packs = {p.name for p in (REPO / "configs" / "rules").glob("*.yaml")}
    assert rule_packs and rule_packs <= {p.name for p in (target / "configs" / "rules").glob("*.yaml")}
    out, cwd = tmp_path / "out", tmp_path / "elsewhere"
    cwd.mkdir()
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(target), "PYTHONUNBUFFERED": "1"}
    where = subprocess.run([sys.executable, "-c", "import configs, pipelines, transforms; "
                            "print(configs.__file__, pipelines.__file__, transforms.__path__[0])"],
                           cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout
    assert all(part.startswith(str(target)) for part in where.split()), where
    run = subprocess.run([sys.executable, "-m", "pipelines.cli.main", "run", "--input", str(inputs / "seed-article.txt"),
                          "--output", str(out), "--direct_running_mode", "in_memory"],
                         cwd=cwd, env=env, capture_output=True, timeout=600)
    assert run.returncode == 0, run.stderr.decode()[-3000:]
    (row,) = ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table().to_pylist()
    assert row["topics"] and "Advert" not in row["text"].split("\n\n") and row["boilerplate"]


def test_flex_template_matches_the_code():
    """deploy/metadata.json names real ingest options; the Dockerfile's Beam and entry point are setup.py's."""
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.run.options import IngestOptions

    metadata = json.loads((REPO / "deploy" / "metadata.json").read_text())
    for parameter in metadata["parameters"]:
        value = "gs://bucket/x" if parameter.get("regexes", [""])[0].startswith("^gs") else "v1"
        parsed = PipelineOptions([f"--{parameter['name']}={value}"]).view_as(IngestOptions).get_all_options()
        assert parsed[parameter["name"]] in (value, [value]), parameter["name"]
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    pinned = re.search(r'BEAM_REQUIREMENT = "apache-beam==([\d.]+)"', (REPO / "setup.py").read_text()).group(1)
    assert f"ARG BEAM_VERSION={pinned}" in dockerfile
    entry = re.search(r'FLEX_TEMPLATE_PYTHON_PY_FILE="\$\{WORKDIR\}/([^"]+)"', dockerfile).group(1)
    assert (REPO / entry).is_file() and "def main(" in (REPO / entry).read_text()
