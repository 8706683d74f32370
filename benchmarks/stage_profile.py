"""Where the time of one document goes: newsbeam's functions timed stage by stage.

``profile_stages(files, limit)`` runs, for each of the first ``limit`` records, the
functions ``build_article`` calls, in its order, each timed on its own; ``row
assembly`` is what ``build_article`` takes beyond them (URL, source, id, topics, dates,
the row dict). Parquet is ``Table.from_pylist`` plus ``write_table`` (zstd) of all rows.
"""
import io
import time
from collections import defaultdict
from typing import Dict, List

__all__ = ["STAGES", "profile_stages"]

STAGES = (
    "read + split JSONL", "extract (JSON, paragraphs, metadata)", "boilerplate rules", "language id",
    "normalise text", "content hash (sha256)", "word count", "simhash (shingles, blake2b)", "row assembly",
    "parquet (arrow + zstd)",
)


def _timed(totals: Dict[str, float], stage: str, function, *args):
    started = time.perf_counter()
    result = function(*args)
    totals[stage] += time.perf_counter() - started
    return result


def profile_stages(files: List[str], limit: int) -> Dict[str, float]:
    """Seconds per document for each of STAGES, over the first ``limit`` records of ``files``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.config import build_settings
    from pipelines.run_context import new_run_context
    from schemas import ARTICLE_SCHEMA
    from transforms.article import build_article
    from transforms.boilerplate import load_rules, strip_boilerplate
    from transforms.fingerprints import content_hash, normalise_text_for_hash, simhash64, word_count
    from transforms.formats import extract_document, split_file
    from transforms.language import detect_language

    settings = build_settings({}, {})
    rules, ctx = load_rules(settings.rule_packs), new_run_context(settings)
    detect_language("warm the model up before timing")
    totals: Dict[str, float] = defaultdict(float)
    units = []
    for path in files:
        with open(path, "rb") as handle:
            units += _timed(totals, STAGES[0], lambda d, p: list(split_file(d, p, "jsonl")), handle.read(), path)
        if len(units) >= limit:
            break
    totals[STAGES[0]] *= limit / len(units)
    rows = []
    for unit in units[:limit]:
        doc = _timed(totals, STAGES[1], extract_document, unit)
        text = _timed(totals, STAGES[2], strip_boilerplate, doc.text, rules).text
        _timed(totals, STAGES[3], detect_language, text)
        _timed(totals, STAGES[4], normalise_text_for_hash, text)  # fills the per-text cache ...
        _timed(totals, STAGES[5], content_hash, text)  # ... that these three share
        _timed(totals, STAGES[6], word_count, text)
        _timed(totals, STAGES[7], simhash64, text)
        started = time.perf_counter()
        rows.append(build_article(doc, rules, ctx))
        whole = time.perf_counter() - started  # the cache is warm: no normalising in here
        parts = sum(totals[s] for s in STAGES[2:8] if s != STAGES[4])
        totals["_build"] += whole
        totals[STAGES[8]] = max(0.0, totals["_build"] - parts)
    _timed(totals, STAGES[9], lambda r: pq.write_table(pa.Table.from_pylist(r, schema=ARTICLE_SCHEMA),
                                                        io.BytesIO(), compression="zstd"), rows)
    count = min(limit, len(units))
    return {stage: totals[stage] / count for stage in STAGES}
