"""RSS/Atom feeds: split a feed file into one unit per entry, and extract one entry.

``split_feed`` parses the bytes with feedparser (never a URL or a path, and never a
DOCTYPE that declares entities) and emits each usable entry's fields plus the feed's
as a JSON unit; ``extract_feed`` turns such a unit into ``ExtractedDocument`` fields.
The feed's title is only a descriptive ``site_name``, not a declared ``source``.
Pure functions (no Beam); bad input raises ``RejectError`` and nothing else.
"""
import io
import json
from collections import defaultdict
from typing import Iterator, Optional

from transforms.text.dates import parse_datetime_utc, parse_record_date
from transforms.errors import (
    EMPTY_INPUT,
    FEED_NO_ENTRIES,
    FEED_NOT_XML,
    TEXT_EMPTY,
    RejectError,
)
from transforms.sources.feed_xml import content_type_charset, safe_feed_bytes, utf8_response_headers
from transforms.text.field_values import load_json_object, str_or_none, text_paragraphs, valid_fields
from transforms.html.page_text import html_fragment_to_text
from transforms.text.language import normalise_language
from transforms.text.metadata import clean_topics, split_authors
from schemas.records import RawDocument
from transforms.text.urls import resolve_link

__all__ = ["split_feed", "extract_feed"]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})


# --------------------------------------------------------------------------- split


def split_feed(data: bytes, source_uri: str, source_type: str,
               response_headers: Optional[dict] = None) -> Iterator[RawDocument]:
    """One ``feed`` unit per usable entry: the entry's fields plus the feed's, as JSON.
    ``response_headers`` (HTTP, lower-case keys) let feedparser honour a declared charset;
    an http(s) ``source_uri`` is the base of relative links (after ``xml:base``)."""
    parsed = _parse_feed(data, _with_base(response_headers, source_uri))
    entries = [entry for entry in parsed.get("entries", []) if _entry_is_usable(entry)]
    if not entries:
        raise _no_entries_error(parsed)
    feed_fields = _feed_fields(parsed)
    entry_ids = _entry_ids(entries)
    units = [_entry_json(entry, entry_id, feed_fields, source_uri) for entry, entry_id in zip(entries, entry_ids)]
    return (RawDocument(unit, source_uri, "feed", source_type) for unit in units)


def _with_base(response_headers: Optional[dict], source_uri: str) -> dict:
    """The response headers plus ``content-location`` = the feed URL (feedparser's base URI)."""
    headers = dict(response_headers or {})
    if source_uri.lower().startswith(("http://", "https://")):
        headers.setdefault("content-location", source_uri)
    return headers


def _parse_feed(data: bytes, response_headers: Optional[dict] = None):
    """feedparser over the bytes (a stream, so it never opens a URL or a path), decoded and
    checked first by ``feed_xml.safe_feed_bytes`` (no entity can be declared, whatever the
    encoding)."""
    if not data.strip():
        raise RejectError(EMPTY_INPUT, "feed file is empty")
    import feedparser  # here: a page or a text file (``newsbeam clean``) never needs it

    headers = response_headers or {}
    safe = safe_feed_bytes(data, content_type_charset(headers.get("content-type")))
    try:
        return feedparser.parse(io.BytesIO(safe), sanitize_html=True, response_headers=utf8_response_headers(headers))
    except Exception as exc:  # noqa: BLE001 -- feedparser promises not to raise; any escape is a bad feed
        raise RejectError(FEED_NOT_XML, f"feedparser failed: {type(exc).__name__}: {exc}") from None


def _no_entries_error(parsed) -> RejectError:
    import feedparser

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
        "feed_link": str_or_none(feed.get("link")),
        "feed_language": feed.get("language"),
        "feed_version": parsed.get("version") or None,
        "feed_bozo": bool(parsed.get("bozo")),
    }


def _entry_ids(entries) -> list:
    """Each entry's id/guid; an id that several entries with different links share is no
    identity (a feed that gives every item its channel link as guid): it is qualified by the link."""
    links_of = defaultdict(set)
    for entry in entries:
        links_of[str_or_none(entry.get("id"))].add(entry.get("link"))
    return [_qualified_id(str_or_none(entry.get("id")), entry.get("link"), links_of) for entry in entries]


def _qualified_id(entry_id: Optional[str], link, links_of) -> Optional[str]:
    if entry_id is None or len(links_of[entry_id]) < 2:
        return entry_id
    return f"{entry_id} {link or ''}"


def _entry_json(entry, entry_id: Optional[str], feed_fields: dict, source_uri: str) -> bytes:
    content = _best_content(entry.get("content"))
    fields = {
        "id": entry_id,
        "link": _entry_link(entry, source_uri, feed_fields["feed_link"]),
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
    # feedparser turns a character reference to a surrogate into a lone surrogate: made valid here
    valid, _ = valid_fields({**fields, **feed_fields}, limited=False)
    return json.dumps(valid, ensure_ascii=False, default=str).encode("utf-8")


def _entry_link(entry, source_uri: str, feed_link: Optional[str]) -> Optional[str]:
    """The entry's link made absolute: feedparser has applied ``xml:base`` and the feed URL;
    what is still relative is resolved against the entry's source, then the channel link."""
    source = entry.get("source") or {}
    return resolve_link(entry.get("link"), source.get("link"), source_uri, feed_link)


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


def extract_feed(raw: RawDocument) -> dict:
    """``ExtractedDocument`` fields of one feed-entry unit made by ``split_feed``.

    The text is the entry's content, else its summary (feedparser puts a media description
    there), else empty: an entry with a title or a link is kept, so its linked page can be
    fetched and, failing that, it becomes a title-only article (``transforms.text.article``)."""
    entry = load_json_object(raw.data)
    content = _fragment_text(entry.get("content"), entry.get("content_type"))
    summary = _fragment_text(entry.get("summary"), entry.get("summary_type"))
    title = _title_text(entry.get("title"), entry.get("title_type"))
    url = str_or_none(entry.get("link"))
    if not (content or summary or title or url):
        raise RejectError(TEXT_EMPTY, "feed entry has no content, summary, title or link")
    language = normalise_language(entry.get("language")) or normalise_language(entry.get("feed_language"))
    published, updated = (parse_record_date(entry.get(key), language, url) for key in ("published", "updated"))
    own_summary = summary if content and summary and summary != content else None
    return {
        "text": content or summary,
        "fallback_text": own_summary,
        "extractor": "feed",
        "url": url,
        "entry_id": str_or_none(entry.get("id")),
        "id_scope": str_or_none(entry.get("feed_link")) or raw.source_uri,
        "title": title,
        "authors": split_authors(entry.get("authors")),
        "published": published.at,
        "updated": updated.at,
        "unparsed_dates": published.unparsed + updated.unparsed,
        "topics": clean_topics(entry.get("tags")),
        "language": language,
        "summary": own_summary,
        "site_name": str_or_none(entry.get("feed_title")),
    }


def _fragment_text(value, content_type: Optional[str]) -> str:
    """Plain text of a feed field: HTML types through ``html_fragment_to_text``."""
    if not isinstance(value, str) or not value.strip():
        return ""
    if content_type in _HTML_TYPES or (content_type is None and "<" in value):
        return html_fragment_to_text(value)
    return text_paragraphs(value)


def _title_text(value, content_type: Optional[str]) -> Optional[str]:
    """A one-line title; HTML titles lose their markup."""
    text = _fragment_text(value, content_type)
    return " ".join(text.split()) or None
