"""Site boilerplate learned from repetition, end to end: real runs, real Parquet, state across runs."""
import json
import threading
import time
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from benchmarks.site_corpus import CONTENT, FACT, HEADING, ONLY, QUOTE, SITE, WIRE_LINE, make_batch, score
from tests.conftest import run_cli


def run(articles, work: Path, out: Path, run_id: str, *extra):
    path = work / f"{run_id}.jsonl"
    path.write_text("\n".join(article.record() for article in articles) + "\n", encoding="utf-8")
    result = run_cli("run", "--input", str(path), "--output", str(out), "--run-id", run_id, *extra)
    assert result.returncode == 0, result.stderr.decode()
    manifest = json.loads((out / "_runs" / f"{run_id}.json").read_text())
    assert manifest["reconciliation"]["ok"]
    table = ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table()
    rows = {row["url"]: row for row in table.to_pylist() if row["run_id"] == run_id}
    return score(articles, rows), manifest


def removed(scores, label):
    present, total = scores[label]
    return (total - present) / total


def kept(scores, label):
    present, total = scores[label]
    return present / total


def state_files(out: Path):
    return sorted((out / "_state" / "site_lines").glob("*.parquet"))


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    """A first run of 30 articles per source, then a later run of 3 per source, into one dataset."""
    work = tmp_path_factory.mktemp("site")
    out = work / "out"
    first = run(make_batch(3, 30, seed=1), work, out, "first")
    later = run(make_batch(3, 3, seed=2, start=1000), work, out, "later")
    return work, out, first, later


def test_first_run_removes_site_lines_and_keeps_every_trap(learned):
    _, _, (scores, manifest), _ = learned
    assert removed(scores, SITE) >= 0.95
    for label in (CONTENT, WIRE_LINE, QUOTE, FACT, HEADING, ONLY):
        assert kept(scores, label) == 1.0, label
    recorded, removals = scores["recorded"]
    assert recorded == removals > 0
    assert manifest["counters"]["site_lines_removed"] == removals


def test_a_later_small_run_is_cleaned_with_what_earlier_runs_learned(learned):
    _, _, _, (scores, _) = learned
    assert removed(scores, SITE) >= 0.95
    for label in (CONTENT, WIRE_LINE, HEADING, ONLY):
        assert kept(scores, label) == 1.0, label


def test_removals_carry_rule_and_count_and_duckdb_reads_them(learned):
    _, out, _, _ = learned
    rows = duckdb.sql(f"""select b.rule, b.count, b.text from (select unnest(boilerplate) b
                          from read_parquet('{out}/articles/**/*.parquet', hive_partitioning=true))
                          where b.rule = 'site_repeated'""").fetchall()
    assert rows and all(count >= 4 for _, count, _ in rows)
    assert any(text.startswith("Thanks for reading the Harbour Ledger") for _, _, text in rows)


def test_each_committed_run_adds_one_state_file_and_a_rerun_replaces_it(learned):
    work, out, _, _ = learned
    before = state_files(out)
    assert len(before) == 2 and all(json.loads((out / "_runs" / f"{rid}.json").read_text())["files"]
                                    for rid in ("first", "later"))
    rerun_scores, _ = run(make_batch(3, 3, seed=2, start=1000), work, out, "later")
    after = state_files(out)
    assert len(after) == 2 and set(after) != set(before)  # the re-run's file replaced the earlier attempt's
    later_counts = duckdb.sql(f"select sum(count) from read_parquet('{after[-1]}') where fingerprint is null")
    assert later_counts.fetchall()[0][0] == 3 * 4  # 3 articles and a brief per source, counted once


def test_disabled_removes_nothing_and_keeps_no_state(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("site_boilerplate: {enabled: false}\n")
    scores, manifest = run(make_batch(2, 20, seed=3), tmp_path, tmp_path / "out", "off", "--config", str(config))
    assert kept(scores, SITE) == 1.0
    assert "site_lines_removed" not in manifest["counters"]
    assert not state_files(tmp_path / "out")


def test_inspect_shows_the_learned_lines_per_source(learned):
    _, out, _, _ = learned
    result = run_cli("inspect", str(out))
    assert result.returncode == 0, result.stderr.decode()
    shown = result.stdout.decode()
    assert "site boilerplate learned (3 sources" in shown
    assert "Thanks for reading the Harbour Ledger A." in shown
    assert "inflation eased" not in shown  # a wire paragraph every source carries is not learned


def test_clean_uses_a_datasets_learned_state(learned, tmp_path):
    _, out, _, _ = learned
    article = make_batch(1, 1, seed=7, start=5000)[0]
    page = tmp_path / "one.jsonl"
    page.write_text(article.record() + "\n")
    plain = json.loads(run_cli("clean", str(page)).stdout)
    result = run_cli("clean", str(page), "--state", str(out))
    assert result.returncode == 0, result.stderr.decode()
    cleaned = json.loads(result.stdout)
    site = [text for label, text in article.lines[2:] if label == SITE]
    assert site and all(line in plain["text"] for line in site)
    assert not any(line in cleaned["text"] for line in site)
    assert {item["text"] for item in cleaned["boilerplate"] if item["rule"] == "site_repeated"} == set(site)


def test_state_of_runs_outside_the_lookback_window_is_deleted(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("site_boilerplate: {lookback_runs: 2}\n")
    out = tmp_path / "out"
    for number in range(3):
        run(make_batch(2, 6, seed=20 + number, start=100 * number), tmp_path, out, f"r{number}", "--config", str(config))
    assert [path.name.split("-")[1] for path in state_files(out)] == ["r1", "r2"]
    manifest = json.loads((out / "_runs" / "r0.json").read_text())
    assert any(item["path"].startswith("_state/site_lines/") for item in manifest["files"])


def _drop_later(folder: Path, articles, after_s: float):
    time.sleep(after_s)
    temp = folder / "later.jsonl.tmp"
    temp.write_text("\n".join(article.record() for article in articles) + "\n")
    temp.rename(folder / "later.jsonl")


def test_stream_windows_use_and_update_the_same_state(tmp_path):
    from pipelines.cli.arguments import stream_args
    from pipelines.run.stream import stream

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    first, later = make_batch(2, 24, seed=31), make_batch(2, 3, seed=32, start=500)
    (inbox / "first.jsonl").write_text("\n".join(article.record() for article in first) + "\n")
    dropper = threading.Thread(target=_drop_later, args=(inbox, later, 6))
    dropper.start()
    plan, settings, options = stream_args(["--watch", str(inbox / "*.jsonl"), "--output", str(out),
                                           "--poll-interval", "2", "--duration", "45"])
    manifests = stream(settings, options, plan, report=lambda line: None)
    dropper.join()
    assert len(manifests) >= 2 and len(state_files(out)) >= 2
    table = ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table()
    rows = {row["url"]: row for row in table.to_pylist()}
    scores = score(later, rows)
    assert removed(scores, SITE) >= 0.95 and kept(scores, CONTENT) == 1.0
