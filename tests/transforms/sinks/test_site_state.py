"""The site-boilerplate state: bounded per run, read from the lookback window of committed runs."""
import json
import logging

import pyarrow.parquet as pq

from transforms.sinks.site_state import read_state_rows, site_state_files, state_table, write_state_file


def _line(source, fingerprint, count):
    return {"source": source, "fingerprint": fingerprint, "count": count, "line": f"line {fingerprint}"}


def test_state_table_keeps_article_counts_and_the_most_repeated_lines_per_source():
    rows = [_line("a", n, n) for n in range(1, 8)] + [_line("b", 100, 2)]
    rows += [{"source": "a", "fingerprint": None, "count": 40, "line": None}]
    table = state_table(rows, lines_per_source=3)
    assert table.to_pylist()[0] == {"source": "a", "fingerprint": None, "count": 40, "line": None}
    assert [(r["source"], r["fingerprint"]) for r in table.to_pylist()[1:]] == [("a", 7), ("a", 6), ("a", 5),
                                                                               ("b", 100)]


def _manifest(out, run_id, started, paths):
    (out / "_runs").mkdir(parents=True, exist_ok=True)
    for path in paths:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(b"")
    files = [{"path": path, "rows": 1, "bytes": 1} for path in paths]
    (out / "_runs" / f"{run_id}.json").write_text(json.dumps(
        {"run_id": run_id, "status": "committed", "started_at": started, "files": files}))


def test_lookback_takes_the_latest_committed_runs_but_not_this_one(tmp_path):
    for n in range(5):
        _manifest(tmp_path, f"r{n}", f"2026-01-0{n + 1}T00:00:00", [f"_state/site_lines/part-r{n}.parquet",
                                                                    f"articles/dt=x/part-r{n}.parquet"])
    chosen = site_state_files(str(tmp_path), "r4", lookback_runs=2)
    assert [path.rsplit("/", 1)[1] for path in chosen] == ["part-r2.parquet", "part-r3.parquet"]
    assert site_state_files(str(tmp_path), "r9", lookback_runs=0) == []
    (tmp_path / "_state" / "site_lines" / "part-r3.parquet").unlink()  # pruned: not read
    assert [p.rsplit("/", 1)[1] for p in site_state_files(str(tmp_path), "r4", 2)] == ["part-r2.parquet"]


def test_written_state_reads_back_and_a_broken_file_adds_nothing(tmp_path, caplog):
    description = write_state_file(str(tmp_path / "tmp"), "run1", state_table([_line("a", 1, 5)], 10))
    assert description["kind"] == "_state/site_lines" and description["path"].startswith("_state/site_lines/part-run1-")
    assert pq.read_table(description["temp_path"]).num_rows == 1
    assert list(read_state_rows(description["temp_path"])) == [_line("a", 1, 5)]
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with caplog.at_level(logging.WARNING):
        assert list(read_state_rows(str(broken))) == []
    assert "unreadable site-boilerplate state" in caplog.text
