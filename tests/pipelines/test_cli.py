"""The CLI contract: errors are one line with exit 2; clean prints JSON; -m works."""
import json
import subprocess
import sys

import pytest

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


def test_python_m_ingest_runs_like_newsbeam_run(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("The bridge reopened to traffic on Friday after repairs.\n")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "pipelines.ingest", "--input", str(src),
                             "--output", str(out), "--run-id", "m-1"], capture_output=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert read_manifest(out)["counts"]["articles"] == 1
    assert "1 articles" in result.stdout.decode()
