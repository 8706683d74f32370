"""transforms.html.script_state and its use by html_page_fields: text kept only in a page's script state."""
import json

import lxml.html
import pytest

from transforms.errors import RejectError
from transforms.html.page_text import html_page_fields
from transforms.html.script_state import state_body

PARAGRAPHS = [f"Paragraph {n}: the council met on Monday to discuss the budget and the new tram line through town."
              for n in range(6)]


def _page(script: str, body: str = '<div id="root"></div>') -> str:
    return f"<html><head><title>Trams</title></head><body>{body}{script}</body></html>"


def _next_data(state) -> str:
    return f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(state)}</script>'


def test_next_data_body_html_becomes_the_text():
    state = {"props": {"pageProps": {"article": {"teaser": "Trams are coming.", "body": "".join(
        f"<p>{p}</p>" for p in PARAGRAPHS)}}}}
    assert html_page_fields(_page(_next_data(state)))["text"] == "\n\n".join(PARAGRAPHS)


def test_assigned_state_with_paragraph_blocks():
    state = {"story": {"blocks": [{"type": "paragraph", "text": p} for p in PARAGRAPHS] + [{"type": "image"}]}}
    script = f"<script>window.__INITIAL_STATE__ = {json.dumps(state)};</script>"
    assert html_page_fields(_page(script))["text"] == "\n\n".join(PARAGRAPHS)


def test_the_longest_text_wins_and_short_strings_are_not_a_body():
    state = {"related": [{"title": "Other story", "text": "A short teaser of another story."}],
             "article": {"content": "\n".join(PARAGRAPHS)}, "meta": {"text": "Trams " * 10}}
    tree = lxml.html.fromstring(_page(_next_data(state)))
    assert state_body(tree) == "\n\n".join(PARAGRAPHS)


@pytest.mark.parametrize("script", [
    '<script id="__NEXT_DATA__" type="application/json">{"props": {"broken": </script>',
    _next_data({"props": {"body": "Too short to be an article."}}),
    "<script>var x = 1; window.__STATE__ = {};</script>",
    '<script type="application/json">' + "[" * 100_000 + "]" * 100_000 + "</script>",
    "<script>window.__INITIAL_STATE__ = {" + '"a": {' * 100_000 + "}" * 100_001 + ";</script>",
])
def test_no_usable_state_is_still_an_empty_page(script):
    with pytest.raises(RejectError) as err:
        html_page_fields(_page(script))
    assert err.value.reason == "html_empty"


def test_state_is_not_read_when_the_html_has_its_text():
    shown = "".join(f"<p>{p.replace('council', 'committee')}</p>" for p in PARAGRAPHS)
    state = {"article": {"body": "".join(f"<p>{p}</p>" for p in PARAGRAPHS)}}
    text = html_page_fields(_page(_next_data(state), f"<article><h1>Trams</h1>{shown}</article>"))["text"]
    assert "committee" in text and "council" not in text
