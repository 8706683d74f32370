"""The benchmark data sets in ``../shared/benchmarks``: pages, gold values, and the WCXB split.

A page is a ``BenchPage``: its data set, id, gzip path and gold fields. AEB gives only a
body; WCXB adds title, author, date and snippets; fundus-dev (Fundus's parser test pages)
adds an author list, topics, the lead and the page URL. WCXB pages are split
deterministically into a tuning half and a held-out half by a hash of their id, so the
split never changes between runs or machines.
"""
import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

__all__ = ["BenchPage", "DEFAULT_ROOT", "load_aeb", "load_wcxb", "load_fundus", "wcxb_half", "read_html"]

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
AEB_DIR = "aeb"
WCXB_DIR = "wcxb-dev-articles"
FUNDUS_DIR = "fundus-dev"
TUNING, HELD_OUT = "tuning", "held-out"


@dataclass(frozen=True)
class BenchPage:
    """One benchmark page and what it should give."""

    dataset: str  # "aeb" | "wcxb" | "fundus"
    page_id: str
    path: str  # the .html.gz file
    body: str  # gold main text
    title: Optional[str] = None
    author: Optional[str] = None
    published: Optional[str] = None  # YYYY-MM-DD
    with_snippets: Tuple[str, ...] = field(default=(), repr=False)
    without_snippets: Tuple[str, ...] = field(default=(), repr=False)
    half: Optional[str] = None  # WCXB: "tuning" | "held-out"
    authors: Tuple[str, ...] = ()  # fundus: one entry per person, compared as a set
    topics: Tuple[str, ...] = ()  # fundus
    lead: str = field(default="", repr=False)  # fundus: the summary parts, blank-line joined
    url: Optional[str] = None  # fundus: where the page was fetched, given to newsbeam as its URI


def wcxb_half(page_id: str) -> str:
    """"tuning" or "held-out", by the first byte of the id's SHA-256 (about half each)."""
    return TUNING if hashlib.sha256(page_id.encode("utf-8")).digest()[0] % 2 == 0 else HELD_OUT


def read_html(page: BenchPage) -> bytes:
    """The page's HTML bytes (decompressed)."""
    return gzip.decompress(Path(page.path).read_bytes())


def load_aeb(root: Path = DEFAULT_ROOT) -> List[BenchPage]:
    """The AEB pages that have both HTML and a gold article body, by id."""
    folder = Path(root) / AEB_DIR
    gold = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(gold):
        path = folder / "html" / f"{page_id}.html.gz"
        if path.is_file():
            pages.append(BenchPage("aeb", page_id, str(path), gold[page_id].get("articleBody") or ""))
    return pages


def load_wcxb(root: Path = DEFAULT_ROOT) -> List[BenchPage]:
    """The WCXB dev article pages, each tagged with its half of the split."""
    folder = Path(root) / WCXB_DIR
    pages = []
    for gold_path in sorted((folder / "ground-truth").glob("*.json")):
        page_id = gold_path.stem
        path = folder / "html" / f"{page_id}.html.gz"
        if path.is_file():
            pages.append(_wcxb_page(page_id, path, json.loads(gold_path.read_text(encoding="utf-8"))))
    return pages


def _wcxb_page(page_id: str, path: Path, record: dict) -> BenchPage:
    gold = record.get("ground_truth") or {}
    return BenchPage(
        "wcxb", page_id, str(path), gold.get("main_content") or "",
        title=gold.get("title"), author=gold.get("author"), published=gold.get("publish_date"),
        with_snippets=tuple(gold.get("with") or ()), without_snippets=tuple(gold.get("without") or ()),
        half=wcxb_half(page_id),
    )


def load_fundus(root: Path = DEFAULT_ROOT) -> List[BenchPage]:
    """The fundus-dev pages that have both HTML and gold, by id (none when the folder is missing)."""
    folder = Path(root) / FUNDUS_DIR
    pages = []
    for gold_path in sorted((folder / "gold").glob("*.json")):
        path = folder / "html" / f"{gold_path.stem}.html.gz"
        if path.is_file():
            pages.append(_fundus_page(gold_path.stem, path, json.loads(gold_path.read_text(encoding="utf-8"))))
    return pages


def _fundus_page(page_id: str, path: Path, gold: dict) -> BenchPage:
    """``published`` is kept as its day (the first ten characters, the day in the gold's own
    offset), which is what ``date_matches`` compares against."""
    published = gold.get("published") or None
    return BenchPage(
        "fundus", page_id, str(path), gold.get("text") or "",
        title=gold.get("title"), published=published[:10] if published else None,
        authors=tuple(a for a in gold.get("authors") or () if a and a.strip()),
        topics=tuple(t for t in gold.get("topics") or () if t and t.strip()),
        lead="\n\n".join(part for part in gold.get("summary") or () if part and part.strip()),
        url=gold.get("url") or None,
    )
