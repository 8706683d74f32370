"""Markdown tables for the extraction benchmark (newsbeam and trafilatura side by side)."""
from typing import Dict

__all__ = ["aeb_table", "wcxb_table", "fundus_table", "markdown"]

ENGINES = ("newsbeam", "trafilatura")

_AEB_ROWS = (
    ("precision (4-gram shingles)", "precision", "{:.3f}"),
    ("recall", "recall", "{:.3f}"),
    ("F1", "f1", "{:.3f}"),
    ("exact-match accuracy", "accuracy", "{:.3f}"),
    ("pages/s (one core)", "pages_per_s", "{:.1f}"),
)
_WCXB_ROWS = (
    ("word F1 (mean per page)", "word_f1", "{:.3f}"),
    ("`with` snippets present", "with", "{:.1%}"),
    ("`without` snippets leaked (lower is better)", "without", "{:.1%}"),
    ("title, normalised exact", "title", "{:.1%}"),
    ("author", "author", "{:.1%}"),
    ("published date (day)", "date", "{:.1%}"),
    ("pages/s (one core)", "pages_per_s", "{:.1f}"),
)

_FUNDUS_ROWS = (
    ("body word F1 (mean per page)", "word_f1", "{:.3f}"),
    ("lead present (pages with a lead)", "lead", "{:.1%}"),
    ("title, normalised exact", "title", "{:.1%}"),
    ("authors, as a set of names", "author", "{:.1%}"),
    ("published date (day)", "date", "{:.1%}"),
    ("topics Jaccard (pages with topics)", "topics", "{:.3f}"),
    ("pages/s (one core)", "pages_per_s", "{:.1f}"),
)


def _engine_table(heading: str, rows, summary: Dict[str, dict]) -> str:
    """One metric a row; columns newsbeam, trafilatura."""
    lines = [f"| {heading} | {' | '.join(ENGINES)} |", "|---|" + "---:|" * len(ENGINES)]
    for label, key, fmt in rows:
        lines.append(f"| {label} | {' | '.join(fmt.format(summary[e][key]) for e in ENGINES)} |")
    return "\n".join(lines)


def aeb_table(summary: Dict[str, dict], pages: int) -> str:
    """Rows of AEB metrics; columns newsbeam, trafilatura."""
    return _engine_table(f"AEB ({pages} pages)", _AEB_ROWS, summary)


def fundus_table(summary: Dict[str, dict], pages: int) -> str:
    """Rows of fundus-dev metrics; columns newsbeam, trafilatura."""
    return _engine_table(f"fundus-dev ({pages} pages)", _FUNDUS_ROWS, summary)


def wcxb_table(halves: Dict[str, Dict[str, dict]], pages: Dict[str, int]) -> str:
    """Rows of WCXB metrics; columns newsbeam and trafilatura for each half."""
    names = list(halves)
    header = " | ".join(f"{half} ({pages[half]}): newsbeam | trafilatura" for half in names)
    lines = [f"| WCXB dev articles | {header} |", "|---|" + "---:|" * (2 * len(names))]
    for label, key, fmt in _WCXB_ROWS:
        cells = " | ".join(fmt.format(halves[h][e][key]) for h in names for e in ENGINES)
        lines.append(f"| {label} | {cells} |")
    return "\n".join(lines)


def markdown(headers, rows) -> str:
    """A Markdown table: the first column left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(headers) + " |", "|---|" + "---:|" * (len(headers) - 1)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
