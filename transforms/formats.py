"""Input formats: split a file into units, and turn one unit into an ExtractedDocument.

``split_file`` cuts a decompressed file into ``RawDocument`` units (a whole txt/html
file, one JSONL line, one feed entry). ``extract_document`` turns one unit into text
plus the metadata the input itself declares. Pure functions (no Beam); bad input
raises ``RejectError`` and nothing else.

Text always comes out as paragraphs separated by a blank line (``"\\n\\n"``).
"""
import html as html_lib
import io
import json
import re
from typing import Iterator, Optional

import feedparser
import lxml.html
import trafilatura
from lxml import etree

from transforms.decode import decode_text, html_declared_charset
from transforms.errors import (
    EMPTY_INPUT,
    FEED_HOSTILE_XML,
    FEED_NO_ENTRIES,
    FEED_NOT_XML,
    HTML_EMPTY,
    HTML_PARSE_ERROR,
    JSON_INVALID,
    JSON_NO_TEXT,
    TEXT_EMPTY,
    UNSUPPORTED_FORMAT,
    RejectError,
)
from transforms.metadata import clean_topics, normalise_language, parse_datetime_utc, split_authors
from transforms.records import ExtractedDocument, RawDocument

__all__ = ["split_file", "extract_document", "html_fragment_to_text"]

HTML_EXTRACTOR = "html:trafilatura"
MIN_FALLBACK_WORDS = 50  # a default-mode (recall) extraction shorter than this is navigation
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td th thead "
    "tr ul".split()
)
_SKIP_TAGS = ("script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg")
_TRAFILATURA_DATES = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
_LANGUAGE_XPATH = "/html/@lang | //meta[@http-equiv='content-language']/@content | //meta[@property='og:locale']/@content"
_MODIFIED_XPATH = "//meta[@property='article:modified_time' or @itemprop='dateModified']/@content"

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_UTF16_OR_32_BOM = re.compile(rb"\A(?:\xff\xfe|\xfe\xff|\x00\x00\xfe\xff)")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*>")
_NON_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TAG = re.compile(r"<[^>]*>")
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_NEWLINES = re.compile(r"\r\n?")
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")


# --------------------------------------------------------------------------- split


def split_file(data: bytes, source_uri: str, fmt: str, source_type: str = "file") -> Iterator[RawDocument]:
    """The units of one decompressed file: the file itself, its JSONL lines or its feed entries."""
    if fmt in ("txt", "html"):
        charset = html_declared_charset(data) if fmt == "html" else None
        return iter([RawDocument(data, source_uri, fmt, source_type, charset)])
    if fmt == "jsonl":
        return _split_jsonl(data, source_uri, source_type)
    if fmt == "feed":
        return _split_feed(data, source_uri, source_type)
    raise RejectError(UNSUPPORTED_FORMAT, f"unsupported input format: {fmt!r}")


def _split_jsonl(data: bytes, source_uri: str, source_type: str) -> Iterator[RawDocument]:
    """One ``json`` unit per non-blank line, keeping the line's bytes."""
    if _UTF16_OR_32_BOM.match(data):
        data = decode_text(data).encode("utf-8")
    lines = [line.strip() for line in data.removeprefix(b"\xef\xbb\xbf").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise RejectError(EMPTY_INPUT, "JSONL file has no records")
    return (RawDocument(line, source_uri, "json", source_type) for line in lines)


def _split_feed(data: bytes, source_uri: str, source_type: str) -> Iterator[RawDocument]:
    """One ``feed`` unit per usable entry: the entry's fields plus the feed's, as JSON."""
    parsed = _parse_feed(data)
    entries = [entry for entry in parsed.get("entries", []) if _entry_is_usable(entry)]
    if not entries:
        raise _no_entries_error(parsed)
    feed_fields = _feed_fields(parsed)
    units = [_entry_json(entry, feed_fields) for entry in entries]
    return (RawDocument(unit, source_uri, "feed", source_type) for unit in units)


def _parse_feed(data: bytes):
    """feedparser over the bytes (a stream, so it never opens a URL or a path)."""
    if not data.strip():
        raise RejectError(EMPTY_INPUT, "feed file is empty")
    _refuse_entity_declarations(data)
    try:
        return feedparser.parse(io.BytesIO(data), sanitize_html=True)
    except Exception as exc:  # noqa: BLE001 -- feedparser promises not to raise; any escape is a bad feed
        raise RejectError(FEED_NOT_XML, f"feedparser failed: {type(exc).__name__}: {exc}") from None


def _refuse_entity_declarations(data: bytes) -> None:
    """Billion-laughs guard: no DOCTYPE that declares entities (NULs dropped so UTF-16/32 is seen too)."""
    ascii_view = data.replace(b"\x00", b"")
    if _DOCTYPE.search(ascii_view) and _ENTITY_DECLARATION.search(ascii_view):
        raise RejectError(FEED_HOSTILE_XML, "feed DOCTYPE declares entities")


def _no_entries_error(parsed) -> RejectError:
    exc = parsed.get("bozo_exception")
    malformed = parsed.get("bozo") and not isinstance(exc, feedparser.ThingsNobodyCaresAboutButMe)
    if malformed or not parsed.get("version"):
        detail = f": {exc}" if exc else ""
        return RejectError(FEED_NOT_XML, f"not a readable RSS/Atom feed{detail}")
    return RejectError(FEED_NO_ENTRIES, "feed has no usable entries")


def _entry_is_usable(entry) -> bool:
    return any(entry.get(key) for key in ("title", "link", "id", "summary", "content"))


def _feed_fields(parsed) -> dict:
    feed = parsed.get("feed", {})
    return {
        "feed_title": _title_text(feed.get("title"), _detail_type(feed, "title_detail")),
        "feed_link": feed.get("link"),
        "feed_language": feed.get("language"),
        "feed_version": parsed.get("version") or None,
        "feed_bozo": bool(parsed.get("bozo")),
    }


def _entry_json(entry, feed_fields: dict) -> bytes:
    content = _best_content(entry.get("content"))
    fields = {
        "id": entry.get("id"),
        "link": entry.get("link"),
        "title": entry.get("title"),
        "title_type": _detail_type(entry, "title_detail"),
        "authors": _entry_authors(entry),
        "published": _entry_date(entry, "published"),
        "updated": _entry_date(entry, "updated"),
        "tags": list(clean_topics(entry.get("tags"))),
        "summary": entry.get("summary"),
        "summary_type": _detail_type(entry, "summary_detail"),
        "content": content.get("value"),
        "content_type": content.get("type"),
        "language": content.get("language") or (entry.get("title_detail") or {}).get("language"),
    }
    return json.dumps({**fields, **feed_fields}, ensure_ascii=False, default=str).encode("utf-8")


def _detail_type(node, key: str) -> Optional[str]:
    return (node.get(key) or {}).get("type")


def _best_content(contents) -> dict:
    """The longest of an entry's content elements (HTML preferred on a tie)."""
    candidates = [c for c in contents or () if isinstance(c.get("value"), str) and c.get("value").strip()]
    if not candidates:
        return {}
    return max(candidates, key=lambda c: (len(c["value"]), c.get("type") in _HTML_TYPES))


def _entry_authors(entry) -> list:
    names = [a.get("name") for a in entry.get("authors") or () if hasattr(a, "get")]
    names = [name for name in names if isinstance(name, str) and name.strip()]
    return names or list(split_authors(entry.get("author")))


def _entry_date(entry, key: str) -> Optional[str]:
    """ISO 8601 UTC from feedparser's ``*_parsed``, else the raw string for a later try.

    ``dict.get`` skips FeedParserDict's deprecated "updated falls back to published" mapping.
    """
    parsed = parse_datetime_utc(dict.get(entry, f"{key}_parsed"))
    return parsed.isoformat() if parsed else dict.get(entry, key)


# --------------------------------------------------------------------------- extract


def extract_document(raw: RawDocument) -> ExtractedDocument:
    """Text and declared metadata of one unit, dispatching on ``raw.fmt``."""
    extractors = {"txt": _extract_txt, "html": _extract_html, "json": _extract_json, "feed": _extract_feed}
    if raw.fmt not in extractors:
        raise RejectError(UNSUPPORTED_FORMAT, f"unsupported unit format: {raw.fmt!r}")
    fields = extractors[raw.fmt](raw)
    return ExtractedDocument(source_uri=raw.source_uri, source_type=raw.source_type, raw=raw.data, **fields)


def _extract_txt(raw: RawDocument) -> dict:
    """A plain article body: every line is text (the first line is not a title)."""
    text = _text_paragraphs(decode_text(raw.data, raw.declared_charset))
    if not text:
        raise RejectError(TEXT_EMPTY, "text file has no text")
    return {"text": text, "extractor": "text"}


def _extract_html(raw: RawDocument) -> dict:
    charset = raw.declared_charset or html_declared_charset(raw.data)
    return _html_fields(decode_text(raw.data, charset))


def _extract_json(raw: RawDocument) -> dict:
    record = _load_json_object(raw.data)
    text, html = _json_text_field(record, "text"), _json_text_field(record, "html")
    if text:
        fields = {"text": _text_paragraphs(text), "extractor": "json"}
    elif html:
        fields = _html_fields(html)
    else:
        raise RejectError(JSON_NO_TEXT, "JSON record has neither 'text' nor 'html'")
    declared = {key: value for key, value in _json_metadata(record).items() if value}
    return {**fields, **declared}


def _extract_feed(raw: RawDocument) -> dict:
    entry = _load_json_object(raw.data)
    content = _fragment_text(entry.get("content"), entry.get("content_type"))
    summary = _fragment_text(entry.get("summary"), entry.get("summary_type"))
    if not (content or summary):
        raise RejectError(TEXT_EMPTY, "feed entry has neither content nor summary")
    return {
        "text": content or summary,
        "extractor": "feed",
        "url": _str_or_none(entry.get("link")),
        "entry_id": _str_or_none(entry.get("id")),
        "title": _title_text(entry.get("title"), entry.get("title_type")),
        "authors": split_authors(entry.get("authors")),
        "published": parse_datetime_utc(entry.get("published")),
        "updated": parse_datetime_utc(entry.get("updated")),
        "topics": clean_topics(entry.get("tags")),
        "language": normalise_language(entry.get("language")) or normalise_language(entry.get("feed_language")),
        "summary": summary if content and summary and summary != content else None,
        "source": _str_or_none(entry.get("feed_title")),
    }


# --------------------------------------------------------------------------- json


def _load_json_object(data: bytes) -> dict:
    try:
        record = json.loads(decode_text(data))
    except (ValueError, RecursionError) as exc:
        raise RejectError(JSON_INVALID, f"invalid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise RejectError(JSON_INVALID, f"JSON record is a {type(record).__name__}, not an object")
    return record


def _json_text_field(record: dict, key: str) -> Optional[str]:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise RejectError(JSON_INVALID, f"JSON field {key!r} is a {type(value).__name__}, not a string")
    return value if value and value.strip() else None


def _json_metadata(record: dict) -> dict:
    """The metadata a JSON record declares; these override what its HTML says."""
    return {
        "entry_id": _str_or_none(record.get("id")),
        "url": _str_or_none(record.get("url")),
        "title": _str_or_none(record.get("title")),
        "authors": split_authors(record.get("authors", record.get("author"))),
        "published": parse_datetime_utc(record.get("published_at", record.get("published"))),
        "updated": parse_datetime_utc(record.get("updated_at", record.get("updated"))),
        "topics": clean_topics(record.get("topics")),
        "language": normalise_language(record.get("language")),
        "summary": _str_or_none(record.get("summary")),
        "source": _str_or_none(record.get("source")),
    }


def _str_or_none(value) -> Optional[str]:
    """A stripped non-empty string (numbers become strings), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


# --------------------------------------------------------------------------- html pages


def _html_fields(html: str) -> dict:
    """Main text and metadata of a full HTML page, by trafilatura."""
    tree = _load_html_tree(html)
    language = _first_xpath(tree, _LANGUAGE_XPATH)
    updated = _first_xpath(tree, _MODIFIED_XPATH)
    document, text = _main_text(tree, html)
    return {
        "text": text,
        "extractor": HTML_EXTRACTOR,
        "url": _str_or_none(document.url),
        "title": _str_or_none(document.title),
        "authors": split_authors(document.author),
        "published": parse_datetime_utc(document.date),
        "updated": parse_datetime_utc(updated),
        "topics": clean_topics([*(document.categories or ()), *(document.tags or ())]),
        "language": normalise_language(document.language) or normalise_language(language),
        "summary": _str_or_none(document.description),
        "source": _str_or_none(document.sitename),
    }


def _main_text(tree, html: str):
    """(trafilatura document, paragraphs): precision mode first, then default mode.

    The default-mode result is kept only when it is article-sized, because on a page
    without an article it returns navigation.
    """
    for favor_precision, min_words in ((True, 1), (False, MIN_FALLBACK_WORDS)):
        if not favor_precision:
            tree = _load_html_tree(html)  # trafilatura prunes the tree it is given
        document = _run_trafilatura(tree, favor_precision)
        text = _page_paragraphs(document.text, document.title) if document else ""
        if len(text.split()) >= min_words:
            return document, text
    raise RejectError(HTML_EMPTY, "no main text found in the HTML page")


def _load_html_tree(html: str):
    try:
        tree = trafilatura.load_html(_NON_XML_CHARS.sub("", html))
    except (ValueError, etree.LxmlError, RecursionError) as exc:
        raise RejectError(HTML_PARSE_ERROR, f"HTML could not be parsed: {exc}") from None
    if tree is None:
        raise RejectError(HTML_EMPTY, "HTML page is empty or could not be parsed")
    return tree


def _first_xpath(tree, xpath: str) -> Optional[str]:
    values = [value.strip() for value in tree.xpath(xpath) if isinstance(value, str) and value.strip()]
    return values[0] if values else None


def _run_trafilatura(tree, favor_precision: bool):
    try:
        return trafilatura.bare_extraction(
            tree,
            url=None,
            with_metadata=True,
            include_comments=False,
            favor_precision=favor_precision,
            date_extraction_params=dict(_TRAFILATURA_DATES),
        )
    except (ValueError, etree.LxmlError, RecursionError) as exc:
        raise RejectError(HTML_PARSE_ERROR, f"trafilatura failed: {type(exc).__name__}: {exc}") from None


def _page_paragraphs(text: Optional[str], title: Optional[str]) -> str:
    """trafilatura's lines as paragraphs, without a leading copy of the title."""
    lines = [" ".join(line.split()) for line in (text or "").split("\n")]
    lines = [line for line in lines if line]
    if lines and title and lines[0] == " ".join(title.split()):
        lines = lines[1:]
    return "\n\n".join(lines)


# --------------------------------------------------------------------------- fragments and plain text


def html_fragment_to_text(html: str) -> str:
    """Plain text of an HTML fragment: block elements (p, div, li, h1-h6, br, ...) become paragraphs.

    Never raises: markup lxml cannot parse (or nests too deep) falls back to tag stripping.
    """
    html = _XML_DECLARATION.sub("", _NON_XML_CHARS.sub("", html or ""))
    if not html.strip():
        return ""
    parser = lxml.html.HTMLParser(huge_tree=True)  # per call: lxml parsers are not thread-safe
    try:
        root = lxml.html.document_fromstring(f"<html><body><div>{html}</div></body></html>", parser=parser)
    except (etree.ParserError, ValueError):
        return _strip_tags(html)
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        return _strip_tags(html)
    etree.strip_elements(root, *_SKIP_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    body = root.find("body")
    return _join_paragraphs(_block_texts(body if body is not None else root))


def _strip_tags(html: str) -> str:
    """Last-resort plain text: scripts, styles and tags removed, entities unescaped, one paragraph."""
    return _join_paragraphs([html_lib.unescape(_TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", html)))])


def _block_texts(root) -> list:
    """Text runs of ``root``, cut at every block element's start and end (iterative walk)."""
    blocks, current = [], []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        is_block = element.tag in _BLOCK_TAGS
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


def _fragment_text(value, content_type: Optional[str]) -> str:
    """Plain text of a feed field: HTML types through ``html_fragment_to_text``."""
    if not isinstance(value, str) or not value.strip():
        return ""
    if content_type in _HTML_TYPES or (content_type is None and "<" in value):
        return html_fragment_to_text(value)
    return _text_paragraphs(value)


def _title_text(value, content_type: Optional[str]) -> Optional[str]:
    """A one-line title; HTML titles lose their markup."""
    text = _fragment_text(value, content_type)
    return " ".join(text.split()) or None


def _text_paragraphs(text: str) -> str:
    """Plain text as paragraphs: blank-line separated blocks if it has any, else one per line."""
    text = _NEWLINES.sub("\n", text).strip()
    blocks = _BLANK_LINES.split(text) if _BLANK_LINES.search(text) else text.split("\n")
    paragraphs = ("\n".join(line.strip() for line in block.split("\n") if line.strip()) for block in blocks)
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
