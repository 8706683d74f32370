"""Plain records passed between stages (no Beam import).

``RawDocument`` is what sources emit: bytes plus where they came from.
``ExtractedDocument`` is what the extract stage makes of it: text and any
metadata the input itself declared (feed entry fields, JSON keys, HTML meta).
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional, Tuple


@dataclass(frozen=True)
class RawDocument:
    """One unit of input: a whole file, one JSONL line, one CSV/TSV row, one archived page or one feed entry."""

    data: bytes
    source_uri: str
    fmt: str  # "txt" | "html" | "json" | "csv" | "tsv" | "feed"
    source_type: str = "file"  # "file" | "feed" | "web" | "archive"
    declared_charset: Optional[str] = None
    url: Optional[str] = None  # where the unit was fetched from, when the input says (a WARC-Target-URI)
    captured_at: Optional[datetime] = None  # when it was fetched (a WARC-Date): its own column, a fallback date


@dataclass(frozen=True)
class ExtractedDocument:
    """Text and declared metadata of one article, before cleaning."""

    text: str
    extractor: str  # "text" | "feed" | "json" | "html:<engine>"
    source_uri: str
    source_type: str = "file"
    url: Optional[str] = None
    entry_id: Optional[str] = None  # the upstream key: a feed entry's id/guid, a JSON record's "id"
    id_scope: Optional[str] = None  # feeds: the feed the entry_id is unique in (its identity comes first)
    source: Optional[str] = None  # publisher the input explicitly declares (a JSON record's "source")
    site_name: Optional[str] = None  # descriptive fallback name: a feed's title, an HTML page's site name
    title: Optional[str] = None
    authors: Tuple[str, ...] = ()
    published: Optional[datetime] = None  # timezone-aware UTC
    updated: Optional[datetime] = None
    captured_at: Optional[datetime] = None  # when an archive captured the page (its WARC-Date), timezone-aware UTC
    language: Optional[str] = None
    topics: Tuple[str, ...] = ()
    summary: Optional[str] = None
    fallback_text: Optional[str] = None  # feeds: the summary, used when ``text`` is all boilerplate
    unparsed_dates: int = 0  # declared date values that could not be read (counted as date_unparsed)
    invalid_chars: int = 0  # lone surrogates replaced and NULs dropped in its fields (counted as invalid_chars)
    raw: bytes = field(default=b"", repr=False)  # kept so a later reject can be replayed


@dataclass(frozen=True)
class RunContext:
    """Values fixed for a whole run, passed explicitly to every stage."""

    run_id: str
    ingested_at: datetime  # timezone-aware UTC, the same for every row of the run
    pipeline_version: str
