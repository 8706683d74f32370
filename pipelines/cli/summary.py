"""Human-readable run summary, printed from the committed manifest."""
import os
from datetime import datetime
from typing import Optional

from pipelines.cli.words import counted
from schemas.layout import join

INTERNAL_ERROR_SUFFIX = "/internal_error"


def _duckdb_hint(output: str) -> str:
    """A DuckDB query over the committed article files only (docs/schema.md, "Reading the output")."""
    runs, root = join(output, "_runs", "*.json"), output.rstrip("/")
    return (f"duckdb -c \"SET VARIABLE files = (SELECT list('{root}/' || f.path) FROM (SELECT unnest(files) AS f "
            f"FROM read_json('{runs}', columns = {{files: 'STRUCT(path VARCHAR)[]'}})) WHERE f.path LIKE 'articles/%'); "
            "SELECT source, count(*) FROM read_parquet(getvariable('files'), hive_partitioning = true) GROUP BY 1\"")


def run_seconds(manifest: dict) -> Optional[float]:
    """The run's duration: the manifest's ``duration_s``, else finished_at - started_at."""
    if manifest.get("duration_s") is not None:
        return float(manifest["duration_s"])
    try:
        started = datetime.fromisoformat(manifest["started_at"])
        finished = datetime.fromisoformat(manifest["finished_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return max(0.0, (finished - started).total_seconds())


def timing_line(manifest: dict) -> str:
    """``in 12.4 s: 81 inputs/s, 76 articles/s, 1.2 MB written``."""
    seconds = run_seconds(manifest)
    if seconds is None:
        return ""
    written = sum(f.get("bytes", 0) for f in manifest.get("files", []))
    inputs = manifest["reconciliation"]["inputs"]
    per = max(seconds, 0.001)
    return (f"in {seconds:.1f} s: {inputs / per:,.1f} inputs/s, "
            f"{manifest['counts']['articles'] / per:,.1f} articles/s, {written / 1e6:,.1f} MB written")


def headline(manifest: dict) -> str:
    counts, rec = manifest["counts"], manifest["reconciliation"]
    state = "reconciled" if rec["ok"] else "NOT RECONCILED"
    return (f"newsbeam run {manifest['run_id']}: {counted(counts['articles'], 'article')}, "
            f"{counts['rejected']:,} rejected, {counted(counts['duplicates'], 'duplicate')} "
            f"from {counted(rec['inputs'], 'input')} in {counted(manifest['inputs']['files_matched'], 'file')} ({state})")


def data_partitions(manifest: dict) -> list:
    """The manifest's partitions of articles, rejected rows and duplicates (not its state files)."""
    return [p for p in manifest["partitions"] if not p.startswith("_")]


def internal_errors(manifest: dict) -> int:
    return sum(stats["count"] for reason, stats in manifest["rejected_by_reason"].items()
               if reason.endswith(INTERNAL_ERROR_SUFFIX))


def format_summary(manifest: dict, output: str, brief: bool = False) -> str:
    """A few lines: counts, time and throughput, rejects by reason, partitions, where files are, a query.
    ``brief``: the first line only (``--quiet``)."""
    lines = [headline(manifest)]
    bugs = internal_errors(manifest)
    if bugs:
        lines.append(f"  !! {bugs} inputs hit a bug (internal_error): the traceback is in rejected/ column "
                     "`error`; please report it")
    if brief:
        return "\n".join(lines)
    timing = timing_line(manifest)
    if timing:
        lines.append(f"  {timing}")
    for source, rows in manifest["articles_by_source"].items():
        lines.append(f"  source {source:<30} {rows:>7} {'article' if rows == 1 else 'articles'}")
    for reason, count in manifest.get("duplicates_by_reason", {}).items():
        lines.append(f"  duplicate {reason:<27} {count:>7}")
    if manifest["counts"]["duplicates"]:
        lines.append(f"  each dropped copy, with the id kept: {join(output, 'duplicates')}/ (id, kept_id, reason)")
    unparsed = manifest.get("counters", {}).get("date_unparsed", 0)
    if unparsed:
        lines.append(f"  dates that could not be read (left empty) {unparsed:>7}")
    if manifest.get("near_duplicates_linked"):
        lines.append(f"  near-duplicates linked (duplicate_of)  {manifest['near_duplicates_linked']:>5}")
    site_lines = manifest.get("counters", {}).get("site_lines_removed", 0)
    if site_lines:
        cleaned = manifest["counters"].get("articles_site_cleaned", 0)
        lines.append(f"  site boilerplate removed (site_repeated) {site_lines:>5} lines in {cleaned} articles")
    for reason, stats in manifest["rejected_by_reason"].items():
        lines.append(f"  rejected {reason:<28} {stats['count']:>7}  e.g. {stats['example'][:90]}")
    shown = output if "://" in output else os.path.abspath(output)
    lines += [
        f"  {counted(len(data_partitions(manifest)), 'partition')}, {counted(len(manifest['files']), 'file')} "
        f"under {shown}",
        f"  manifest: {join(shown, '_runs', manifest['run_id'] + '.json')}",
        f"  look at them: newsbeam inspect {shown}   or   {_duckdb_hint(output)}",
    ]
    if manifest["counts"]["rejected"]:
        lines.append(f"  after a fix, re-run the rejected inputs: newsbeam replay {join(shown, 'rejected')} "
                     f"--from-run {manifest['run_id']}")
    return "\n".join(lines)
