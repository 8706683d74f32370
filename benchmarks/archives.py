"""Web archives against loose pages: the same benchmark pages in WARC files and as ``.html`` files.

    python benchmarks/archives.py [--sets aeb wcxb fundus] [--limit N] [--per-file 100] [--show 8]

For each data set (AEB, WCXB dev, fundus-dev; ``benchmarks/datasets.py``), writes its pages
into WARC files of ``--per-file`` pages each, built with warcio's ``WARCWriter`` as Common
Crawl ships them (a gzip member per record; a ``warcinfo`` record, then a ``request`` and a
``response`` record per page, WARC-Date a fixed capture time), and the same bytes as loose
``<set>__<page id>.html`` files. Each page's WARC-Target-URI is its URL: fundus-dev's
``url``, the ``url`` of WCXB's ground-truth JSON, and for AEB (no URL) a made-up unique
``https://aeb.example/<page id>``. Then ``newsbeam run`` (a subprocess, defaults, each run
into a fresh output) once on the set's WARC files and once on its loose files, timed from
start to exit with the peak RSS of the whole process tree (``benchmarks/process_tree.py``).

Rows are matched to pages by ``source_uri``: a WARC row's file and record offset (kept while
writing), a loose row's file name. Per page the outcome is compared: article in both (then
the columns), or the same non-article outcome (duplicate, rejected with the same reason).
The headline figure is the share of pages identical over the content columns
(``CONTENT``: title, authors, language, topics, text, content_hash); ``published_at`` is
reported apart, since a WARC page without a date of its own gets the capture time and a
loose page none; url, id and source are not compared (a loose page has a URL only when it
declares one). Prints one table (a row per set and a total; CPU time too, steadier than
pages/s on a shared machine), the WARC records counted as not units, the non-articles alike in
both runs, then the first ``--show`` differing pages with the columns that differ and how.
Linux (reads /proc).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow.dataset as ds  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from benchmarks.datasets import load_aeb, load_fundus, load_wcxb, read_html  # noqa: E402
from benchmarks.process_tree import run_measured  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MIB = 2 ** 20
SETS = ("aeb", "wcxb", "fundus")
SET_NAMES = {"aeb": "AEB", "wcxb": "WCXB dev", "fundus": "fundus-dev"}
CAPTURED = "2024-01-15T12:00:00Z"  # every record's WARC-Date
CAPTURED_AT = datetime(2024, 1, 15, 12, 0, tzinfo=timezone.utc)
CONTENT = ("title", "authors", "language", "topics", "text", "content_hash")
COLUMNS = CONTENT + ("word_count", "published_at")
READ_COLUMNS = ("source_uri",) + COLUMNS
SEPARATOR = "__"  # loose file name: <set>__<page id>.html


@dataclass(frozen=True)
class Page:
    """One benchmark page as written: its key (``<set>__<page id>``), URL and HTML bytes."""

    key: str
    dataset: str
    url: str
    html: bytes


# --- pages -------------------------------------------------------------------------------------

def _wcxb_url(page) -> Optional[str]:
    record = json.loads((Path(page.path).parent.parent / "ground-truth" / f"{page.page_id}.json").read_text())
    return record.get("url")


def page_url(dataset: str, page) -> str:
    """The page's URL: its own (fundus, WCXB), else a made-up unique one on ``<set>.example``."""
    url = page.url if dataset == "fundus" else _wcxb_url(page) if dataset == "wcxb" else None
    return url or f"https://{dataset}.example/{page.page_id}"


def load_pages(dataset: str, limit: Optional[int] = None) -> List[Page]:
    """The set's pages (the first ``limit``), each with a URL no other page of the set has."""
    loader = {"aeb": load_aeb, "wcxb": load_wcxb, "fundus": load_fundus}[dataset]
    pages, seen = [], set()
    for page in loader()[:limit]:
        url = page_url(dataset, page)
        if url in seen:  # one URL, one id: a second page there would be a duplicate in the WARC run only
            url = f"https://{dataset}.example/{page.page_id}"
        seen.add(url)
        pages.append(Page(f"{dataset}{SEPARATOR}{page.page_id}", dataset, url, read_html(page)))
    return pages


# --- writing -----------------------------------------------------------------------------------

def write_warc(pages: Iterable[Page], handle, name: str = "pages.warc.gz") -> Dict[int, str]:
    """``pages`` as one gzip-per-record WARC into ``handle``: a warcinfo record, then a request
    and a 200 ``text/html`` response per page. Returns response record offset -> page key."""
    writer = WARCWriter(handle, gzip=True)
    writer.write_record(writer.create_warcinfo_record(name, {"software": "newsbeam benchmarks/archives.py",
                                                             "format": "WARC File Format 1.1"}))
    offsets = {}
    for page in pages:
        parts = urlsplit(page.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = StatusAndHeaders(f"GET {target} HTTP/1.1", [("Host", parts.netloc)], is_http_request=True)
        writer.write_record(writer.create_warc_record(page.url, "request", http_headers=request,
                                                      warc_headers_dict={"WARC-Date": CAPTURED}))
        offsets[handle.tell()] = page.key
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(page.url, "response", payload=BytesIO(page.html),
                                                      http_headers=headers, warc_headers_dict={"WARC-Date": CAPTURED}))
    return offsets


def write_inputs(pages: List[Page], folder: Path, per_file: int) -> Tuple[Dict[Tuple[str, int], str], int]:
    """WARC files (``warc/<set>-NNN.warc.gz``, ``per_file`` pages each) and loose files
    (``loose/<key>.html``) under ``folder``. Returns ((WARC file name, offset) -> key, WARC files)."""
    (folder / "warc").mkdir(parents=True)
    (folder / "loose").mkdir()
    where, files = {}, 0
    for start in range(0, len(pages), per_file):
        name = f"{pages[start].dataset}-{start // per_file:03d}.warc.gz"
        with open(folder / "warc" / name, "wb") as handle:
            offsets = write_warc(pages[start:start + per_file], handle, name)
        where.update(((name, offset), key) for offset, key in offsets.items())
        files += 1
    for page in pages:
        (folder / "loose" / f"{page.key}.html").write_bytes(page.html)
    return where, files


# --- reading the outputs -----------------------------------------------------------------------

def read_rows(out: Path, kind: str, columns: Iterable[str]) -> list:
    folder = out / kind
    if not folder.is_dir():
        return []
    dataset = ds.dataset(str(folder), format="parquet", partitioning="hive")
    return dataset.to_table(columns=[c for c in columns if c in dataset.schema.names]).to_pylist()


def warc_key(source_uri: str, where: Dict[Tuple[str, int], str]) -> Optional[str]:
    """The page key of a WARC row (``.../name.warc.gz#offset=N``), None when unknown."""
    path, _, fragment = (source_uri or "").partition("#offset=")
    try:
        return where.get((os.path.basename(path), int(fragment)))
    except ValueError:
        return None


def loose_key(source_uri: str) -> Optional[str]:
    """The page key of a loose row (``.../<key>.html``)."""
    name = os.path.basename(source_uri or "")
    return name[:-len(".html")] if name.endswith(".html") else None


def outcomes(out: Path, key_of) -> Dict[str, object]:
    """page key -> its article row, or ``"duplicate"`` / ``"rejected: <reason>"``."""
    found: Dict[str, object] = {}
    for row in read_rows(out, "rejected", ("source_uri", "reason")):
        found[key_of(row["source_uri"])] = f"rejected: {row['reason']}"
    for row in read_rows(out, "duplicates", ("source_uri",)):
        found[key_of(row["source_uri"])] = "duplicate"
    for row in read_rows(out, "articles", READ_COLUMNS):
        found[key_of(row["source_uri"])] = row
    found.pop(None, None)
    return found


# --- comparing ---------------------------------------------------------------------------------

def differing_columns(warc, loose, columns=COLUMNS) -> List[str]:
    """The columns where the two outcomes of one page differ; ``["outcome"]`` when one is not
    an article (or they are different non-articles); [] when identical."""
    if not isinstance(warc, dict) or not isinstance(loose, dict):
        return [] if warc == loose else ["outcome"]
    return [column for column in columns if warc.get(column) != loose.get(column)]


def is_date_fallback(warc, loose) -> bool:
    """The WARC page's date is the capture time because the page (loose) has none."""
    return loose.get("published_at") is None and warc.get("published_at") == CAPTURED_AT


def compare(keys: Iterable[str], warc: Dict[str, object], loose: Dict[str, object]) -> dict:
    """Counts over ``keys`` and the differing pages ((key, columns), in key order).

    ``content``: identical over CONTENT (and the same outcome); ``dated``: pages whose loose
    run found a date; ``date_same``: of them, the same published_at; ``date_fallback``:
    pages with no date of their own given the capture time in the WARC run; ``all``:
    identical over every compared column, a capture-time fallback date counted as the same;
    ``same_non_article``: outcome -> pages that are not an article in either run, alike."""
    summary = {"pages": 0, "content": 0, "dated": 0, "date_same": 0, "date_fallback": 0, "all": 0, "differing": [],
               "same_non_article": {}}
    for key in sorted(keys):
        a, b = warc.get(key, "missing"), loose.get(key, "missing")
        summary["pages"] += 1
        content = differing_columns(a, b, CONTENT)
        columns = differing_columns(a, b)
        if isinstance(a, dict) and isinstance(b, dict):
            if b.get("published_at") is not None:
                summary["dated"] += 1
                summary["date_same"] += a.get("published_at") == b.get("published_at")
            elif is_date_fallback(a, b):
                summary["date_fallback"] += 1
                columns = [column for column in columns if column != "published_at"]
        if not isinstance(a, dict) and a == b:
            summary["same_non_article"][a] = summary["same_non_article"].get(a, 0) + 1
        summary["content"] += not content
        summary["all"] += not columns
        if columns:
            summary["differing"].append((key, columns))
    return summary


def _short(value, width: int = 60) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    text = " ".join(str(value).split()) if value is not None else "None"
    return text if len(text) <= width else text[:width - 1] + "…"


def describe(column: str, warc, loose) -> str:
    """One differing column, readable: the two values, or for text where they part."""
    if column == "outcome":
        return f"outcome: warc {_short(warc if not isinstance(warc, dict) else 'article')} / " \
               f"loose {_short(loose if not isinstance(loose, dict) else 'article')}"
    a, b = warc.get(column), loose.get(column)
    if column == "text" and a is not None and b is not None:
        at = next((n for n, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return (f"text: {len(a.split())} vs {len(b.split())} words, parting at char {at}: "
                f"warc {_short(a[at:at + 40], 42)!r} / loose {_short(b[at:at + 40], 42)!r}")
    if column == "content_hash":
        return "content_hash"
    return f"{column}: warc {_short(a)!r} / loose {_short(b)!r}"


# --- running -----------------------------------------------------------------------------------

def run_newsbeam(pattern: str, out: Path, run_id: str) -> dict:
    command = [sys.executable, "-m", "pipelines.cli.main", "-q", "run", "--input", pattern,
               "--output", str(out), "--run-id", run_id]
    measured = run_measured(command, cwd=str(REPO))
    if measured.returncode != 0:
        raise SystemExit(f"newsbeam run on {pattern}: exit {measured.returncode}\n{measured.stderr[-3000:]}")
    manifest = json.loads((out / "_runs" / f"{run_id}.json").read_text())
    return {"seconds": measured.seconds, "peak": measured.peak_tree_bytes, "cpu": measured.cpu_seconds,
            "load": measured.max_load, "counts": manifest["counts"],
            "skipped": manifest.get("archive_records_skipped") or {}}


def measure_set(dataset: str, limit: Optional[int], per_file: int, work: Path) -> dict:
    pages = load_pages(dataset, limit)
    folder = work / dataset
    where, files = write_inputs(pages, folder, per_file)
    warc_run = run_newsbeam(str(folder / "warc" / "*.warc.gz"), folder / "out-warc", f"warc-{dataset}")
    loose_run = run_newsbeam(str(folder / "loose" / "*.html"), folder / "out-loose", f"loose-{dataset}")
    warc = outcomes(folder / "out-warc", lambda uri: warc_key(uri, where))
    loose = outcomes(folder / "out-loose", loose_key)
    shutil.rmtree(folder)
    return {"dataset": dataset, "pages": len(pages), "files": files, "warc_run": warc_run, "loose_run": loose_run,
            "summary": compare([page.key for page in pages], warc, loose), "warc": warc, "loose": loose}


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def table(results: List[dict]) -> str:
    """One row per set (WARC / loose side by side), and a total row when there are several sets."""
    lines = ["| set | pages | WARC files | pages/s WARC / loose | CPU s WARC / loose | peak RSS MB WARC / loose "
             "| articles WARC / loose | identical content | published_at same (pages the loose run dated) "
             "| capture-time fallback dates | identical, all columns |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    keys = ("pages", "files", "ws", "ls", "wc", "lc", "wp", "lp", "wa", "la",
            "content", "dated", "date_same", "date_fallback", "all")
    total = dict.fromkeys(keys, 0)
    rows = []
    for result in results:
        w, lo, s = result["warc_run"], result["loose_run"], result["summary"]
        row = {"name": SET_NAMES[result["dataset"]], "pages": result["pages"], "files": result["files"],
               "ws": w["seconds"], "ls": lo["seconds"], "wc": w["cpu"], "lc": lo["cpu"], "wp": w["peak"],
               "lp": lo["peak"], "wa": w["counts"]["articles"], "la": lo["counts"]["articles"],
               **{k: s[k] for k in ("content", "dated", "date_same", "date_fallback", "all")}}
        rows.append(row)
        for key in keys:
            total[key] = max(total[key], row[key]) if key in ("wp", "lp") else total[key] + row[key]
    if len(rows) > 1:
        rows.append({"name": "**total**", **total})
    for r in rows:
        lines.append(f"| {r['name']} | {r['pages']} | {r['files']} | {r['pages'] / r['ws']:.1f} / "
                     f"{r['pages'] / r['ls']:.1f} | {r['wc']:.0f} / {r['lc']:.0f} | "
                     f"{r['wp'] / MIB:,.0f} / {r['lp'] / MIB:,.0f} | {r['wa']} / {r['la']} | "
                     f"{_share(r['content'], r['pages'])} | {_share(r['date_same'], r['dated'])} ({r['dated']}) | "
                     f"{r['date_fallback']} | {_share(r['all'], r['pages'])} |")
    return "\n".join(lines)


def differences(results: List[dict], show: int) -> str:
    lines = []
    for result in results:
        for key, columns in result["summary"]["differing"]:
            a, b = result["warc"].get(key, "missing"), result["loose"].get(key, "missing")
            lines.append(f"- {key}: " + "; ".join(describe(column, a, b) for column in columns))
    if not lines:
        return "No page differs."
    head = f"{len(lines)} pages differ" + (f"; the first {show}:" if len(lines) > show else ":")
    return "\n".join([head] + lines[:show])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--limit", type=int, default=None, help="pages per set (default: all)")
    parser.add_argument("--per-file", type=int, default=100, help="pages per WARC file (default 100)")
    parser.add_argument("--show", type=int, default=8, help="differing pages to list (default 8)")
    args = parser.parse_args(argv)
    if args.per_file < 1:
        parser.error("--per-file must be at least 1")
    results = []
    with tempfile.TemporaryDirectory(prefix="newsbeam-archives-") as work:
        for dataset in args.sets:
            results.append(measure_set(dataset, args.limit, args.per_file, Path(work)))
            print(f"{dataset}: {results[-1]['pages']} pages done", file=sys.stderr, flush=True)
    load = max(run[key]["load"] for run in results for key in ("warc_run", "loose_run"))
    print(f"newsbeam run on WARC files (gzip per record, {args.per_file} pages per file) and on the same pages "
          f"as loose .html files: pages/s over the wall time from start to exit (Beam start-up included), CPU "
          f"time and peak RSS of the process tree; {os.cpu_count()} cores, highest 1-minute load average "
          f"seen {load:.1f}\n")
    print(table(results))
    skipped = _summed(result["warc_run"]["skipped"] for result in results)
    print(f"\nWARC records that are not units (counted by kind in the manifests): {_listing(skipped)}\n")
    same = _summed(result["summary"]["same_non_article"] for result in results)
    print(f"Pages that are not articles, alike in both runs: {_listing(same)}\n")
    print(differences(results, args.show))
    return 0


def _summed(counters) -> Dict[str, int]:
    """Several {name: count} dicts added up."""
    total: Dict[str, int] = {}
    for counter in counters:
        for name, count in counter.items():
            total[name] = total.get(name, 0) + count
    return total


def _listing(counts: Dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items())) or "none"


if __name__ == "__main__":
    raise SystemExit(main())
