"""Expectations: checked from a run's committed files, written to its manifest, exit 3 on failure."""
import json

import pytest

from pipelines.errors import ConfigError
from pipelines.tools.expectations import check_expectations, validate_expectations
from tests.conftest import read_manifest, run_cli


def test_config_errors_name_the_key():
    with pytest.raises(ConfigError, match="'expectations.fill.headline': unknown field"):
        validate_expectations({"fill": {"headline": 0.9}})
    with pytest.raises(ConfigError, match="'expectations.sources.a.fill.title': expected a share from 0 to 1"):
        validate_expectations({"sources": {"a": {"fill": {"title": 1.5}}}})
    with pytest.raises(ConfigError, match="expectations.min_articles"):
        validate_expectations({"min_articles": -1})


def test_checks_compare_shares_and_counts_per_scope():
    from collections import Counter
    counts = {"a.example": Counter(articles=4, title=4, authors=1), "b.example": Counter(articles=1, title=0)}
    wanted = validate_expectations({"min_articles": 5, "fill": {"title": 0.8},
                                    "sources": {"a.example": {"fill": {"authors": 0.5}}, "c.example": {"min_articles": 1}}})
    results = {r["name"]: (r["actual"], r["passed"]) for r in check_expectations(wanted, counts)}
    assert results == {"run: articles": (5, True), "run: share with title": (0.8, True),
                       "source a.example: share with authors": (0.25, False), "source c.example: articles": (0, False)}


def test_a_run_writes_its_checks_to_the_manifest_and_exits_3_on_a_failure(tmp_path):
    records = [{"id": str(n), "title": f"Story {n}" if n % 2 else None, "url": f"https://news.example/{n}",
                "text": f"The ferry timetable changes on day {n} of the winter season, the harbour board said."}
               for n in range(6)]
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    (tmp_path / "strict.yaml").write_text("expectations:\n  min_articles: 6\n  fill: {title: 0.9, url: 1.0}\n")
    result = run_cli("-q", "run", "--input", str(tmp_path / "in.jsonl"), "--output", str(tmp_path / "out"),
                     "--config", str(tmp_path / "strict.yaml"), "--direct_running_mode=in_memory")
    assert result.returncode == 3, result.stderr.decode()
    assert "expectation failed: run: share with title >= 0.9, got 0.5" in result.stderr.decode()
    checks = read_manifest(tmp_path / "out")["expectations"]
    assert checks["passed"] is False and [c["passed"] for c in checks["checks"]] == [True, False, True]
