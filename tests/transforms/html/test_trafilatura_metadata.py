"""PageGuesses gives what trafilatura's extract_metadata gives, field by field, on real pages."""
import pytest
import trafilatura
from trafilatura.metadata import extract_metadata

from tests.transforms.sources.format_helpers import INPUTS
from transforms.html.trafilatura_metadata import PageGuesses

_DATES = {"original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
_SLOTS = ("title", "url", "description", "sitename", "categories", "tags")

_NO_DECLARED_AUTHOR = """<html><head><title>Rain returns to the valley | Valley Times</title>
<link rel="canonical" href="https://valley.example/news/rain"></head><body>
<a href="/category/weather/">Weather</a><a href="/tag/rain/">rain</a>
<article><h1>Rain returns to the valley</h1><p class="byline">By <span class="author">Ana Ruiz</span></p>
<p>Posted March 3, 2024</p><p>After a dry winter the first heavy rain reached the valley on Sunday.</p></article>
</body></html>"""
_DECLARED = """<html><head><title>@quietpress</title><meta name="author" content="Sam Kim">
<meta property="og:site_name" content="@quietpress"><meta name="keywords" content="a, b">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A headline &amp; more",
"datePublished": "2024-05-06T07:08:09Z", "author": {"@type": "Person", "name": "Sam Kim"}}</script>
</head><body><p>Text of the page, long enough to be a paragraph of some sort.</p></body></html>"""


def _pages():
    yield "article-page", (INPUTS / "article-page.html").read_text(encoding="utf-8")
    yield "no-declared-author", _NO_DECLARED_AUTHOR
    yield "declared", _DECLARED


@pytest.mark.parametrize("search_text", [False, True])
@pytest.mark.parametrize("name,html", list(_pages()))
def test_fields_match_extract_metadata(name, html, search_text):
    tree = trafilatura.load_html(html)
    expected = extract_metadata(tree, date_config={**_DATES, "extensive_search": search_text})
    guesses = PageGuesses(tree)
    for slot in _SLOTS:
        assert getattr(guesses.document, slot) == getattr(expected, slot), (name, slot)
    assert guesses.author == expected.author
    assert guesses.date(search_text=search_text) == expected.date


def test_author_search_finds_a_byline_when_no_meta_tag_names_one():
    guesses = PageGuesses(trafilatura.load_html(_NO_DECLARED_AUTHOR))
    assert guesses.document.author is None
    assert guesses.author == "Ana Ruiz"
    assert guesses.date(search_text=True) == "2024-03-03T00:00:00"
