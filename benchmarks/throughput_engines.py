"""The two comparison runs of the throughput benchmark, each meant to run in its own process.

    python -m benchmarks.throughput_engines bare CORPUS_DIR OUT_DIR
    python -m benchmarks.throughput_engines datatrove CORPUS_DIR OUT_DIR [--workers 2]
    python -m benchmarks.throughput_engines datatrove-newsbeam CORPUS_DIR OUT_DIR [--workers 2]

``bare``: newsbeam's own functions in a plain single-process loop -- ``split_file`` ->
``extract_document`` -> ``build_article`` with the packaged rule packs, each article's lines
counted for site boilerplate (``countable_lines``, as the run's site-line step counts them),
then one zstd Parquet file per input file with pyarrow. No Beam, no dead-letter rows, no
dedup: the per-core limit of the per-document code.

``datatrove``: what a user would pick instead -- datatrove's ``JsonlReader``, a minimal
line cleaner (one regex for the corpus' boilerplate lines), ``ParquetWriter`` (zstd),
on ``LocalPipelineExecutor`` with one task per worker.

``datatrove-newsbeam``: the same datatrove executor with newsbeam's cleaning and metadata
functions as its step instead of the minimal cleaner: the same work per document as newsbeam,
on datatrove's runner rather than Beam's (no deduplication, no dead-letter rows).

Each prints one JSON object: documents in, articles out, seconds of processing.
"""
import argparse
import glob
import json
import os
import re
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

__all__ = ["bare_loop", "count_site_lines", "datatrove_run", "minimal_clean", "newsbeam_clean"]

# The boilerplate lines of benchmarks/news_corpus.py, as a user writing a quick cleaner would.
_MINIMAL_BOILERPLATE = re.compile(
    r"(?:-\s*)?(?:advert(?:isement)?|anzeige|werbung|publicit[ée]|publicidad)(?:\s*-)?"
    r"|story continues below advertisement|(?:sign up|subscribe)\b.*|enter your email\b.*"
    r"|(?:topics?|themen|sujets|temas)\s*:.*|(?:photograph|photo|foto|image credit)\s*:.*|\(photo by .*\)"
    r"|follow us on .*|support independent .*|if you would like to support .*"
    r"|(?:melden sie sich|inscrivez-vous|suscr[íi]bete)\b.*|(?:unterstützen sie|soutenez|apoya)\b.*",
    re.IGNORECASE)


def bare_loop(corpus: str, out: str) -> dict:
    """newsbeam's functions over every ``*.jsonl`` file of ``corpus``, one process."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.run.config import build_settings
    from pipelines.run.run_context import new_run_context
    from schemas import ARTICLE_SCHEMA
    from transforms.text.article import build_article
    from transforms.text.boilerplate import load_rules
    from transforms.errors import RejectError
    from transforms.sources.formats import extract_document, split_file

    settings = build_settings({}, {})
    rules, ctx = load_rules(settings.rule_packs), new_run_context(settings)
    os.makedirs(out, exist_ok=True)
    docs = articles = 0
    line_counts = Counter()
    started = time.perf_counter()
    for number, path in enumerate(sorted(glob.glob(os.path.join(corpus, "*.jsonl")))):
        with open(path, "rb") as handle:
            units = split_file(handle.read(), path, "jsonl")
        rows = []
        for unit in units:
            docs += 1
            try:
                rows.append(build_article(extract_document(unit), rules, ctx))
            except RejectError:
                continue
            count_site_lines(line_counts, rows[-1], settings.site_lines.max_line_words)
        table = pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA)
        pq.write_table(table, os.path.join(out, f"part-{number:05d}.parquet"), compression="zstd")
        articles += len(rows)
    return {"docs": docs, "articles": articles, "seconds": time.perf_counter() - started}


def count_site_lines(counts: Counter, row: dict, max_line_words: int) -> None:
    """Count the article's lines per source, as the run's site-line step does for every article."""
    from transforms.text.site_lines import countable_lines

    for line in countable_lines(row["text"], max_line_words):
        counts[(row["source"], line.fingerprint)] += 1


def minimal_clean(data, rank: int = 0, world_size: int = 1):
    """A datatrove pipeline step: drop the lines the regex recognises as boilerplate."""
    for document in data:
        lines = (line for line in document.text.splitlines() if not _MINIMAL_BOILERPLATE.fullmatch(line.strip()))
        document.text = "\n".join(lines)
        yield document


class _NewsbeamFunctions:
    """newsbeam's rule packs and run context, built once per datatrove worker process."""

    _built = None

    @classmethod
    def get(cls):
        if cls._built is None:
            from pipelines.run.config import build_settings
            from pipelines.run.run_context import new_run_context
            from transforms.text.boilerplate import load_rules

            settings = build_settings({}, {})
            cls._built = (load_rules(settings.rule_packs), new_run_context(settings), Counter(),
                          settings.site_lines.max_line_words)
        return cls._built


def newsbeam_clean(data, rank: int = 0, world_size: int = 1):
    """A datatrove pipeline step running newsbeam's extract_document + build_article on each record."""
    from transforms.text.article import build_article
    from transforms.errors import RejectError
    from transforms.sources.formats import extract_document
    from schemas.records import RawDocument

    rules, ctx, line_counts, max_line_words = _NewsbeamFunctions.get()
    for document in data:
        record = {**document.metadata, "id": document.id, "text": document.text}
        raw = RawDocument(json.dumps(record, default=str).encode("utf-8"), record.get("file_path", ""), "json")
        try:
            row = build_article(extract_document(raw), rules, ctx)
        except RejectError:
            continue
        count_site_lines(line_counts, row, max_line_words)
        document.text = row["text"]
        document.metadata = {key: row[key] for key in ("source", "language", "content_hash", "simhash",
                                                       "word_count", "topics")}
        yield document


def datatrove_run(corpus: str, out: str, workers: int = 2, step=minimal_clean) -> dict:
    """JsonlReader -> ``step`` -> ParquetWriter(zstd) on ``workers`` local processes."""
    import pyarrow.parquet as pq
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import ParquetWriter

    shutil.rmtree(out, ignore_errors=True)
    pipeline = [JsonlReader(corpus, glob_pattern="*.jsonl"), step,
                ParquetWriter(os.path.join(out, "data"), compression="zstd")]
    started = time.perf_counter()
    LocalPipelineExecutor(pipeline, tasks=workers, workers=workers, logging_dir=os.path.join(out, "logs")).run()
    seconds = time.perf_counter() - started
    written = sum(pq.ParquetFile(path).metadata.num_rows
                  for path in glob.glob(os.path.join(out, "data", "**", "*.parquet"), recursive=True))
    return {"docs": written, "articles": written, "seconds": seconds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("engine", choices=("bare", "datatrove", "datatrove-newsbeam"))
    parser.add_argument("corpus")
    parser.add_argument("out")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if args.engine == "bare":
        result = bare_loop(args.corpus, args.out)
    elif args.engine == "datatrove":
        result = datatrove_run(args.corpus, args.out, args.workers)
    else:
        result = datatrove_run(args.corpus, args.out, args.workers, step=newsbeam_clean)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
