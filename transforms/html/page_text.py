"""HTML to text: a full page's main text and metadata (trafilatura), and plain text of a fragment.

``html_page_fields`` extracts an article page: trafilatura in precision mode, or in default
mode when precision mode lost most of the article; metadata the page declares
(``transforms.html.metadata``) before trafilatura's; bad pages raise ``RejectError``.
``html_fragment_to_text`` (``transforms.html.fragments``) turns a snippet (a feed entry's
content) into paragraphs and never raises. Pure functions (no Beam); text comes out as paragraphs separated by a
blank line (``"\\n\\n"``).
"""
import copy
from contextlib import contextmanager
from typing import Optional, Sequence

import trafilatura
from lxml import etree

from transforms.text.dates import parse_datetime_utc
from transforms.errors import HTML_EMPTY, HTML_PARSE_ERROR, RejectError
from transforms.text.field_values import str_or_none
from transforms.html.dates import labelled_published, labelled_updated, time_element_published
from transforms.html.bylines import clean_author_names
from transforms.html.lead import with_shown_lead
from transforms.html.metadata import page_metadata
from transforms.text.language import normalise_language
from transforms.text.metadata import clean_topics, split_authors
from transforms.html.trafilatura_metadata import PageGuesses
from transforms.html.fragments import html_fragment_to_text
from transforms.html.script_state import state_body
from transforms.html.selectors import (HEADLINE_LABEL, NEVER_TEXT_TAGS, NON_WORD, NON_XML_CHARS, PAGE_LANGUAGE,
                                       PARAGRAPHS_OPENED_BOLD, WORD)

__all__ = ["html_page_fields", "html_fragment_to_text"]

HTML_EXTRACTOR = "html:trafilatura"
MIN_FALLBACK_WORDS = 50  # a default-mode (recall) extraction shorter than this is navigation
FAST_PRECISION_SHARE = 0.35  # measured: fast and full precision mode differed only below 0.30 of the page's words
MIN_PRECISION_SHARE = 0.3  # precision mode kept less than this share of default mode's words: it lost the article

MAX_TITLE_LABEL_WORDS = 6


# --------------------------------------------------------------------------- html pages


def html_page_fields(html: str) -> dict:
    """Main text and metadata of a full HTML page.

    Metadata the page declares (JSON-LD, meta tags, ``<h1>``, bylines; see
    ``transforms.html.metadata``) comes first, trafilatura's reading of it second. The
    page's site name is only a descriptive ``site_name``: a page does not declare its
    publisher the way a JSON record's "source" key does.
    """
    tree = _load_html_tree(html)
    declared = page_metadata(tree)
    language = _first_xpath(tree, PAGE_LANGUAGE)
    published = _page_published(declared, tree)
    guesses = _trafilatura_metadata(tree)
    document = guesses.document
    text = _main_text_or_declared_body(tree, document, declared)
    # the date the page labels "Last updated": updated_at when none is declared, and the
    # publication date when the page gives no other (read once, only when one of them needs it)
    declared_update = parse_datetime_utc(declared.updated)
    shown_update = None if published and declared_update else parse_datetime_utc(labelled_updated(tree))
    with _trafilatura_failures_rejected():
        authors = declared.authors or _guessed_authors(declared, guesses.author)
        published = published or shown_update or parse_datetime_utc(guesses.date(search_text=True))
    return {
        "text": text,
        "extractor": HTML_EXTRACTOR,
        "url": str_or_none(document.url),
        "title": declared.title or str_or_none(document.title),
        "authors": authors,
        "published": published,
        "updated": declared_update or shown_update,
        "topics": clean_topics([*(document.categories or ()), *(document.tags or ())]),
        "language": normalise_language(document.language) or normalise_language(language),
        "summary": str_or_none(document.description),
        "site_name": declared.site_name or str_or_none(document.sitename),
    }


def _main_text_or_declared_body(tree, document, declared) -> str:
    """The page's main text (with its shown lead). A page rendered by script has its text only
    in its JSON-LD ``articleBody`` or in its scripts' state (``script_state``): when the HTML
    gives no text, or only that body run together into one paragraph, the body's own paragraphs
    are the text; else ``html_empty``."""
    try:
        text = _without_leading_title(_main_text(tree, document.title), (declared.title,) + declared.headlines)
    except RejectError as err:
        if err.reason != HTML_EMPTY:
            raise
        text = ""
    body = _page_paragraphs(declared.body or (None if text else state_body(tree)), declared.title)
    if body and (not text or text.split() == body.split()):
        text = body
    if not text:
        raise RejectError(HTML_EMPTY, "no main text found in the HTML page")
    return with_shown_lead(text, document.description, tree)


def _guessed_authors(declared, guessed: Optional[str]) -> tuple:
    """trafilatura's reading of the authors (``guessed``), else the organisation the page names
    as author. trafilatura's reading loses to that organisation when it is only a mangled copy
    of it ("Center; Research" for "Center for Drug Evaluation and Research")."""
    names = clean_author_names(split_authors(guessed))
    if names and declared.organisations and _words(" ".join(names)) <= _words(" ".join(declared.organisations)):
        return declared.organisations
    return names or declared.organisations


def _words(text: str) -> set:
    return set(WORD.findall(text.casefold()))


def _page_published(declared, tree):
    """The publication date the page gives: one its text labels "Published", else the declared
    one (JSON-LD, meta tags), else the first ``<time>`` shown; None when it gives none (then
    htmldate's guess is used)."""
    return (parse_datetime_utc(labelled_published(tree)) or parse_datetime_utc(declared.published)
            or parse_datetime_utc(time_element_published(tree)))


def _main_text(tree, title: Optional[str]) -> str:
    """Paragraphs: precision mode, unless default mode finds far more.

    Precision mode drops navigation and teasers but on some layouts drops most of the
    article too; when its text is under ``MIN_PRECISION_SHARE`` of the default mode's
    (and default mode found an article-sized text), default mode's is used. Default mode
    cannot find more words than the page shows, so it is only run when precision mode
    kept less than that share of the page's words.
    """
    tree = _bold_unwrapped_in_paragraphs(tree)
    page_words = _page_word_bound(tree)
    precise_text = _precision_paragraphs(tree, title, page_words)
    precise_words = len(precise_text.split())
    if precise_words and precise_words >= MIN_PRECISION_SHARE * page_words:
        return precise_text
    broad_text = _trafilatura_paragraphs(tree, title, favor_precision=False)
    broad_words = len(broad_text.split())
    if broad_words >= MIN_FALLBACK_WORDS and precise_words < MIN_PRECISION_SHARE * broad_words:
        return broad_text
    if precise_words:
        return precise_text
    raise RejectError(HTML_EMPTY, "no main text found in the HTML page")


def _bold_unwrapped_in_paragraphs(tree):
    """``tree``, or when a paragraph opens with a bold run, a copy where such paragraphs hold no
    ``<b>``/``<strong>`` elements (their text kept). trafilatura's precision mode drops the text
    after a bold run that opens a paragraph ("<p><b>1925-40:</b> Howard Jones, head coach ...</p>"
    kept "1925-40:" only, and a paragraph opened by an empty ``<b></b>`` was lost whole); its
    default mode keeps it."""
    if not PARAGRAPHS_OPENED_BOLD(tree):
        return tree
    copied = copy.deepcopy(tree)
    for paragraph in PARAGRAPHS_OPENED_BOLD(copied):
        etree.strip_tags(paragraph, "b", "strong")
    return copied


def _precision_paragraphs(tree, title: Optional[str], page_words: int) -> str:
    """Precision mode's text. Its fast variant (no readability/justext cross-check) is kept when
    it holds ``FAST_PRECISION_SHARE`` of the page's words: the cross-check only replaces a text
    that is short for its page. Else the full run decides."""
    fast_text = _trafilatura_paragraphs(tree, title, favor_precision=True, fast=True)
    if fast_text and len(fast_text.split()) >= FAST_PRECISION_SHARE * page_words:
        return fast_text
    return _trafilatura_paragraphs(tree, title, favor_precision=True)


def _page_word_bound(tree) -> int:
    """At least as many words as any extraction of ``tree`` can hold: every text node outside scripts and styles."""
    count = 0
    for element in tree.iter():
        if element.tag not in NEVER_TEXT_TAGS:
            count += len((element.text or "").split())
        count += len((element.tail or "").split())
    return count


def _load_html_tree(html: str):
    try:
        tree = trafilatura.load_html(NON_XML_CHARS.sub("", html))
    except (ValueError, etree.LxmlError, RecursionError) as exc:
        raise RejectError(HTML_PARSE_ERROR, f"HTML could not be parsed: {exc}") from None
    if tree is None:
        raise RejectError(HTML_EMPTY, "HTML page is empty or could not be parsed")
    return tree


def _first_xpath(tree, xpath: str) -> Optional[str]:
    values = [value.strip() for value in tree.xpath(xpath) if isinstance(value, str) and value.strip()]
    return values[0] if values else None


def _trafilatura_paragraphs(tree, title: Optional[str], favor_precision: bool, fast: bool = False) -> str:
    """trafilatura's main text of ``tree`` (which it copies, not prunes) as paragraphs, without a leading ``title``."""
    with _trafilatura_failures_rejected():
        document = trafilatura.bare_extraction(
            tree, url=None, with_metadata=False, include_comments=False, favor_precision=favor_precision, fast=fast,
        )
    return _page_paragraphs(document.text, title) if document else ""


def _trafilatura_metadata(tree) -> PageGuesses:
    """trafilatura's reading of the page's metadata; its author and date are read when asked for."""
    with _trafilatura_failures_rejected():
        return PageGuesses(tree)


@contextmanager
def _trafilatura_failures_rejected():
    """An error inside trafilatura becomes an ``html_parse_error`` reject."""
    try:
        yield
    except (ValueError, etree.LxmlError, RecursionError) as exc:
        raise RejectError(HTML_PARSE_ERROR, f"trafilatura failed: {type(exc).__name__}: {exc}") from None


def _page_paragraphs(text: Optional[str], title: Optional[str]) -> str:
    """trafilatura's lines as paragraphs, without a leading copy of the title."""
    lines = [" ".join(line.split()) for line in (text or "").split("\n")]
    lines = [line for line in lines if line]
    if lines and title and lines[0] == " ".join(title.split()):
        lines = lines[1:]
    return "\n\n".join(lines)


def _without_leading_title(text: str, titles: Sequence[Optional[str]]) -> str:
    """``text`` without a first paragraph that repeats the headline (the title or an h1 as shown, in any
    spacing and punctuation), alone or with a short label after a dash or bar ("Gym Workouts for
    Beginners — Strength Training")."""
    first, _, rest = text.partition("\n\n")
    return rest if any(_repeats_title(first, title) for title in titles if title) else text


def _repeats_title(first: str, title: str) -> bool:
    title = " ".join(title.split())
    if _letters(first) == _letters(title):
        return True
    label = HEADLINE_LABEL.fullmatch(first[len(title):]) if first.startswith(title) else None
    return bool(label) and len(label.group(1).split()) <= MAX_TITLE_LABEL_WORDS


def _letters(text: str) -> str:
    return NON_WORD.sub("", text).casefold()
