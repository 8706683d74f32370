"""Site boilerplate learned across runs: removed site lines, kept content, state size.

    python benchmarks/site_boilerplate.py [--sources 6] [--first 40] [--later 3] [--runs 10] [--pages]

Generates sources with their own repeated lines and precision traps (``site_corpus.py``),
runs ``newsbeam run`` on a first batch (``--first`` articles per source) and then, into the
same dataset, on a small later batch (``--later`` per source), and prints per run the share of
site lines removed, of content, wire, quoted, recurring-fact and heading lines kept, and of
removals recorded as ``site_repeated``. Then ``--runs`` more runs of 20 articles per source
show the state's size (``--lookback N``: with ``site_boilerplate.lookback_runs: N``, to see it
level off). ``--pages`` also runs the extraction benchmarks' pages (WCXB dev,
fundus-dev) as one web archive and counts learned removals found in the gold text (target 0).
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.dataset as ds

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.site_corpus import SITE, make_batch, score  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LABELS = (("site lines removed", SITE, True), ("content lines kept", "content", False),
          ("wire lines kept (shared by sources)", "wire", False), ("quotes kept (a few articles)", "quote", False),
          ("recurring facts kept", "fact", False), ("headings kept", "heading", False),
          ("an article's only text kept", "only_text", False))


def newsbeam(inputs: Path, out: Path, run_id: str, config: Path = None) -> dict:
    command = [sys.executable, "-m", "pipelines.cli.main", "-q", "run", "--input", str(inputs),
               "--output", str(out), "--run-id", run_id] + (["--config", str(config)] if config else [])
    done = subprocess.run(command, cwd=str(REPO), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"run {run_id}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return json.loads((out / "_runs" / f"{run_id}.json").read_text())


def written_rows(out: Path, run_id: str) -> dict:
    table = ds.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table(
        columns=["url", "text", "boilerplate", "run_id"])
    return {row["url"]: row for row in table.to_pylist() if row["run_id"] == run_id}


def run_batch(articles, work: Path, out: Path, run_id: str, config: Path = None) -> dict:
    path = work / f"{run_id}.jsonl"
    path.write_text("\n".join(article.record() for article in articles) + "\n", encoding="utf-8")
    manifest = newsbeam(path, out, run_id, config)
    return {"scores": score(articles, written_rows(out, run_id)), "manifest": manifest}


def share(scores: dict, label: str, removed: bool) -> str:
    present, total = scores.get(label, (0, 0))
    if not total:
        return "-"
    return f"{(total - present if removed else present) / total:.1%} ({total})"


def quality_table(results) -> str:
    lines = ["| | " + " | ".join(name for name, _ in results) + " |", "|---" + "|---:" * len(results) + "|"]
    for title, label, removed in LABELS:
        lines.append(f"| {title} | " + " | ".join(share(r["scores"], label, removed) for _, r in results) + " |")
    recorded = [r["scores"]["recorded"] for _, r in results]
    lines.append("| removals recorded (site_repeated) | "
                 + " | ".join(f"{a}/{b}" for a, b in recorded) + " |")
    return "\n".join(lines)


def state_size(out: Path) -> tuple:
    files = glob.glob(str(out / "_state" / "site_lines" / "*.parquet"))
    rows = sum(ds.dataset(f).count_rows() for f in files)
    return len(files), rows, sum(os.path.getsize(f) for f in files)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=6)
    parser.add_argument("--first", type=int, default=40)
    parser.add_argument("--later", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--lookback", type=int, default=None, help="site_boilerplate.lookback_runs (default: 30)")
    parser.add_argument("--pages", action="store_true", help="also check the benchmark pages' gold text")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbeam-site-") as tmp:
        work, out = Path(tmp), Path(tmp) / "out"
        config = work / "config.yaml"
        config.write_text(f"site_boilerplate: {{lookback_runs: {args.lookback}}}\n" if args.lookback else "{}\n")
        first = run_batch(make_batch(args.sources, args.first, seed=1), work, out, "first", config)
        later = run_batch(make_batch(args.sources, args.later, seed=2, start=1000), work, out, "later", config)
        print(f"{args.sources} sources: first run {args.first} articles each, later run {args.later} each\n")
        print(quality_table([("first run", first), ("later run", later)]))
        print("\n| runs committed | state files | state rows | state bytes |\n|---:|---:|---:|---:|")
        for run in range(args.runs):
            run_batch(make_batch(args.sources, 20, seed=10 + run, start=2000 + 100 * run), work, out, f"more{run}",
                      config)
            print(f"| {run + 3} | " + " | ".join(f"{value:,}" for value in state_size(out)) + " |")
    if args.pages:
        from benchmarks.site_pages import pages_report
        print("\n" + pages_report())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
