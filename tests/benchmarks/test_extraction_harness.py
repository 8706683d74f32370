"""The extraction benchmark command end to end on a few pages of each data set (skipped without ../shared)."""
import json

import pytest

from benchmarks import extraction
from benchmarks.datasets import DEFAULT_ROOT, load_aeb, read_html
from benchmarks.runners import NewsbeamRunner, run_trafilatura

pytestmark = pytest.mark.skipif(not all((DEFAULT_ROOT / d).is_dir() for d in ("aeb", "fundus-dev")),
                                reason="benchmark data not beside the repository")


def test_both_engines_score_a_page():
    page = load_aeb()[0]
    data = read_html(page)
    ours, theirs = NewsbeamRunner()(data, "file:///aeb/page.html"), run_trafilatura(data, "file:///aeb/page.html")
    assert ours.error is None and len(ours.text.split()) > 50 and ours.seconds > 0
    assert theirs.error is None and len(theirs.text.split()) > 50


def test_command_prints_every_table_and_dumps_pages(tmp_path, capsys):
    dump = tmp_path / "pages.jsonl"
    assert extraction.main(["--limit", "2", "--jobs", "1", "--dump", str(dump)]) == 0
    out = capsys.readouterr().out
    assert "| AEB (2 pages) | newsbeam | trafilatura |" in out
    assert "tuning (" in out and "held-out (" in out and "pages/s" in out
    assert "| fundus-dev (2 pages) | newsbeam | trafilatura |" in out
    records = [json.loads(line) for line in dump.read_text().splitlines()]
    assert len(records) == 6 and {"prediction", "score"} <= set(records[0]["newsbeam"])
    assert [r["dataset"] for r in records].count("fundus") == 2


def test_missing_data_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "aeb").mkdir()
    (tmp_path / "aeb" / "ground-truth.json").write_text("{}")
    (tmp_path / "wcxb-dev-articles" / "ground-truth").mkdir(parents=True)
    assert extraction.main(["--data", str(tmp_path), "--jobs", "1"]) == 2
