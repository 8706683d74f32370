"""Throughput and memory: ``newsbeam run`` against its own bare loop and against datatrove.

    python benchmarks/throughput.py [--docs 40000] [--scaling] [--workdir DIR] [--beam-arg=--flag=value ...]

Generates a reproducible news-like JSONL corpus (``benchmarks/news_corpus.py``: seeded,
~6.5 KB unique texts with Advert markers, newsletter pitches, credits, appeals and
Topics: footers), then, in this one invocation:

1. ``newsbeam run`` on it, as a subprocess, with the defaults a user gets (every core), then
   on the same records as one big JSONL file (read in byte ranges by every worker);
2. the same newsbeam functions in a bare single-process loop writing Parquet with pyarrow
   (``benchmarks/throughput_engines.py bare``): the per-core limit of the code;
3. datatrove with 2 workers and a minimal regex line cleaner (``... datatrove``): what a
   user would pick instead;
4. datatrove with 2 workers running newsbeam's own cleaning functions as its step
   (``... datatrove-newsbeam``): the same work per document on another runner.

Each is timed wall-clock from start to exit, and its process tree's resident memory is
polled (``benchmarks/process_tree.py``). Prints docs/s, MB/s of JSONL input, peak RSS,
CPU time per document (the whole process tree) and the machine's highest 1-minute load
average during each run (``load``: other tenants of a shared machine slow the two-worker
runs more than the single-process loop), the ratios against the targets, and a per-stage
profile of newsbeam's functions
(``benchmarks/stage_profile.py``). ``--big-file`` instead runs ``newsbeam run`` on the same
records as 4 files and as 1 file (concatenations of the corpus's shards), back to back,
``--repeats`` times (with ``--unsplit``, also the 1 file read by one worker, as before byte
ranges; with ``--gzip``, gzipped files, which are read in shares), and prints docs/s of each and the ratio against the target (within 10%). ``--scaling`` instead runs ``newsbeam run`` on 10k,
40k and 160k documents (``--scaling-docs``) and prints how peak RSS grows. Needs
``pip install -e ".[bench]"`` for datatrove (skipped with a note when it is missing).
Linux (reads /proc).
"""
import argparse
import glob
import gzip
import json
import os
import shutil
import statistics
import sys
from pathlib import Path
from typing import Optional

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.news_corpus import write_corpus  # noqa: E402
from benchmarks.process_tree import Measured, run_measured  # noqa: E402
from benchmarks.stage_profile import profile_stages  # noqa: E402

MB = 1_000_000
TARGET_VS_BARE = 1.6
TARGET_PEAK_GB = 1.5
TARGET_VS_DATATROVE = 0.5  # doing newsbeam's full work against a one-regex cleaner
TARGET_BIG_FILE = 0.9  # one big file at least this share of the docs/s of the same records in 4 files
UNSPLIT_ENV = {"NEWSBEAM_READ_RANGE_BYTES": str(1 << 50)}  # no file is large enough to be read in parts
SCALING_DOCS = (10_000, 40_000, 160_000)


def ensure_corpus(workdir: str, docs: int, seed: int) -> str:
    """The corpus folder for (docs, seed), generated once and reused."""
    folder = os.path.join(workdir, f"corpus-{docs}-seed{seed}")
    done = os.path.join(folder, "_COMPLETE")
    if not os.path.exists(done):
        shutil.rmtree(folder, ignore_errors=True)
        corpus = write_corpus(folder, docs, seed)
        Path(done).write_text(json.dumps({"docs": corpus.docs, "bytes": corpus.bytes}))
    return folder


def corpus_bytes(folder: str) -> int:
    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(folder, "*.jsonl")))


def concatenated(corpus: str, workdir: str, files: int, compressed: bool = False) -> str:
    """A folder holding the corpus's records in ``files`` JSONL files (shards concatenated in
    order; gzipped when ``compressed``), made once and reused."""
    folder = os.path.join(workdir, f"{os.path.basename(corpus)}-in-{files}{'-gz' if compressed else ''}")
    done = os.path.join(folder, "_COMPLETE")
    if not os.path.exists(done):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        shards = sorted(glob.glob(os.path.join(corpus, "*.jsonl")))
        opener, suffix = (gzip.open, ".jsonl.gz") if compressed else (open, ".jsonl")
        for n in range(files):
            with opener(os.path.join(folder, f"part-{n}{suffix}"), "wb") as out:
                for shard in shards[n::files]:
                    with open(shard, "rb") as source:
                        shutil.copyfileobj(source, out)
        Path(done).write_text("")
    return folder


def run_newsbeam(corpus: str, out: str, beam_args, env: Optional[dict] = None) -> dict:
    """``newsbeam run`` on the corpus as a user would start it; returns the measurement and manifest."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "pipelines.cli.main", "run", "--input", os.path.join(corpus, "*.jsonl*"),
               "--output", out, "--run-id", "throughput", *beam_args]
    measured = run_measured(command, env=None if env is None else {**os.environ, **env})
    if measured.returncode != 0:
        raise SystemExit(f"newsbeam run failed ({measured.returncode}):\n{measured.stderr[-3000:]}")
    manifest = json.loads(Path(out, "_runs", "throughput.json").read_text())
    return {"measured": measured, "counts": manifest["counts"], "files": len(manifest.get("files", [])),
            "staged": manifest.get("counters", {}).get("staged_files")}


def run_engine(engine: str, corpus: str, out: str) -> dict:
    """One of benchmarks/throughput_engines.py's runs, in its own process."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "benchmarks.throughput_engines", engine, corpus, out]
    measured = run_measured(command, cwd=str(Path(__file__).resolve().parents[1]))
    if measured.returncode != 0:
        return {"measured": measured, "error": measured.stderr.strip().splitlines()[-1:]}
    return {"measured": measured, "result": json.loads(measured.stdout.strip().splitlines()[-1])}


def _row(name: str, docs: int, size: int, measured: Measured, note: str = "") -> dict:
    seconds = measured.seconds
    return {"name": name, "docs": docs, "seconds": seconds, "docs_s": docs / seconds, "mb_s": size / MB / seconds,
            "peak_gb": measured.peak_tree_bytes / 1e9, "processes": measured.peak_processes,
            "cpu_ms": measured.cpu_seconds * 1000 / docs, "load": measured.max_load, "note": note}


def results_table(rows) -> str:
    lines = ["| run | docs | wall s | docs/s | MB/s | peak RSS (process tree) | processes | CPU ms/doc "
             "| load | note |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['docs']:,} | {r['seconds']:.1f} | {r['docs_s']:,.0f} | {r['mb_s']:.2f} "
                     f"| {r['peak_gb']:.2f} GB | {r['processes']} | {r['cpu_ms']:.2f} | {r['load']:.1f} "
                     f"| {r['note']} |")
    return "\n".join(lines)


def targets_table(newsbeam: dict, bare: dict, datatrove: Optional[dict]) -> str:
    vs_bare = newsbeam["docs_s"] / bare["docs_s"]
    lines = ["| target | measured | holds |", "|---|---:|:---:|",
             f"| newsbeam >= {TARGET_VS_BARE}x its bare single-process loop | {vs_bare:.2f}x "
             f"| {'yes' if vs_bare >= TARGET_VS_BARE else 'no'} |"]
    if datatrove is not None:
        vs_dt = newsbeam["docs_s"] / datatrove["docs_s"]
        lines.append(f"| newsbeam >= {TARGET_VS_DATATROVE}x datatrove's docs/s (2 workers, minimal cleaner) "
                     f"| {vs_dt:.2f}x | {'yes' if vs_dt >= TARGET_VS_DATATROVE else 'no'} |")
    lines.append(f"| peak RSS < {TARGET_PEAK_GB} GB at {newsbeam['docs']:,} docs | {newsbeam['peak_gb']:.2f} GB "
                 f"| {'yes' if newsbeam['peak_gb'] < TARGET_PEAK_GB else 'no'} |")
    lines.append(f"| (for reading the above) CPU per document, newsbeam run / bare loop "
                 f"| {newsbeam['cpu_ms'] / bare['cpu_ms']:.2f}x | |")
    return "\n".join(lines)


def profile_table(seconds_per_stage: dict) -> str:
    total = sum(seconds_per_stage.values())
    lines = ["| stage (bare loop, one core) | us/doc | share |", "|---|---:|---:|"]
    for stage, seconds in seconds_per_stage.items():
        lines.append(f"| {stage} | {seconds * 1e6:,.0f} | {seconds / total:.0%} |")
    lines.append(f"| total | {total * 1e6:,.0f} | = {1 / total:,.0f} docs/s per core |")
    return "\n".join(lines)


def compare(args) -> None:
    corpus = ensure_corpus(args.workdir, args.docs, args.seed)
    size = corpus_bytes(corpus)
    print(f"corpus: {args.docs:,} documents, {size / MB:,.0f} MB of JSONL in {corpus}", flush=True)
    nb = run_newsbeam(corpus, os.path.join(args.workdir, "out-newsbeam"), args.beam_arg)
    counts = nb["counts"]
    rows = [_row("newsbeam run (defaults)", args.docs, size, nb["measured"],
                 f"{counts.get('articles', 0):,} articles, {nb['files']} files")]
    print(results_table(rows), flush=True)
    one = run_newsbeam(concatenated(corpus, args.workdir, 1), os.path.join(args.workdir, "out-one-file"), args.beam_arg)
    rows.append(_row("newsbeam run, the same corpus as one file", args.docs, size, one["measured"],
                     f"{one['counts'].get('articles', 0):,} articles, {one['staged']} staged files"))
    shutil.rmtree(os.path.join(args.workdir, "out-one-file"), ignore_errors=True)
    bare = run_engine("bare", corpus, os.path.join(args.workdir, "out-bare"))
    if "error" in bare:
        raise SystemExit(f"bare loop failed: {bare['error']}")
    rows.append(_row("bare loop, same functions, 1 process", args.docs, size, bare["measured"],
                     f"{bare['result']['articles']:,} articles"))
    datatrove = None
    if not args.skip_datatrove:
        for engine, name in (("datatrove", "datatrove, 2 workers, minimal cleaner"),
                             ("datatrove-newsbeam", "datatrove, 2 workers, newsbeam's functions")):
            dt = run_engine(engine, corpus, os.path.join(args.workdir, f"out-{engine}"))
            if "error" in dt:
                print(f"{engine} skipped: {dt['error']} (pip install -e '.[bench]')")
                continue
            rows.append(_row(name, args.docs, size, dt["measured"], f"{dt['result']['articles']:,} docs"))
            datatrove = datatrove or rows[-1]
    print("\n" + results_table(rows))
    print("\n" + targets_table(rows[0], rows[2], datatrove))
    files = sorted(glob.glob(os.path.join(corpus, "*.jsonl")))
    print(f"\nper-stage profile (first {args.profile_docs:,} documents):\n")
    print(profile_table(profile_stages(files, args.profile_docs)))


def big_file(args) -> None:
    """The same records as 4 files and as 1 file, back to back, ``--repeats`` times."""
    corpus = ensure_corpus(args.workdir, args.docs, args.seed)
    size = corpus_bytes(corpus)
    cases = [("4 files", concatenated(corpus, args.workdir, 4, args.gzip), None),
             ("1 file", concatenated(corpus, args.workdir, 1, args.gzip), None)]
    if args.unsplit:
        cases.append(("1 file, read by one worker (no parts)", cases[1][1], UNSPLIT_ENV))
    print(f"corpus: {args.docs:,} documents, {size / MB:,.0f} MB of JSONL{' (gzipped)' if args.gzip else ''}",
          flush=True)
    rows = {name: [] for name, _, _ in cases}
    for repeat in range(args.repeats):
        for name, folder, env in cases:
            nb = run_newsbeam(folder, os.path.join(args.workdir, "out-big-file"), args.beam_arg, env)
            articles = nb["counts"].get("articles", 0)
            rows[name].append(_row(f"newsbeam run, {name}", args.docs, size, nb["measured"],
                                   f"run {repeat + 1}, {articles:,} articles, {nb['staged']} staged files"))
            print(results_table(rows[name][-1:]), flush=True)
    print("\n" + results_table([row for name in rows for row in rows[name]]))
    print("\n" + big_file_table(rows))


def big_file_table(rows: dict) -> str:
    """Median docs/s per case, and the one big file against the 4 files."""
    median = {name: statistics.median(r["docs_s"] for r in runs) for name, runs in rows.items()}
    lines = ["| case | runs | median docs/s | vs 4 files |", "|---|---:|---:|---:|"]
    for name, value in median.items():
        lines.append(f"| {name} | {len(rows[name])} | {value:,.0f} | {value / median['4 files']:.2f}x |")
    ratio = median["1 file"] / median["4 files"]
    lines.append(f"| target: 1 file >= {TARGET_BIG_FILE:.0%} of 4 files | | | "
                 f"{'holds' if ratio >= TARGET_BIG_FILE else 'misses'} |")
    return "\n".join(lines)


def scaling(args) -> None:
    rows = []
    for docs in args.scaling_docs:
        corpus = ensure_corpus(args.workdir, docs, args.seed)
        nb = run_newsbeam(corpus, os.path.join(args.workdir, f"out-scaling-{docs}"), args.beam_arg)
        rows.append(_row(f"newsbeam run, {docs:,} docs", docs, corpus_bytes(corpus), nb["measured"],
                         f"largest process {nb['measured'].peak_process_bytes / 1e9:.2f} GB"))
        print(results_table(rows[-1:]), flush=True)
        shutil.rmtree(os.path.join(args.workdir, f"out-scaling-{docs}"), ignore_errors=True)
    print("\n" + results_table(rows))
    first, last = rows[0], rows[-1]
    growth = last["peak_gb"] / first["peak_gb"]
    print(f"\n{last['docs'] // first['docs']}x the documents -> {growth:.2f}x the peak RSS "
          f"({'sub-linear' if growth < last['docs'] / first['docs'] else 'NOT sub-linear'})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=40_000, help="corpus size (default 40000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "newsbeam-throughput"),
                        help="corpora (kept and reused) and outputs")
    parser.add_argument("--scaling", action="store_true", help="peak RSS of newsbeam run at 10k, 40k and 160k docs")
    parser.add_argument("--scaling-docs", type=lambda v: [int(n) for n in v.split(",")], default=list(SCALING_DOCS),
                        help="corpus sizes for --scaling (default 10000,40000,160000)")
    parser.add_argument("--big-file", action="store_true", help="the same records as 1 file and as 4 files")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of --big-file (default 3)")
    parser.add_argument("--unsplit", action="store_true",
                        help="--big-file also runs the 1 file read by one worker (no byte ranges)")
    parser.add_argument("--gzip", action="store_true", help="--big-file on gzipped files (read in shares)")
    parser.add_argument("--skip-datatrove", action="store_true")
    parser.add_argument("--profile-docs", type=int, default=2000, help="documents in the per-stage profile")
    parser.add_argument("--beam-arg", action="append", default=[],
                        help="extra flag for newsbeam run, e.g. --beam-arg=--direct_num_workers=2")
    args = parser.parse_args(argv)
    os.makedirs(args.workdir, exist_ok=True)
    if args.big_file:
        big_file(args)
    else:
        scaling(args) if args.scaling else compare(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
