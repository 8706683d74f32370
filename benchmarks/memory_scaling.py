"""Peak memory against the number of records: does a run stay bounded as its input grows?

    python benchmarks/memory_scaling.py [--records 100000 500000 2000000] [--duplicates 0.1]

For each size, writes one JSONL file of tiny distinct articles (``{"id": n, "text": "..."}``,
with a share of them repeated to exercise deduplication), runs ``newsbeam run`` on it in a
subprocess on the default (local) runner, and prints records, articles and duplicates
written, the process tree's peak RSS, wall time and the growth of the peak per million
records over the smallest size. Bounded memory means the last column stays near zero.
"""
import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.process_tree import run_measured  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MIB = 2 ** 20


def write_records(path: Path, count: int, duplicates: float) -> None:
    """``count`` lines; every 1/duplicates-th line repeats an earlier record."""
    every = int(1 / duplicates) if duplicates else 0
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(count):
            number = n - 1 if every and n % every == every - 1 else n
            handle.write(f'{{"id": {number}, "text": "Record {number} says the tide was high."}}\n')


def measure(count: int, duplicates: float, work: Path) -> dict:
    source, out = work / f"tiny-{count}.jsonl", work / f"out-{count}"
    write_records(source, count, duplicates)
    command = [sys.executable, "-m", "pipelines.cli.main", "-q", "run", "--input", str(source),
               "--output", str(out), "--run-id", "scaling"]
    measured = run_measured(command, cwd=str(REPO))
    source.unlink()
    if measured.returncode != 0:
        raise SystemExit(f"{count} records: exit {measured.returncode}\n{measured.stderr[-2000:]}")
    counts = json.loads((out / "_runs" / "scaling.json").read_text())["counts"]
    return {"records": count, "articles": counts["articles"], "duplicates": counts.get("duplicates", 0),
            "peak": measured.peak_tree_bytes, "seconds": measured.seconds}


def table(rows) -> str:
    base = rows[0]
    lines = ["| records | articles | duplicates | peak RSS MB | wall s | peak growth MB per 1M records |",
             "|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        extra = (row["records"] - base["records"]) / 1e6
        growth = (row["peak"] - base["peak"]) / MIB / extra if extra else 0.0
        lines.append(f"| {row['records']:,} | {row['articles']:,} | {row['duplicates']:,} | "
                     f"{row['peak'] / MIB:,.0f} | {row['seconds']:.0f} | {growth:,.0f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 500_000, 2_000_000])
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of repeated records (default 0.1)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbeam-scaling-") as work:
        rows = []
        for count in sorted(args.records):
            rows.append(measure(count, args.duplicates, Path(work)))
            print(f"{count:,} records done", file=sys.stderr, flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
