"""Feed fidelity: real-world feed shapes give the articles a good feed reader would show.

Each file in tests/fixtures/feeds/ states its expectation in a leading XML comment; one
``newsbeam run`` reads them all (plus a UTF-16 file written here) and each test checks one
shape by ``source_uri``. A second run reads feeds over a real loopback HTTP server whose
linked pages disagree with, or complete, the entries.
"""
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pyarrow.dataset as ds
import pytest

from tests.conftest import read_manifest, run_cli
from tests.feed_server import fixed, serving

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"

UTF16_FEED = """<?xml version="1.0" encoding="utf-16"?>
<!-- expect: 1 article; UTF-16-LE without a BOM is decoded: title "Café über alles", no mojibake -->
<rss version="2.0"><channel><title>Kaffeehaus Notizen</title><link>https://kaffeehaus.example.at/</link>
<item><title>Café über alles</title><link>https://kaffeehaus.example.at/cafe-ueber-alles</link>
<guid isPermaLink="false">kh-2024-1</guid><pubDate>Fri, 08 Mar 2024 09:00:00 GMT</pubDate>
<description>Im Café an der Straßenecke gibt es seit März wieder Sachertorte und Crème brûlée; die Besitzerin,
Frau Jürgens, röstet die Bohnen selbst und öffnet schon um sieben Uhr.</description></item></channel></rss>"""

# What Miniflux would list per file (leading-space-empty.xml: none, it is a rejected row).
EXPECTED_COUNTS = {
    "podcast.xml": 6, "fragment-permalinks.xml": 5, "link-blog.xml": 4, "hn-comments.xml": 4,
    "title-link-only.xml": 3, "tiny-texts.xml": 7, "same-guid-twice.xml": 1, "syndicated-copies.xml": 1,
    "topic-line-podcast.xml": 3, "relative-links.xml": 2, "relative-links-channel.xml": 2,
    "utf16-nobom.xml": 1, "wordpress.xml": 2, "staff-writer.xml": 1,
}


RECORD_TEXT = "The ferry timetable changes next week, with an extra crossing on Saturday mornings in summer."
# (record, published_at it must give): dates read with the record's language, or its URL's domain, as a hint
DATED_RECORDS = [
    {"id": "fr-1", "url": "https://journal.example.fr/a", "language": "fr", "published": "12/03/2024",
     "text": "Le bac change d'horaire la semaine prochaine. " + RECORD_TEXT},
    {"id": "us-1", "url": "https://daily.example.com/a", "language": "en-US", "published": "12/03/2024",
     "text": "US edition. " + RECORD_TEXT},
    {"id": "de-1", "url": "https://zeitung.example.de/a", "published": "3. März 2024 14:30",
     "text": "Die Fähre fährt ab nächster Woche öfter. " + RECORD_TEXT},
    {"id": "ms-1", "url": "https://ms.example.org/a", "published": 1709251200000, "text": "Milliseconds. " + RECORD_TEXT},
    {"id": "wk-1", "url": "https://wk.example.org/a", "published": "2024-W10-3", "text": "ISO week. " + RECORD_TEXT},
    {"id": "bad-1", "url": "https://bad.example.org/a", "published": "sometime soon", "text": "Unreadable. " + RECORD_TEXT},
]
DATED_EXPECTED = {"fr-1": "2024-03-12", "us-1": "2024-12-03", "de-1": "2024-03-03", "ms-1": "2024-03-01",
                  "wk-1": "2024-03-06", "bad-1": None}


def table(out: Path, kind: str) -> list:
    """Rows of OUT/<kind> (hive partitioned); [] when the folder was never written."""
    if not (out / kind).is_dir():
        return []
    return ds.dataset(out / kind, format="parquet", partitioning="hive").to_table().to_pylist()


def of(rows: list, name: str) -> list:
    """The rows whose source_uri is the file (or URL path) ``name``."""
    return [r for r in rows if r["source_uri"].endswith("/" + name)]


def only_one_containing(rows: list, snippet: str) -> dict:
    hits = [r for r in rows if snippet in r["text"]]
    assert len(hits) == 1, f"{snippet!r} is in {len(hits)} texts: {[r['text'][:80] for r in rows]}"
    return hits[0]


@pytest.fixture(scope="module")
def fidelity(tmp_path_factory):
    src = tmp_path_factory.mktemp("feed-shapes")
    for path in FEEDS.glob("*.xml"):
        shutil.copyfile(path, src / path.name)
    (src / "utf16-nobom.xml").write_bytes(UTF16_FEED.encode("utf-16-le"))
    (src / "dated-records.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in DATED_RECORDS))
    out = tmp_path_factory.mktemp("feed-shapes-out") / "out"
    result = run_cli("run", "--input", str(src / "*"), "--output", str(out), "--run-id", "fidelity")
    assert result.returncode == 0, result.stderr.decode()
    return SimpleNamespace(out=out, articles=table(out, "articles"), rejected=table(out, "rejected"),
                           duplicates=table(out, "duplicates"), summary=result.stdout.decode())


def test_every_feed_gives_the_article_count_a_feed_reader_would(fidelity):
    counts = {name: len(of(fidelity.articles, name)) for name in EXPECTED_COUNTS}
    assert counts == EXPECTED_COUNTS


def test_podcast_episodes_are_separate_articles_sharing_the_show_url(fidelity):
    rows = of(fidelity.articles, "podcast.xml")
    assert {r.get("source_id") for r in rows} == {f"tideline-episode-{n}" for n in range(36, 42)}
    assert {r["url"] for r in rows} == {"https://tideline.example.fm/"}
    assert len({r["id"] for r in rows}) == 6
    herring = only_one_containing(rows, "last working herring smokehouse on the east coast")
    assert herring["title"] == "Ep. 41: The last herring smokehouse"
    for snippet in ("drones and thermal cameras", "a plumber and a primary school teacher",
                    "lock away carbon faster than forests", "steaming larch planks",
                    "transcribing a century of lighthouse keepers' logbooks"):
        only_one_containing(rows, snippet)


def test_fragment_permalinks_are_separate_notes(fidelity):
    rows = of(fidelity.articles, "fragment-permalinks.xml")
    assert {r["url"].split("#")[0] for r in rows} == {"https://notes.example.net/2024/03/05"}
    assert sorted(r["title"] for r in rows) == [f"Note {n}" for n in range(1, 6)]
    for title, snippet in [("Note 1", "broad beans look sulky"), ("Note 2", "it was a timezone bug"),
                           ("Note 3", "Get the khachapuri"), ("Note 4", "locks are cleverer"),
                           ("Note 5", "barn owl hunting")]:
        assert only_one_containing(rows, snippet)["title"] == title


def test_link_blog_entries_sharing_one_external_link_stay_separate(fidelity):
    rows = of(fidelity.articles, "link-blog.xml")
    assert {r["url"] for r in rows} == {"https://longreads.example.org/2024/rural-broadband-costs"}
    assert {r.get("source_id") for r in rows} == {f"tag:linkwork.example.com,2024:link-10{n}" for n in range(1, 5)}
    for snippet in ("Worth reading for the maps alone", "subsidy figures in this article are out of date",
                    "added a correction note and a new chart", "end of a four-mile lane"):
        only_one_containing(rows, snippet)


@pytest.mark.parametrize("name, titles", [
    ("hn-comments.xml", {"A tiny B-tree in 400 lines of C", "The forgotten history of pneumatic mail in Prague",
                         "Show HN: I built a weather station from an old router", "Why SQLite uses bytecode"}),
    ("title-link-only.xml", {"Bypass consultation extended by six weeks", "Village shop saved by community buyout",
                             "Cricket club appoints first woman captain"}),
])
def test_items_without_a_body_are_title_only_articles(fidelity, name, titles):
    rows = of(fidelity.articles, name)
    assert {r["title"] for r in rows} == titles and len(rows) == len(titles)
    assert [(r.get("title_only"), r["text"]) for r in rows] == [(True, "")] * len(titles)
    assert len({r["url"] for r in rows}) == len(titles)
    assert not any("news.ycombinator.com" in (r["url"] or "") for r in rows)


def test_tiny_texts_are_never_merged_by_content(fidelity):
    rows = of(fidelity.articles, "tiny-texts.xml")
    assert len({r["id"] for r in rows}) == len(rows) == 7
    assert {"wren-111902", "wren-111907", "https://medium.example.com/p/4f1a2b",
            "https://medium.example.com/p/9c3d7e"} <= {r.get("source_id") for r in rows}
    assert not of(fidelity.duplicates, "tiny-texts.xml")
    release = next(r for r in rows if r["title"] == "3.8.11")
    assert release["text"] == "3.8.11"


def test_same_guid_twice_is_one_article_and_a_duplicate_id_row(fidelity):
    [article] = of(fidelity.articles, "same-guid-twice.xml")
    assert article.get("source_id") == "mw-2024-0311"
    [dup] = of(fidelity.duplicates, "same-guid-twice.xml")
    assert dup["reason"] == "duplicate_id" and dup["kept_id"] == article["id"]
    assert dup["run_id"] == "fidelity"


def test_syndicated_copy_is_a_duplicate_content_row_pointing_at_the_kept_article(fidelity):
    [article] = of(fidelity.articles, "syndicated-copies.xml")
    assert "cast iron main under Station Road" in article["text"]
    [dup] = of(fidelity.duplicates, "syndicated-copies.xml")
    assert dup["reason"] == "duplicate_content" and dup["kept_id"] == article["id"] != dup["id"]


def test_topic_label_content_gives_way_to_the_description(fidelity):
    rows = of(fidelity.articles, "topic-line-podcast.xml")
    for title, snippet in [("Why do cats purr?", "larynx vibrates twenty-five times a second"),
                           ("How do tides work?", "pulls the oceans into two bulges"),
                           ("Who invented the postage stamp?", "the Penny Black changed how ordinary people")]:
        assert only_one_containing(rows, snippet)["title"] == title
    assert not any(r["text"].strip().startswith("TOPIC:") for r in rows)


@pytest.mark.parametrize("name, expected", [
    ("relative-links.xml", {"Opening the hut for the season": "https://base.example.org/blog/post-1.html",
                            "Solar panels survived the winter": "https://base.example.org/blog/post-2.html"}),
    ("relative-links-channel.xml", {"Library extends Sunday opening": "https://site.example.com/2024/a",
                                    "Tree survey finds ash dieback in the park": "https://site.example.com/2024/b"}),
])
def test_relative_links_resolve_to_absolute_urls(fidelity, name, expected):
    assert {r["title"]: r["url"] for r in of(fidelity.articles, name)} == expected


def test_utf16_without_bom_is_decoded(fidelity):
    [row] = of(fidelity.articles, "utf16-nobom.xml")
    assert row["title"] == "Café über alles"
    assert "Crème brûlée" in row["text"] and "Straßenecke" in row["text"]
    assert "Ã" not in row["title"] + row["text"]


def test_wordpress_appeared_first_on_footer_is_removed_and_recorded(fidelity):
    rows = of(fidelity.articles, "wordpress.xml")
    assert len(rows) == 2
    only_one_containing(rows, "after the contractor replaced a damaged pump")
    only_one_containing(rows, "buyers from inland restaurants")
    for row in rows:
        assert "appeared first on" not in row["text"]
        assert any("appeared first on" in (item["text"] or "") for item in row["boilerplate"]), row["boilerplate"]


def test_staff_writer_job_title_is_not_an_author(fidelity):
    [row] = of(fidelity.articles, "staff-writer.xml")
    assert row["authors"] == ["Maria Gonzalez"]


def test_empty_feed_after_leading_whitespace_is_no_entries_not_not_xml(fidelity):
    assert [r["reason"] for r in of(fidelity.rejected, "leading-space-empty.xml")] == ["feed_no_entries"]
    assert not of(fidelity.articles, "leading-space-empty.xml")


def test_record_dates_are_read_with_language_and_domain_hints(fidelity):
    rows = {r["source_id"]: r for r in of(fidelity.articles, "dated-records.jsonl")}
    got = {key: row["published_at"] and row["published_at"].date().isoformat() for key, row in rows.items()}
    assert got == DATED_EXPECTED
    assert read_manifest(fidelity.out)["counters"]["date_unparsed"] == 1
    assert "dates that could not be read (left empty)       1" in fidelity.summary
    assert "each dropped copy, with the id kept:" in fidelity.summary


def test_fidelity_manifest_reconciles(fidelity):
    manifest = read_manifest(fidelity.out)
    assert manifest["reconciliation"]["ok"]
    assert manifest["counts"] == {"articles": len(fidelity.articles), "rejected": len(fidelity.rejected),
                                  "duplicates": len(fidelity.duplicates)}
    assert manifest["counts"]["articles"] == sum(EXPECTED_COUNTS.values()) + len(DATED_RECORDS)
    assert manifest["duplicates_by_reason"] == {"duplicate_content": 1, "duplicate_id": 1}
    assert manifest["inputs"]["files_matched"] == len(EXPECTED_COUNTS) + 2
    listed = {f["path"] for f in manifest["files"]}
    assert listed == {p.relative_to(fidelity.out).as_posix() for p in fidelity.out.rglob("*.parquet")}


# --------------------------------------------------------------------------- over loopback HTTP

FULL_ENTRIES = [
    ("Rural bus routes saved for another year",
     "The county council voted on Wednesday to keep all eleven rural bus routes running for another year. "
     "Councillors found the money by delaying the resurfacing of two car parks in the town centre. "
     "Campaigners, who had collected four thousand signatures, called the decision a relief for older residents."),
    ("Otters return to the mill river",
     "A family of otters has been filmed on the river below the old mill for the first time in forty years. "
     "Wildlife volunteers set up trail cameras in January after walkers reported fish remains on the weir. "
     "The footage shows a mother and two cubs hunting together at dawn."),
    ("Pier repairs to start in June",
     "Work to repair the Victorian pier will start in June after the trust secured a heritage grant of two million "
     "pounds. Divers found that a third of the iron columns had corroded beyond repair. The pier will stay open at "
     "weekends while the landward section is rebuilt."),
]
UNRELATED = ("The grandmaster from Tbilisi won the city chess open on Sunday with a quiet queen sacrifice in the "
             "final round, finishing half a point ahead of a sixteen-year-old student from the local grammar school. "
             "Organisers said entries had doubled since last year, helped by a junior section that filled the town "
             "hall balcony with folding tables and nervous parents. The arbiter praised the players for finishing "
             "all nine rounds without a single dispute over the clocks, which were borrowed from a club in the next "
             "county after the usual set went missing in December. Next year the tournament moves to the spring, "
             "when the sports centre can offer a larger room, better lighting and, the organisers hope, a sponsor "
             "willing to double the prize fund for the winners.")
CHROME_NAV, CHROME_FOOTER = "Home Sport Weather Puzzles Contact", "All rights reserved. Cookie settings."
TITLE_PAGES = {
    "Allotment waiting list closes": [
        "The town council has closed the waiting list for allotments after the number of people hoping for a plot "
        "passed three hundred for the first time.",
        "Officials said the average wait had grown to almost six years, and that some applicants had moved away "
        "before a plot became free.",
        "To shorten the queue, the council will split twenty of the largest plots in half this autumn and has asked "
        "the diocese whether a disused field behind the church could become a new site with forty more plots.",
        "The allotment society welcomed the plans but warned that half plots were hard to manage for families who "
        "wanted to grow enough vegetables to make a real difference to their food bills.",
        "The list will reopen in January, when residents who already hold a plot will be asked whether they are "
        "willing to share it with a newcomer for a season in return for help with the digging."],
    "New footbridge opens over the canal": [
        "A new footbridge over the canal opened on Saturday, linking the Kingsmead estate with the railway station "
        "for the first time in more than a decade.",
        "The old bridge was closed in 2012 after inspectors found rotten timbers, forcing commuters to take a "
        "twenty-minute detour along the towpath and through the industrial estate.",
        "The replacement, made of weathering steel and recycled plastic decking, was lifted into place by a crane in "
        "a single night in February while the canal was drained for lock repairs.",
        "Cyclists can use it too, with a gentle ramp on the northern side instead of the steep steps that made the "
        "old bridge impossible for wheelchairs and pushchairs.",
        "The mayor said the project cost 1.4 million pounds and finished three weeks ahead of schedule, and "
        "promised that lighting along the towpath would follow before the clocks change in October."],
}


EPISODES = [
    "The lifeboat crew explain how a night launch works, from the pager going off to the boat hitting the water.",
    "A marine biologist on why the seal colony on the sandbar has doubled in five years and what it eats.",
    "The harbour master answers listeners' questions about mooring fees, dredging and the new fuel pontoon.",
    "Two fishermen compare the season's crab catch with the one their fathers landed forty years ago.",
]


NOTES = [f"Noted at the quay today: {text[0].lower()}{text[1:]}" for text in EPISODES]


def page(title: str, paragraphs, chrome=True) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    nav = f"<nav>{CHROME_NAV}</nav>" if chrome else ""
    foot = f"<footer>{CHROME_FOOTER}</footer>" if chrome else ""
    return (f"<html><head><title>{title} | Coastline Courier</title></head><body>{nav}"
            f"<article><h1>{title}</h1>{body}</article>{foot}</body></html>").encode()


def rss(items: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content='
            f'"http://purl.org/rss/1.0/modules/content/"><channel><title>Coastline Courier</title>'
            f"<link>http://127.0.0.1/</link>{items}</channel></rss>").encode()


def loopback_routes(base: str) -> dict:
    html = {"Content_Type": "text/html; charset=utf-8"}
    full = "".join(f"<item><title>{t}</title><link>{base}/full/{i}</link><guid>full-{i}</guid>"
                   f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item>"
                   for i, (t, body) in enumerate(FULL_ENTRIES, 1))
    titles = "".join(f"<item><title>{t}</title><link>{base}/story/{i}</link></item>"
                     for i, t in enumerate(TITLE_PAGES, 1))
    episodes = "".join(f"<item><title>Episode {i}: {t}</title><link>{base}/show</link>"
                       f"<guid isPermaLink='false'>ep-{i}</guid><description>{t}</description></item>"
                       for i, t in enumerate(EPISODES, 1))
    # relative links: resolved against the feed's URL (the channel link is elsewhere)
    notes = "".join(f"<item><title>Note {i}</title><link>day#note-{i}</link><description>{t}</description>"
                    f"</item>" for i, t in enumerate(NOTES, 1))
    return {
        "/podcast": fixed(200, rss(episodes), Content_Type="application/rss+xml"),
        "/notes": fixed(200, rss(notes), Content_Type="application/rss+xml"),
        "/show": fixed(200, page("The Harbour Hour", EPISODES + [UNRELATED]), **html),
        "/day": fixed(200, page("Notes of 5 March", NOTES), **html),
        "/full": fixed(200, rss(full), Content_Type="application/rss+xml"),
        "/titles": fixed(200, rss(titles), Content_Type="application/rss+xml"),
        "/full/1": fixed(200, b"<html><body><p>Subscribe to our newsletter for more</p></body></html>", **html),
        "/full/2": fixed(200, page("Chess open", [UNRELATED]), **html),
        "/full/3": fixed(200, page(FULL_ENTRIES[2][0], [FULL_ENTRIES[2][1]]), **html),
        **{f"/story/{i}": fixed(200, page(t, ps), **html) for i, (t, ps) in enumerate(TITLE_PAGES.items(), 1)},
    }


@pytest.fixture(scope="module")
def loopback(tmp_path_factory):
    out = tmp_path_factory.mktemp("feed-loopback") / "out"
    with serving({}) as server:
        server.routes.update(loopback_routes(server.base))
        feeds = [arg for name in ("full", "titles", "podcast", "notes") for arg in ("--feed", f"{server.base}/{name}")]
        result = run_cli("run", *feeds,
                         "--allow-network", "127.0.0.1/32", "--output", str(out), "--run-id", "loop")
        assert result.returncode == 0, result.stderr.decode()
        yield SimpleNamespace(out=out, server=server, articles=table(out, "articles"))


def test_full_entries_keep_their_own_text_whatever_their_pages_say(loopback):
    rows = {r["title"]: r for r in of(loopback.articles, "full")}
    assert set(rows) == {title for title, _ in FULL_ENTRIES}
    for title, body in FULL_ENTRIES:
        text = rows[title]["text"]
        first, last = body.split(". ")[0], body.rstrip(".").split(". ")[-1]
        assert first in text and last in text, (title, text)
        assert "grandmaster" not in text and "chess open" not in text.lower()
        assert CHROME_NAV not in text and "Cookie settings" not in text
        assert text.strip() != "Subscribe to our newsletter for more"


def test_title_only_entries_are_completed_from_their_pages(loopback):
    rows = {r["title"]: r for r in of(loopback.articles, "titles")}
    assert set(rows) == set(TITLE_PAGES)
    for title, paragraphs in TITLE_PAGES.items():
        text = rows[title]["text"]
        assert paragraphs[0] in text and paragraphs[3] in text, (title, text)
        assert CHROME_FOOTER not in text
    assert loopback.server.hits("/story/1") == loopback.server.hits("/story/2") == 1


def test_loopback_manifest_reconciles(loopback):
    manifest = read_manifest(loopback.out)
    assert manifest["reconciliation"]["ok"]
    assert manifest["counts"] == {"articles": 5 + 2 * len(EPISODES), "rejected": 0, "duplicates": 0}


@pytest.mark.parametrize("feed, page_path, texts", [("podcast", "/show", EPISODES), ("notes", "/day", "NOTES")])
def test_entries_sharing_one_page_keep_their_own_text_and_fetch_it_once(loopback, feed, page_path, texts):
    rows = of(loopback.articles, feed)
    assert sorted(r["text"] for r in rows) == sorted(NOTES if texts == "NOTES" else texts)
    assert {r["url"] for r in rows} == {loopback.server.base + page_path}
    assert loopback.server.hits(page_path) == 1
