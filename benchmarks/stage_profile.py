"""Where the time of one document goes: newsbeam's functions timed stage by stage.

``profile_stages(files, limit)`` runs the bare loop's functions on the first ``limit``
records: ``split_file``, ``extract_document``, then ``build_article`` with the functions it
calls wrapped in timers (inside ``transforms.text.article`` only, for the duration of the
profile), so each stage is timed where it really runs; ``row assembly`` is the rest of
``build_article`` (URL, source, id, topics, dates, the row dict); site lines are each article's
lines counted per source, as the run's site-line step counts them. Parquet is
``Table.from_pylist`` plus ``write_table`` (zstd) of all the rows.
"""
import contextlib
import io
import time
from collections import Counter, defaultdict
from typing import Dict, List

__all__ = ["STAGES", "profile_stages"]

_TIMED = {  # name in transforms.text.article -> stage
    "strip_boilerplate": "boilerplate rules",
    "detect_language": "language id",
    "content_hash": "normalise + sha256",
    "word_count": "word count",
    "simhash64": "simhash (shingle hashes, majority vote)",
}
STAGES = ("read + split JSONL", "extract (JSON, paragraphs, metadata)", *_TIMED.values(), "row assembly",
          "site lines (counted per source)", "parquet (arrow + zstd)")


def _timed(totals: Dict[str, float], stage: str, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[stage] += time.perf_counter() - started
    return wrapper


@contextlib.contextmanager
def _timers_in_article(totals: Dict[str, float]):
    import transforms.text.article as article

    originals = {name: getattr(article, name) for name in _TIMED}
    try:
        for name, stage in _TIMED.items():
            setattr(article, name, _timed(totals, stage, originals[name]))
        yield article.build_article
    finally:
        for name, function in originals.items():
            setattr(article, name, function)


def profile_stages(files: List[str], limit: int) -> Dict[str, float]:
    """Seconds per document for each of STAGES, over the first ``limit`` records of ``files``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.run.config import build_settings
    from pipelines.run.run_context import new_run_context
    from schemas import ARTICLE_SCHEMA
    from transforms.text.boilerplate import load_rules, strip_boilerplate
    from transforms.sources.formats import extract_document, split_file
    from transforms.text.language import detect_language
    from benchmarks.throughput_engines import count_site_lines

    settings = build_settings({}, {})
    rules, ctx = load_rules(settings.rule_packs), new_run_context(settings)
    detect_language("warm the language model up before timing")
    strip_boilerplate("Advert\nwarm the rule indexes up before timing", rules)
    totals: Dict[str, float] = defaultdict(float)
    units = []
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        units += _timed(totals, STAGES[0], lambda d, p: list(split_file(d, p, "jsonl")))(data, path)
        if len(units) >= limit:
            break
    count = min(limit, len(units))
    totals[STAGES[0]] *= count / len(units)
    rows, whole = [], 0.0
    with _timers_in_article(totals) as build_article:
        for unit in units[:count]:
            doc = _timed(totals, STAGES[1], extract_document)(unit)
            started = time.perf_counter()
            rows.append(build_article(doc, rules, ctx))
            whole += time.perf_counter() - started
    totals["row assembly"] = max(0.0, whole - sum(totals[stage] for stage in _TIMED.values()))
    line_counts = Counter()
    for row in rows:
        _timed(totals, STAGES[-2], count_site_lines)(line_counts, row, settings.site_lines.max_line_words)
    write = lambda r: pq.write_table(pa.Table.from_pylist(r, schema=ARTICLE_SCHEMA), io.BytesIO(),  # noqa: E731
                                     compression="zstd")
    _timed(totals, STAGES[-1], write)(rows)
    return {stage: totals[stage] / count for stage in STAGES}
