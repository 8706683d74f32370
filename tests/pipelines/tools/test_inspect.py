"""newsbeam inspect: on an output written here with the real schemas (no Beam), through the CLI."""
import json
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.tools.inspect import format_inspection, inspect_output
from schemas import ARTICLE_SCHEMA, REJECTED_SCHEMA, SCHEMA_VERSION, file_schema
from tests.conftest import run_cli

UTC = timezone.utc
# (dt, source, language, topics, boilerplate rules, published) per article
ARTICLES = [
    ("2024-03-01", "example.org", "en", ["Politics", "Budget"], ["ad_marker", "ad_marker"],
     datetime(2024, 2, 28, tzinfo=UTC)),
    ("2024-03-01", "example.org", "en", ["Politics"], ["image_credit"], datetime(2024, 2, 29, 12, tzinfo=UTC)),
    ("2024-03-01", "zeitung.de", "de", ["Politik"], [], None),
    ("2024-03-02", "example.org", "en", ["Budget"], ["ad_marker"], datetime(2024, 3, 1, tzinfo=UTC)),
    ("2024-03-02", "journal.fr", "fr", [], ["newsletter_signup"], datetime(2024, 3, 2, 6, tzinfo=UTC)),
    ("2024-03-02", "local", None, [], [], None),
]
# (dt, stage, reason, error)
REJECTS = [
    ("2024-03-01", "extract", "json_invalid", "invalid JSON: Expecting value"),
    ("2024-03-02", "extract", "json_invalid", "invalid JSON: Unterminated string"),
    ("2024-03-02", "clean", "internal_error", "Traceback (most recent call last):\n  ...\nKeyError: 'x'"),
]


def article_row(number, dt, source, language, topics, rules, published):
    ingested = datetime.fromisoformat(dt).replace(tzinfo=UTC)
    return {
        "id": f"u{number:04d}", "url": f"https://{source}/a/{number}", "source_type": "file",
        "source_uri": f"/data/in/{number}.txt", "title": f"Story number {number}", "authors": ["Jane Doe"],
        "published_at": published, "updated_at": None, "ingested_at": ingested, "language": language,
        "topics": topics, "summary": None, "text": "Body text " * 20, "word_count": 40, "title_only": False,
        "content_hash": f"h{number}", "simhash": number, "duplicate_of": None,
        "boilerplate": [{"rule": rule, "text": "Advertisement"} for rule in rules],
        "extractor": "text", "run_id": "r1", "pipeline_version": "0.1.0",
    }


def write_output(root):
    """A small newsbeam output: articles/ and rejected/ in hive partitions, and one manifest."""
    schema = file_schema(ARTICLE_SCHEMA, ["source"])
    for number, (dt, source, *rest) in enumerate(ARTICLES):
        folder = root / "articles" / f"dt={dt}" / f"source={source}"
        folder.mkdir(parents=True, exist_ok=True)
        row = article_row(number, dt, source, *rest)
        pq.write_table(pa.Table.from_pylist([row], schema=schema), folder / f"part-r1-{number:012d}.parquet")
    # a file a stopped commit left: no manifest lists it, so no reader sees it
    stray = article_row(99, "2024-03-02", "stray.example", "en", ["Stray"], [], None)
    pq.write_table(pa.Table.from_pylist([stray], schema=schema),
                   root / "articles" / "dt=2024-03-01" / "source=example.org" / "part-r9-000000000099.parquet")
    for number, (dt, stage, reason, error) in enumerate(REJECTS):
        folder = root / "rejected" / f"dt={dt}"
        folder.mkdir(parents=True, exist_ok=True)
        row = {"stage": stage, "reason": reason, "error": error, "source_uri": "/data/in/x.jsonl",
               "raw": b"{bad", "run_id": "r1", "rejected_at": datetime.fromisoformat(dt).replace(tzinfo=UTC)}
        pq.write_table(pa.Table.from_pylist([row], schema=REJECTED_SCHEMA), folder / f"part-r1-{number:012d}.parquet")
    (root / "_runs").mkdir()
    (root / "_runs" / "r1.json").write_text(json.dumps({
        "run_id": "r1", "started_at": "2024-03-02T06:00:00+00:00", "finished_at": "2024-03-02T06:01:00+00:00",
        "status": "committed", "counts": {"articles": len(ARTICLES), "rejected": len(REJECTS), "duplicates": 0},
        "files": [{"path": path.relative_to(root).as_posix()} for path in sorted(root.rglob("part-r1-*.parquet"))]}))
    (root / "_tmp" / "r2-abc").mkdir(parents=True)  # an unfinished run: never looked at
    (root / "_tmp" / "r2-abc" / "part-r2-x.parquet").write_bytes(b"not parquet")
    return root


@pytest.fixture
def output(tmp_path):
    return write_output(tmp_path / "out")


def test_counts_partitions_and_schema_version(output):
    info = inspect_output(str(output))
    assert info["articles"]["rows"] == 6 and info["articles"]["files"] == 6
    assert info["rejected"]["rows"] == 3
    assert info["schema_versions"] == {SCHEMA_VERSION: 9}
    assert info["articles"]["partitions"]["articles/dt=2024-03-01/source=example.org"] == {"rows": 2, "files": 2}
    assert len(info["articles"]["partitions"]) == 5


def test_dates_sources_topics_languages(output):
    art = inspect_output(str(output))["articles"]
    assert art["dt_range"] == ["2024-03-01", "2024-03-02"]
    assert art["published_range"] == ["2024-02-28T00:00:00+00:00", "2024-03-02T06:00:00+00:00"]
    assert art["without_published_at"] == 2
    assert list(art["top_sources"].items())[0] == ("example.org", 3)
    assert art["top_topics"] == {"Budget": 2, "Politics": 2, "Politik": 1}
    assert art["languages"] == {"en": 3, "de": 1, "fr": 1, "und": 1}


def test_rejected_by_reason_with_an_example_each(output):
    by_reason = inspect_output(str(output))["rejected"]["by_reason"]
    assert list(by_reason) == ["extract/json_invalid", "clean/internal_error"]
    assert by_reason["extract/json_invalid"]["count"] == 2
    assert by_reason["clean/internal_error"]["example"] == "KeyError: 'x'"


def test_runs_and_samples(output):
    info = inspect_output(str(output), samples=2)
    assert [r["run_id"] for r in info["runs"]] == ["r1"]
    assert len(info["samples"]) == 2
    assert set(info["samples"][0]) == {"id", "source", "dt", "published_at", "language", "word_count", "title"}


def test_text_names_everything(output):
    text = format_inspection(inspect_output(str(output)))
    for needle in ("articles", "6 rows in 6 files, 5 partitions", "not committed 1 data files", f"version {SCHEMA_VERSION} (9 files)", "duplicates         0",
                   "2024-03-01 .. 2024-03-02", "top sources  example.org 3", "extract/json_invalid",
                   "articles/dt=2024-03-01/source=example.org", "sample rows", "Story number"):
        assert needle in text, needle


def test_cli_text_and_json(output):
    result = run_cli("inspect", str(output))
    assert result.returncode == 0, result.stderr.decode()
    assert "6 rows in 6 files" in result.stdout.decode()
    result = run_cli("inspect", str(output), "--json", "--samples", "1")
    info = json.loads(result.stdout)
    assert info["articles"]["rows"] == 6 and len(info["samples"]) == 1


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_cli_not_an_output_is_one_line_exit_2(tmp_path, make):
    target = tmp_path / "nothing"
    if make == "empty":
        target.mkdir()
    result = run_cli("inspect", str(target))
    err = result.stderr.decode().strip()
    assert result.returncode == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert ("no such folder" if make == "missing" else "not a newsbeam output") in err
