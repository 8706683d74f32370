"""The two extractors compared, each on one page's bytes, timed.

``NewsbeamRunner`` runs newsbeam's real HTML path: ``split_file`` (format "html", as the
pipeline reads a ``.html`` file) -> ``extract_document`` -> ``build_article`` with the
packaged rule packs; what it scores are the Article row's ``text``, ``title``,
``authors``, ``published_at`` and ``topics``. ``run_trafilatura`` is trafilatura with its
default settings (``bare_extraction``: text plus comments, as ``extract`` returns them;
its ``;``-joined author string split into names; its categories and tags as topics, the
same two lists newsbeam's HTML path takes its topics from).
"""
import time
from dataclasses import dataclass
from typing import Optional, Tuple

import trafilatura

from pipelines.run.config import build_settings
from pipelines.run.run_context import new_run_context
from transforms.text.article import build_article
from transforms.text.boilerplate import load_rules
from transforms.errors import RejectError
from transforms.sources.formats import extract_document, split_file

__all__ = ["Prediction", "NewsbeamRunner", "run_trafilatura"]


@dataclass(frozen=True)
class Prediction:
    """What one extractor made of one page, and how long it took."""

    text: str
    title: Optional[str]
    authors: Tuple[str, ...]
    published: Optional[str]  # ISO 8601: a day (YYYY-MM-DD) or an instant with its offset
    seconds: float
    error: Optional[str] = None  # a reject reason, or an exception name
    topics: Tuple[str, ...] = ()


class NewsbeamRunner:
    """newsbeam's batch path on one HTML page, with the packaged default config."""

    def __init__(self):
        settings = build_settings({}, {})
        self._rules = load_rules(settings.rule_packs)
        self._ctx = new_run_context(settings)

    def __call__(self, data: bytes, uri: str) -> Prediction:
        started = time.perf_counter()
        try:
            (unit,) = split_file(data, uri, "html")
            row = build_article(extract_document(unit), self._rules, self._ctx)
        except RejectError as err:
            return Prediction("", None, (), None, time.perf_counter() - started, err.reason)
        published = row["published_at"].isoformat() if row["published_at"] else None
        return Prediction(row["text"], row["title"], tuple(row["authors"]), published,
                          time.perf_counter() - started, topics=tuple(row["topics"]))


def run_trafilatura(data: bytes, uri: str) -> Prediction:
    """trafilatura 2.x with default settings, metadata included."""
    started = time.perf_counter()
    try:
        document = trafilatura.bare_extraction(data, with_metadata=True)
    except Exception as exc:  # noqa: BLE001 -- a benchmark row, not a pipeline
        return Prediction("", None, (), None, time.perf_counter() - started, type(exc).__name__)
    seconds = time.perf_counter() - started
    if document is None:
        return Prediction("", None, (), None, seconds, "no_result")
    text = "\n".join(part for part in (document.text, document.comments) if part)
    authors = tuple(a.strip() for a in (document.author or "").split(";") if a.strip())
    topics = tuple(t for t in [*(document.categories or ()), *(document.tags or ())] if t and t.strip())
    return Prediction(text, document.title, authors, document.date, seconds, topics=topics)
