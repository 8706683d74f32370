"""The run manifest (``OUT/_runs/RUNID.json``), built from what was committed.

Pure: it takes file descriptions and counts, and returns a JSON-able dict.
The reconciliation it records is the pipeline's promise that nothing was
dropped: every input unit is an article, a duplicate or a rejected row.
"""
from collections import Counter
from datetime import datetime
from typing import Iterable, Mapping

from schemas.layout import ARTICLES, DUPLICATES, REJECTED


def rows_by(files: Iterable[dict], key: str) -> dict:
    """Row counts of ``files`` grouped by one partition key."""
    totals = Counter()
    for item in files:
        if item["rows"]:  # an empty run's placeholder file names no real partition value
            totals[item["partition"].get(key, "")] += item["rows"]
    return dict(sorted(totals.items()))


def reconcile(units: int, articles: int, rejected: int, duplicates: int) -> dict:
    """Whether inputs = articles + duplicates + rejected, stated as numbers."""
    return {
        "inputs": units,
        "articles": articles,
        "duplicates": duplicates,
        "rejected": rejected,
        "ok": units == articles + duplicates + rejected,
    }


def timing(header: Mapping, units: int, articles: int, files) -> dict:
    """Duration and throughput from the header's started_at / finished_at."""
    started = datetime.fromisoformat(header["started_at"]) if header.get("started_at") else None
    finished = datetime.fromisoformat(header["finished_at"]) if header.get("finished_at") else None
    seconds = round(max((finished - started).total_seconds(), 0.0), 3) if started and finished else None
    return {
        "duration_s": seconds,
        "throughput": {"inputs_per_s": round(units / seconds, 2) if seconds else None,
                       "articles_per_s": round(articles / seconds, 2) if seconds else None,
                       "bytes_written": sum(f["bytes"] for f in files)},
    }


BASE_COUNTERS = ("files_matched", "records", "read_rejected", "feeds_not_modified")


def _by_kind(counts: Mapping, prefix: str) -> dict:
    """The counters named ``prefix<kind>``, by kind."""
    return dict(sorted((k[len(prefix):], v) for k, v in counts.items() if k.startswith(prefix)))


def build_manifest(header: Mapping, files: Iterable[dict], counts: Mapping, reasons: Mapping) -> dict:
    """The manifest dict. ``counts`` holds files_matched, records, read_rejected and
    ``duplicate/<reason>`` counts, plus any other counters worth keeping; a counter that
    saw nothing may be missing and is 0 (the BASE_COUNTERS are always listed). Articles,
    rejected rows and duplicates are counted from the committed files. ``archive_skipped/<kind>``
    counts a web archive's records that are not units, pages the ``archive:`` filters drop
    included (``filtered_host``, ``filtered_url``, ``filtered_language``): not units, so outside
    the reconciliation."""
    counts = {**dict.fromkeys(BASE_COUNTERS, 0), **counts}
    files = list(files)
    articles = [f for f in files if f["kind"] == ARTICLES]
    rejected = [f for f in files if f["kind"] == REJECTED]
    n_articles = sum(f["rows"] for f in articles)
    n_rejected = sum(f["rows"] for f in rejected)
    n_duplicates = sum(f["rows"] for f in files if f["kind"] == DUPLICATES)
    units = counts.get("records", 0) + counts.get("read_rejected", 0)
    duplicates = _by_kind(counts, "duplicate/")
    return {
        **header,
        "status": "committed",
        "inputs": {"files_matched": counts.get("files_matched", 0), "units": units},
        "counts": {"articles": n_articles, "rejected": n_rejected, "duplicates": n_duplicates},
        "reconciliation": reconcile(units, n_articles, n_rejected, n_duplicates),
        "duplicates_by_reason": duplicates,
        "near_duplicates_linked": sum(f.get("linked", 0) for f in articles),
        "archive_records_skipped": _by_kind(counts, "archive_skipped/"),
        "counters": dict(sorted(counts.items())),
        **timing(header, units, n_articles, files),
        "articles_by_source": rows_by(articles, "source"),
        "articles_by_date": rows_by(articles, "dt"),
        "rejected_by_reason": dict(sorted(reasons.items())),
        "partitions": sorted({f["path"].rsplit("/", 1)[0] for f in files}),
        "files": sorted(({"path": f["path"], "rows": f["rows"], "bytes": f["bytes"]} for f in files),
                        key=lambda f: f["path"]),
    }
