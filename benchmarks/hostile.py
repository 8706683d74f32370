"""Hostile inputs: what newsbeam does with files and feeds built to hurt it.

    python benchmarks/hostile.py [--only NAME ...] [--timeout S] [--keep DIR]

Builds each case in a temp folder (two good records, marked by the word ``kestrel``, beside
the hostile one), runs ``newsbeam run`` on it in a subprocess under a wall-clock timeout (the
process tree is killed: ``TIMEOUT``), polls the tree's peak RSS (``benchmarks/process_tree.py``,
``/proc`` every 0.1 s) and reads the manifest. HTTP cases are served by a local
``http.server`` thread. One Markdown row per case; failures' last stderr line below it.
"""
import argparse
import base64
import bz2
import contextlib
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.process_tree import _Poller, _processes, _tree  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RUN_ID = "hostile"
MARKER = "kestrel"
DRIP_SECONDS = 120


# --------------------------------------------------------------------------- pieces
def good_records() -> list:
    return [{"id": f"good-{i}", "title": f"Good record {i}",
             "text": f"The {MARKER} number {i} nested by the river this spring; observers counted {i + 3} eggs."}
            for i in (1, 2)]


def good_lines() -> list:
    return [json.dumps(r) for r in good_records()]


def write_good(folder: Path) -> None:
    (folder / "good.jsonl").write_text("\n".join(good_lines()) + "\n", encoding="utf-8")


def around(hostile_line: str) -> str:
    """JSONL: the two good records with ``hostile_line`` between them."""
    first, second = good_lines()
    return "\n".join([first, hostile_line, second]) + "\n"


def item(guid: str, title: str, body: str) -> str:
    """An RSS item; ``title`` and ``body`` are inserted as given (already escaped)."""
    return f'<item><guid isPermaLink="false">{guid}</guid><title>{title}</title><description>{body}</description></item>'


def feed_around(hostile_item: str) -> str:
    first, second = (item(r["id"], r["title"], r["text"]) for r in good_records())
    return rss([first, hostile_item, second])


def rss(items: list, head: str = '<?xml version="1.0" encoding="utf-8"?>\n') -> str:
    return f'{head}<rss version="2.0"><channel><title>Hostile</title><link>http://127.0.0.1/</link>{"".join(items)}</channel></rss>\n'


def laughs(encoding: str) -> str:
    """A feed with a billion-laughs DOCTYPE: 8 levels of entities, 10 references each."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 9)]
    head = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    return head + "<!DOCTYPE rss [\n" + "\n".join(entities) + "\n]>\n" + rss([item("lol", "&lol8;", "&lol8;")], head="")


def utf7_laughs() -> bytes:
    """UTF-7 with markup characters base64-encoded (``<`` is ``+ADw-``): no ``<!ENTITY`` in the bytes."""
    head, body = laughs("utf-7").split("\n", 1)
    hide = lambda c: "+" + base64.b64encode(c.encode("utf-16-be")).decode().rstrip("=") + "-"  # noqa: E731
    return (head + "\n" + "".join(hide(c) if c in '<>!&"[]' else c for c in body)).encode("ascii")


def nested_html(depth: int = 200_000) -> str:
    return "<html><body>" + "<div>" * depth + "<p>Deep text at the bottom.</p>" + "</div>" * depth + "</body></html>"


def payload(encoding: str, newline: str) -> bytes:
    lines = [json.dumps({"id": f"payload-{i}", "text": f"Payload record {i}: naïve café, crème brûlée."},
                        ensure_ascii=False) for i in (1, 2)]
    return (newline.join(lines) + newline).encode(encoding)


def gzip_members() -> bytes:
    return gzip.compress(b"", mtime=0) * 838_860 + gzip.compress(b"Real text after many empty gzip members.", mtime=0)


def write_tiny(path: Path) -> None:
    first, second = good_lines()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(first + "\n")
        handle.writelines(f'{{"id": {n}, "text": "word {n}"}}\n' for n in range(500_000))
        handle.write(second + "\n")


def write_corrupt_state(out: Path) -> None:
    (out / "_state").mkdir(parents=True)
    (out / "_state" / "feeds.json").write_text('{"feeds": [corrupt', encoding="utf-8")
    part = out / "articles" / "dt=2024-01-01" / "source=x"
    part.mkdir(parents=True)
    (part / "part-old-000000000000.parquet").write_bytes(b"")


def drip_handler():
    """A handler class whose GET drips an RSS body one byte a second (chunked), until stopped."""
    stop, body = threading.Event(), feed_around("").encode()

    class Drip(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            with contextlib.suppress(OSError):
                for i in range(DRIP_SECONDS):
                    self.wfile.write(b"1\r\n" + body[i:i + 1] + b"\r\n")
                    self.wfile.flush()
                    if stop.wait(1):
                        return
                rest = body[DRIP_SECONDS:]
                self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(rest), rest))

        def log_message(self, *args):
            pass

    Drip.stop = stop
    return Drip


# --------------------------------------------------------------------------- cases
def case(make, expect: str, good_file: bool = True, **spec):
    """A builder: ``make(inp, out)`` writes the hostile input (and the good records when they
    share its file); returns the spec: expect, and optionally config (dict), feed (handler), runs."""
    def builder(inp: Path, out: Path) -> dict:
        make(inp, out)
        if good_file:
            write_good(inp)
        return {"expect": expect, **spec}
    return builder


SURROGATE = json.dumps({"id": "surrogate", "title": "lone \ud800 title", "text": "text with a lone \udfff surrogate"})
CDATA = '<![CDATA[<p>To declare one, write <!ENTITY x "y"> inside the DOCTYPE of the document.</p>]]>'
ESCAPED_KEY = '{"id": "deep", "ht\\u006dl": %s}'

CASES = {
    "surrogate_jsonl": case(lambda i, o: (i / "s.jsonl").write_text(around(SURROGATE), encoding="ascii"),
                            "2 kept; bad one article or rejected", good_file=False),
    "ebcdic_laughs": case(lambda i, o: (i / "laughs.xml").write_bytes(laughs("cp037").encode("cp037")),
                          "feed_hostile_xml, fast"),
    "utf7_laughs": case(lambda i, o: (i / "laughs.xml").write_bytes(utf7_laughs()), "feed_hostile_xml, fast"),
    "cdata_entity_mention": case(lambda i, o: (i / "feed.xml").write_text(feed_around(item("cdata", "Entities", CDATA))),
                                 "3 articles", good_file=False),
    "bad_charref": case(lambda i, o: (i / "feed.xml").write_text(feed_around(item("charref", "Bad &#xD800; title",
                                                                                  "Body of the bad item."))),
                        "2 kept (+1 or reject)", good_file=False),
    "fifo": case(lambda i, o: os.mkfifo(i / "x.txt"), "not_a_regular_file"),
    "devzero_symlink": case(lambda i, o: os.symlink("/dev/zero", i / "a.jsonl"), "not_a_regular_file"),
    "dangling_symlink": case(lambda i, o: os.symlink(i / "missing.txt", i / "gone.txt"), "read reject"),
    "folder_named_txt": case(lambda i, o: (i / "d.txt").mkdir(), "not_a_regular_file"),
    "gzip_members": case(lambda i, o: (i / "m.txt.gz").write_bytes(gzip_members()), "3 articles, fast"),
    "bz2_jsonl_bomb": case(lambda i, o: (i / "bomb.jsonl.bz2").write_bytes(bz2.compress(b"{}\n" * 2_000_000)),
                           "2M json_no_text, bounded RSS"),
    "jsonl_tiny_records": case(lambda i, o: write_tiny(i / "tiny.jsonl"), "500,002 articles", good_file=False),
    "http_drip": case(lambda i, o: None, "fetch_timeout (config total_timeout_s 5; 3 retries)",
                      config={"fetch": {"total_timeout_s": 5}}, feed=drip_handler),
    "json_html_escaped_key": case(lambda i, o: (i / "deep.jsonl").write_text(
        around(ESCAPED_KEY % json.dumps(nested_html()))), "extract_timeout or article, not 95 s", good_file=False),
    "utf16_nobom_jsonl": case(lambda i, o: (i / "u16.jsonl").write_bytes(payload("utf-16-le", "\n")), "4 articles"),
    "cr_only_jsonl": case(lambda i, o: (i / "cr.jsonl").write_bytes(payload("utf-8", "\r")), "4 articles"),
    "corrupt_state": case(lambda i, o: write_corrupt_state(o), "2 runs, both exit 0", runs=2),
}


def build(name: str, work: Path) -> dict:
    """Build case ``name`` under ``work`` (``input/``, ``out/``); its spec with defaults filled in."""
    inp, out = work / "input", work / "out"
    inp.mkdir(parents=True)
    return {"runs": 1, "config": None, "feed": None, **CASES[name](inp, out)}


# --------------------------------------------------------------------------- running
def kill_tree(process: subprocess.Popen) -> None:
    pids = _tree(process.pid, _processes())
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def run_once(command: list, log: Path, timeout: float) -> dict:
    """Run ``command`` (own session) with a timeout; stdout/stderr go to ``log``.out/.err."""
    with open(f"{log}.out", "wb") as out, open(f"{log}.err", "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=err, start_new_session=True)
        poller = _Poller(process.pid, 0.1)
        poller.start()
        try:
            code, timed_out = process.wait(timeout), False
        except subprocess.TimeoutExpired:
            kill_tree(process)
            code, timed_out = process.wait(), True
        seconds = time.perf_counter() - started
        poller.stop()
    lines = Path(f"{log}.err").read_text(errors="replace").strip().splitlines()
    return {"code": code, "timed_out": timed_out, "seconds": seconds, "peak": poller.peak_tree,
            "last_err": lines[-1][:200] if lines else ""}


@contextlib.contextmanager
def serving(make_handler):
    """A local HTTP server for ``make_handler()`` in a thread; yields its feed URL (None without one)."""
    if make_handler is None:
        yield None
        return
    handler = make_handler()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/feed.xml"
    finally:
        handler.stop.set()
        server.shutdown()
        server.server_close()


def run_case(name: str, work: Path, timeout: float) -> dict:
    spec = build(name, work)
    out = work / "out"
    command = [sys.executable, "-m", "pipelines.cli.main", "run", "--input", f"{work / 'input'}/*",
               "--output", str(out), "--run-id", RUN_ID]
    if spec["config"]:
        (work / "config.yaml").write_text(json.dumps(spec["config"]), encoding="utf-8")  # JSON is YAML
        command += ["--config", str(work / "config.yaml")]
    with serving(spec["feed"]) as url:
        if url:
            command += ["--feed", url, "--allow-network", "127.0.0.1/32"]
        runs = [run_once(command, work / f"run{i}", timeout) for i in range(spec["runs"])]
    return {"case": name, "expect": spec["expect"], "runs": runs, **read_output(out)}


def read_output(out: Path) -> dict:
    """Counts, top reasons, reconciliation and good records kept, from the manifest and its article files."""
    path = out / "_runs" / f"{RUN_ID}.json"
    if not path.is_file():
        return {"articles": None}
    manifest = json.loads(path.read_text())
    reasons = Counter({k: v["count"] for k, v in manifest.get("rejected_by_reason", {}).items()})
    return {"articles": manifest["counts"]["articles"], "reasons": reasons,
            "reconciled": manifest["reconciliation"]["ok"], "good": good_kept(out, manifest)}


def good_kept(out: Path, manifest: dict) -> int:
    import pyarrow.parquet as pq

    kept = 0
    for entry in manifest["files"]:
        if entry["path"].startswith("articles/"):
            texts = pq.read_table(out / entry["path"], columns=["text"]).column("text").to_pylist()
            kept += sum(MARKER in (t or "") for t in texts)
    return kept


# --------------------------------------------------------------------------- table
def outcome(run: dict) -> str:
    return "TIMEOUT" if run["timed_out"] else "ok" if run["code"] == 0 else f"exit {run['code']}"


def row(r: dict) -> str:
    runs = r["runs"]
    cells = [r["case"], r["expect"], " / ".join(outcome(x) for x in runs)]
    if r["articles"] is None:
        cells += ["-", "no manifest", "-", "-"]
    else:
        top = ", ".join(f"{k}: {n:,}" for k, n in r["reasons"].most_common(3)) or "-"
        cells += [f"{r['articles']:,}", top, "yes" if r["reconciled"] else "NO", f"{r['good']}/2"]
    cells += [f"{max(x['peak'] for x in runs) / 2**20:,.0f}", " + ".join(f"{x['seconds']:.1f}" for x in runs)]
    return "| " + " | ".join(cells) + " |"


def table(results: list) -> str:
    lines = ["| case | expected | outcome | articles | rejected (top 3) | reconciled | good kept | peak RSS MB | wall s |",
             "|---|---|---|---:|---|---|---:|---:|---:|"] + [row(r) for r in results]
    notes = [f"- {r['case']}: {x['last_err']}" for r in results for x in r["runs"]
             if (x["code"] != 0 or x["timed_out"]) and x["last_err"]]
    return "\n".join(lines + ([""] + notes if notes else []))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(CASES), default=list(CASES), metavar="NAME")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per newsbeam run (default 180)")
    parser.add_argument("--keep", type=Path, default=None, help="build cases and outputs here and keep them")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="hostile-"))
    results = []
    try:
        for name in args.only:
            work = root / name
            shutil.rmtree(work, ignore_errors=True)
            results.append(run_case(name, work, args.timeout))
            print(f"{name}: {' / '.join(outcome(x) for x in results[-1]['runs'])}", file=sys.stderr, flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
