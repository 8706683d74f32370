"""The CLI contract: errors are one line with exit 2; clean prints JSON; -m works."""
import json
import os
import subprocess
import sys


from tests.conftest import read_manifest, run_cli


def one_line_error(result, *needles):
    err = result.stderr.decode().strip()
    assert result.returncode == 2, (result.returncode, err)
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err


def test_unknown_config_key_names_the_key(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("writer:\n  compresion: zstd\n")
    one_line_error(run_cli("run", "--config", str(config)), "writer.compresion", "unknown key")


def test_wrong_config_value_says_what_was_expected(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("limits:\n  max_file_mb: lots\n")
    one_line_error(run_cli("run", "--config", str(config)), "limits.max_file_mb", "positive number")


def test_bad_rule_pack_is_a_config_error(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("boilerplate:\n  packs: [no-such-pack]\n")
    one_line_error(run_cli("run", "--config", str(config)), "no-such-pack")


def test_missing_input_glob(tmp_path):
    one_line_error(run_cli("run", "--input", str(tmp_path / "nothing-*.txt")), "matches no files")


def test_unknown_flag(tmp_path):
    one_line_error(run_cli("run", "--runer", "DirectRunner"), "--runer")


def test_clean_prints_the_seed_as_json(shared_dir):
    result = run_cli("clean", str(shared_dir / "samples" / "seed-article.txt"))
    assert result.returncode == 0, result.stderr.decode()
    row = json.loads(result.stdout)
    assert row["topics"] == ["Russia", "Ukraine", "Vladimir Putin", "Volodymyr Zelensky", "World News"]
    assert len(row["boilerplate"]) == 5
    assert "Advert" not in row["text"].split("\n\n")


def test_clean_reads_stdin():
    result = run_cli("clean", "-", stdin=b"A quiet day in the village ended with a storm.\nADVERTISEMENT\n")
    row = json.loads(result.stdout)
    assert row["text"] == "A quiet day in the village ended with a storm."
    assert row["boilerplate"][0]["text"] == "ADVERTISEMENT"


def test_python_m_pipelines_run_runs_like_newsbeam_run(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("The bridge reopened to traffic on Friday after repairs.\n")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "pipelines.run", "--input", str(src),
                             "--output", str(out), "--run-id", "m-1"], capture_output=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert read_manifest(out)["counts"]["articles"] == 1
    assert "1 article," in result.stdout.decode()


# --------------------------------------------------------------------------- operator's errors and exit codes


def test_output_that_is_a_regular_file(tmp_path):
    target = tmp_path / "out"
    target.write_text("not a folder")
    one_line_error(run_cli("run", "--output", str(target)), "is a file, not a directory")


def test_output_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    one_line_error(run_cli("run", "--output", str(blocker / "out")), "cannot be created")


def test_bad_beam_option_value(tmp_path):
    one_line_error(run_cli("run", "--direct_num_workers", "many"), "--direct_num_workers", "invalid int value")


def test_unknown_runner(tmp_path):
    one_line_error(run_cli("run", "--runner", "NoSuchRunner", "--output", str(tmp_path / "out")),
                   "Unexpected pipeline runner: NoSuchRunner")


def test_subcommand_usage_error_is_one_line():
    one_line_error(run_cli("inspect"), "newsbeam inspect: error:", "dir")


def test_unknown_command_lists_the_commands():
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr.decode()


def test_help_lists_every_command_and_the_exit_codes():
    result = run_cli("--help")
    assert result.returncode == 0
    text = result.stdout.decode()
    for command in ("run [--config FILE]", "[--max-reject-rate R] [BEAM OPTIONS ...]", "clean ", "inspect DIR", "gc DIR",
                    "report DIR [--html FILE]", "replay DIR/rejected", "3 a check failed"):
        assert command in text, command


def test_quiet_and_fail_on_rejects(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "The museum reopened its east wing on Saturday after renovation."}\n{"text": broken\n')
    result = run_cli("-q", "run", "--input", str(src), "--output", str(tmp_path / "out"), "--fail-on-rejects")
    assert result.returncode == 3, result.stderr.decode()
    assert result.stdout.decode().splitlines() == [result.stdout.decode().strip()]  # --quiet: one line
    assert "1 article, 1 rejected" in result.stdout.decode()
    err = result.stderr.decode().strip()
    assert err == "newsbeam run: 1 rows were rejected and --fail-on-rejects is set (exit 3)", err
    assert read_manifest(tmp_path / "out")["counts"]["rejected"] == 1  # the run itself completed and committed


def test_a_failed_run_is_one_line_exit_1_without_worker_tracebacks(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("The lighthouse was repainted over the summer by volunteers.\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "_runs").write_text("a file where the manifest folder should be")  # the commit step fails
    result = run_cli("run", "--input", str(src), "--output", str(out))
    err = result.stderr.decode().strip()
    assert result.returncode == 1, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("newsbeam run: failed: ") and "_runs" in err and "--verbose" in err


def test_run_summary_has_time_and_throughput_and_no_progress_off_a_terminal(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("The ferry timetable changes on Monday for the winter season.\n")
    result = run_cli("run", "--input", str(src), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr.decode()
    stdout = result.stdout.decode()
    assert " inputs/s, " in stdout and " articles/s, " in stdout and "MB written" in stdout
    assert "newsbeam inspect " in stdout
    assert "\x1b[K" not in result.stderr.decode() and "\r" not in result.stderr.decode()


def test_describe_failure_picks_the_innermost_error_line():
    from pipelines.cli.main import describe_failure

    beam_error = RuntimeError("Traceback (most recent call last):\n  File \"x.py\", line 1, in f\n"
                              "NotADirectoryError: [Errno 20] Not a directory\n\nDuring handling...\n"
                              "RuntimeError: NotADirectoryError: [Errno 20] Not a directory [while running 'W']")
    assert describe_failure(beam_error) == \
        "RuntimeError: NotADirectoryError: [Errno 20] Not a directory [while running 'W']"
    assert describe_failure(ValueError("plain message\nmore")) == "ValueError: plain message"
    assert describe_failure(KeyError()) == "KeyError"


# --------------------------------------------------------------------------- clean: capped input, regular files only

MIB = 1024 * 1024
DEFAULT_MAX_FILE = 64 * MIB  # limits.max_file_mb


def test_clean_refuses_stdin_over_max_file_mb():
    # zeros: the old unbounded read took them all and printed a binary_input rejection, exit 0
    result = run_cli("clean", "-", stdin=bytes(DEFAULT_MAX_FILE + 1), timeout=120)
    one_line_error(result, "newsbeam clean: error:", "limits.max_file_mb", "64 MiB")


def test_clean_reads_stdin_up_to_max_file_mb():
    result = run_cli("clean", "-", stdin=bytes(DEFAULT_MAX_FILE), timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["rejected"] == "binary_input"  # read in full, rejected as data


def test_clean_refuses_a_regular_file_over_max_file_mb(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(DEFAULT_MAX_FILE + 1)  # sparse: costs no disk
    one_line_error(run_cli("clean", str(big), timeout=120), "big.txt", "limits.max_file_mb", "64 MiB")


def test_clean_refuses_dev_zero_as_a_path():
    # /dev/zero never ends: the old read ran until memory was gone (4.7 GB in 5 s)
    one_line_error(run_cli("clean", "/dev/zero", timeout=60), "/dev/zero", "not a regular file")


def test_clean_refuses_a_fifo_as_a_path(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    # with no writer, the old open() blocked for ever (the timeout fails the test)
    one_line_error(run_cli("clean", str(fifo), timeout=60), "pipe.txt", "a FIFO", "not a regular file")


def test_clean_reads_a_folder_as_jsonl(tmp_path):
    (tmp_path / "a.txt").write_text("The ferry pier will close for a year of repairs, the harbour board said.\n")
    (tmp_path / "b.jsonl").write_text('{"id": "b1", "text": "Buses replace the ferries from the north quay."}\n')
    (tmp_path / ".hidden.txt").write_text("never read")
    result = run_cli("clean", str(tmp_path), timeout=60)
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert result.returncode == 0 and [r.get("source_id") for r in rows] == [None, "b1"]


def test_clean_read_input_cap_boundary(tmp_path):
    import io

    import pytest

    from pipelines.tools.clean import read_input
    from pipelines.errors import InputError

    path = tmp_path / "note.txt"
    path.write_bytes(b"x" * 100)
    assert read_input(str(path), 100) == (str(path), b"x" * 100)
    assert read_input("-", 100, stdin=io.BytesIO(b"<p>" + b"x" * 97)) == ("stdin.html", b"<p>" + b"x" * 97)
    with pytest.raises(InputError, match="limits.max_file_mb"):
        read_input(str(path), 99)
    with pytest.raises(InputError, match="limits.max_file_mb"):
        read_input("-", 99, stdin=io.BytesIO(b"x" * 100))


def test_run_help_lists_newsbeams_own_options_first_and_no_beam_import():
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipelines.cli.main", "run", "--help"],
                            capture_output=True, timeout=120)
    assert result.returncode == 0 and b"apache_beam" not in result.stderr  # the import log: no Beam
    text = result.stdout.decode()
    for flag in ("--config", "--input", "--feed", "--output", "--run-id", "--fail-on-rejects", "--quiet",
                 "--verbose", "--runner", "--help-beam"):
        assert flag in text, flag
    assert text.index("--input") < text.index("--runner") and len(text.splitlines()) < 60
    assert "--dataflow_endpoint" not in text


def test_stream_help_shows_its_flags_and_help_beam_lists_beams():
    text = run_cli("stream", "--help").stdout.decode()
    for flag in ("--watch", "--poll-interval", "--duration", "--max-failures", "--feed", "--output"):
        assert flag in text, flag
    beam = run_cli("run", "--help-beam")
    assert beam.returncode == 0 and b"--dataflow_endpoint" in beam.stdout and b"--direct_num_workers" in beam.stdout


def test_clean_sniffs_stdin_json_jsonl_and_feeds():
    record = run_cli("clean", stdin=b'{"id": "r1", "title": "Pier", "text": "The ferry pier will close for a year."}')
    assert json.loads(record.stdout)["source_id"] == "r1"  # a JSON record, not plain text
    feed = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>H</title>"
            b"<item><title>One</title><link>https://h.example/1</link><description>The ferry pier closes for a year."
            b"</description></item><item><title>Two</title><link>https://h.example/2</link><description>Buses "
            b"replace the ferries from the north quay.</description></item></channel></rss>")
    rows = [json.loads(line) for line in run_cli("clean", "-", stdin=feed).stdout.decode().splitlines()]
    assert [r["title"] for r in rows] == ["One", "Two"]  # a feed: one row per entry, as JSONL


def test_clean_fetches_a_url_through_the_guarded_client():
    from tests.feed_server import fixed, serving

    page = (b"<html><head><title>Pier closes</title></head><body><article><h1>Pier closes</h1><p>The ferry pier "
            b"will close for a year of repairs, the harbour board said on Monday.</p></article></body></html>")
    with serving({"/p": fixed(200, page, Content_Type="text/html")}) as server:
        refused = run_cli("clean", f"{server.base}/p")
        fetched = run_cli("clean", f"{server.base}/p", "--allow-network", "127.0.0.1/32")
    assert refused.returncode == 2 and b"blocked_address" in refused.stderr
    row = json.loads(fetched.stdout)
    assert row["title"] == "Pier closes" and "year of repairs" in row["text"]


def test_clean_spreads_many_files_over_processes_and_keeps_their_order(tmp_path):
    from pipelines.tools.clean import PARALLEL_FROM, clean_inputs

    for n in range(PARALLEL_FROM + 3):
        (tmp_path / f"{n:02d}.jsonl").write_text(json.dumps({"id": f"r{n}", "text": f"Story {n}: the ferry pier "
                                                                                     "will close for a year."}) + "\n")
    together = [row["source_id"] for row in clean_inputs([str(tmp_path)], workers=2)]
    alone = [row["source_id"] for row in clean_inputs([str(tmp_path)], workers=1)]
    assert together == alone == [f"r{n}" for n in range(PARALLEL_FROM + 3)]


def test_clean_of_a_page_loads_only_what_a_page_needs(tmp_path):
    """``newsbeam clean PAGE`` is a process per page: no Beam, no Arrow, no feed parser, and (once its
    start-up cache is written) no suffix-list library or regex compiled for a rule the page never meets."""
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Dock strike ends</title></head><body><article><h1>Dock strike ends</h1>"
                    + "<p>The dock workers voted to end the strike after three weeks of talks.</p>" * 5
                    + "<p>Advertisement</p></article></body></html>")
    env = {**os.environ, "NEWSBEAM_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-X", "importtime", "-m", "pipelines.cli.main", "clean", str(page)]
    first = subprocess.run(command, capture_output=True, timeout=120, env=env)
    again = subprocess.run(command, capture_output=True, timeout=120, env=env)
    assert first.returncode == again.returncode == 0
    cold, warm = json.loads(first.stdout), json.loads(again.stdout)
    assert warm["title"] == "Dock strike ends" and [b["rule"] for b in warm["boilerplate"]] == ["ad_marker"]
    assert (cold["text"], cold["boilerplate"], cold["id"]) == (warm["text"], warm["boilerplate"], warm["id"])
    imported = {line.rsplit("|", 1)[-1].strip() for line in again.stderr.decode().splitlines() if "|" in line}
    assert imported and not imported & {"apache_beam", "pyarrow", "feedparser", "tldextract", "duckdb"}
