"""Damaged files left by earlier runs never fail a later one.

``OUT/_state/feeds.json`` (conditional-GET validators) and the committed article files the
deduplication reads back (``transforms/dedup/history.py``) are both read at the start of every run;
a corrupt one used to make every later run exit 1.
"""
import json
import logging
import re
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import read_manifest, run_cli
from transforms.dedup.rules import instant
from transforms.sinks.feed_state import (
    feed_requests,
    feed_state_path,
    parse_feed_state,
    quarantine_path,
    read_feed_state,
    save_feed_state,
)
from transforms.dedup.history import HISTORY_COLUMNS, read_history_keys

QUARANTINED = re.compile(r"^feeds\.json\.corrupt-\d{8}T\d{6}Z(-\d+)?$")
GOOD_STATE = {"https://a.example/rss": {"etag": '"v1"', "last_modified": "Wed, 21 Oct 2015 07:28:00 GMT",
                                        "fetched_at": "2024-01-02T03:04:05+00:00"},
              "https://b.example/atom": {"etag": None, "last_modified": "Thu, 03 Mar 2022 10:00:00 GMT"}}


def state_file(out, data: bytes):
    path = out / "_state" / "feeds.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def warnings_naming(caplog, text):
    return [r for r in caplog.records if r.levelno == logging.WARNING and text in r.getMessage()]


# --- feed state ------------------------------------------------------------------------------------

CORRUPT_STATES = {
    "not-json": b"etag=v1\n",
    "truncated": json.dumps({"version": 1, "feeds": GOOD_STATE}).encode()[:60],
    "zero-bytes": b"",
    "a-list": b'[{"feeds": {}}]',
    "a-string": b'"feeds"',
    "null": b"null",
    "feeds-a-list": b'{"version": 1, "feeds": ["https://a.example/rss"]}',
    "feeds-a-number": b'{"version": 1, "feeds": 3}',
    "not-utf8": b'{"feeds": {"\xff\xfe": {}}}',
}


@pytest.mark.parametrize("name", sorted(CORRUPT_STATES))
def test_corrupt_state_file_is_reported_once_and_moved_aside(tmp_path, caplog, name):
    path = state_file(tmp_path, CORRUPT_STATES[name])
    with caplog.at_level(logging.WARNING):
        state = read_feed_state(str(tmp_path))
    assert state == {}
    assert [r.url for r in feed_requests(["https://a.example/rss"], state)] == ["https://a.example/rss"]
    assert feed_requests(["https://a.example/rss"], state)[0].etag is None  # fetched in full
    assert len(warnings_naming(caplog, str(path))) == 1, caplog.text
    assert not path.exists()
    moved = list(path.parent.iterdir())
    assert len(moved) == 1 and QUARANTINED.match(moved[0].name), moved
    assert moved[0].read_bytes() == CORRUPT_STATES[name]  # kept for a human to look at
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert read_feed_state(str(tmp_path)) == {}  # the next run does not trip again
    assert not caplog.records, caplog.text


def test_state_saved_after_a_quarantine_is_read_again(tmp_path, caplog):
    state_file(tmp_path, b"{")
    with caplog.at_level(logging.WARNING):
        assert read_feed_state(str(tmp_path)) == {}
        save_feed_state(str(tmp_path), GOOD_STATE)
        assert read_feed_state(str(tmp_path)) == GOOD_STATE
        state_file(tmp_path, b"[]")  # damaged again within the same second: a second, distinct name
        assert read_feed_state(str(tmp_path)) == {}
    assert len(warnings_naming(caplog, feed_state_path(str(tmp_path)))) == 2
    names = sorted(p.name for p in (tmp_path / "_state").iterdir())
    assert len(names) == 2 and all(QUARANTINED.match(n) for n in names), names


def test_malformed_entries_are_dropped_one_by_one(tmp_path, caplog):
    feeds = {**GOOD_STATE,
             "https://c.example/a-string": "etag",
             "https://d.example/null": None,
             "https://e.example/number-etag": {"etag": 5},
             "https://f.example/list-date": {"last_modified": ["Wed"]},
             "https://g.example/header-injection": {"etag": '"v1"\r\nX-Evil: 1'},
             "": {"etag": '"v1"'}}
    path = state_file(tmp_path, json.dumps({"version": 1, "feeds": feeds}).encode())
    with caplog.at_level(logging.WARNING):
        state = read_feed_state(str(tmp_path))
    assert state == GOOD_STATE
    assert path.exists() and len(list(path.parent.iterdir())) == 1  # a valid file is not moved
    assert len(warnings_naming(caplog, str(path))) == 1 and "6 malformed" in caplog.text
    requests = {r.url: r for r in feed_requests(list(feeds), state)}
    assert requests["https://a.example/rss"].etag == '"v1"'
    assert requests["https://e.example/number-etag"].etag is None


def test_good_state_round_trips_without_warnings(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert read_feed_state(str(tmp_path)) == {}  # no state yet
        save_feed_state(str(tmp_path), GOOD_STATE)
        assert read_feed_state(str(tmp_path)) == GOOD_STATE
    assert not caplog.records, caplog.text


def test_parse_feed_state_is_pure():
    assert parse_feed_state(json.dumps({"version": 1, "feeds": GOOD_STATE}).encode()) == (GOOD_STATE, 0)
    assert parse_feed_state(b'{"version": 1}') == ({}, 0)
    assert parse_feed_state(b'{"feeds": {"u": 1}}') == ({}, 1)
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    assert quarantine_path("out/_state/feeds.json", when) == "out/_state/feeds.json.corrupt-20240506T070809Z"


# --- history --------------------------------------------------------------------------------------

def write_history(path, ids):
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({
        "id": ids,
        "content_hash": [f"h{i}" for i in ids],
        "simhash": list(range(len(ids))),
        "published_at": pa.array([datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), None][: len(ids)]
                                 + [None] * max(0, len(ids) - 2), pa.timestamp("us", tz="UTC")),
        "word_count": [10 * (n + 1) for n in range(len(ids))],
        "text": ["not read"] * len(ids),
    })
    pq.write_table(table, path)
    return path


def expected_rows(path):
    rows = pq.read_table(path, columns=HISTORY_COLUMNS).to_pylist()
    for row in rows:
        if row["published_at"] is not None:
            row["published_at"] = instant(row["published_at"])
    return rows


def damaged(tmp_path, kind):
    good = write_history(tmp_path / "good" / "part.parquet", ["a1", "a2"])
    path = tmp_path / "articles" / "dt=2024-01-02" / f"part-{kind}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"zero-bytes": b"", "truncated": good.read_bytes()[: good.stat().st_size // 2],
            "text": b"id,content_hash\na1,h1\n"}[kind]
    path.write_bytes(data)
    return path


def test_good_history_file_reads_as_before(tmp_path, caplog):
    path = write_history(tmp_path / "part-good.parquet", ["a1", "a2", "a3"])
    with caplog.at_level(logging.WARNING):
        rows = read_history_keys(str(path)).to_pylist()
    assert rows == expected_rows(path)
    assert rows[0]["published_at"] == instant(datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert rows[1]["published_at"] is None and set(rows[0]) == set(HISTORY_COLUMNS)
    assert not caplog.records


@pytest.mark.parametrize("kind", ["zero-bytes", "truncated", "text"])
def test_unreadable_history_file_is_skipped_with_one_warning(tmp_path, caplog, kind):
    path = damaged(tmp_path, kind)
    with caplog.at_level(logging.WARNING):
        assert read_history_keys(str(path)) is None
    assert len(warnings_naming(caplog, str(path))) == 1, caplog.text


def test_history_file_without_the_columns_is_skipped(tmp_path, caplog):
    path = tmp_path / "part-other.parquet"
    pq.write_table(pa.table({"something": [1]}), path)
    with caplog.at_level(logging.WARNING):
        assert read_history_keys(str(path)) is None
    assert len(warnings_naming(caplog, str(path))) == 1


# --- a run over damaged leftovers ----------------------------------------------------------------

def test_run_over_a_corrupt_state_file_and_a_zero_byte_article_file_succeeds(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("The harbour bridge reopened on Tuesday after three weeks of repairs.\n")
    out = tmp_path / "out"
    state_file(out, b"")
    today = datetime.now(timezone.utc).date().isoformat()
    empty = out / "articles" / f"dt={today}" / "source=local" / "part-old-000000000000.parquet"
    empty.parent.mkdir(parents=True)
    empty.write_bytes(b"")
    result = run_cli("-q", "run", "--input", str(src), "--output", str(out), "--run-id", "after-damage")
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert read_manifest(out)["counts"]["articles"] == 1
    assert str(out / "_state" / "feeds.json") in err  # the warning reached the operator
    assert [p.name for p in (out / "_state").iterdir() if QUARANTINED.match(p.name)]
