"""Per-page scores and per-set summaries for the extraction benchmark table."""
from typing import Dict, Iterable, List

from benchmarks.datasets import BenchPage
from benchmarks.metrics import (
    aeb_summary, author_matches, date_matches, exact_match, shingle_scores,
    snippet_share, title_matches, word_f1,
)
from benchmarks.runners import Prediction

__all__ = ["score_page", "summarise_aeb", "summarise_wcxb"]


def score_page(page: BenchPage, pred: Prediction) -> dict:
    """Every per-page number either benchmark needs."""
    found_with, total_with = snippet_share(page.with_snippets, pred.text)
    found_without, total_without = snippet_share(page.without_snippets, pred.text)
    return {
        "shingles": shingle_scores(page.body, pred.text),
        "exact": exact_match(page.body, pred.text),
        "word_f1": word_f1(page.body, pred.text),
        "with": (found_with, total_with),
        "without": (found_without, total_without),
        "title": title_matches(page.title, pred.title) if page.title else None,
        "author": author_matches(page.author, pred.authors) if page.author else None,
        "date": date_matches(page.published, pred.published) if page.published else None,
        "seconds": pred.seconds,
    }


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def _share(pairs: Iterable[tuple]) -> float:
    pairs = list(pairs)
    total = sum(t for _, t in pairs)
    return sum(f for f, _ in pairs) / total if total else float("nan")


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
        "title": _mean(float(s["title"]) for s in scores if s["title"] is not None),
        "author": _mean(float(s["author"]) for s in scores if s["author"] is not None),
        "date": _mean(float(s["date"]) for s in scores if s["date"] is not None),
        "pages_per_s": _speed(scores),
    }
