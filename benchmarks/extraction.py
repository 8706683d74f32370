"""Extraction quality and speed: newsbeam's HTML path against trafilatura, one command.

    python benchmarks/extraction.py [--sets aeb wcxb fundus] [--jobs 2] [--limit N]
                                    [--data ../shared/benchmarks] [--dump FILE]

Runs both extractors on every page of the chosen sets (default all three), in the same
worker processes, and prints one Markdown table per set:

- aeb: the Scrapinghub article-extraction benchmark (body only: shingle P/R/F1, exact match);
- wcxb: the WCXB dev-split article pages, in two halves split by a hash of the page id: the
  tuning half (looked at while improving newsbeam) and the held-out half (never looked at);
- fundus: fundus-dev, news pages in many languages with Fundus's parser output as gold:
  body word F1, whether the lead is kept, title, authors (as a set), day, topics Jaccard.
  newsbeam is given the page's real URL, as production would.

pages/s is single-core throughput: pages divided by the summed extraction time.
``--limit N`` takes the first N pages of each set; ``--dump`` writes every page scored.
"""
import argparse
import json
import logging
import multiprocessing
import sys
import time
from pathlib import Path

from htmldate.extractors import external_date_parser

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.datasets import (  # noqa: E402
    DEFAULT_ROOT, HELD_OUT, TUNING, load_aeb, load_fundus, load_wcxb, read_html,
)
from benchmarks.runners import NewsbeamRunner, run_trafilatura  # noqa: E402
from benchmarks.scoring import score_page, summarise_aeb, summarise_fundus, summarise_wcxb  # noqa: E402
from benchmarks.table import ENGINES, aeb_table, fundus_table, wcxb_table  # noqa: E402

LOADERS = {"aeb": load_aeb, "wcxb": load_wcxb, "fundus": load_fundus}
_RUNNER = None


_WARM_UP_PAGE = (b"<html><head><title>Warm-up</title></head><body><h1>Warm-up</h1>"
                 b"<p>Posted on 3 March 2024 by Jane Doe.</p>" + b"<p>A sentence of text for the warm-up page.</p>" * 20
                 + b"</body></html>")


def _init_worker():
    global _RUNNER
    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # "discarding data" for every empty page
    _RUNNER = NewsbeamRunner()
    _warm_up()


def _warm_up():
    """One-time library set-up, kept out of both engines' per-page times: a first page through each,
    and dateparser's locale tables (~1.5 s), which htmldate loads on its first free-text date and
    which would otherwise be charged to whichever engine meets such a date first."""
    _RUNNER(_WARM_UP_PAGE, "file:///warm-up.html")
    run_trafilatura(_WARM_UP_PAGE, "file:///warm-up.html")
    external_date_parser("on the 3rd of the month in 2024", "%Y-%m-%d")


def _run_page(page):
    """(page, {engine: prediction}) for one page; both engines in the same process. The page's
    real URL when the gold has one (fundus), so newsbeam's URL-based logic runs as in production."""
    data = read_html(page)
    uri = page.url or f"file:///{page.dataset}/{page.page_id}.html"
    return page, {"newsbeam": _RUNNER(data, uri), "trafilatura": run_trafilatura(data, uri)}


def run_all(pages, jobs: int):
    """Predictions for every page, in page order, on ``jobs`` processes."""
    if jobs <= 1:
        _init_worker()
        return [_run_page(page) for page in pages]
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_init_worker) as pool:
        return list(pool.imap(_run_page, pages, chunksize=4))


def _set_names(value: str) -> list:
    """``--sets`` items, each may be comma-separated ("aeb,fundus")."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in LOADERS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(LOADERS)}")
    return names


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT,
                        help="folder holding aeb/, wcxb-dev-articles/ and fundus-dev/")
    parser.add_argument("--sets", type=_set_names, nargs="+", default=[list(LOADERS)],
                        help="data sets to run: aeb, wcxb, fundus (default all)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each data set")
    parser.add_argument("--dump", type=Path, help="write per-page predictions and scores as JSON lines")
    args = parser.parse_args(argv)
    args.sets = [name for name in LOADERS if any(name in chosen for chosen in args.sets)]
    return args


def _dump(path: Path, results, scores):
    with path.open("w", encoding="utf-8") as out:
        for (page, predictions), by_engine in zip(results, scores):
            record = {"dataset": page.dataset, "id": page.page_id, "half": page.half}
            for engine in ENGINES:
                record[engine] = {"prediction": predictions[engine].__dict__, "score": by_engine[engine]}
            out.write(json.dumps(record, default=str) + "\n")


def load_pages(root: Path, sets, limit: int) -> list:
    """The pages of the chosen sets in table order, the first ``limit`` of each when limit is set."""
    pages = []
    for name in sets:
        loaded = LOADERS[name](root)
        pages.extend(loaded[:limit] if limit else loaded)
    return pages


def _by_group(results, scores) -> dict:
    """Per-page scores grouped as the tables report them: aeb, each WCXB half, fundus."""
    groups = {}
    for (page, _), score in zip(results, scores):
        groups.setdefault(page.half if page.dataset == "wcxb" else page.dataset, []).append(score)
    return groups


def _summaries(scores, summarise) -> dict:
    return {e: summarise([s[e] for s in scores]) for e in ENGINES}


def tables(sets, groups) -> list:
    """One Markdown table per chosen set, in the order aeb, wcxb, fundus."""
    out = []
    if "aeb" in sets:
        out.append(aeb_table(_summaries(groups.get("aeb", []), summarise_aeb), len(groups.get("aeb", []))))
    if "wcxb" in sets:
        halves = {half: _summaries(groups.get(half, []), summarise_wcxb) for half in (TUNING, HELD_OUT)}
        out.append(wcxb_table(halves, {half: len(groups.get(half, [])) for half in halves}))
    if "fundus" in sets:
        out.append(fundus_table(_summaries(groups.get("fundus", []), summarise_fundus), len(groups.get("fundus", []))))
    return out


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    pages = load_pages(args.data, args.sets, args.limit)
    if not pages:
        print(f"no benchmark pages under {args.data}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    results = run_all(pages, args.jobs)
    scores = [{e: score_page(page, preds[e]) for e in ENGINES} for page, preds in results]
    if args.dump:
        _dump(args.dump, results, scores)
    print("\n\n".join(tables(args.sets, _by_group(results, scores))))
    print(f"\n{len(results)} pages, {time.perf_counter() - started:.0f} s wall clock on {max(args.jobs, 1)} process(es)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
