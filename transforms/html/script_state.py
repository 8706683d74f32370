"""Article text a page keeps only in its scripts' state (Next.js ``__NEXT_DATA__``, Nuxt, Apollo, ...).

A page rendered in the browser can ship its article as JSON: in a ``<script type="application/json">``
(``id="__NEXT_DATA__"``) or assigned to a global (``window.__INITIAL_STATE__ = {...};``). When the
HTML itself gives no text, ``state_body(tree)`` finds the longest article-like text in that state:
a string under a body-like key ("body", "articleBody", "content", "text", ...; HTML is turned into
paragraphs) or a list of paragraph blocks (``[{"type": "paragraph", "text": "..."}, ...]``).
Bounded (scripts, characters, JSON nodes); pure functions, never raise.
"""
import json
import re
from typing import Iterator, List, Optional

from lxml import etree

from transforms.html.fragments import html_fragment_to_text

__all__ = ["state_body"]

STATE_SCRIPTS = etree.XPath("//script[@type='application/json' or @id='__NEXT_DATA__' or not(@type) "
                            "or @type='text/javascript']")
MAX_SCRIPTS = 40
MAX_SCRIPT_CHARS = 5_000_000
MAX_NODES = 200_000
MIN_BODY_WORDS = 50
BODY_KEYS = frozenset({"body", "articlebody", "article_body", "bodyhtml", "body_html", "content", "contenthtml",
                       "content_html", "text", "html", "story", "storybody", "fulltext", "full_text"})
# "window.__INITIAL_STATE__ = {...};", "self.__APOLLO_STATE__={...}"
_ASSIGNED_STATE = re.compile(r"^\s*(?:window|self|globalThis)\.__[A-Z0-9_]+__\s*=\s*(\{.*\})\s*;?\s*$", re.S)
_LOOKS_LIKE_HTML = re.compile(r"<(?:p|div|br|h[2-6]|li|blockquote)\b", re.I)


def state_body(tree) -> Optional[str]:
    """The longest article-like text in the page's script state, as paragraphs; None when none has
    ``MIN_BODY_WORDS`` words."""
    best: Optional[str] = None
    for data in _script_states(tree):
        for text in _article_texts(data):
            if len(text.split()) >= MIN_BODY_WORDS and (best is None or len(text) > len(best)):
                best = text
    return best


def _script_states(tree) -> Iterator[object]:
    for script in STATE_SCRIPTS(tree)[:MAX_SCRIPTS]:
        source = script.text or ""
        if not source.strip() or len(source) > MAX_SCRIPT_CHARS:
            continue
        if script.get("type") != "application/json" and script.get("id") != "__NEXT_DATA__":
            match = _ASSIGNED_STATE.match(source)
            if not match:
                continue
            source = match.group(1)
        try:
            yield json.loads(source)
        except (ValueError, RecursionError):
            continue


def _article_texts(data) -> Iterator[str]:
    """Texts under body-like keys and joined paragraph blocks, walking at most ``MAX_NODES`` nodes."""
    stack, seen = [(None, data)], 0
    while stack and seen < MAX_NODES:
        key, value = stack.pop()
        seen += 1
        if isinstance(value, dict):
            stack.extend(value.items())
        elif isinstance(value, list):
            blocks = _block_texts(value)
            if blocks:
                yield "\n\n".join(blocks)
            stack.extend((key, item) for item in value)
        elif isinstance(value, str) and isinstance(key, str) and key.lower() in BODY_KEYS:
            yield _as_paragraphs(value)


def _block_texts(items: list) -> List[str]:
    """The texts of a list of paragraph blocks (dicts with a "text"/"content" string), in order."""
    texts = []
    for item in items:
        text = item.get("text") or item.get("content") if isinstance(item, dict) else None
        if isinstance(text, str) and text.strip():
            texts.append(_as_paragraphs(text))
    return texts if len(texts) >= 2 else []


def _as_paragraphs(value: str) -> str:
    if _LOOKS_LIKE_HTML.search(value):
        return html_fragment_to_text(value)
    return "\n\n".join(" ".join(line.split()) for line in value.split("\n") if line.strip())
