"""Feed fidelity: what newsbeam keeps of each feed entry, against feedparser read directly.

    python benchmarks/feed_fidelity.py [--corpus DIR] [--limit N] [--workdir DIR]

For every ``*.xml`` of the corpus (default ``../shared/feeds/feedparser-corpus``), counts
feedparser's entries, those with text (content or summary non-blank once HTML tags are
stripped) and those with a title or link. Copies the files to a temp folder, runs
``newsbeam run`` once on them, reads back articles, duplicates, rejected rows and the
manifest, and compares per file, as a feed reader would count: an entry with text is
lost when ``entries_with_text > articles_with_text + duplicates``; "strict" also counts a
duplicate whose kept article is title-only as lost (its text was dropped). Also counts
titles equal to feedparser's (multiset per file), mojibake (feedparser's own in brackets)
and relative urls. ``--workdir`` keeps the input copy and the output for inspection.
"""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import feedparser
import pyarrow.dataset as ds

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "feeds" / "feedparser-corpus"
REPO = Path(__file__).resolve().parents[1]
TOP = 15
RUN_ID = "feed-fidelity"
_TAG = re.compile(r"<[^>]*>")
_MOJIBAKE = re.compile("\u00c3[\u0080-\u00bf]|\u00e2\u20ac")


def plain(value) -> str:
    """A fragment as one line of text: tags stripped, entities decoded, whitespace normalised."""
    return " ".join(html.unescape(_TAG.sub(" ", value or "")).split()) if isinstance(value, str) else ""


def has_mojibake(*values) -> bool:
    return any(isinstance(v, str) and _MOJIBAKE.search(v) for v in values)


def entry_has_text(entry) -> bool:
    return any(plain(c.get("value")) for c in entry.get("content") or ()) or bool(plain(entry.get("summary")))


def entry_title(entry) -> str:
    """feedparser's title as one line; its HTML stripped only when feedparser says it is HTML."""
    title = entry.get("title")
    is_html = "html" in ((entry.get("title_detail") or {}).get("type") or "html")
    return plain(title) if is_html else " ".join(title.split()) if isinstance(title, str) else ""


def feed_stats(data: bytes) -> dict:
    """feedparser's view of one feed file, read straight from its bytes."""
    entries = feedparser.parse(data).get("entries", [])
    return {"entries": len(entries),
            "with_text": sum(entry_has_text(e) for e in entries),
            "titled_or_linked": sum(bool(e.get("title") or e.get("link")) for e in entries),
            "titles": [entry_title(e) for e in entries if entry_title(e)],
            "mojibake": sum(has_mojibake(e.get("title"), e.get("summary"), *(c.get("value") for c in e.get("content") or ()))
                            for e in entries)}


def compare(stats: dict, articles: list, duplicates: list, rejected: list) -> dict:
    """One file's comparison (pure): ``articles`` are dicts with title, text, url, title_only;
    ``duplicates`` dicts with a reason and kept_title_only, ``rejected`` dicts with a reason."""
    with_text = sum(not a.get("title_only") for a in articles)
    kept_text = sum(not d.get("kept_title_only") for d in duplicates)
    titles = Counter(" ".join(a["title"].split()) for a in articles if (a["title"] or "").strip())
    return {"entries": stats["entries"], "with_text": stats["with_text"], "titled_or_linked": stats["titled_or_linked"],
            "articles": len(articles), "title_only": len(articles) - with_text,
            "duplicates": len(duplicates), "rejected": len(rejected),
            "lost_with_text": max(0, stats["with_text"] - (with_text + len(duplicates))),
            "lost_strict": max(0, stats["with_text"] - (with_text + kept_text)),
            "titles_matching": sum((titles & Counter(stats["titles"])).values()),
            "titles_newsbeam": sum(titles.values()), "titles_feedparser": len(stats["titles"]),
            "mojibake": sum(has_mojibake(a["title"], a["text"]) for a in articles),
            "mojibake_feedparser": stats["mojibake"],
            "relative_urls": sum(bool(a["url"]) and not a["url"].startswith("http") for a in articles),
            "dup_reasons": Counter(d["reason"] for d in duplicates),
            "reject_reasons": Counter(r["reason"] for r in rejected)}


def corpus_files(corpus: Path, limit) -> list:
    files = sorted(p for p in corpus.rglob("*.xml") if p.is_file())
    return files[:limit] if limit else files


def stage_inputs(files: list, corpus: Path, folder: Path) -> dict:
    """Copies under ``folder`` (relative names kept, so unique; ``.xml`` suffix); key -> source path."""
    staged = {}
    for path in files:
        key = path.relative_to(corpus).as_posix()
        key = key if key.endswith(".xml") else key + ".xml"
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / key)
        staged[key] = path
    return staged


def run_newsbeam(inputs: Path, out: Path) -> float:
    """``newsbeam run`` once over every staged file; wall seconds."""
    command = [sys.executable, "-m", "pipelines.cli.main", "run", "--input", f"{inputs}/**/*.xml",
               "--output", str(out), "--run-id", RUN_ID]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"newsbeam run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def read_rows(out: Path, kind: str, columns: list) -> list:
    """The rows of one output kind; columns an older schema lacks (``title_only``) are left out."""
    folder = out / kind
    if not folder.is_dir():
        return []
    dataset = ds.dataset(str(folder), format="parquet", partitioning="hive")
    return dataset.to_table(columns=[c for c in columns if c in dataset.schema.names]).to_pylist()


def by_file(rows: list, inputs: Path) -> dict:
    """Rows grouped by staged key: the part of ``source_uri`` after the input folder."""
    marker, grouped = f"{inputs.as_posix()}/", {}
    for row in rows:
        uri = row.get("source_uri") or ""
        grouped.setdefault(uri.split(marker, 1)[-1], []).append(row)
    return grouped


def compare_all(staged: dict, out: Path, inputs: Path) -> dict:
    article_rows = read_rows(out, "articles", ["id", "source_uri", "title", "text", "url", "title_only"])
    title_only = {a["id"] for a in article_rows if a.get("title_only")}
    duplicates = read_rows(out, "duplicates", ["source_uri", "reason", "kept_id"])
    for row in duplicates:
        row["kept_title_only"] = row["kept_id"] in title_only
    articles, duplicates = by_file(article_rows, inputs), by_file(duplicates, inputs)
    rejected = by_file(read_rows(out, "rejected", ["source_uri", "reason"]), inputs)
    unmatched = sum(len(v) for g in (articles, duplicates, rejected) for k, v in g.items() if k not in staged)
    results = {key: compare(feed_stats(path.read_bytes()), articles.get(key, []), duplicates.get(key, []),
                            rejected.get(key, [])) for key, path in staged.items()}
    return {"files": results, "unmatched_rows": unmatched}


def load_manifest(out: Path) -> dict:
    return json.loads((out / "_runs" / f"{RUN_ID}.json").read_text())


def totals_table(files: dict, manifest: dict, unmatched: int, seconds: float) -> str:
    total = Counter()
    for r in files.values():
        total.update({k: v for k, v in r.items() if isinstance(v, int)})
    lossy = sum(1 for r in files.values() if r["lost_with_text"])
    rows = [("files", f"{len(files):,}"), ("feedparser entries", f"{total['entries']:,}"),
            ("... with text", f"{total['with_text']:,}"), ("... with a title or link", f"{total['titled_or_linked']:,}"),
            ("newsbeam articles", f"{total['articles']:,}"), ("... title-only", f"{total['title_only']:,}"),
            ("duplicates rows", f"{total['duplicates']:,}"), ("rejected rows", f"{total['rejected']:,}"),
            ("entries with text lost", f"{total['lost_with_text']:,}"), ("files with a loss", f"{lossy:,}"),
            ("... strict (duplicates of a title-only article lost)", f"{total['lost_strict']:,}"),
            ("titles matching feedparser (of newsbeam titles)", _share(total["titles_matching"], total["titles_newsbeam"])),
            ("... of feedparser titles (duplicates rows have none)",
             _share(total["titles_matching"], total["titles_feedparser"])),
            ("articles with mojibake (feedparser entries)", f"{total['mojibake']:,} ({total['mojibake_feedparser']:,})"),
            ("relative urls", f"{total['relative_urls']:,}"),
            ("rows not matched to a file", f"{unmatched:,}"),
            ("manifest reconciled", "yes" if manifest["reconciliation"]["ok"] else "no"),
            ("newsbeam run wall time", f"{seconds:.1f} s")]
    return "\n".join(["| feed fidelity | value |", "|---|---:|"] + [f"| {a} | {b} |" for a, b in rows])


def _share(part: int, whole: int) -> str:
    return f"{part:,}/{whole:,} ({part / whole:.1%})" if whole else "n/a"


def losses_table(files: dict) -> str:
    worst = sorted(((r["lost_strict"], r["lost_with_text"], k) for k, r in files.items() if r["lost_strict"]),
                   reverse=True)[:TOP]
    lines = [f"| top {TOP} files by lost entries | entries | with text | articles (title-only) | dups "
             "| rejected | lost (strict) |", "|---|---:|---:|---:|---|---|---:|"]
    for strict, lost, key in worst:
        r = files[key]
        lines.append(f"| {key} | {r['entries']} | {r['with_text']} | {r['articles']} ({r['title_only']}) "
                     f"| {_reasons(r['dup_reasons'])} | {_reasons(r['reject_reasons'])} | {lost} ({strict}) |")
    return "\n".join(lines)


def _reasons(counts: Counter) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in counts.most_common()) or "0"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N files (sorted)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the input copy and output here")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="feed-fidelity-"))
    inputs, out = work / "input", work / "out"
    shutil.rmtree(inputs, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    try:
        staged = stage_inputs(corpus_files(args.corpus.resolve(), args.limit), args.corpus.resolve(), inputs)
        seconds = run_newsbeam(inputs, out)
        compared = compare_all(staged, out, inputs)
        print(totals_table(compared["files"], load_manifest(out), compared["unmatched_rows"], seconds))
        print("\n" + losses_table(compared["files"]))
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
