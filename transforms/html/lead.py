"""The lead (standfirst) a page shows above its article: part of the article's text.

trafilatura often leaves a page's lead out of the main text: it stands in its own block
above the body (a teaser paragraph, a ``<p class="intro">``), which scores like a header.
The page's description (meta description, ``og:description``, JSON-LD) is that lead when
the page *shows* it: its exact words stand in the page's visible text, before the main
text's first paragraph, and the main text does not already hold them. A description the
page does not show (an SEO blurb), shows later (a paragraph of the body), cuts short
("…"), writes like a headline (most words capitalised) or a dateline ("05/10/2018 -
Publicado por: …") is never added. Pure functions on an lxml tree.
"""
import re
from collections import Counter
from typing import Optional

from transforms.html.selectors import NEVER_TEXT_TAGS, WORD

__all__ = ["with_shown_lead"]

MIN_LEAD_WORDS = 6  # a shorter description is a tagline, not a lead
HELD_SHARE = 0.8  # the text holds the lead when it has this share of the lead's words
_CUT_SHORT = ("…", "...", "[…]")
HEADLINE_CASE_SHARE = 0.6  # a "lead" with more of its words capitalised is a headline
_DATELINE = re.compile(r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")


def with_shown_lead(text: str, description: Optional[str], tree) -> str:
    """``text`` with the page's shown lead as its first paragraph, when it lacks it."""
    lead = " ".join((description or "").split())
    if not _reads_like_a_lead(lead) or _holds(text, lead):
        return text
    visible = _normalised(" ".join(_visible_strings(tree)))
    shown_at = visible.find(_normalised(lead))
    if shown_at < 0:
        return text
    body_at = visible.find(_normalised(text.partition("\n\n")[0])[:200])
    if 0 <= body_at < shown_at:
        return text
    return f"{lead}\n\n{text}"


def _reads_like_a_lead(lead: str) -> bool:
    """Sentences of some length, whole, not a headline's capitals nor a dateline."""
    words = [word for word in lead.split() if any(c.isalpha() for c in word)]
    capitalised = sum(1 for word in words if word[0].isupper())
    return (len(words) >= MIN_LEAD_WORDS and not lead.endswith(_CUT_SHORT) and not _DATELINE.search(lead)
            and capitalised <= HEADLINE_CASE_SHARE * len(words))


def _holds(text: str, lead: str) -> bool:
    """``text`` has at least ``HELD_SHARE`` of the lead's words (counted with repeats)."""
    wanted = Counter(WORD.findall(lead.casefold()))
    present = Counter(WORD.findall(text.casefold()))
    found = sum(min(count, present[word]) for word, count in wanted.items())
    return found >= HELD_SHARE * sum(wanted.values())


def _visible_strings(tree):
    """The text nodes of the page's body, in document order (scripts, styles and comments aside)."""
    body = tree.find(".//body")
    for element in (body if body is not None else tree).iter():
        if element.tag not in NEVER_TEXT_TAGS and element.text:
            yield element.text
        if element.tail:
            yield element.tail


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()
