"""Tests for transforms.html.page_text: HTML pages (trafilatura) and HTML fragments to text.

Pages are driven through the public entry points ``split_file`` / ``extract_document``.
Fixture expectations are written in each fixture's header (see tests/fixtures/inputs/README.md).
"""
import gzip

import pytest

from tests.transforms.sources.format_helpers import SHARED, documents_of, extract_reason, units_of, utc
from transforms.errors import HTML_EMPTY
from transforms.sources.formats import extract_document, split_file
from transforms.html.metadata import PageMetadata
from transforms.html.page_text import _guessed_authors, _without_leading_title, html_fragment_to_text
from schemas.records import RawDocument


# --------------------------------------------------------------------------- extract: html pages


def test_html_article_matches_the_fixture_header():
    (page,) = documents_of("article-page.html")
    assert page.extractor == "html:trafilatura"
    assert page.title == "Council approves new cycle lanes for the city centre"
    assert page.authors == ("Jane Doe",)
    assert page.published == utc(2024, 3, 3, 9, 15)
    assert page.language == "en"
    assert page.site_name == "Example Gazette"  # trafilatura's sitename is descriptive, not a declared source
    assert page.source is None
    assert page.url == "https://news.example.com/2024/03/cycle-lanes"
    assert {"Transport", "Cycling"} <= set(page.topics)
    assert page.summary == "The city council voted on Tuesday to build twelve kilometres of protected cycle lanes."
    paragraphs = page.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("The city council voted on Tuesday")
    assert "Privacy policy" not in page.text and "Home" not in page.text


def test_html_without_text():
    (unit,) = units_of("empty-page.html")
    assert extract_reason(unit) == HTML_EMPTY


@pytest.mark.parametrize("data", [b"<html></html>", b"<!-- nothing -->", b"<<<>>>"])
def test_degenerate_html(data):
    assert extract_reason(RawDocument(data, "mem://x.html", "html")) == HTML_EMPTY


def test_html_uses_its_declared_charset():
    body = "<p>" + "Привет, это проверка кодировки страницы. " * 8 + "</p>"
    data = f'<html><head><meta charset="koi8-r"></head><body><article>{body}</article></body></html>'
    (unit,) = split_file(data.encode("koi8-r"), "mem://x.html", "html")
    assert extract_document(unit).text.startswith("Привет, это проверка")

# --------------------------------------------------------------------------- html fragments


@pytest.mark.parametrize(
    "fragment, expected",
    [
        ("<p>a <b>bold</b> word</p><p>next</p>", "a bold word\n\nnext"),
        ("line one<br>line two<br/>line three", "line one\n\nline two\n\nline three"),
        ("<ul><li>one</li><li>two &amp; three</li></ul>", "one\n\ntwo & three"),
        ("<h2>Head</h2><blockquote>Quote</blockquote>tail", "Head\n\nQuote\n\ntail"),
        ("<div>x<script>alert(1)</script><style>p{}</style><!-- c -->y</div>", "xy"),
        ("plain &lt;text&gt; &#8220;quoted&#8221;", "plain <text> “quoted”"),
        ("<?xml version='1.0' encoding='utf-8'?><p>decl</p>", "decl"),
        ("<html><head><title>T</title></head><body><p>Body</p></body></html>", "Body"),
        ("", ""),
        ("   ", ""),
        ("<p>\x00nul\x0b</p>", "nul"),
    ],
)
def test_html_fragment_to_text(fragment, expected):
    assert html_fragment_to_text(fragment) == expected


@pytest.mark.parametrize("depth", [300, 5000])
def test_deeply_nested_fragment_keeps_its_text(depth):
    nested = "<div><span>" * depth + "deep<script>x()</script>" + "</span></div>" * depth
    assert html_fragment_to_text(nested) == "deep"

# --------------------------------------------------------------------------- recall fallback


RECALL_PAGE = SHARED / "benchmarks" / "wcxb-dev-articles" / "html" / "4858.html.gz"


@pytest.mark.skipif(not RECALL_PAGE.exists(), reason="WCXB benchmark page not present")
def test_page_that_precision_mode_finds_empty_falls_back_to_default_mode():
    data = gzip.decompress(RECALL_PAGE.read_bytes())
    document = extract_document(RawDocument(data, str(RECALL_PAGE), "html"))
    assert document.extractor == "html:trafilatura"
    assert len(document.text.split()) >= 50


@pytest.mark.parametrize("text, expected", [
    ("Garden Sheds Explained\n\nBody.", "Body."),
    ("Garden Sheds Explained — A Beginner's Guide\n\nBody.", "Body."),
    ("Garden Sheds Explained | Shed Weekly\n\nBody.", "Body."),
    ("Garden Sheds Explained — and why every one of them leaks after the first long winter\n\nBody.",
     "Garden Sheds Explained — and why every one of them leaks after the first long winter\n\nBody."),
    ("Garden Sheds Explained. They leak.\n\nBody.", "Garden Sheds Explained. They leak.\n\nBody."),
    ("Garden Sheds Explained Again\n\nBody.", "Garden Sheds Explained Again\n\nBody."),
    # the h1 as shown: its kicker glued on, its colon or a space lost
    ("Home and Garden Garden Sheds Explained\n\nBody.", "Body."),
    ("Garden:Sheds Explained\n\nBody.", "Body."),
])
def test_a_first_paragraph_repeating_the_headline_is_dropped(text, expected):
    assert _without_leading_title(text, ["Garden Sheds  Explained", None, "Home and Garden Garden Sheds Explained"]) == expected


def test_an_organisation_author_is_not_replaced_by_a_mangled_copy_of_it():
    declared = PageMetadata(organisations=("Office for Parks and Recreation",))
    assert _guessed_authors(declared, "Office; Recreation") == ("Office for Parks and Recreation",)
    assert _guessed_authors(declared, "Jane Doe") == ("Jane Doe",)
    assert _guessed_authors(PageMetadata(), None) == ()


def test_paragraphs_that_open_with_a_bold_run_keep_the_text_after_it():
    """Precision mode kept only the bold run of "<p><b>1925-40:</b> text</p>" and lost a paragraph
    opened by an empty "<b></b>"; the text after the run is the paragraph."""
    filler = "".join(f"<p>The stadium hosted event number {n} of the season, and the crowd of the day was "
                     f"larger than anyone in the city had expected it to be.</p>" for n in range(6))
    plaques = ("<p><b></b> The first plaque, displayed on July 2, 1923, honours the opening of the stadium "
               "and lists the members of the association that built it.</p>"
               "<p><b>1925-40:</b> Howard Jones, head football coach from 1925 to 1940, won seven "
               "conference titles and four national championships at the stadium.</p>"
               "<p><strong>1932:</strong> Babe Didrikson, one of the great athletes of her century, "
               "won two gold medals here in the summer games.</p>")
    page = (f"<html><head><title>A century of the stadium</title></head><body><article><h1>A century of the "
            f"stadium</h1>{filler}{plaques}{filler}</article></body></html>").encode()
    text = extract_document(RawDocument(page, "stadium.html", "html")).text
    for words in ("honours the opening of the stadium", "won seven conference titles", "won two gold medals"):
        assert words in text
