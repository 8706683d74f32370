"""Streaming end to end: a growing feed on 127.0.0.1 and a watched folder, one bounded run."""
import threading
import time

import pyarrow.dataset as ds
import pytest

from pipelines.run.watch import FolderWatch, in_progress_name
from tests.feed_server import serving


def stream_from_argv(argv, report):
    """``newsbeam stream ARGV`` in this process: the CLI's parsing, then the stream."""
    from pipelines.cli.arguments import stream_args
    from pipelines.run.stream import stream

    plan, settings, options = stream_args(argv)
    return stream(settings, options, plan, report=report)

DURATION = 30
LATE_DATE = "Sun, 01 Jan 2023 08:00:00 +0100"
PARAGRAPH = "The coastguard said the search would resume at first light, weather permitting, with two boats and a helicopter."


def growing_feed(started, served):
    """An RSS feed that gains one item every 3 seconds after ``started``;
    ``served`` records how many items each answer held."""
    def route(handler):
        count = 1 + int((time.time() - started) / 3)
        served.append(count)
        items = "".join(
            f"<item><title>Update {i}</title><link>https://harbour-news.co.uk/live/{i}</link><guid>live-{i}</guid>"
            f"<description><![CDATA[<p>Update {i}: {PARAGRAPH} Reference {i * 7919}.</p><p>Advertisement</p>]]>"
            f"</description></item>" for i in range(count))
        if time.time() - started > 10:  # a late entry: it appears mid-run, dated two days back
            items += (f"<item><title>Late report</title><link>https://harbour-news.co.uk/late</link>"
                      f"<pubDate>{LATE_DATE}</pubDate><description>Late report: {PARAGRAPH}</description></item>")
        body = f"<rss version='2.0'><channel><title>Live</title>{items}</channel></rss>".encode()
        return 200, {"Content-Type": "application/rss+xml", "ETag": f'"{count}"'}, body
    return route


def drop_files(folder):
    time.sleep(2)
    (folder / "first.txt").write_text(f"First dropped file. {PARAGRAPH}\nADVERTISEMENT\n")
    time.sleep(5)
    (folder / "second.txt.tmp").write_text(f"Second dropped file, renamed into place. {PARAGRAPH}\n")
    (folder / "second.txt.tmp").rename(folder / "second.txt")
    time.sleep(5)
    with open(folder / "third.txt", "w") as handle:  # written slowly in place
        handle.write("Third dropped file, written slowly. ")
        handle.flush()
        time.sleep(1.5)
        handle.write(f"{PARAGRAPH}\nTopics: Coastguard\n")


@pytest.fixture(scope="module")
def stream_run(tmp_path_factory):

    root = tmp_path_factory.mktemp("stream")
    inbox, out = root / "inbox", root / "out"
    inbox.mkdir()
    started = time.time()
    lines, served = [], []
    with serving({}) as server:
        server.routes["/live"] = growing_feed(started, served)
        dropper = threading.Thread(target=drop_files, args=(inbox,))
        dropper.start()
        manifests = stream_from_argv(["--feed", f"{server.base}/live", "--watch", str(inbox / "*.txt"),
                                      "--output", str(out), "--allow-network", "127.0.0.1/32", "--poll-interval",
                                      "4", "--duration", str(DURATION), "--run-id", "s1"], report=lines.append)
        dropper.join()
    return dict(out=out, manifests=manifests, lines=lines, started=started, ended=time.time(),
                items_served=max(served))


def articles(out):
    return ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table().to_pylist()


def test_run_ends_by_itself(stream_run):
    assert stream_run["ended"] - stream_run["started"] < DURATION + 20


def test_every_item_exactly_once(stream_run):
    rows = articles(stream_run["out"])
    titles = [r["title"] for r in rows if r["title"]]
    assert len(titles) == len(set(titles)), "an item was written twice"
    updates = sorted(int(t.split()[1]) for t in titles if t.startswith("Update "))
    assert updates == list(range(stream_run["items_served"])) and len(updates) >= 8
    files = sorted(r["source_uri"].rsplit("/", 1)[-1] for r in rows if r["source_type"] == "file")
    assert files == ["first.txt", "second.txt", "third.txt"]
    third = next(r for r in rows if r["source_uri"].endswith("third.txt"))
    assert "written slowly" in third["text"] and "coastguard" in third["text"].lower()
    assert third["topics"] == ["Coastguard"]


def test_repeated_and_late_entries_land_once(stream_run):
    rows = articles(stream_run["out"])
    late = [r for r in rows if r["title"] == "Late report"]
    assert len(late) == 1 and late[0]["published_at"].isoformat() == "2023-01-01T07:00:00+00:00"
    seen = sum(m["duplicates_by_reason"].get("seen_id", 0) for m in stream_run["manifests"])
    assert seen > 0  # every poll repeats earlier entries; none is written twice


def test_commits_early_and_in_several_files(stream_run):
    manifests = stream_run["manifests"]
    assert len(manifests) >= 4
    with_rows = [m for m in manifests if m["counts"]["articles"]]
    first_commit = min(m["finished_at"] for m in with_rows)
    from datetime import datetime
    assert datetime.fromisoformat(first_commit).timestamp() < stream_run["started"] + DURATION / 2
    article_files = list((stream_run["out"] / "articles").rglob("*.parquet"))
    assert len(article_files) >= 4
    assert all(m["reconciliation"]["ok"] for m in manifests)
    assert len(list((stream_run["out"] / "_runs").glob("s1-w*.json"))) == len(manifests)


def test_boilerplate_is_stripped(stream_run):
    for row in articles(stream_run["out"]):
        assert "Advertisement" not in row["text"] and "ADVERTISEMENT" not in row["text"]


def test_folder_watch_waits_for_complete_files(tmp_path):
    watch = FolderWatch([str(tmp_path / "*")], settle_seconds=60)
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "b.txt.part").write_text("partial")
    assert watch.new_complete_files() == {}          # first sight: not yet known to be steady
    assert list(watch.new_complete_files()) == [str(tmp_path / "a.txt")]
    assert watch.new_complete_files() == {}          # taken
    (tmp_path / "a.txt").write_text("changed later")
    assert watch.new_complete_files() == {}          # changed: not yet steady again
    assert list(watch.new_complete_files()) == [str(tmp_path / "a.txt")]  # taken again, changed
    watch.release([str(tmp_path / "a.txt")])         # its window failed
    assert list(watch.new_complete_files()) == [str(tmp_path / "a.txt")]
    assert in_progress_name("x.tmp") and in_progress_name(".hidden") and not in_progress_name("x.txt")


def test_a_watch_seeded_with_committed_files_takes_only_new_or_changed_ones(tmp_path):
    from pipelines.run.watch import committed_files, input_files_entry, list_files
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(name)
    listing = list_files([str(tmp_path / "*")])
    manifests = [{"started_at": "2024-01-01T00:00:00", "input_files": input_files_entry(
        {p: s for p, s in listing.items() if not p.endswith("c.txt")})}]
    (tmp_path / "b.txt").write_text("b, changed after it was committed")
    watch = FolderWatch([str(tmp_path / "*")], settle_seconds=0, taken=committed_files(manifests))
    assert sorted(p.rsplit("/", 1)[-1] for p in watch.new_complete_files()) == ["b.txt", "c.txt"]


def test_stream_command_line_needs_a_source(tmp_path):
    from tests.conftest import run_cli

    result = run_cli("stream", "--output", str(tmp_path / "out"), "--duration", "1")
    assert result.returncode == 2 and b"nothing to stream" in result.stderr


def test_stream_command_line_bounded_run(tmp_path):
    from tests.conftest import run_cli

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(f"A file waiting in the inbox. {PARAGRAPH}\n")
    result = run_cli("stream", "--watch", str(inbox / "*.txt"), "--output", str(tmp_path / "out"),
                     "--poll-interval", "1", "--duration", "3")
    assert result.returncode == 0, result.stderr.decode()
    assert b"1 article," in result.stdout and b"window" in result.stdout


def short_items_feed(started, base):
    """A feed gaining one short item every 2 seconds; every item links to the same one-line page."""
    def route(handler):
        count = 1 + int((time.time() - started) / 2)
        items = "".join(
            f"<item><title>Ferry {i}</title><link>{base}/live-page</link><guid isPermaLink='false'>ferry-{i}</guid>"
            f"<description>Sailing {i} leaves {i * 5} minutes late from pier {i % 3 + 1}.</description></item>"
            for i in range(count))
        return 200, {"Content-Type": "application/rss+xml"}, f"<rss version='2.0'><channel>{items}</channel></rss>".encode()
    return route


def test_short_items_linking_to_one_page_each_land_once_with_their_own_text(tmp_path):

    started, out = time.time(), tmp_path / "out"
    with serving({}) as server:
        server.routes["/live"] = short_items_feed(started, server.base)
        server.routes["/live-page"] = lambda handler: (200, {"Content-Type": "text/html"},
                                                      b"<html><body><p>Live departures board.</p></body></html>")
        stream_from_argv(["--feed", f"{server.base}/live", "--output", str(out), "--allow-network", "127.0.0.1/32",
                         "--poll-interval", "3", "--duration", "14", "--run-id", "s2"], report=lambda line: None)
    served = 1 + int((time.time() - started) / 2)
    rows = sorted(articles(out), key=lambda r: int(r["title"].split()[1]))
    numbers = [int(r["title"].split()[1]) for r in rows]
    assert numbers == list(range(len(rows))) and len(rows) >= 5 and len(rows) <= served
    for number, row in zip(numbers, rows):
        assert row["text"] == f"Sailing {number} leaves {number * 5} minutes late from pier {number % 3 + 1}."
