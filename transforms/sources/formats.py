"""Input formats: split a file into units, and turn one unit into an ExtractedDocument.

``split_file`` cuts a decompressed file into ``RawDocument`` units (a whole txt/html
file, one JSONL line, one CSV/TSV row, one feed entry). ``extract_document`` turns one unit
into text plus the metadata the input itself declares. This module dispatches on the format and
holds the plain-text and record paths (a JSON object or a CSV/TSV row, read by newsbeam's field
names or the dump's, ``record_fields``); feeds live in ``transforms.sources.feeds``, CSV rows
in ``transforms.sources.csv_records`` and HTML pages in ``transforms.html.page_text``. Pure
functions (no Beam); bad input raises ``RejectError`` and nothing else.

Text always comes out as paragraphs separated by a blank line (``"\\n\\n"``).
"""
import json
from typing import Iterator, Mapping, Optional

from transforms.text.dates import parse_record_date
from transforms.sources.decode import SNIFF_BYTES, decode_text, html_declared_charset
from transforms.errors import (
    EMPTY_INPUT,
    JSON_INVALID,
    JSON_NO_TEXT,
    TEXT_EMPTY,
    UNSUPPORTED_FORMAT,
    RejectError,
)
from transforms.sources.csv_records import CSV_FORMATS, csv_record, split_csv
from transforms.sources.feeds import extract_feed, split_feed
from transforms.sources.record_fields import map_record_fields, source_name
from transforms.text.field_values import load_json_object, str_or_none, text_paragraphs, valid_fields
from transforms.html.page_text import html_page_fields
from transforms.sources.jsonl_stream import is_utf16_or_32
from transforms.text.language import normalise_language
from transforms.text.metadata import clean_topics, split_authors
from schemas.records import ExtractedDocument, RawDocument

__all__ = ["split_file", "extract_document"]

# --------------------------------------------------------------------------- split


def split_file(data: bytes, source_uri: str, fmt: str, source_type: str = "file") -> Iterator[RawDocument]:
    """The units of one decompressed file: the file itself, its JSONL lines, its JSON records, its CSV/TSV
    rows or its feed entries."""
    if fmt in ("txt", "html"):
        charset = html_declared_charset(data) if fmt == "html" else None
        return iter([RawDocument(data, source_uri, fmt, source_type, charset)])
    if fmt == "jsonl":
        return _split_jsonl(data, source_uri, source_type)
    if fmt == "feed":
        return split_feed(data, source_uri, source_type)
    if fmt == "json":
        return _split_json_document(data, source_uri, source_type)
    if fmt in CSV_FORMATS:
        return split_csv(data, source_uri, fmt, source_type)
    raise RejectError(UNSUPPORTED_FORMAT, f"unsupported input format: {fmt!r}")


def _split_json_document(data: bytes, source_uri: str, source_type: str) -> Iterator[RawDocument]:
    """A ``.json`` file: one record (an object) or an array of records, each a ``json`` unit (an
    element that is not an object becomes its own ``json_invalid`` row at extraction)."""
    try:
        value = json.loads(decode_text(data))
    except (ValueError, RecursionError) as exc:
        raise RejectError(JSON_INVALID, f"invalid JSON: {exc}") from None
    records = value if isinstance(value, list) else [value]
    if not records:
        raise RejectError(EMPTY_INPUT, "JSON file holds an empty array")
    return (RawDocument(json.dumps(record).encode("utf-8"), source_uri, "json", source_type) for record in records)


def _split_jsonl(data: bytes, source_uri: str, source_type: str) -> Iterator[RawDocument]:
    """One ``json`` unit per non-blank line, keeping the line's bytes. Lines end at ``\\n``, ``\\r\\n``
    or a lone ``\\r`` (``bytes.splitlines``). UTF-16 or UTF-32 (with a byte-order mark, or UTF-16
    without one) is decoded to UTF-8 first, so its NULs do not make every line binary."""
    if is_utf16_or_32(data[:SNIFF_BYTES]):
        data = decode_text(data).encode("utf-8")
    lines = [line.strip() for line in data.removeprefix(b"\xef\xbb\xbf").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise RejectError(EMPTY_INPUT, "JSONL file has no records")
    return (RawDocument(line, source_uri, "json", source_type) for line in lines)


# --------------------------------------------------------------------------- extract


def extract_document(raw: RawDocument, fields: Optional[Mapping[str, str]] = None) -> ExtractedDocument:
    """Text and declared metadata of one unit, dispatching on ``raw.fmt``; a record (JSON object,
    CSV/TSV row) is read by the names ``fields`` maps newsbeam's to (``records.fields``; none:
    newsbeam's own). Every string is made valid here, inside the guarded step
    (``field_values.valid_fields``): a lone surrogate in a JSON record or a file name is a
    replaced, counted character, never a failed run."""
    found, invalid = valid_fields({**_unit_fields(raw, fields), "source_uri": raw.source_uri})
    return ExtractedDocument(source_type=raw.source_type, raw=raw.data, invalid_chars=invalid, **found)


def _unit_fields(raw: RawDocument, fields: Optional[Mapping[str, str]]) -> dict:
    extractors = {"txt": _extract_txt, "html": _extract_html, "feed": extract_feed}
    if raw.fmt == "json":
        return _record_document(load_json_object(raw.data), fields)
    if raw.fmt in CSV_FORMATS:
        return _record_document(csv_record(raw.data, raw.fmt), fields)
    if raw.fmt in extractors:
        return extractors[raw.fmt](raw)
    raise RejectError(UNSUPPORTED_FORMAT, f"unsupported unit format: {raw.fmt!r}")


def _extract_txt(raw: RawDocument) -> dict:
    """A plain article body: every line is text (the first line is not a title)."""
    text = text_paragraphs(decode_text(raw.data, raw.declared_charset))
    if not text:
        raise RejectError(TEXT_EMPTY, "text file has no text")
    return {"text": text, "extractor": "text"}


def _extract_html(raw: RawDocument) -> dict:
    """A page's fields; a page from an archive takes the archive's URL and its capture time
    (``captured_at``, and the publication date when the page states none)."""
    charset = raw.declared_charset or html_declared_charset(raw.data)
    fields = html_page_fields(decode_text(raw.data, charset))
    if raw.url:
        fields["url"] = raw.url
    if raw.captured_at:
        fields["captured_at"] = raw.captured_at
        fields["published"] = fields.get("published") or raw.captured_at
    return fields


# --------------------------------------------------------------------------- records (json, csv, tsv)


def _record_document(record: dict, fields: Optional[Mapping[str, str]]) -> dict:
    """The text (its ``text``, else its ``html``) and declared metadata of one record, read by
    the names ``fields`` maps newsbeam's to."""
    record = map_record_fields(record, fields)
    text, html = (_record_text(record, key, fields) for key in ("text", "html"))
    if text:
        body = {"text": text_paragraphs(text), "extractor": "json"}
    elif html:
        body = html_page_fields(html)
    else:
        names = " nor ".join(repr(source_name(key, fields)) for key in ("text", "html"))
        raise RejectError(JSON_NO_TEXT, f"record has neither {names}")
    declared = {key: value for key, value in _json_metadata(record).items() if value}
    return {**body, **declared}


def _record_text(record: dict, key: str, fields: Optional[Mapping[str, str]]) -> Optional[str]:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise RejectError(JSON_INVALID, f"field {source_name(key, fields)!r} is a {type(value).__name__}, not a string")
    return value if value and value.strip() else None


def _json_metadata(record: dict) -> dict:
    """The metadata a record declares; these override what its HTML says. Dates are read
    with the record's language and URL as hints; a value that cannot be read is counted."""
    url, language = str_or_none(record.get("url")), normalise_language(record.get("language"))
    published, updated = (parse_record_date(record.get(f"{key}_at", record.get(key)), language, url)
                          for key in ("published", "updated"))
    return {
        "entry_id": str_or_none(record.get("id")),
        "url": url,
        "title": str_or_none(record.get("title")),
        "authors": split_authors(record.get("authors", record.get("author"))),
        "published": published.at,
        "updated": updated.at,
        "unparsed_dates": published.unparsed + updated.unparsed,
        "topics": clean_topics(record.get("topics")),
        "language": language,
        "summary": str_or_none(record.get("summary")),
        "source": str_or_none(record.get("source")),
    }
