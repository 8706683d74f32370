"""Tests for the page metadata modules: html_metadata (JSON-LD, meta tags), html_titles, html_bylines."""
import lxml.html
import pytest

from transforms.html_bylines import byline_authors, clean_author_names
from transforms.html_metadata import page_metadata
from transforms.html_titles import choose_title, strip_site_suffix

JSON_LD_PAGE = """<html><head>
<title>Council approves cycle lanes | Example Gazette</title>
<meta property="og:site_name" content="Example Gazette">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebPage", "name": "ignored"},
  {"@type": "NewsArticle", "headline": "Council approves cycle lanes",
   "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "Ana &Aacute;lvarez"}],
   "datePublished": "2024-03-03T10:15:00+01:00", "dateModified": "2024-03-04T08:00:00Z",
   "publisher": {"@type": "Organization", "name": "Example Gazette"}}]}
</script></head>
<body><h1>Council approves cycle lanes</h1><p>Text.</p></body></html>"""

META_PAGE = """<html><head><title>Ten tips for tidy sheds - Shed Weekly</title>
<meta name="author" content="Ann Lee">
<meta property="article:published_time" content="2023-05-01">
<script type="application/ld+json">{ not json </script></head>
<body><h1>Shed Weekly</h1><h1>Ten tips for tidy sheds</h1></body></html>"""

MARKUP_PAGE = """<html><head><title>Notes</title></head><body>
<h1>Notes on pruning roses</h1>
<div class="byline">By <a rel="author" href="/a/kim">Sam Kim</a></div>
<time class="published" datetime="2022-11-05T09:00:00Z">5 Nov</time>
<section class="comments"><span class="author">troll99</span></section></body></html>"""


def _tree(html: str):
    return lxml.html.fromstring(html)


def test_json_ld_article_fields():
    meta = page_metadata(_tree(JSON_LD_PAGE))
    assert meta.title == "Council approves cycle lanes"
    assert meta.authors == ("Jane Doe", "Ana Álvarez")
    assert meta.published == "2024-03-03T10:15:00+01:00"
    assert meta.updated == "2024-03-04T08:00:00Z"
    assert meta.site_name == "Example Gazette"


def test_meta_tags_when_json_ld_is_broken():
    meta = page_metadata(_tree(META_PAGE))
    assert meta.title == "Ten tips for tidy sheds"  # the h1 agreeing with <title>, not the site-name h1
    assert meta.authors == ("Ann Lee",)
    assert meta.published == "2023-05-01"


def test_markup_bylines_and_time():
    meta = page_metadata(_tree(MARKUP_PAGE))
    assert meta.title == "Notes on pruning roses"
    assert meta.authors == ("Sam Kim",)
    assert meta.published == "2022-11-05T09:00:00Z"


def test_nothing_declared():
    meta = page_metadata(_tree("<html><body><p>Just text.</p></body></html>"))
    assert (meta.title, meta.authors, meta.published, meta.site_name) == (None, (), None, None)


def test_organisation_author_is_only_a_last_resort():
    page = ('<html><head><script type="application/ld+json">{"@type": "BlogPosting", '
            '"author": {"@type": "Organization", "name": "Acme Blog"}}</script></head><body></body></html>')
    meta = page_metadata(_tree(page))
    assert meta.authors == () and meta.organisations == ("Acme Blog",)


@pytest.mark.parametrize("title, sites, expected", [
    ("Ten tips for sheds | Shed Weekly", ["Shed Weekly"], "Ten tips for sheds"),
    ("Shed Weekly - Ten tips for sheds", ["Shed Weekly"], "Ten tips for sheds"),
    ("Ten tips for sheds – Shed Weekly", [], "Ten tips for sheds"),
    ("Why 2024 matters: a primer", [], "Why 2024 matters: a primer"),
    ("Election 2024 - live results and analysis from every state", [], "Election 2024 - live results and analysis from every state"),
    ("No separators here", ["Site"], "No separators here"),
])
def test_strip_site_suffix(title, sites, expected):
    assert strip_site_suffix(title, sites) == expected


def test_choose_title_prefers_the_agreeing_h1():
    assert choose_title(["Blog", "How to prune roses"], ["How to prune roses | Garden"], []) == "How to prune roses"
    assert choose_title(["Menu"], ["How to prune roses | Garden"], ["Garden"]) == "How to prune roses"
    assert choose_title(["Only heading"], [], []) == "Only heading"
    assert choose_title([], [], []) is None


def test_byline_authors_skips_comment_sections():
    tree = _tree('<div class="comments"><span class="author">troll99</span></div>'
                 '<p class="byline">Written by: Ana Ruiz</p>')
    assert byline_authors(tree) == ["Ana Ruiz"]


@pytest.mark.parametrize("names, expected", [
    (["Cazzy Magennis Last Updated August 1"], ("Cazzy Magennis",)),
    (["This post was written by Danielle Padula"], ("Danielle Padula",)),
    (["Read more about The Upwork Team"], ("The Upwork Team",)),
    (["jdoe", "jane.doe", "Author", "Dec"], ()),
    (["Peter May", "June Carter", "Jon Ong"], ("Peter May", "June Carter", "Jon Ong")),
    (["Luke Kim December 17, 2025"], ("Luke Kim",)),
])
def test_clean_author_names(names, expected):
    assert clean_author_names(names) == expected
