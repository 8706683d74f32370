"""The unbounded graph (``pipelines/run/unbounded.py``) driven by TestStream on the DirectRunner:
the test advances the watermark, windows fire and commit one by one."""
import json
from datetime import datetime, timezone

import apache_beam as beam
import pyarrow.dataset as ds
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing import test_stream
from apache_beam.transforms.window import TimestampedValue

from pipelines.cli.arguments import settings_from_args
from pipelines.run.run_context import run_header
from pipelines.run.unbounded import build_unbounded
from schemas.records import RawDocument, RunContext

WINDOW = 60
STORY = ("The harbour board met on {day} and agreed that the {thing} would close for repairs, with "
         "ferries leaving from the north quay while the work goes on, a spokesperson for the board said. ")


def record(ident: str, thing: str, day: str = "Monday") -> RawDocument:
    text = (STORY.format(day=day, thing=thing) * 3).strip()
    body = {"id": ident, "title": f"The {thing} closes", "text": text, "url": f"https://harbour.example/{ident}"}
    return RawDocument(json.dumps(body).encode(), "stream://test", "json")


def at(seconds: int, item):
    return TimestampedValue(item, seconds)


def stream_through(out, build_events):
    settings, _ = settings_from_args(["--output", str(out)])
    ctx = RunContext("u1", datetime(2024, 3, 1, tzinfo=timezone.utc), "test")
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    stream = build_events(test_stream.TestStream())
    with beam.Pipeline(options=options) as pipeline:
        build_unbounded(pipeline | stream, settings, ctx, run_header(settings, ctx, []), WINDOW)


def manifests(out):
    return {p.stem: json.loads(p.read_text()) for p in sorted((out / "_runs").glob("*.json"))}


def rows(out, kind):
    return ds.dataset(out / kind, format="parquet", partitioning="hive").to_table().to_pylist()


@pytest.fixture(scope="module")
def streamed(tmp_path_factory):
    out = tmp_path_factory.mktemp("unbounded") / "out"

    def events(stream):
        return (stream
                .add_elements([at(10, record("a", "pier")), at(20, record("b", "bridge")),
                               at(25, RawDocument(b'{"id": "empty"}', "stream://test", "json"))])
                .advance_watermark_to(WINDOW)
                .add_elements([at(70, record("c", "lock")), at(75, record("a", "pier", "Tuesday"))])
                .advance_watermark_to(2 * WINDOW)
                .add_elements([at(30, record("late", "tram depot"))])  # behind the watermark: late
                .advance_watermark_to(3 * WINDOW)
                .add_elements([at(190, record("d", "swing bridge"))])
                .advance_watermark_to_infinity())

    stream_through(out, events)
    return out


def test_each_window_commits_its_own_manifest_and_a_late_item_its_window_again(streamed):
    found = manifests(streamed)
    assert sorted(found) == ["u1-19700101T000000Z", "u1-19700101T000000Z-p1", "u1-19700101T000100Z",
                             "u1-19700101T000300Z"]
    assert all(m["status"] == "committed" and m["reconciliation"]["ok"] for m in found.values())
    first = found["u1-19700101T000000Z"]
    assert first["counts"] == {"articles": 2, "rejected": 1, "duplicates": 0}
    assert first["window"] == {"start": "1970-01-01T00:00:00+00:00", "end": "1970-01-01T00:01:00+00:00"}
    assert found["u1-19700101T000000Z-p1"]["counts"]["articles"] == 1  # the late item, in its window


def test_items_arriving_across_windows_land_once_each(streamed):
    articles = rows(streamed, "articles")
    assert sorted(r["id"] for r in articles) == sorted({r["id"] for r in articles})
    assert len(articles) == 5
    by_run = {r["run_id"] for r in articles}
    assert by_run <= set(manifests(streamed))  # every row names the window that committed it


def test_a_duplicate_across_windows_is_dropped_and_traceable(streamed):
    (dropped,) = rows(streamed, "duplicates")
    kept = {r["id"] for r in rows(streamed, "articles")}
    assert dropped["reason"] == "duplicate_id" and dropped["kept_id"] in kept
    assert dropped["run_id"] == "u1-19700101T000100Z"


def test_rejected_rows_land_in_their_window_with_a_reason(streamed):
    (row,) = rows(streamed, "rejected")
    assert row["reason"] and row["run_id"] == "u1-19700101T000000Z" and row["raw"] == b'{"id": "empty"}'
    assert not (streamed / "_tmp").exists() or not any((streamed / "_tmp").iterdir())


def test_state_forgets_a_key_after_the_lookback():
    from apache_beam.testing.util import assert_that, equal_to

    from transforms.dedup.stream_dedup import STREAM_DUPLICATES, StreamDeduplicate

    def row(ident, words):
        return {"id": ident, "content_hash": f"h-{ident}", "word_count": words, "source_uri": "s"}

    events = (test_stream.TestStream()
              .add_elements([at(10, row("x", 80)), at(50, row("x", 80))])
              .advance_watermark_to(200)  # past 10 + lookback: x's state is cleared
              .add_elements([at(250, row("x", 80))])
              .advance_watermark_to_infinity())
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    with beam.Pipeline(options=options) as pipeline:
        decided = pipeline | events | StreamDeduplicate(lookback_s=100, content_min_words=50)
        assert_that(decided["kept"] | "Ids" >> beam.Map(lambda r: r["id"]), equal_to(["x", "x"]), label="kept")
        assert_that(decided[STREAM_DUPLICATES] | "Reasons" >> beam.Map(lambda d: (d["id"], d["reason"])),
                    equal_to([("x", "duplicate_id")]), label="dropped")


def test_the_unbounded_job_with_real_sources_on_the_local_engine(tmp_path):
    """Folders through MatchContinuously, a feed through PeriodicImpulse and PollFeeds (its
    ETag in Beam state), bounded by --duration so the local engine can finish the job."""
    from pipelines.cli.arguments import stream_args
    from pipelines.run.stream import stream_unbounded
    from tests.feed_server import serving, with_etag

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("north", "south"):
        (inbox / f"{name}.txt").write_text(STORY.format(day="Friday", thing=f"{name} pier") * 2)
    items = "".join(f"<item><title>Item {n}</title><link>https://harbour.example/i{n}</link><guid>i{n}</guid>"
                    f"<description>{STORY.format(day='Sunday', thing=f'slipway {n}')}</description></item>"
                    for n in range(2))
    with serving({}) as server:
        server.routes["/rss"] = with_etag('"v1"', f"<rss version='2.0'><channel><title>H</title>{items}"
                                                  f"</channel></rss>".encode())
        plan, settings, options = stream_args([
            "--watch", str(inbox / "*.txt"), "--feed", f"{server.base}/rss", "--output", str(tmp_path / "out"),
            "--allow-network", "127.0.0.1/32", "--poll-interval", "2", "--duration", "5", "--run-id", "job",
            "--direct_running_mode=in_memory"])
        found = stream_unbounded(settings, options, plan, report=lambda line: None)
        fetched = server.hits("/rss")
    assert found and all(m["reconciliation"]["ok"] for m in found)
    articles = rows(tmp_path / "out", "articles")
    # polled more than once, yet no entry came twice: the later polls sent the ETag kept in state and got 304
    assert fetched >= 2 and sum(m["counts"]["duplicates"] for m in found) == 0
    assert sorted(r["source_uri"].rsplit("/", 1)[-1] for r in articles) == ["north.txt", "rss", "rss", "south.txt"]
    assert all(m["runner"]["engine"] == "FnApiRunner" and m["mode"] == "unbounded" for m in found)
