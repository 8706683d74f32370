"""newsbeam replay: how each kind of rejected row is run again (pure), and end to end:
rejects made by a strict config, "fixed" by a config change, replayed as a new run."""
import json
import shutil

import pyarrow.dataset as ds
import pytest

from pipelines.tools.replay import (
    SKIP_TRUNCATED,
    SKIP_UNKNOWN,
    mirrored_path,
    output_root,
    plan_replay,
    read_rejected_rows,
)
from pipelines.errors import InputError
from tests.conftest import REPO, run_cli


def row(stage, source_uri, raw=b"", reason="text_empty", error="", run_id="r1"):
    return {"stage": stage, "reason": reason, "error": error, "source_uri": source_uri, "raw": raw, "run_id": run_id}


# --------------------------------------------------------------------------- pure


def test_whole_files_keep_their_format_decompressed_after_read():
    plan = plan_replay([row("extract", "/data/in/a.txt.gz", b"text"), row("clean", "/data/in/p.htm", b"<p>x</p>")])
    assert plan.files == {"data/in/a.txt": b"text", "data/in/p.htm": b"<p>x</p>"}
    assert plan.from_raw == 2 and not plan.sources and not plan.skipped


def test_stored_files_rejected_at_read_keep_their_compression_suffix():
    plan = plan_replay([row("read", "gs://bucket/in/dump.jsonl.gz", b"\x1f\x8bxx", reason="decompress_error")])
    assert plan.files == {"gs/bucket/in/dump.jsonl.gz": b"\x1f\x8bxx"}


def test_json_lines_of_one_source_share_a_jsonl_file_once_each():
    plan = plan_replay([row("extract", "/d/r.jsonl.zst", b'{"a": 1}'), row("clean", "/d/r.jsonl.zst", b'{"b": 2}'),
                        row("clean", "/d/r.jsonl.zst", b'{"b": 2}', run_id="r2")])
    assert plan.files == {"d/r.jsonl": b'{"a": 1}\n{"b": 2}\n'}
    assert plan.run_ids == ["r1", "r2"]


def test_unread_files_feeds_and_feed_entries_go_back_to_their_source():
    plan = plan_replay([
        row("read", "/d/big.txt", b"", reason="too_large", error="file is larger than the 10-byte limit"),
        row("fetch", "https://example.org/rss.xml", reason="fetch_timeout"),
        row("clean", "https://example.org/rss.xml", b'{"title": "t"}', reason="boilerplate_only"),
        row("clean", "/d/saved.rss", b'{"title": "t"}', reason="boilerplate_only"),
    ])
    assert plan.sources == ["/d/big.txt", "/d/saved.rss"]
    assert plan.feeds == ["https://example.org/rss.xml"]
    assert not plan.files


def test_truncated_records_and_unknown_formats_are_not_replayed():
    plan = plan_replay([
        row("read", "/d/r.jsonl", b'{"text": "abc', reason="too_large",
            error="record of 90 bytes exceeds the 12-byte limit"),
        row("extract", "/d/notes.docx", b"PK", reason="unsupported_format"),
    ])
    assert plan.empty
    assert plan.skipped == {SKIP_TRUNCATED: 1, SKIP_UNKNOWN: 1}
    assert plan.examples[SKIP_TRUNCATED] == "/d/r.jsonl"


def test_csv_rows_come_back_as_small_csv_files_of_their_own():
    first, second = b"title,text\nA,\n", b"title,text\nB,\n"
    plan = plan_replay([row("extract", "/d/dump.csv.gz", first, reason="json_no_text"),
                        row("extract", "/d/dump.csv.gz", second, reason="json_no_text")])
    assert plan.files == {"d/dump.csv": first, "d/dump.2.csv": second}


def test_different_inputs_with_one_name_both_kept():
    plan = plan_replay([row("extract", "/d/a.txt", b"one"), row("extract", "/d/a.txt", b"two"),
                        row("extract", "/d/a.txt", b"one")])
    assert plan.files == {"d/a.txt": b"one", "d/a.2.txt": b"two"}


def test_mirrored_paths_stay_inside_the_replay_folder():
    assert mirrored_path("../../etc/passwd.txt") == "etc/passwd.txt"
    assert mirrored_path("/in/my file (1).txt") == "in/my_file__1_.txt"
    assert mirrored_path("s3://b/k/x.html", "y.html") == "s3/b/k/y.html"


@pytest.mark.parametrize("path, root", [("/o/rejected/dt=2024-01-01/part-r-1.parquet", "/o"),
                                        ("gs://b/news/rejected/**", "gs://b/news"), ("rejected", "."),
                                        ("out/rejected/", "out")])
def test_output_root_is_above_rejected(path, root):
    assert output_root(path) == root


def test_paths_outside_rejected_are_refused():
    with pytest.raises(InputError, match="rejected/"):
        output_root("/o/articles/dt=2024-01-01")


# --------------------------------------------------------------------------- end to end


GREEDY_PACK = "pack: greedy\nrules:\n  - id: everything\n    kind: marker\n    where: anywhere\n    patterns: ['.+']\n"


def records_jsonl():
    lines = [
        {"id": "r1", "url": "https://example.org/a/1", "title": "Library hours extended",
         "text": "The city library will open until nine in the evening from next month, officials said."},
        {"id": "r2", "url": "https://example.org/a/2", "title": "New bus route",
         "text": "A new bus route will link the station with the hospital from April, the authority said."},
        {"id": "r3", "url": "https://example.org/a/3", "title": "Long report",
         "text": " ".join(["The long report covers a whole year of council spending in detail."] * 30)},
    ]
    return "\n".join(json.dumps(line) for line in lines) + "\n"


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    """A strict run (a pack that removes every line, tiny limits) and its replay after the fix."""
    base = tmp_path_factory.mktemp("replay")
    inputs = base / "in"
    inputs.mkdir()
    (inputs / "bridge.txt").write_text("The harbour bridge reopened to traffic on Friday after repairs.\n")
    (inputs / "records.jsonl").write_text(records_jsonl())
    (inputs / "big.txt").write_text(" ".join(["Residents celebrated the reopening of the market hall."] * 90))
    shutil.copy(REPO / "samples" / "data" / "local-news.rss", inputs / "local-news.rss")  # two entries
    (base / "greedy.yaml").write_text(GREEDY_PACK)
    (base / "strict.yaml").write_text(f"boilerplate:\n  packs: [default, {base / 'greedy.yaml'}]\n"
                                      "limits:\n  max_file_mb: 0.004\n  max_record_mb: 0.0015\n")
    (base / "fixed.yaml").write_text(f"boilerplate:\n  packs: [default]\ninputs: ['{base}/nothing-*.txt']\n")
    out = base / "out"
    strict = run_cli("run", "--config", str(base / "strict.yaml"), "--input", str(inputs / "*"),
                     "--output", str(out), "--run-id", "strict-1")
    assert strict.returncode == 0, strict.stderr.decode()
    replay = run_cli("replay", str(out / "rejected"), "--config", str(base / "fixed.yaml"), "--run-id", "replay-1")
    assert replay.returncode == 0, replay.stderr.decode()
    return base, out, replay


def manifest(out, run_id):
    return json.loads((out / "_runs" / f"{run_id}.json").read_text())


def test_strict_run_rejected_everything(replayed):
    _, out, _ = replayed
    strict = manifest(out, "strict-1")
    # the feed's two titled entries are title-only articles (their removed lines kept in `boilerplate`)
    assert strict["counts"] == {"articles": 2, "rejected": 5, "duplicates": 0}
    assert set(strict["rejected_by_reason"]) == {"clean/boilerplate_only", "read/too_large"}


def test_replay_writes_a_new_reconciled_run_with_the_fixed_config(replayed):
    _, out, _ = replayed
    replay = manifest(out, "replay-1")
    # bridge.txt and two JSON lines from raw, big.txt re-read
    assert replay["counts"] == {"articles": 4, "rejected": 0, "duplicates": 0}
    assert replay["reconciliation"]["ok"] is True
    assert replay["replay"]["rows"] == 5 and replay["replay"]["from_runs"] == ["strict-1"]
    assert replay["replay"]["not_replayed"] == {SKIP_TRUNCATED: 1}
    assert manifest(out, "strict-1")["counts"]["rejected"] == 5  # the strict run is untouched


def test_replayed_articles_point_at_the_kept_inputs(replayed):
    base, out, _ = replayed
    rows = ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table().to_pylist()
    bridge = next(r for r in rows if r["source_uri"].endswith("bridge.txt"))
    assert bridge["run_id"] == "replay-1"
    assert bridge["source_uri"].startswith(str(out / "_replay" / "replay-1"))
    assert bridge["text"] == "The harbour bridge reopened to traffic on Friday after repairs."
    assert {r["title"] for r in rows} >= {"Library hours extended", "New bus route"}
    kept = out / "_replay" / "replay-1" / str(base / "in").lstrip("/") / "records.jsonl"
    assert len(kept.read_text().splitlines()) == 2


def test_replay_says_what_it_did(replayed):
    base, _, replay = replayed
    stdout = replay.stdout.decode()
    assert "5 rejected rows from 1 run -> new run replay-1" in stdout
    assert f"re-read {base / 'in' / 'big.txt'}" in stdout
    assert "not replayed: 1 (raw cut at limits.max_record_mb" in stdout
    assert "newsbeam run replay-1: 4 articles, 0 rejected" in stdout


def test_inspect_sees_both_runs(replayed):
    _, out, _ = replayed
    info = json.loads(run_cli("inspect", str(out), "--json").stdout)
    assert (info["articles"]["rows"], info["rejected"]["rows"]) == (6, 5)
    assert [r["run_id"] for r in info["runs"]] == ["strict-1", "replay-1"]


def test_filters_pick_rows(replayed):
    _, out, _ = replayed
    files = sorted(str(p) for p in (out / "rejected").rglob("*.parquet"))
    assert len(read_rejected_rows(files, reasons={"boilerplate_only"})) == 3
    assert len(read_rejected_rows(files, reasons={"read/too_large"})) == 2
    assert read_rejected_rows(files, run_ids={"other"}) == []


@pytest.mark.parametrize("args, needle", [
    (["{out}/articles"], "not under an output's rejected/"),
    (["{out}/rejected", "--from-run", "no-such-run"], "no rejected rows match"),
    (["{out}/rejected", "--input", "x.txt"], "--input is set by replay"),
    (["{out}/rejected", "--reason", "read/too_large", "--from-run", "strict-1", "--output", "elsewhere"],
     "--output is set by replay"),
    (["{out}/rejected/dt=1999-01-01"], "no committed rejected Parquet files"),
    (["{out}/rejected", "--run-id", "strict-1"], "is a run being replayed"),
])
def test_replay_usage_problems_are_one_line_exit_2(replayed, args, needle):
    _, out, _ = replayed
    result = run_cli("replay", *[a.format(out=out) for a in args])
    err = result.stderr.decode().strip()
    assert result.returncode == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert needle in err, err
