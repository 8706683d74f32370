"""The fundus-dev set: loader, per-page scores and summary, and the command on two tiny hand-written pages."""
import gzip
import json

import pytest

from benchmarks import extraction
from benchmarks.datasets import load_fundus
from benchmarks.metrics import author_matches, lead_present, topic_jaccard
from benchmarks.runners import Prediction
from benchmarks.scoring import score_page, summarise_fundus

LEAD = "Die Stadt plant einen neuen Park am Fluss."
BODY = ("Der Park soll im Frühjahr eröffnet werden und Platz für Familien bieten. " * 6).strip()
GOLD = {
    "title": "Neuer Park am Fluss",
    "authors": ["Jane Doe", "John Smith"],
    "published": "2024-05-03T15:47:42+02:00",
    "topics": ["Stadt", "Umwelt"],
    "language": "de",
    "url": "https://news.example.de/2024/05/neuer-park.html",
    "publisher": "Example News",
    "text": f"{LEAD}\n\nPläne\n\n{BODY}",
    "summary": [LEAD],
    "section_headlines": ["Pläne"],
}
HTML = f"""<html lang="de"><head><title>{GOLD['title']}</title>
<meta name="author" content="Jane Doe, John Smith">
<meta property="article:published_time" content="{GOLD['published']}">
<meta name="keywords" content="Stadt, Umwelt"></head>
<body><article><h1>{GOLD['title']}</h1><p><strong>{LEAD}</strong></p><h2>Pläne</h2>
{''.join(f'<p>{sentence}.</p>' for sentence in BODY.split('. '))}</article></body></html>"""


def _write_page(root, stem, gold, html=HTML):
    folder = root / "fundus-dev"
    (folder / "gold").mkdir(parents=True, exist_ok=True)
    (folder / "html").mkdir(exist_ok=True)
    (folder / "gold" / f"{stem}.json").write_text(json.dumps(gold), encoding="utf-8")
    if html is not None:
        (folder / "html" / f"{stem}.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))


@pytest.fixture
def data(tmp_path):
    _write_page(tmp_path, "de_Example_2024_05_03", GOLD)
    _write_page(tmp_path, "de_Example_2024_05_04", {**GOLD, "authors": [], "topics": [], "summary": []})
    _write_page(tmp_path, "de_Example_no_html", GOLD, html=None)
    return tmp_path


def _perfect(page) -> Prediction:
    return Prediction(page.body, page.title, page.authors, "2024-05-03", 0.5, topics=page.topics)


def test_loader_reads_gold_fields_and_skips_pages_without_html(data):
    first, second = load_fundus(data)
    assert [first.page_id, second.page_id] == ["de_Example_2024_05_03", "de_Example_2024_05_04"]
    assert (first.dataset, first.title, first.published, first.url) == (
        "fundus", GOLD["title"], "2024-05-03", GOLD["url"])
    assert first.authors == ("Jane Doe", "John Smith") and first.topics == ("Stadt", "Umwelt")
    assert first.lead == LEAD and first.body == GOLD["text"]
    assert (second.authors, second.topics, second.lead) == ((), (), "")
    assert load_fundus(data / "missing") == []


def test_a_perfect_prediction_scores_one_everywhere(data):
    pages = load_fundus(data)
    summary = summarise_fundus([score_page(page, _perfect(page)) for page in pages])
    assert summary == {"word_f1": 1.0, "lead": 1.0, "title": 1.0, "author": 1.0, "date": 1.0,
                       "topics": 1.0, "pages_per_s": 2.0}


def test_pages_without_gold_are_left_out_of_those_metrics(data):
    page = load_fundus(data)[1]
    score = score_page(page, Prediction(page.body, page.title, ("Someone",), None, 0.1, topics=("x",)))
    assert (score["lead"], score["author"], score["topics"]) == (None, None, None)
    assert score["date"] is False


def test_a_text_without_the_lead_scores_lead_present_zero(data):
    page = load_fundus(data)[0]
    without_lead = Prediction(f"Pläne\n\n{BODY}", page.title, page.authors, "2024-05-03", 0.5, topics=page.topics)
    assert summarise_fundus([score_page(page, without_lead)])["lead"] == 0.0
    assert not lead_present(LEAD, BODY)
    assert lead_present(LEAD, f"{BODY}\n\n{LEAD.upper()}")  # a bag of words: case and place do not matter
    assert lead_present("a b c d e", "a b c d x") and not lead_present("a b c d e", "a b c x y")


@pytest.mark.parametrize("gold, predicted, expected", [
    (["a", "b"], ["a, b"], 0.0),  # a comma-joined string is one topic
    (["a", "b"], [" A ", "b"], 1.0),
    (["New  York", "b"], ["new york", "c"], 1 / 3),
    (["a"], [], 0.0),
])
def test_topic_jaccard(gold, predicted, expected):
    assert topic_jaccard(gold, predicted) == pytest.approx(expected)


@pytest.mark.parametrize("predicted, expected", [
    (["John Smith", "Jane Doe"], True),
    (["jane doe", "By John Smith"], True),
    (["Jane Doe"], False),  # a name missing
    (["Jane Doe", "John Smith", "Example News"], False),  # an extra name
    (["Jane Smith", "John Doe"], False),  # the same tokens, other people
])
def test_a_gold_author_list_is_compared_as_a_set_of_names(predicted, expected):
    assert author_matches(["Jane Doe", "John Smith"], predicted) is expected


def test_command_runs_only_the_fundus_set(data, tmp_path, capsys):
    dump = tmp_path / "pages.jsonl"
    assert extraction.main(["--data", str(data), "--sets", "fundus", "--jobs", "1", "--dump", str(dump)]) == 0
    out = capsys.readouterr().out
    assert "| fundus-dev (2 pages) | newsbeam | trafilatura |" in out and "AEB" not in out and "WCXB" not in out
    assert "| lead present (pages with a lead) |" in out and "| topics Jaccard (pages with topics) |" in out
    records = [json.loads(line) for line in dump.read_text().splitlines()]
    assert [r["dataset"] for r in records] == ["fundus", "fundus"]
    assert records[0]["newsbeam"]["score"]["word_f1"] > 0.5


def test_unknown_set_is_a_usage_error():
    with pytest.raises(SystemExit):
        extraction.parse_args(["--sets", "fundus,nope"])
