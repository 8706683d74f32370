"""The two benchmark data sets in ``../shared/benchmarks``: pages, gold values, and the WCXB split.

A page is a ``BenchPage``: its data set, id, gzip path and gold fields. WCXB pages are
split deterministically into a tuning half and a held-out half by a hash of their id,
so the split never changes between runs or machines.
"""
import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

__all__ = ["BenchPage", "DEFAULT_ROOT", "load_aeb", "load_wcxb", "wcxb_half", "read_html"]

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
AEB_DIR = "aeb"
WCXB_DIR = "wcxb-dev-articles"
TUNING, HELD_OUT = "tuning", "held-out"


@dataclass(frozen=True)
class BenchPage:
    """One benchmark page and what it should give."""

    dataset: str  # "aeb" | "wcxb"
    page_id: str
    path: str  # the .html.gz file
    body: str  # gold main text
    title: Optional[str] = None
    author: Optional[str] = None
    published: Optional[str] = None  # YYYY-MM-DD
    with_snippets: Tuple[str, ...] = field(default=(), repr=False)
    without_snippets: Tuple[str, ...] = field(default=(), repr=False)
    half: Optional[str] = None  # WCXB: "tuning" | "held-out"


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
