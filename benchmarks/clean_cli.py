"""``newsbeam clean`` against trafilatura's command line, a process per page and a folder at once.

    python benchmarks/clean_cli.py [--pages 12] [--rounds 3]

Pages are fundus-dev's publishers' HTML (``../shared/benchmarks/fundus-dev/html``), written out
uncompressed. Per page, the commands run in turn (``newsbeam clean PAGE``, ``trafilatura < PAGE``
for the text alone and ``trafilatura --json < PAGE`` for text and metadata, the output newsbeam
gives; output to a pipe), after one warm-up run of each (byte code and
newsbeam's start-up cache written, as on any machine after the first run); the wall time of
every run is kept, and its CPU time (the process and its children). The folder rows clean every
page in one command (``newsbeam clean DIR`` against ``trafilatura --input-dir DIR --output-dir
OUT``), once per round. Prints a table; wall times vary with the machine's other load, CPU
times less.
"""
import argparse
import gzip
import os
import resource
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


def timed(command, stdin_path=None) -> tuple:
    """(wall seconds, CPU seconds of the process and its children) of one run."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
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


def folder(pages_dir: Path, out_dir: Path, rounds: int) -> dict:
    commands = {"newsbeam clean DIR": [str(BIN / "newsbeam"), "clean", str(pages_dir)],
                "trafilatura --input-dir DIR": [str(BIN / "trafilatura"), "--input-dir", str(pages_dir),
                                                "--output-dir", str(out_dir)]}
    times = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            times[name].append(timed(command))
    return times


def table(rows: dict, pages: int) -> str:
    lines = ["| command | runs | median wall s | fastest wall s | median CPU s |", "|---|---:|---:|---:|---:|"]
    for name, runs in rows.items():
        walls, cpus = [wall for wall, _ in runs], [cpu for _, cpu in runs]
        lines.append(f"| {name} | {len(runs)} | {statistics.median(walls):.3f} | {min(walls):.3f} | "
                     f"{statistics.median(cpus):.3f} |")
    lines.append("")
    pairs = (("newsbeam clean PAGE", "trafilatura < PAGE"), ("newsbeam clean PAGE", "trafilatura --json < PAGE"),
             ("newsbeam clean DIR", "trafilatura --input-dir DIR"))
    for mine, other in pairs:
        wall, cpu = (statistics.median(r[i] for r in rows[mine]) / statistics.median(r[i] for r in rows[other])
                     for i in (0, 1))
        folder_note = f" ({pages} pages)" if "DIR" in mine else ""
        lines.append(f"{mine} / {other}: wall {wall:.2f}, CPU {cpu:.2f}{folder_note}")
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
        rows.update(folder(pages_dir, out_dir, args.rounds))
    print(f"{len(pages)} fundus-dev pages, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}\n")
    print(table(rows, len(pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
