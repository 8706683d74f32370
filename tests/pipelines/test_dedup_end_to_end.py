"""Deduplication and incremental runs end to end, on both DirectRunner modes."""
import json
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from tests.conftest import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dedup"
MULTI_PROCESS = ("--direct_num_workers", "2", "--direct_running_mode", "multi_processing")


def text(name):
    return (FIXTURES / f"{name}.txt").read_text()


def record(key, body, url, published):
    return {"id": key, "url": url, "text": body, "published_at": published, "title": key}


def write_inputs(folder: Path):
    council, reservoir, robot = text("council-budget"), text("reservoir-levels"), text("robot-surgery")
    originals = [record("council", council, "https://news-a.co.uk/council", "2024-03-01T09:00:00Z"),
                 record("reservoir", reservoir, "https://news-a.co.uk/reservoir", "2024-03-01T10:00:00Z"),
                 record("robot", robot, "https://news-a.co.uk/robot", "2024-03-01T11:00:00Z")]
    copies = [
        record("council-again", council, "https://news-a.co.uk/council", "2024-03-02T09:00:00Z"),
        record("wire", "Advertisement\n" + reservoir + "\nTopics: Water", "https://news-b.com/w",
               "2024-03-02T10:00:00Z"),
        record("council-edit", council.replace("412 million", "415 million"), "https://news-c.com/c",
               "2024-03-02T11:00:00Z"),
        record("robot-plus", robot + "\nThe charity said it would now raise money for a new children's ward.",
               "https://news-d.com/r", "2024-03-02T12:00:00Z"),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "originals.jsonl").write_text("\n".join(json.dumps(r) for r in originals))
    (folder / "copies.jsonl").write_text("\n".join(json.dumps(r) for r in copies))
    return folder


def articles(out):
    return ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table().to_pylist()


def run(src, out, run_id, *extra):
    result = run_cli("run", "--input", str(src / "*"), "--output", str(out), "--run-id", run_id, *extra)
    assert result.returncode == 0, result.stderr.decode()
    return read_manifest_of(out, run_id)


def read_manifest_of(out, run_id):
    return json.loads((out / "_runs" / f"{run_id}.json").read_text())


def summary(rows):
    by_id = {r["id"]: r for r in rows}
    return sorted((r["title"], by_id[r["duplicate_of"]]["title"] if r["duplicate_of"] else None) for r in rows)


EXPECTED = [("council", None), ("council-edit", "council"), ("reservoir", None), ("robot", None),
            ("robot-plus", "robot")]


@pytest.mark.parametrize("runner_flags", [(), MULTI_PROCESS], ids=["in-process", "multi-process"])
def test_one_run_keeps_originals_and_links_near_copies(tmp_path, runner_flags):
    src = write_inputs(tmp_path / "in")
    manifest = run(src, tmp_path / "out", "r1", *runner_flags)
    assert summary(articles(tmp_path / "out")) == EXPECTED
    assert manifest["duplicates_by_reason"] == {"duplicate_content": 1, "duplicate_id": 1}
    assert manifest["near_duplicates_linked"] == 2 and manifest["reconciliation"]["ok"]


def test_incremental_runs_add_only_new_articles(tmp_path):
    src, out = write_inputs(tmp_path / "in"), tmp_path / "out"
    run(src, out, "r1")
    again = run(src, out, "r2")
    assert len(articles(out)) == 5 and again["counts"]["articles"] == 0
    assert again["duplicates_by_reason"]["seen_id"] == 5 and again["reconciliation"]["ok"]
    run(src, out, "r1")
    assert len(articles(out)) == 5
    assert sorted({r["run_id"] for r in articles(out)}) == ["r1"]
    (src / "new.txt").write_text(text("robot-surgery").replace("just over two million", "just under three million"))
    newest = run(src, out, "r3", *MULTI_PROCESS)
    rows = articles(out)
    assert len(rows) == 6 and newest["counts"]["articles"] == 1
    added = next(r for r in rows if r["run_id"] == "r3")
    assert added["duplicate_of"] == next(r["id"] for r in rows if r["title"] == "robot")


def test_lookback_window_limits_history(tmp_path):
    src, out = write_inputs(tmp_path / "in"), tmp_path / "out"
    config = tmp_path / "c.yaml"
    config.write_text("partition:\n  date: published\ndedup:\n  lookback_days: 30\n")
    first = run_cli("run", "--config", str(config), "--input", str(src / "originals.jsonl"), "--output", str(out),
                    "--run-id", "old")
    assert first.returncode == 0, first.stderr.decode()
    second = run_cli("run", "--config", str(config), "--input", str(src / "originals.jsonl"), "--output",
                     str(out), "--run-id", "new")
    assert second.returncode == 0
    assert read_manifest_of(out, "new")["counts"]["articles"] == 3  # 2024 partitions are outside 30 days
