"""Linked article pages: when a feed entry carries only a short summary, the
page its link points to is fetched and its main text used (pure merge logic).

Entry fields the publisher set deliberately (title, authors, dates,
categories) win over what is scraped from the page; the page supplies the
full text, and its topic footers and tags are added to the topics.
"""
from dataclasses import replace
from typing import Optional

from transforms.fingerprints import word_count
from transforms.records import ExtractedDocument

MODES = ("auto", "always", "never")


def needs_page(doc: ExtractedDocument, mode: str, min_words: int) -> bool:
    """Whether ``doc`` should get its linked page fetched: entries of feeds fetched
    over HTTP only (a saved feed file never triggers network access)."""
    if mode == "never" or doc.extractor != "feed" or doc.source_type != "feed" or not doc.url:
        return False
    return mode == "always" or word_count(doc.text) < min_words


def _first(*values):
    return next((v for v in values if v), None)


def merge_entry_and_page(entry: ExtractedDocument, page: ExtractedDocument) -> ExtractedDocument:
    """The entry, with the page's text and whatever metadata the entry lacks."""
    topics = tuple(dict.fromkeys(entry.topics + page.topics))
    summary: Optional[str] = _first(entry.summary, entry.text if entry.text != page.text else None)
    return replace(
        entry,
        text=page.text,
        extractor=page.extractor,
        title=_first(entry.title, page.title),
        authors=entry.authors or page.authors,
        published=_first(entry.published, page.published),
        updated=_first(entry.updated, page.updated),
        language=_first(entry.language, page.language),
        topics=topics,
        summary=summary,
        site_name=_first(entry.site_name, page.site_name),
    )
