"""A page's shown lead belongs to the article text; a description the page does not show does not."""
from transforms.html.page_text import html_page_fields

LEAD = "The harbour authority will close the old ferry pier for a year while engineers rebuild its piles."
BODY = [f"Paragraph {n} of the story explains how the pier repairs will change the ferry timetable for "
        f"commuters, fishers and visitors over the coming months, with detours posted at the quay." for n in range(6)]


def page(description: str, shown_lead: str = "", later: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    return (f'<html><head><title>Pier to close</title><meta name="description" content="{description}">'
            f'<meta property="og:description" content="{description}"></head><body>'
            f'<nav><a href="/">Home</a> <a href="/news">News</a></nav>'
            f'<article><h1>Pier to close for a year</h1>'
            f'{f"<div class=teaser><strong>{shown_lead}</strong></div>" if shown_lead else ""}'
            f'<div class="body">{paragraphs}{f"<p>{later}</p>" if later else ""}</div></article>'
            f'<footer>Contact the newsroom</footer></body></html>')


def text_of(html: str) -> str:
    return html_page_fields(html)["text"]


def test_a_shown_lead_opens_the_text():
    text = text_of(page(LEAD, shown_lead=LEAD))
    assert text.startswith(LEAD + "\n\n") and text.count(LEAD) == 1 and BODY[0] in text


def test_a_description_the_page_does_not_show_is_not_text():
    assert LEAD not in text_of(page(LEAD))


def test_a_description_that_is_a_later_paragraph_is_not_repeated():
    text = text_of(page(BODY[3]))
    assert text.count(BODY[3]) == 1 and not text.startswith(BODY[3])


def test_a_description_cut_short_is_not_added():
    short = LEAD[:60] + "…"
    assert short not in text_of(page(short, shown_lead=short))


def test_a_tagline_is_not_a_lead():
    assert "Local news" not in text_of(page("Local news daily", shown_lead="Local news daily"))


def test_a_headline_or_a_dateline_is_not_a_lead():
    headline = "Black Friday Is Next Week, But Several Deals Go Live Today"
    assert headline not in text_of(page(headline, shown_lead=headline))
    dateline = "Council approves budget 05/10/2018 - Published by: Jane Doe - Category: Health"
    assert dateline not in text_of(page(dateline, shown_lead=dateline))


def test_a_page_rendered_by_script_gives_its_declared_article_body():
    body = "\\n".join(BODY[:3])  # JSON-escaped line breaks
    html = ('<html><head><title>Pier to close</title><script type="application/ld+json">'
            '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Pier to close",'
            f' "articleBody": "{body}"' '}</script></head><body><div id="app"></div>'
            '<script>window.__STATE__ = {"page": 1}</script></body></html>')
    text = text_of(html)
    assert text.split("\n\n") == BODY[:3]


def test_a_page_with_no_text_anywhere_is_still_empty():
    import pytest

    from transforms.errors import HTML_EMPTY, RejectError
    with pytest.raises(RejectError) as caught:
        text_of('<html><head><title>x</title></head><body><div id="app"></div></body></html>')
    assert caught.value.reason == HTML_EMPTY
