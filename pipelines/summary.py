"""Human-readable run summary, printed from the committed manifest."""
import os

from transforms.layout import join


def _duckdb_hint(output: str) -> str:
    glob = join(output, "articles", "**", "*.parquet")
    return (f"duckdb -c \"select source, count(*) from read_parquet('{glob}', "
            "hive_partitioning=true) group by 1\"")


def format_summary(manifest: dict, output: str) -> str:
    """A few lines: counts, rejects by reason, partitions, where files are, a query."""
    counts, rec = manifest["counts"], manifest["reconciliation"]
    state = "reconciled" if rec["ok"] else "NOT RECONCILED"
    lines = [
        f"newsbeam run {manifest['run_id']}: {counts['articles']} articles, "
        f"{counts['rejected']} rejected, {counts['duplicates']} duplicates "
        f"from {rec['inputs']} inputs in {manifest['inputs']['files_matched']} files ({state})",
    ]
    for source, rows in manifest["articles_by_source"].items():
        lines.append(f"  source {source:<30} {rows:>7} articles")
    for reason, count in manifest.get("duplicates_by_reason", {}).items():
        lines.append(f"  duplicate {reason:<27} {count:>7}")
    if manifest.get("near_duplicates_linked"):
        lines.append(f"  near-duplicates linked (duplicate_of)  {manifest['near_duplicates_linked']:>5}")
    for reason, stats in manifest["rejected_by_reason"].items():
        lines.append(f"  rejected {reason:<28} {stats['count']:>7}  e.g. {stats['example'][:90]}")
    shown = output if "://" in output else os.path.abspath(output)
    lines += [
        f"  {len(manifest['partitions'])} partitions, {len(manifest['files'])} files under {shown}",
        f"  manifest: {join(shown, '_runs', manifest['run_id'] + '.json')}",
        f"  look at them: {_duckdb_hint(output)}",
    ]
    return "\n".join(lines)
