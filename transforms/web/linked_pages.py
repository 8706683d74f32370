"""Linked article pages: when a feed entry carries little or no text, the page its
link points to is fetched, and its main text used when it is the fuller version of
the entry (pure merge logic).

The page's text replaces the entry's only when it is longer and either
* contains the entry (>= 60% of the entry's word 3-grams) and is about the same
  story (>= 60% of the entry title's words in the page's title, or in its first 30
  words when it has none),
  or is at most 3x the entry's length (the entry plus what chrome survived), or
* is about the same story and at least twice as long (a teaser and its article);
an entry with no text takes a page about its story (any page when it has no title).
Otherwise (a one-line page, an unrelated page, a home or listing page that many
entries link to) the entry's own text stays and the page only fills the metadata
the entry lacks. Entry fields the publisher set deliberately (title, authors,
dates, categories) always win; a page that is used adds its topics.
"""
import re
from dataclasses import replace
from typing import Optional

from transforms.text.fingerprints import word_count
from schemas.records import ExtractedDocument

SHINGLE = 3
CONTAINED_SHARE = 0.6
TITLE_SHARE = 0.6
TITLE_WINDOW = 30  # a page without a title: words at the start of its text searched for the entry's title
CHROME_RATIO = 3
FULL_STORY_RATIO = 2
_WORD_RE = re.compile(r"\w+")


def needs_page(doc: ExtractedDocument, mode: str, min_words: int) -> bool:
    """Whether ``doc`` should get its linked page fetched: entries of feeds fetched
    over HTTP only (a saved feed file never triggers network access)."""
    if mode == "never" or doc.extractor != "feed" or doc.source_type != "feed" or not doc.url:
        return False
    return mode == "always" or word_count(doc.text) < min_words


def _first(*values):
    return next((v for v in values if v), None)


def _words(text: Optional[str]) -> list:
    return _WORD_RE.findall((text or "").casefold())


def _shingles(words: list) -> set:
    if len(words) < SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def containment(entry_text: str, page_text: str) -> float:
    """Share of the entry's word 3-grams that the page holds (1.0: the page contains the entry)."""
    entry = _shingles(_words(entry_text))
    return len(entry & _shingles(_words(page_text))) / len(entry) if entry else 0.0


def same_story(entry: ExtractedDocument, page: ExtractedDocument) -> bool:
    """Whether the page is about the entry's story: most of the entry title's words are in the
    page's title (in the start of its text when it has none); a listing or home page has its own."""
    title = set(_words(entry.title))
    if not title:
        return False
    page_words = set(_words(page.title) or _words(page.text)[:TITLE_WINDOW])
    return len(title & page_words) / len(title) >= TITLE_SHARE


def page_is_fuller(entry: ExtractedDocument, page: ExtractedDocument) -> bool:
    """Whether the page's text should replace the entry's (see the module docstring)."""
    page_words, entry_words = word_count(page.text), word_count(entry.text)
    if page_words <= entry_words:
        return False
    if entry_words == 0:
        return same_story(entry, page) or not entry.title
    story = same_story(entry, page)
    if containment(entry.text, page.text) >= CONTAINED_SHARE:
        return story or page_words <= CHROME_RATIO * entry_words
    return story and page_words >= FULL_STORY_RATIO * entry_words


def merge_entry_and_page(entry: ExtractedDocument, page: ExtractedDocument) -> ExtractedDocument:
    """The entry, with the page's text when it is the fuller version, and whatever metadata
    the entry lacks; otherwise the entry's own text stays and the page only fills metadata."""
    filled = replace(
        entry,
        title=_first(entry.title, page.title),
        authors=entry.authors or page.authors,
        published=_first(entry.published, page.published),
        updated=_first(entry.updated, page.updated),
        language=_first(entry.language, page.language),
        site_name=_first(entry.site_name, page.site_name),
    )
    if not page_is_fuller(entry, page):
        return filled
    summary: Optional[str] = _first(entry.summary, entry.text if entry.text != page.text else None)
    topics = tuple(dict.fromkeys(entry.topics + page.topics))
    return replace(filled, text=page.text, extractor=page.extractor, topics=topics, summary=summary,
                   fallback_text=None)
