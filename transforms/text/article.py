"""Turn one extracted document into one Article row (pure, no Beam).

This is the single place where cleaning and metadata meet; the batch
pipeline, the streaming pipeline and ``newsbeam clean`` all call it.
"""
from datetime import datetime

from transforms.text.boilerplate import CleanedText, RuleSet, strip_boilerplate
from transforms.errors import TEXT_EMPTY, RejectError
from transforms.text.fingerprints import content_hash, simhash64, word_count
from transforms.text.language import detect_language, normalise_language
from transforms.text.metadata import clean_topics
from transforms.text.site_lines import SITE_RULE, strip_site_lines
from schemas.records import ExtractedDocument, RunContext
from transforms.text.identity import article_id, feed_content_key
from transforms.text.urls import canonical_url, source_from_url, source_slug

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


def clean_entry_text(doc: ExtractedDocument, rules: RuleSet) -> CleanedText:
    """The text without boilerplate; when nothing is left, the fallback text (a feed entry's
    summary) without boilerplate; when that is empty too, a lone line only a header or footer
    rule removed (it is all the entry says). Every removal is kept."""
    cleaned = strip_boilerplate(doc.text, rules)
    if cleaned.text.strip():
        return cleaned
    fallback = doc.fallback_text or ""
    for text, keep_only_line, text_removed in ((fallback, False, cleaned.removed), (fallback, True, cleaned.removed),
                                               (doc.text, True, ())):
        candidate = strip_boilerplate(text, rules, keep_only_line)
        if candidate.text.strip():
            return CleanedText(candidate.text, text_removed + candidate.removed, cleaned.topics + candidate.topics)
    return cleaned


def is_title_only(doc: ExtractedDocument, cleaned: CleanedText) -> bool:
    """A feed entry with a title and no text left: kept as a title-only article, as readers do.
    Anything else with no text left is rejected (``boilerplate_only`` / ``text_empty``)."""
    if cleaned.text.strip():
        return False
    if doc.id_scope is None or not (doc.title or "").strip():
        reason = BOILERPLATE_ONLY if doc.text.strip() else TEXT_EMPTY
        raise RejectError(reason, "nothing is left after removing boilerplate" if doc.text.strip()
                          else "the entry has no text and no title")
    return True


def build_article(doc: ExtractedDocument, rules: RuleSet, ctx: RunContext) -> dict:
    """One Article row; raises RejectError when no text is left and it is not a titled feed entry."""
    cleaned = clean_entry_text(doc, rules)
    title_only = is_title_only(doc, cleaned)
    url = canonical_url(doc.url)
    source = resolve_source(doc, url)
    digest = content_hash(cleaned.text)
    content_key = digest if doc.id_scope is None else feed_content_key(doc.id_scope, doc.title, cleaned.text)
    return {
        "id": article_id(doc.url, doc.entry_id, doc.id_scope, source, content_key),
        "source_id": doc.entry_id,
        "url": url,
        "source": source,
        **_declared_fields(doc, ctx),
        **_content_fields(doc, cleaned, digest, rules),
        "title_only": title_only,
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
        "captured_at": doc.captured_at,
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


def without_site_lines(row: dict, text: str, removed) -> dict:
    """``row`` with its text replaced by ``text``, from which the site-boilerplate stage removed
    ``removed`` ((line, count) pairs): what is derived from the text is derived again and each
    removal is recorded (``site_repeated``, with its count). The id stays: an article's identity
    does not depend on what later runs learn."""
    return {
        **row,
        "language": detect_language(text) or row.get("language"),
        "text": text,
        "word_count": word_count(text),
        "content_hash": content_hash(text),
        "simhash": simhash64(text),
        "boilerplate": list(row.get("boilerplate") or []) + [
            {"rule": SITE_RULE, "text": line, "count": count} for line, count in removed],
    }


def strip_learned_lines(row: dict, learned, params) -> tuple:
    """(``row`` without the lines ``learned`` -- {fingerprint: count} of its source -- makes site
    boilerplate, how many lines went): the one place the site-boilerplate stage and
    ``newsbeam clean --state`` strip a row."""
    text, removed = strip_site_lines(row["text"], row.get("title"), learned, params)
    return (without_site_lines(row, text, removed), len(removed)) if removed else (row, 0)


def partition_date(row: dict, use_published: bool) -> datetime:
    """The UTC datetime whose date names the row's ``dt=`` partition."""
    if use_published and row.get("published_at") is not None:
        return row["published_at"]
    return row["ingested_at"]
