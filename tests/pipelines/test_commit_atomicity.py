"""A commit stopped after any of its steps leaves the old state or the new one, never a mix;
the next run repairs what it left. The stop is a real one: the process dies at the step
(``NEWSBEAM_COMMIT_FAULT``), in the middle of a real run."""
import os
import shutil

import pytest

from pipelines.tools.inspect import articles_dataset, open_output
from tests.conftest import run_cli
from transforms.sinks.commit_protocol import STEPS, committed_paths, repair_output

OLD = {f"old-{n}.txt": f"Old story number {n}: the harbour wall was repaired in spring by the council." for n in range(3)}
NEW = {f"new-{n}.txt": f"New story number {n}: a ferry route to the islands opens next summer." for n in range(4)}
BEFORE_COMMIT_POINT = ("intent", "moved")


def write_inputs(folder, files):
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def run(inputs, out, run_id, fault=None):
    env = {"NEWSBEAM_COMMIT_FAULT": fault} if fault else {}
    os.environ.update(env)
    try:
        return run_cli("run", "--input", str(inputs / "*"), "--output", str(out), "--run-id", run_id,
                       "--direct_running_mode=in_memory")
    finally:
        for key in env:
            os.environ.pop(key)


def visible_texts(out):
    dataset = articles_dataset(open_output(str(out)))
    return sorted(dataset.to_table(columns=["text"]).column("text").to_pylist()) if dataset else []


def files_on_disk(out):
    return sorted(p.relative_to(out).as_posix() for kind in ("articles", "rejected", "duplicates")
                  for p in (out / kind).rglob("*.parquet"))


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("atomic")
    old_in, new_in = write_inputs(root / "old-in", OLD), write_inputs(root / "new-in", NEW)
    out = root / "base-out"
    assert run(old_in, out, "r").returncode == 0
    return root, old_in, new_in, out


@pytest.mark.parametrize("step", STEPS)
def test_a_retry_stopped_at_any_step_shows_old_or_new_and_is_repaired(base, step):
    root, _, new_in, base_out = base
    out = root / f"out-{step}"
    shutil.copytree(base_out, out)
    result = run(new_in, out, "r", fault=step)  # the same run id again, other inputs
    assert result.returncode != 0, "the fault point did not stop the run"
    expected = sorted(OLD.values()) if step in BEFORE_COMMIT_POINT else sorted(NEW.values())
    assert visible_texts(out) == expected
    repair_output(str(out))
    assert visible_texts(out) == expected
    assert files_on_disk(out) == committed_paths(str(out))  # nothing left that no manifest lists
    assert not list((out / "_runs").glob("*.pending")) and not [p for p in (out / "_tmp").iterdir() if p.is_dir()]


def test_a_new_run_stopped_before_its_manifest_leaves_the_dataset_as_it_was(base):
    root, _, new_in, base_out = base
    out = root / "out-new-id"
    shutil.copytree(base_out, out)
    assert run(new_in, out, "other", fault="moved").returncode != 0
    assert visible_texts(out) == sorted(OLD.values())
    assert len(files_on_disk(out)) > len(committed_paths(str(out)))  # moved, but not visible
    after = run(new_in, out, "after")  # the next run repairs first, then adds the new stories
    assert after.returncode == 0, after.stderr.decode()
    assert visible_texts(out) == sorted(list(OLD.values()) + list(NEW.values()))
    assert files_on_disk(out) == committed_paths(str(out))


def test_the_documented_duckdb_query_reads_committed_files_only(base):
    import duckdb

    from pipelines.cli.summary import _duckdb_hint

    root, _, new_in, base_out = base
    out = root / "out-duckdb"
    shutil.copytree(base_out, out)
    assert run(new_in, out, "stopped", fault="moved").returncode != 0  # its files are on disk, listed nowhere
    sql = _duckdb_hint(str(out)).split('"')[1]
    counts = dict(duckdb.connect().execute(sql).fetchall())
    assert sum(counts.values()) == len(OLD)
