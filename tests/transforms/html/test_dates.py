"""Tests for transforms.html.dates: the publication date a page shows its readers."""
import lxml.html
import pytest

from transforms.html.dates import labelled_published, labelled_updated, time_element_published
from transforms.html.page_text import html_page_fields


def _tree(body: str):
    return lxml.html.fromstring(f"<html><head><title>t</title></head><body>{body}</body></html>")


@pytest.mark.parametrize("body, expected", [
    ('<p class="meta">Published: January 3, 2024</p>', "January 3, 2024"),
    ("<li>Published on <time datetime='2025-12-19T08:00:00Z'>19 Dec</time></li>", "2025-12-19T08:00:00Z"),
    ("<div>Posted on</div><div>March 5, 2026</div>", "March 5, 2026"),
    ("<div>Published&ensp;<span>Apr 26, 2023</span></div>", "Apr 26, 2023"),
    ("<p>Veröffentlicht am 04.03.2024</p>", "2024-03-04"),  # dotted: day first
    ("<p>Posted: 13/02/2025</p>", "2025-02-13"),
    ("<p>Posted: 02/13/2025</p>", "2025-02-13"),
])
def test_labelled_publication_dates(body, expected):
    assert labelled_published(_tree(body)) == expected


@pytest.mark.parametrize("body", [
    "<p>Published: Last updated March 5, 2026</p>",  # an update, not the publication
    "<p>Published in the Journal of Sheds, a quarterly that has run since the spring of 1921 with pictures</p>",
    "<p>Published: 04/05/2024</p>",  # day and month could be either way round
    "<p>Posted by Kim</p>",
])
def test_no_labelled_date(body):
    assert labelled_published(_tree(body)) is None


def test_first_time_element_outside_navigation_and_updates():
    body = ("<nav><time datetime='2020-01-01'>menu</time></nav>"
            "<aside><time datetime='2021-01-01'>sidebar</time></aside>"
            "<span>Last updated: <time datetime='2022-02-02'>2 Feb</time></span>"
            "<time class='updated' datetime='2022-03-03'>3 Mar</time>"
            "<article><time datetime='2019-09-29T10:00:00Z'>29 Sep</time></article>")
    assert time_element_published(_tree(body)) == "2019-09-29T10:00:00Z"


def test_time_text_used_when_it_has_no_datetime_attribute():
    assert time_element_published(_tree("<time>September 29, 2019</time>")) == "September 29, 2019"
    assert time_element_published(_tree("<time>03/04/2019</time>")) is None  # ambiguous day and month
    assert time_element_published(_tree("<time>03.04.2019</time>")) == "2019-04-03"


def test_page_without_dates_shows_none():
    tree = _tree("<p>Nothing dated here.</p>")
    assert labelled_published(tree) is None and time_element_published(tree) is None


ARTICLE = "<p>" + "The council met on Tuesday and voted for new cycle lanes across the town centre. " * 8 + "</p>"


def test_labelled_date_wins_over_a_conflicting_declared_one():
    html = ("<html><head><title>Sheds</title><meta property='article:published_time' content='2025-08-21'>"
            f"</head><body><h1>Sheds</h1><div>Published <span>Apr 26, 2023</span></div>{ARTICLE}</body></html>")
    assert html_page_fields(html)["published"].date().isoformat() == "2023-04-26"


def test_declared_date_wins_over_a_time_element():
    html = ("<html><head><title>Sheds</title><meta property='article:published_time' content='2025-08-21'>"
            f"</head><body><h1>Sheds</h1><time datetime='2023-04-26'>x</time>{ARTICLE}</body></html>")
    assert html_page_fields(html)["published"].date().isoformat() == "2025-08-21"


def test_label_inside_a_long_block_is_prose_not_a_byline():
    body = "<div>Published: January 3, 2024 " + "and then the story went on for a long while. " * 5 + "</div>"
    assert labelled_published(_tree(body)) is None


@pytest.mark.parametrize("body, expected", [
    ("<div>Last updated:</div><div>Dec 12, 2025</div>", "Dec 12, 2025"),
    ("<p>Updated on <time datetime='2024-07-04T10:00:00Z'>4 Jul</time></p>", "2024-07-04T10:00:00Z"),
    ("<p>Published: January 3, 2024</p>", None),
    ("<p>Updated figures released on Monday show prices rose again across the region this year.</p>", None),
])
def test_labelled_update_dates(body, expected):
    assert labelled_updated(_tree(body)) == expected


def test_a_shown_update_date_fills_updated_at_when_none_is_declared():
    html = ("<html><head><title>Sheds</title></head><body><h1>Sheds</h1>"
            f"<p>Published: April 26, 2023</p><p>Last updated: May 2, 2024</p>{ARTICLE}</body></html>")
    fields = html_page_fields(html)
    assert fields["published"].date().isoformat() == "2023-04-26"
    assert fields["updated"].date().isoformat() == "2024-05-02"


def test_a_shown_update_date_is_the_publication_date_when_the_page_gives_no_other():
    html = ("<html><head><title>Sheds</title></head><body><h1>Sheds</h1>"
            f"<p>Last updated: May 2, 2024</p><p>Photo taken 2019-03-01.</p>{ARTICLE}</body></html>")
    fields = html_page_fields(html)
    assert fields["published"].date().isoformat() == "2024-05-02"  # not htmldate's guess from the text
    assert fields["updated"].date().isoformat() == "2024-05-02"
    declared = html.replace("<title>Sheds</title>", "<title>Sheds</title><meta name='date' content='2023-01-05'>")
    assert html_page_fields(declared)["published"].date().isoformat() == "2023-01-05"
