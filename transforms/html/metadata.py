"""Article metadata a page declares: title, authors and dates from JSON-LD, meta tags and markup.

``page_metadata(tree)`` reads a parsed page (lxml) and returns what it finds, most
explicit source first: schema.org JSON-LD (NewsArticle, BlogPosting, ...), OpenGraph and
``<meta>`` tags, then markup (``<h1>``, ``<time>``, ``rel=author`` and byline elements).
The title is the page's headline: the ``<h1>`` that agrees with the declared title, else
the declared title without its " | Site" suffix. Pure functions (no Beam); never raises.
"""
import html
import json
from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional, Tuple

from transforms.html.bylines import (
    author_box_authors, author_link_authors, byline_authors, clean_author_names, described_authors, is_handle,
    labelled_byline_authors, site_owner_authors, without_site,
)
from transforms.html.titles import choose_title
from transforms.text.metadata import split_authors
from transforms.html.selectors import (
    ARTICLE_TYPES, FOUR_DIGIT_YEAR, H1, H1_KICKER, HEAD_TITLE, ITEMPROP_PUBLISHED, JSON_CONTROL_CHARS, JSON_LD, META_AUTHORS,
    META_MODIFIED, META_PUBLISHED, META_SITE_NAMES, META_TITLES, PAGE_TYPES, TIME_PUBLISHED, TWITTER_AUTHOR_DATA,
    URL_LIKE,
)

__all__ = ["PageMetadata", "page_metadata"]

MAX_JSON_LD_CHARS = 1_000_000
MAX_HEADLINES = 3


@dataclass(frozen=True)
class PageMetadata:
    """What the page declares; every field may be missing."""

    title: Optional[str] = None
    authors: Tuple[str, ...] = ()  # people
    organisations: Tuple[str, ...] = ()  # an organisation named as the author (a last resort)
    published: Optional[str] = None  # the declared string; parse with dates.parse_datetime_utc
    updated: Optional[str] = None
    site_name: Optional[str] = None
    body: Optional[str] = None  # JSON-LD articleBody: the text of a page that renders it by script
    headlines: Tuple[str, ...] = ()  # the h1s as shown, kicker and all: a text's first line may repeat one


def page_metadata(tree) -> PageMetadata:
    """Title, authors, dates and site name declared by the page ``tree`` (an lxml HTML tree)."""
    article, page = _json_ld_article(tree)
    publishers = _publisher_names(article, page)
    site_names = _strings(META_SITE_NAMES(tree)) + publishers  # every name strips a title suffix
    site_name = _first(site_names)
    people, organisations = _authors(tree, article, _strings([site_name]) + publishers)
    meta_titles = _strings([_json_str(article.get("headline")), _json_str(page.get("name"))])
    meta_titles += _strings(META_TITLES(tree)) + _strings(HEAD_TITLE(tree)[:1])
    h1s = H1(tree)
    shown = [_spaced_text(h1) for h1 in h1s]  # as the page shows them, kicker and all
    return PageMetadata(
        title=choose_title(_strings(map(_without_kicker, h1s, shown)), meta_titles, site_names),
        authors=people,
        organisations=organisations,
        published=_first_dated(_published_candidates(tree, article, page)),
        updated=_first(_strings([_json_str(article.get("dateModified"))]) + _strings(META_MODIFIED(tree))),
        site_name=site_name,
        body=_json_str(article.get("articleBody")),
        headlines=tuple(_strings(shown[:MAX_HEADLINES])),
    )


# --------------------------------------------------------------------------- JSON-LD


def _json_ld_article(tree) -> Tuple[dict, dict]:
    """(the first article-typed JSON-LD object, the first web-page-typed one); {} when absent."""
    article, page, by_id = {}, {}, {}
    for item in _json_ld_items(tree):
        types = _types(item)
        if isinstance(item.get("@id"), str):
            by_id.setdefault(item["@id"], item)
        if not article and types & ARTICLE_TYPES:
            article = item
        elif not page and types & PAGE_TYPES:
            page = item
    if article.get("author"):
        article = {**article, "author": _resolve_refs(article["author"], by_id)}
    return article, page


def _resolve_refs(value, by_id: dict):
    """``value`` with bare references (``{"@id": ...}`` without a name) replaced by the objects they name."""
    if isinstance(value, list):
        return [_resolve_refs(item, by_id) for item in value]
    if isinstance(value, dict) and "name" not in value and isinstance(value.get("@id"), str):
        return by_id.get(value["@id"], value)
    return value


def _json_ld_items(tree) -> Iterator[dict]:
    """Every JSON object in the page's JSON-LD blocks, ``@graph`` members and lists flattened."""
    for text in JSON_LD(tree):
        if len(text) > MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(JSON_CONTROL_CHARS.sub(" ", text))
        except ValueError:
            continue
        yield from _flatten(data, depth=0)


def _flatten(data, depth: int) -> Iterator[dict]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if isinstance(data.get("@graph"), list):
            yield from _flatten(data["@graph"], depth + 1)
        if isinstance(data.get("mainEntity"), (dict, list)):
            yield from _flatten(data["mainEntity"], depth + 1)


def _types(item: dict) -> frozenset:
    value = item.get("@type")
    values = value if isinstance(value, list) else [value]
    return frozenset(v.lower() for v in values if isinstance(v, str))


def _json_str(value) -> Optional[str]:
    """A JSON-LD string value (the first of a list), HTML entities decoded; None when absent."""
    if isinstance(value, list) and value:
        value = value[0]
    return html.unescape(value).strip() if isinstance(value, str) and value.strip() else None


def _publisher_names(article: dict, page: dict) -> List[str]:
    names = []
    for item in (article, page):
        publisher = item.get("publisher")
        if isinstance(publisher, list) and publisher:
            publisher = publisher[0]
        if isinstance(publisher, dict):
            names.append(_json_str(publisher.get("name")))
    return _strings(names)


def _json_ld_authors(article: dict) -> Tuple[List[str], List[str]]:
    """(person names, organisation names) of the article's JSON-LD authors."""
    value = article.get("author") or article.get("creator")
    items = value if isinstance(value, list) else [value]
    people, others = [], []
    for item in items:
        if isinstance(item, str) and not URL_LIKE.search(item.strip()):
            people.append(html.unescape(item))
        elif isinstance(item, dict) and (name := _json_ld_name(item)):
            (others if "organization" in _types(item) else people).append(name)
    return _strings(people), _strings(others)


def _json_ld_name(item: dict) -> Optional[str]:
    """A JSON-LD person's or organisation's name, else its givenName and familyName joined."""
    parts = [_json_str(item.get(key)) for key in ("givenName", "familyName")]
    return _json_str(item.get("name")) or (" ".join(p for p in parts if p) or None)


# --------------------------------------------------------------------------- markup


def _authors(tree, article: dict, site_names: List[str]) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """(people, organisations): people by JSON-LD, then author meta tags, then bylines in the markup,
    then links to an author page, the page's first author box, a "written by" in its description
    and the owner a personal site's title names ("Jane Doe's blog").

    The site named as a co-author ("Jane Doe, The Gazette") is dropped. User handles ("jdoe")
    are only taken when no source names a person.
    """
    people, organisations = _json_ld_authors(article)
    handles = ()
    for candidates in _author_sources(tree, people):
        names = without_site(clean_author_names(split_authors(candidates)), site_names)
        if names and not all(is_handle(name) for name in names):
            return names, ()
        handles = handles or names
    return handles, () if handles else clean_author_names(split_authors(organisations))


def _author_sources(tree, people: List[str]) -> Iterator[List[str]]:
    """The author candidates of each source, most explicit first, each read only when needed."""
    yield people
    yield _meta_authors(tree)
    yield byline_authors(tree)
    yield labelled_byline_authors(tree)
    yield author_link_authors(tree)
    yield author_box_authors(tree)
    yield described_authors(tree)
    yield site_owner_authors(tree)


def _meta_authors(tree) -> List[str]:
    values = _strings(META_AUTHORS(tree)) + _strings(TWITTER_AUTHOR_DATA(tree))
    return [value for value in values if not URL_LIKE.search(value)][:1]


def _without_kicker(h1, text: str) -> str:
    """The h1's ``text`` without a kicker its markup names ("<span class='topline'>"), which would otherwise be
    glued to the headline ("Premier League Rückschlag im Titelkampf")."""
    for kicker in H1_KICKER(h1)[:1]:
        label = _spaced_text(kicker)
        rest = text[len(label):].lstrip(" :-–—|")
        if label and text.startswith(label) and rest:
            return rest
    return text


def _spaced_text(element) -> str:
    """The element's text, a space put where an element boundary glues two words ("Nationale Demo" +
    "Der 9. Juli" is not "Nationale DemoDer 9. Juli"); a drop cap ("N" + "a endlich") stays joined."""
    text = ""
    for piece in element.itertext():
        if text[-1:].isalnum() and piece[:1].isupper() and len(text) > 1 and not text[-2].isspace():
            text += " "
        text += piece
    return " ".join(text.split())


def _strings(values: Iterable) -> List[str]:
    """Non-empty, whitespace-collapsed strings, in order."""
    cleaned = (" ".join(v.split()) for v in values if isinstance(v, str))
    return [v for v in cleaned if v]


def _published_candidates(tree, article: dict, page: dict) -> Iterator[str]:
    """Declared publication dates, most explicit source first; each source is read only when reached."""
    yield from _strings([_json_str(article.get("datePublished")), _json_str(page.get("datePublished"))])
    for source in (META_PUBLISHED, ITEMPROP_PUBLISHED, TIME_PUBLISHED):
        yield from _strings(source(tree))


def _first_dated(values: Iterable[str]) -> Optional[str]:
    """The first date with a four-digit year ("2024-10-08" before an ambiguous "01/07/16"), else the first."""
    first = None
    for value in values:
        if FOUR_DIGIT_YEAR.search(value):
            return value
        first = first or value
    return first


def _first(values: List[str]) -> Optional[str]:
    return values[0] if values else None
