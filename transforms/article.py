"""Turn one extracted document into one Article row (pure, no Beam).

This is the single place where cleaning and metadata meet; the batch
pipeline, the streaming pipeline and ``newsbeam clean`` all call it.
"""
from datetime import datetime

from transforms.boilerplate import CleanedText, RuleSet, strip_boilerplate
from transforms.errors import RejectError
from transforms.fingerprints import content_hash, simhash64, word_count
from transforms.language import detect_language, normalise_language
from transforms.metadata import clean_topics
from transforms.records import ExtractedDocument, RunContext
from transforms.urls import article_id, canonical_url, source_from_url, source_slug

BOILERPLATE_ONLY = "boilerplate_only"
LOCAL_SOURCE = "local"


def resolve_source(doc: ExtractedDocument, url) -> str:
    """Partition-safe publisher name.

    In order: the source the input declares, the URL's registered domain, the
    descriptive site name (a feed's title, a page's site name), else "local".
    """
    return source_slug(doc.source or source_from_url(url) or doc.site_name or LOCAL_SOURCE)


def clean_summary(summary, rules: RuleSet):
    """The summary with boilerplate lines removed, or None when nothing is left."""
    if not summary:
        return None
    return strip_boilerplate(summary, rules).text or None


def build_article(doc: ExtractedDocument, rules: RuleSet, ctx: RunContext) -> dict:
    """One Article row; raises RejectError when only boilerplate is left."""
    cleaned = strip_boilerplate(doc.text, rules)
    if not cleaned.text.strip():
        raise RejectError(BOILERPLATE_ONLY, "nothing is left after removing boilerplate")
    url = canonical_url(doc.url)
    source = resolve_source(doc, url)
    digest = content_hash(cleaned.text)
    return {
        "id": article_id(url, source, doc.entry_id, digest),
        "url": url,
        "source": source,
        **_declared_fields(doc, ctx),
        **_content_fields(doc, cleaned, digest, rules),
        "extractor": doc.extractor,
        "run_id": ctx.run_id,
        "pipeline_version": ctx.pipeline_version,
    }


def _declared_fields(doc: ExtractedDocument, ctx: RunContext) -> dict:
    """Where the article came from and what its input said about it (row order kept)."""
    return {
        "source_type": doc.source_type,
        "source_uri": doc.source_uri,
        "title": (doc.title or "").strip() or None,
        "authors": list(doc.authors),
        "published_at": doc.published,
        "updated_at": doc.updated,
        "ingested_at": ctx.ingested_at,
    }


def _content_fields(doc: ExtractedDocument, cleaned: CleanedText, digest: str, rules: RuleSet) -> dict:
    """What is derived from the cleaned text: language, topics, fingerprints, removals (row order kept)."""
    return {
        "language": detect_language(cleaned.text) or normalise_language(doc.language),
        "topics": list(clean_topics(list(doc.topics) + list(cleaned.topics))),
        "summary": clean_summary(doc.summary, rules),
        "text": cleaned.text,
        "word_count": word_count(cleaned.text),
        "content_hash": digest,
        "simhash": simhash64(cleaned.text),
        "duplicate_of": None,
        "boilerplate": [{"rule": rule, "text": text} for rule, text in cleaned.removed],
    }


def partition_date(row: dict, use_published: bool) -> datetime:
    """The UTC datetime whose date names the row's ``dt=`` partition."""
    if use_published and row.get("published_at") is not None:
        return row["published_at"]
    return row["ingested_at"]
