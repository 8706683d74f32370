"""Per-page scores and per-set summaries for the extraction benchmark tables.

A score is None where the page has no gold value for it, so that the summaries average
each metric over the pages that can be scored on it only.
"""
from typing import Dict, Iterable, List

from benchmarks.datasets import BenchPage
from benchmarks.metrics import (
    aeb_summary, author_matches, date_matches, exact_match, lead_present, shingle_scores,
    snippet_share, title_matches, topic_jaccard, word_f1,
)
from benchmarks.runners import Prediction

__all__ = ["score_page", "summarise_aeb", "summarise_wcxb", "summarise_fundus"]


def score_page(page: BenchPage, pred: Prediction) -> dict:
    """Every per-page number any of the benchmarks needs (one shape for all, for the dump)."""
    return {**_text_scores(page, pred), **_metadata_scores(page, pred), "seconds": pred.seconds}


def _text_scores(page: BenchPage, pred: Prediction) -> dict:
    return {
        "shingles": shingle_scores(page.body, pred.text),
        "exact": exact_match(page.body, pred.text),
        "word_f1": word_f1(page.body, pred.text),
        "with": snippet_share(page.with_snippets, pred.text),
        "without": snippet_share(page.without_snippets, pred.text),
        "lead": lead_present(page.lead, pred.text) if page.lead.strip() else None,
    }


def _metadata_scores(page: BenchPage, pred: Prediction) -> dict:
    """A gold author list (fundus) wins over a byline string (WCXB); a page has one or the other."""
    gold_authors = page.authors or page.author
    return {
        "title": title_matches(page.title, pred.title) if page.title else None,
        "author": author_matches(gold_authors, pred.authors) if gold_authors else None,
        "date": date_matches(page.published, pred.published) if page.published else None,
        "topics": topic_jaccard(page.topics, pred.topics) if page.topics else None,
    }


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def _share(pairs: Iterable[tuple]) -> float:
    pairs = list(pairs)
    total = sum(t for _, t in pairs)
    return sum(f for f, _ in pairs) / total if total else float("nan")


def _mean_known(scores: List[dict], key: str) -> float:
    """Mean of ``key`` over the pages that have a gold value for it."""
    return _mean(float(s[key]) for s in scores if s[key] is not None)


def _speed(scores: List[dict]) -> float:
    seconds = sum(s["seconds"] for s in scores)
    return len(scores) / seconds if seconds else float("nan")


def summarise_aeb(scores: List[dict]) -> Dict[str, float]:
    """AEB: precision, recall, F1 (the benchmark's averaging), exact-match accuracy, pages/s."""
    summary = aeb_summary([s["shingles"] for s in scores])
    summary["accuracy"] = _mean(float(s["exact"]) for s in scores)
    summary["pages_per_s"] = _speed(scores)
    return summary


def summarise_wcxb(scores: List[dict]) -> Dict[str, float]:
    """WCXB: mean word F1, snippet shares, metadata accuracies (over pages with a gold value), pages/s."""
    return {
        "word_f1": _mean(s["word_f1"] for s in scores),
        "with": _share(s["with"] for s in scores),
        "without": _share(s["without"] for s in scores),
        "title": _mean_known(scores, "title"),
        "author": _mean_known(scores, "author"),
        "date": _mean_known(scores, "date"),
        "pages_per_s": _speed(scores),
    }


def summarise_fundus(scores: List[dict]) -> Dict[str, float]:
    """fundus-dev: mean body word F1, lead kept, metadata (each over pages with a gold value), pages/s."""
    summary = {key: _mean_known(scores, key) for key in ("word_f1", "lead", "title", "author", "date", "topics")}
    summary["pages_per_s"] = _speed(scores)
    return summary
