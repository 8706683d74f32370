"""Exit codes for schedulers: the checks on a completed run, pure and through the CLI."""
import json

import pytest

from pipelines.cli.outcome import OutcomePolicy, outcome_problems, pop_reject_rate
from pipelines.errors import UsageError
from tests.conftest import run_cli


def manifest(rejected=1, units=100, feeds=(), fetched=0, not_modified=0):
    sources = [{"type": "feed", "urls": list(feeds)}] if feeds else []
    return {"counts": {"rejected": rejected}, "reconciliation": {"inputs": units}, "config": {"sources": sources},
            "counters": {"feeds_fetched": fetched, "feeds_not_modified": not_modified}}


def test_a_reject_rate_above_the_limit_fails_and_at_it_passes():
    assert outcome_problems(manifest(rejected=5), OutcomePolicy(max_reject_rate=0.05)) == []
    (problem,) = outcome_problems(manifest(rejected=6), OutcomePolicy(max_reject_rate=0.05))
    assert "6.0% of the inputs were rejected (6 of 100)" in problem
    assert outcome_problems(manifest(), OutcomePolicy()) == []  # rejected rows alone are normal
    assert outcome_problems(manifest(), OutcomePolicy(fail_on_rejects=True))


def test_every_feed_failing_fails_and_one_answering_is_enough():
    assert outcome_problems(manifest(feeds=["a", "b"]), OutcomePolicy())[0].startswith("every feed failed (2 asked")
    assert outcome_problems(manifest(feeds=["a", "b"], fetched=1), OutcomePolicy()) == []
    assert outcome_problems(manifest(feeds=["a"], not_modified=1), OutcomePolicy()) == []  # a 304 is an answer


def test_the_rate_flag_is_taken_out_of_the_arguments_and_checked():
    argv = ["--input", "x", "--max-reject-rate", "0.1", "--output", "o"]
    assert pop_reject_rate(argv) == 0.1 and argv == ["--input", "x", "--output", "o"]
    assert pop_reject_rate(argv := ["--max-reject-rate=0"]) == 0 and argv == []
    for bad in ("5%", "2", "-0.1", ""):
        with pytest.raises(UsageError, match="fraction from 0 to 1"):
            pop_reject_rate(["--max-reject-rate", bad])


def test_a_run_whose_every_feed_fails_exits_3(tmp_path):
    from tests.feed_server import fixed, serving

    with serving({"/a": fixed(404, b"gone"), "/b": fixed(200, b"<html>not a feed</html>")}) as server:
        result = run_cli("-q", "run", "--feed", f"{server.base}/a", "--feed", f"{server.base}/b", "--output",
                         str(tmp_path / "out"), "--allow-network", "127.0.0.1/32", "--direct_running_mode=in_memory")
    assert result.returncode == 3, result.stderr.decode()[-2000:]
    assert "every feed failed (2 asked" in result.stderr.decode()


def test_a_reject_rate_through_the_cli(tmp_path):
    lines = [json.dumps({"id": str(n), "text": f"The ferry timetable changes on day {n} of the winter season."})
             for n in range(9)] + ["not json"]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    common = ["-q", "run", "--input", str(tmp_path / "in.jsonl"), "--direct_running_mode=in_memory"]
    ok = run_cli(*common, "--output", str(tmp_path / "a"), "--max-reject-rate", "0.1")
    over = run_cli(*common, "--output", str(tmp_path / "b"), "--max-reject-rate", "0.05")
    assert ok.returncode == 0 and over.returncode == 3, (ok.stderr.decode(), over.stderr.decode())
    assert "10.0% of the inputs were rejected (1 of 10), above --max-reject-rate 0.05" in over.stderr.decode()


def test_a_run_with_no_article_leaves_a_dataset_every_reader_opens(tmp_path):
    import subprocess

    import duckdb
    import pandas as pd
    import pyarrow.dataset as ds

    from schemas import ARTICLE_SCHEMA

    (tmp_path / "bad.jsonl").write_text('{"id": "x"}\n')
    out = tmp_path / "out"
    result = run_cli("run", "--input", str(tmp_path / "bad.jsonl"), "--output", str(out),
                     "--direct_running_mode=in_memory")
    assert result.returncode == 0 and b"0 articles, 1 rejected" in result.stdout
    table = ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 0 and set(ARTICLE_SCHEMA.names) <= set(table.schema.names)
    assert len(pd.read_parquet(out / "articles")) == 0
    count = duckdb.sql(f"select count(*) from read_parquet('{out}/articles/**/*.parquet', hive_partitioning=true)")
    assert count.fetchall() == [(0,)]
    hint = next(line for line in result.stdout.decode().splitlines() if "duckdb -c" in line)
    query = hint.split("   or   ", 1)[1]  # the summary's own query, run as printed
    assert subprocess.run(query, shell=True, capture_output=True, timeout=60).returncode == 0
