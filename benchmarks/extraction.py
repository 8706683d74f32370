"""Extraction quality and speed: newsbeam's HTML path against trafilatura, one command.

    python benchmarks/extraction.py [--jobs 2] [--limit N] [--data ../shared/benchmarks] [--dump FILE]

Runs both extractors on every page of the Scrapinghub article-extraction benchmark (AEB)
and of the WCXB dev-split article pages, in the same worker processes, and prints two
Markdown tables. WCXB is reported in two halves split by a hash of the page id: the
tuning half (looked at while improving newsbeam) and the held-out half (never looked at).
pages/s is single-core throughput: pages divided by the summed extraction time.
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

from benchmarks.datasets import DEFAULT_ROOT, HELD_OUT, TUNING, load_aeb, load_wcxb, read_html  # noqa: E402
from benchmarks.runners import NewsbeamRunner, run_trafilatura  # noqa: E402
from benchmarks.scoring import score_page, summarise_aeb, summarise_wcxb  # noqa: E402
from benchmarks.table import aeb_table, wcxb_table  # noqa: E402

ENGINES = ("newsbeam", "trafilatura")
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
    """(page, {engine: prediction}) for one page; both engines in the same process."""
    data = read_html(page)
    uri = f"file:///{page.dataset}/{page.page_id}.html"
    return page, {"newsbeam": _RUNNER(data, uri), "trafilatura": run_trafilatura(data, uri)}


def run_all(pages, jobs: int):
    """Predictions for every page, in page order, on ``jobs`` processes."""
    if jobs <= 1:
        _init_worker()
        return [_run_page(page) for page in pages]
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_init_worker) as pool:
        return list(pool.imap(_run_page, pages, chunksize=4))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT, help="folder holding aeb/ and wcxb-dev-articles/")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each data set")
    parser.add_argument("--dump", type=Path, help="write per-page predictions and scores as JSON lines")
    return parser.parse_args(argv)


def _dump(path: Path, results, scores):
    with path.open("w", encoding="utf-8") as out:
        for (page, predictions), by_engine in zip(results, scores):
            record = {"dataset": page.dataset, "id": page.page_id, "half": page.half}
            for engine in ENGINES:
                record[engine] = {"prediction": predictions[engine].__dict__, "score": by_engine[engine]}
            out.write(json.dumps(record, default=str) + "\n")


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    aeb, wcxb = load_aeb(args.data), load_wcxb(args.data)
    if args.limit:
        aeb, wcxb = aeb[:args.limit], wcxb[:args.limit]
    if not aeb and not wcxb:
        print(f"no benchmark pages under {args.data}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    results = run_all(aeb + wcxb, args.jobs)
    scores = [{e: score_page(page, preds[e]) for e in ENGINES} for page, preds in results]
    if args.dump:
        _dump(args.dump, results, scores)
    by_set = {"aeb": [], TUNING: [], HELD_OUT: []}
    for (page, _), score in zip(results, scores):
        by_set["aeb" if page.dataset == "aeb" else page.half].append(score)
    print(aeb_table({e: summarise_aeb([s[e] for s in by_set["aeb"]]) for e in ENGINES}, len(by_set["aeb"])))
    print()
    halves = {half: {e: summarise_wcxb([s[e] for s in by_set[half]]) for e in ENGINES} for half in (TUNING, HELD_OUT)}
    print(wcxb_table(halves, {half: len(by_set[half]) for half in halves}))
    print(f"\n{len(results)} pages, {time.perf_counter() - started:.0f} s wall clock on {max(args.jobs, 1)} process(es)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
