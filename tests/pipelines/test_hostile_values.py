"""Bad characters and overlong values in every field of every input kind: fixed, counted, never a failed run."""
import json
import os

import pyarrow.dataset as ds
import pytest

from tests.conftest import read_manifest, run_cli

SURROGATE = "x \ud800 y"
GOOD = "The harbour board met on Tuesday and agreed to repaint the lighthouse before the summer season."
FIELDS = ["id", "url", "title", "summary", "source", "language", "published", "updated"]


def record(field: str, value) -> str:
    key = f"{field}-{abs(hash(repr(value))) % 10**8}"
    base = {"id": f"r-{key}", "url": f"https://x.example/{key}", "text": f"{GOOD} ({key})"}
    return json.dumps({**base, field: value})  # ensure_ascii: the surrogate travels as "\ud800"


def jsonl_lines() -> str:
    lines = [record(field, value) for field in FIELDS for value in (SURROGATE, "a\x00b")]
    lines += [record("text", f"{GOOD} {SURROGATE} \x00"), record("authors", [SURROGATE, "Ann\x00 Lee"]),
              record("topics", [SURROGATE, "Harbour"]), record("title", "T" * 200_000),
              record("authors", [f"Author {n}" for n in range(5000)]), json.dumps({"id": "good", "text": GOOD})]
    return "\n".join(lines) + "\n"


FEED = ("<rss version='2.0'><channel><title>Bad &#xD800; feed</title>"
        "<item><title>A &#xD800; title &#0;</title><link>https://x.example/f1&#xDC00;</link>"
        "<author>Ann &#xD83D; Lee</author><category>Tag &#xDFFF;</category><guid>g&#xD800;1</guid>"
        f"<description>{GOOD} &#xD800; &#1;</description></item>"
        f"<item><title>Good entry</title><link>https://x.example/f2</link><description>{GOOD} two</description></item>"
        "</channel></rss>")
PAGE = (f"<html><head><title>Page &#xD800; title</title></head><body><article><h1>Page &#xD800; title</h1>"
        f"<p>{GOOD} &#xD800; &#0; page.</p><p>{GOOD} again.</p></article></body></html>")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    src = tmp_path_factory.mktemp("hostile-values")
    (src / "records.jsonl").write_text(jsonl_lines())
    (src / "feed.xml").write_text(FEED)
    (src / "page.html").write_text(PAGE)
    (src / "surrogate.txt").write_bytes(b"CESU surrogate \xed\xa0\x80 in a text file. " + GOOD.encode())
    out = src.parent / "hostile-values-out"
    result = run_cli("run", "--input", str(src / "*"), "--output", str(out), "--run-id", "hv")
    return result, out


def rows(out, kind):
    return ds.dataset(out / kind, format="parquet", partitioning="hive").to_table().to_pylist()


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)


def test_the_run_succeeds_and_keeps_every_record(run):
    result, out = run
    assert result.returncode == 0, result.stderr.decode()
    manifest = read_manifest(out)
    assert manifest["reconciliation"]["ok"] and manifest["counts"]["rejected"] == 0
    assert manifest["counts"]["articles"] == len(jsonl_lines().splitlines()) + 2 + 1 + 1
    assert manifest["counters"]["invalid_chars"] >= 10


def test_every_string_written_is_valid_unicode_without_nuls(run):
    _, out = run
    for row in rows(out, "articles"):
        for text in strings(row):
            text.encode("utf-8")  # a lone surrogate raises here
            assert "\x00" not in text, row["id"]


def test_bad_characters_become_replacement_characters_in_place(run):
    _, out = run
    titles = {r["title"] for r in rows(out, "articles")}
    assert {"x \ufffd y", "ab"} <= titles
    assert "x \ufffd y" in {r["source_id"] for r in rows(out, "articles")}
    assert any(r["text"].startswith(f"{GOOD} x \ufffd y") for r in rows(out, "articles"))
    feed_entry = next(r for r in rows(out, "articles") if (r["title"] or "").startswith("A "))
    assert feed_entry["title"] == "A \ufffd title \ufffd" and "\ufffd" in feed_entry["text"]


def test_overlong_values_are_cut(run):
    _, out = run
    titles = [r["title"] for r in rows(out, "articles") if r["title"] and r["title"].startswith("TTT")]
    assert titles and max(len(t) for t in titles) <= 2_000
    assert max(len(r["authors"]) for r in rows(out, "articles")) <= 100


@pytest.mark.parametrize("suffix", [b".txt", b".jsonl"])
def test_a_file_name_that_is_not_utf8_is_read(tmp_path, suffix):
    src = tmp_path / "in"
    src.mkdir()
    text = json.dumps({"text": GOOD}) if suffix == b".jsonl" else GOOD
    with open(os.fsencode(src) + b"/bad-name-\xff" + suffix, "w") as handle:
        handle.write(text + "\n")
    result = run_cli("run", "--input", str(src / "*"), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr.decode()
    (row,) = rows(tmp_path / "out", "articles")
    assert row["text"] == GOOD and row["source_uri"].endswith("bad-name-\ufffd" + suffix.decode())
