"""``newsbeam clean`` against trafilatura's command line, a process per page and a folder at once.

    python benchmarks/clean_cli.py [--pages 12] [--rounds 3]

Pages are fundus-dev's publishers' HTML (``../shared/benchmarks/fundus-dev/html``), written out
uncompressed. Per page, the commands run in turn (``newsbeam clean PAGE``, ``trafilatura < PAGE``
for the text alone and ``trafilatura --json < PAGE`` for text and metadata, the output newsbeam
gives; output to a pipe), after one warm-up run of each (byte code and
newsbeam's start-up cache written, as on any machine after the first run); the wall time of
every run is kept. The folder row cleans every page in one process each (``newsbeam clean DIR``
against ``trafilatura --input-dir DIR --output-dir OUT``). Prints a table.
"""
import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "fundus-dev" / "html"
BIN = Path(sys.executable).parent


def write_pages(folder: Path, count: int) -> list:
    pages = []
    for source in sorted(SHARED.glob("*.html.gz"))[:count]:
        page = folder / source.name[: -len(".gz")]
        page.write_bytes(gzip.decompress(source.read_bytes()))
        pages.append(page)
    return pages


def timed(command, stdin_path=None) -> float:
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        subprocess.run(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - started
    finally:
        if stdin_path:
            stdin.close()


def per_page(pages, rounds: int) -> dict:
    commands = {"newsbeam clean PAGE": [str(BIN / "newsbeam"), "clean"],
                "trafilatura < PAGE": [str(BIN / "trafilatura")],
                "trafilatura --json < PAGE": [str(BIN / "trafilatura"), "--json"]}
    times = {name: [] for name in commands}
    for round_ in range(rounds + 1):  # round 0 warms up
        for page in pages[:1] if round_ == 0 else pages:
            for name, command in commands.items():
                took = timed(command + [str(page)]) if name.startswith("newsbeam") else timed(command, page)
                if round_:
                    times[name].append(took)
    return times


def folder(pages_dir: Path, out_dir: Path) -> dict:
    return {"newsbeam clean DIR": [timed([str(BIN / "newsbeam"), "clean", str(pages_dir)])],
            "trafilatura --input-dir DIR": [timed([str(BIN / "trafilatura"), "--input-dir", str(pages_dir),
                                                   "--output-dir", str(out_dir)])]}


def table(rows: dict, pages: int) -> str:
    lines = ["| command | runs | median s | fastest s | slowest s |", "|---|---:|---:|---:|---:|"]
    for name, times in rows.items():
        lines.append(f"| {name} | {len(times)} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |")
    newsbeam = statistics.median(rows["newsbeam clean PAGE"])
    for other in ("trafilatura < PAGE", "trafilatura --json < PAGE"):
        lines.append(f"\nnewsbeam clean / {other}, median per page: {newsbeam / statistics.median(rows[other]):.2f}")
    folder_ratio = rows["newsbeam clean DIR"][0] / rows["trafilatura --input-dir DIR"][0]
    lines.append(f"\nnewsbeam clean DIR / trafilatura --input-dir DIR, {pages} pages: {folder_ratio:.2f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbeam-clean-cli-") as work:
        pages_dir, out_dir = Path(work, "pages"), Path(work, "out")
        pages_dir.mkdir()
        pages = write_pages(pages_dir, args.pages)
        rows = per_page(pages, args.rounds)
        rows.update(folder(pages_dir, out_dir))
    print(f"{len(pages)} fundus-dev pages, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}\n")
    print(table(rows, len(pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
