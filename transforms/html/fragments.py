"""Plain text of an HTML fragment (a feed entry's content, a script state's body) as paragraphs.

Pure functions over lxml; never raise.
"""
import html as html_lib

import lxml.html
from lxml import etree

from transforms.html.selectors import BLOCK_TAGS, FRAGMENT_SKIP_TAGS, NON_XML_CHARS, SCRIPT_OR_STYLE, TAG, XML_DECLARATION

__all__ = ["html_fragment_to_text"]


def html_fragment_to_text(html: str) -> str:
    """Plain text of an HTML fragment: block elements (p, div, li, h1-h6, br, ...) become paragraphs.

    Never raises: markup lxml cannot parse (or nests too deep) falls back to tag stripping.
    """
    html = XML_DECLARATION.sub("", NON_XML_CHARS.sub("", html or ""))
    if not html.strip():
        return ""
    parser = lxml.html.HTMLParser(huge_tree=True)  # per call: lxml parsers are not thread-safe
    try:
        root = lxml.html.document_fromstring(f"<html><body><div>{html}</div></body></html>", parser=parser)
    except (etree.ParserError, ValueError):
        return _strip_tags(html)
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        return _strip_tags(html)
    etree.strip_elements(root, *FRAGMENT_SKIP_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    body = root.find("body")
    return _join_paragraphs(_block_texts(body if body is not None else root))


def _strip_tags(html: str) -> str:
    """Last-resort plain text: scripts, styles and tags removed, entities unescaped, one paragraph."""
    return _join_paragraphs([html_lib.unescape(TAG.sub(" ", SCRIPT_OR_STYLE.sub(" ", html)))])


def _block_texts(root) -> list:
    """Text runs of ``root``, cut at every block element's start and end (iterative walk)."""
    blocks, current = [], []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        is_block = element.tag in BLOCK_TAGS
        if is_block:
            blocks.append("".join(current))
            current = []
        if event == "start":
            current.append(element.text or "")
        elif element is not root:
            current.append(element.tail or "")
    blocks.append("".join(current))
    return blocks


def _join_paragraphs(blocks) -> str:
    paragraphs = (" ".join(block.split()) for block in blocks)
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
