"""What a newsbeam output holds: ``newsbeam inspect DIR [--json]``.

Reads with pyarrow alone (an install requirement; DuckDB is only a dev extra):
file footers for row counts and the schema version, then a few columns of the
hive-partitioned datasets for dates, sources, topics, languages and rejects.
Local paths, and gs:// or s3:// where pyarrow was built with those filesystems.
"""
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from pipelines.cli.words import counted
from pipelines.errors import InputError
from transforms.sinks.commit_protocol import listed_paths
from schemas.layout import ARTICLES, DUPLICATES, REJECTED, SITE_LINES
from transforms.text.site_lines import SiteLineParams, learned_from_state

__all__ = ["OutputFiles", "open_output", "inspect_output", "format_inspection", "committed_dataset", "articles_dataset",
           "rejected_dataset", "value_counts", "first_line"]

RUNS = "_runs"
SCHEMA_VERSION_KEY = b"newsbeam.schema_version"
TOP = 10
SAMPLE_COLUMNS = ("id", "source", "dt", "published_at", "language", "word_count", "title")


@dataclass
class OutputFiles:
    """The files of one output root, listed once."""

    fs: pafs.FileSystem
    root: str  # the root as a path of ``fs``
    location: str  # the root as the user gave it
    files: Dict[str, List[str]] = field(default_factory=dict)  # kind -> sorted committed paths of ``fs``
    uncommitted: List[str] = field(default_factory=list)  # data files no committed manifest lists

    def relative(self, path: str) -> str:
        return path[len(self.root):].lstrip("/")


def _filesystem(location: str):
    if "://" in location:
        try:
            return pafs.FileSystem.from_uri(location)
        except (pa.ArrowException, ValueError) as err:
            raise InputError(f"{location!r}: cannot be opened with pyarrow ({first_line(err)})") from None
    return pafs.LocalFileSystem(), os.path.abspath(location).replace(os.sep, "/")


def _list(fs, root: str, kind: str, suffix: str) -> List[str]:
    selector = pafs.FileSelector(f"{root}/{kind}", allow_not_found=True, recursive=True)
    try:
        infos = fs.get_file_info(selector)
    except (OSError, pa.ArrowException) as err:
        raise InputError(f"{root}/{kind}: cannot be listed ({first_line(err)})") from None
    return sorted(i.path for i in infos if i.type == pafs.FileType.File and i.base_name.endswith(suffix)
                  and not i.base_name.startswith((".", "_")))


def open_output(location: str) -> OutputFiles:
    """List ``articles/``, ``rejected/``, ``duplicates/`` and ``_runs/`` under ``location``; InputError if none exists."""
    fs, root = _filesystem(location)
    root = root.rstrip("/")
    if fs.get_file_info(root).type != pafs.FileType.Directory:
        raise InputError(f"{location!r}: no such folder")
    stored = {kind: _list(fs, root, kind, ".parquet") for kind in (ARTICLES, REJECTED, DUPLICATES)}
    runs = _list(fs, root, RUNS, ".json")
    if not (any(stored.values()) or runs):
        raise InputError(f"{location!r}: not a newsbeam output (nothing under articles/, rejected/ or _runs/)")
    listed = {f"{root}/{path}" for path in _listed_paths(fs, runs)}
    files = {kind: [path for path in paths if path in listed] for kind, paths in stored.items()}
    uncommitted = sorted(path for paths in stored.values() for path in paths if path not in listed)
    return OutputFiles(fs=fs, root=root, location=location, files={**files, RUNS: runs}, uncommitted=uncommitted)


def _read_json_dict(fs, path: str) -> Optional[dict]:
    """The JSON object in ``path`` (a manifest, the lock), None when it is missing or unreadable."""
    try:
        with fs.open_input_stream(path) as handle:
            manifest = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError, pa.ArrowException):
        return None
    return manifest if isinstance(manifest, dict) else None


def _listed_paths(fs, runs: List[str]) -> List[str]:
    """Relative paths of the files committed manifests list: the only files a reader sees
    (transforms/sinks/commit_protocol.py)."""
    return [path for run in runs for path in listed_paths(_read_json_dict(fs, run))]


def first_line(value) -> str:
    text = str(value or "").strip()
    return text.splitlines()[0] if text else ""


def _dataset(out: OutputFiles, kind: str) -> Optional[ds.Dataset]:
    paths = out.files.get(kind) or []
    if not paths:
        return None
    return ds.dataset(paths, filesystem=out.fs, format="parquet", partitioning="hive",
                      partition_base_dir=f"{out.root}/{kind}")


def committed_dataset(location: str, kind: str = ARTICLES) -> Optional[ds.Dataset]:
    """The committed files of one kind under an output, as a hive-partitioned pyarrow dataset
    (None when there are none): what pandas, polars or DuckDB should read, e.g.
    ``committed_dataset("out").to_table().to_pandas()``."""
    return _dataset(open_output(location), kind)


def articles_dataset(out: OutputFiles) -> Optional[ds.Dataset]:
    return _dataset(out, ARTICLES)


def rejected_dataset(out: OutputFiles) -> Optional[ds.Dataset]:
    return _dataset(out, REJECTED)


def read_columns(dataset: Optional[ds.Dataset], columns) -> Optional[pa.Table]:
    """Only the ``columns`` the dataset has (older files may lack one)."""
    if dataset is None:
        return None
    present = [c for c in columns if c in dataset.schema.names]
    return dataset.to_table(columns=present)


def value_counts(array, top: Optional[int] = TOP, missing: Optional[str] = None) -> Dict[str, int]:
    """{value: count}, most frequent first (ties by value); nulls counted as ``missing`` when given."""
    array = pa.chunked_array(array) if not isinstance(array, pa.ChunkedArray) else array
    if missing is not None:
        array = pc.fill_null(array.cast(pa.string()), missing)
    counts = [(str(item["values"]), item["counts"].as_py()) for item in pc.value_counts(array)
              if item["values"].is_valid]
    counts.sort(key=lambda kv: (-kv[1], kv[0]))
    return dict(counts[:top] if top else counts)


# --------------------------------------------------------------------------- footers


def file_facts(out: OutputFiles, kind: str) -> dict:
    """Rows, files, partitions and schema versions from the Parquet footers of one kind."""
    partitions, versions, rows = {}, Counter(), 0
    for path in out.files.get(kind, []):
        meta = pq.read_metadata(path, filesystem=out.fs)
        rows += meta.num_rows
        versions[(meta.metadata or {}).get(SCHEMA_VERSION_KEY, b"unknown").decode()] += 1
        part = out.relative(path).rsplit("/", 1)[0]
        stats = partitions.setdefault(part, {"rows": 0, "files": 0})
        stats["rows"] += meta.num_rows
        stats["files"] += 1
    return {"rows": rows, "files": len(out.files.get(kind, [])), "schema_versions": dict(versions),
            "partitions": dict(sorted(partitions.items()))}


# --------------------------------------------------------------------------- sections


def _iso(value) -> Optional[str]:
    return value.isoformat() if value is not None else None


def _min_max(column) -> tuple:
    if column is None or len(column) == 0 or column.null_count == len(column):
        return None, None
    result = pc.min_max(column)
    return result["min"].as_py(), result["max"].as_py()


def articles_section(out: OutputFiles) -> dict:
    table = read_columns(articles_dataset(out), ["dt", "source", "language", "topics", "published_at", "title_only"])
    if table is None or table.num_rows == 0:
        return {"top_sources": {}, "top_topics": {}, "languages": {}, "dt_range": [None, None],
                "published_range": [None, None], "without_published_at": 0, "title_only": 0}
    names = table.schema.names
    dt_min, dt_max = _min_max(table["dt"].cast(pa.string())) if "dt" in names else (None, None)
    pub_min, pub_max = _min_max(table["published_at"]) if "published_at" in names else (None, None)
    return {
        "top_sources": value_counts(table["source"]) if "source" in names else {},
        "top_topics": value_counts(pc.list_flatten(table["topics"])) if "topics" in names else {},
        "languages": value_counts(table["language"], top=None, missing="und") if "language" in names else {},
        "dt_range": [dt_min, dt_max],
        "published_range": [_iso(pub_min), _iso(pub_max)],
        "without_published_at": table["published_at"].null_count if "published_at" in names else 0,
        "title_only": pc.sum(table["title_only"]).as_py() or 0 if "title_only" in names else 0,
    }


def duplicates_by_reason(out: OutputFiles) -> Dict[str, int]:
    """{reason: dropped copies} over every duplicates file, most frequent first."""
    table = read_columns(_dataset(out, DUPLICATES), ["reason"])
    return value_counts(table["reason"], top=None) if table is not None and table.num_rows else {}


def rejected_by_reason(out: OutputFiles) -> Dict[str, dict]:
    """{"stage/reason": {count, example}} over every rejected file, most frequent first."""
    table = read_columns(rejected_dataset(out), ["stage", "reason", "error"])
    if table is None or table.num_rows == 0:
        return {}
    keyed = table.append_column("key", pc.binary_join_element_wise(table["stage"], table["reason"], "/"))
    grouped = keyed.group_by("key", use_threads=False).aggregate([("error", "count"), ("error", "first")])
    rows = sorted(grouped.to_pylist(), key=lambda r: (-r["error_count"], r["key"]))
    return {r["key"]: {"count": r["error_count"], "example": _example(r["error_first"])} for r in rows}


def _example(error: Optional[str]) -> str:
    """The message's last line (a traceback's is the exception), like the manifest's examples."""
    lines = [line for line in (error or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def runs_section(out: OutputFiles) -> List[dict]:
    """Every run manifest, oldest first: id, times, counts, status."""
    runs = []
    for path in out.files.get(RUNS, []):
        manifest = _read_json_dict(out.fs, path)
        if manifest is None:
            continue
        runs.append({
            "run_id": manifest.get("run_id"),
            "started_at": manifest.get("started_at"),
            "finished_at": manifest.get("finished_at"),
            "status": manifest.get("status"),
            **{key: manifest.get("counts", {}).get(key) for key in ("articles", "rejected", "duplicates")},
        })
    return sorted(runs, key=lambda r: (r["started_at"] or "", r["run_id"] or ""))


def sample_rows(out: OutputFiles, samples: int) -> List[dict]:
    dataset = articles_dataset(out)
    if dataset is None or samples <= 0:
        return []
    columns = [c for c in SAMPLE_COLUMNS if c in dataset.schema.names]
    return dataset.head(samples, columns=columns).to_pylist()


def state_rows(out: OutputFiles) -> List[dict]:
    """The rows of the site-boilerplate state files committed runs list (missing ones: none)."""
    rows = []
    for path in _listed_paths(out.fs, out.files.get(RUNS, [])):
        if path.startswith(SITE_LINES + "/") and out.fs.get_file_info(f"{out.root}/{path}").type == pafs.FileType.File:
            try:
                rows += pq.read_table(f"{out.root}/{path}", filesystem=out.fs).to_pylist()
            except (OSError, pa.ArrowException):
                continue
    return rows


def learned_section(out: OutputFiles, top: int = 5) -> Dict[str, List[dict]]:
    """source -> its most repeated learned lines (all saved state, the default thresholds)."""
    learned = learned_from_state(state_rows(out), SiteLineParams())
    return {source: [{"count": count, "line": line} for count, line in sorted(lines.values(), reverse=True)[:top]]
            for source, lines in sorted(learned.items())}


def temp_section(out: OutputFiles, now: Optional[float] = None) -> dict:
    """The run folders under ``_tmp/`` (size, age in seconds) and the run holding the output lock,
    if any: folders of runs that died stay until the next run or ``newsbeam gc`` removes them."""
    now = time.time() if now is None else now
    selector = pafs.FileSelector(f"{out.root}/_tmp", allow_not_found=True, recursive=True)
    folders: Dict[str, dict] = {}
    for info in out.fs.get_file_info(selector):
        name = info.path[len(out.root) + len("/_tmp/"):].split("/", 1)[0]
        entry = folders.setdefault(name, {"bytes": 0, "age_s": None})
        if info.type == pafs.FileType.File:
            entry["bytes"] += info.size or 0
        if info.mtime is not None:
            age = max(0.0, now - info.mtime.timestamp())
            entry["age_s"] = round(age if entry["age_s"] is None else min(entry["age_s"], age))
    lock = out.fs.get_file_info(f"{out.root}/_lock.json")
    holder = None
    if lock.type == pafs.FileType.File:
        holder = (_read_json_dict(out.fs, lock.path) or {}).get("run_id") or "unknown"
    return {"folders": {name: folders[name] for name in sorted(folders) if not name.startswith(".")},
            "locked_by": holder}


def inspect_output(location: str, samples: int = 3) -> dict:
    """Everything ``newsbeam inspect`` shows, as a JSON-able dict."""
    out = open_output(location)
    articles = file_facts(out, ARTICLES)
    rejected = file_facts(out, REJECTED)
    duplicates = file_facts(out, DUPLICATES)
    versions = sum((Counter(kind["schema_versions"]) for kind in (articles, rejected, duplicates)), Counter())
    return {
        "location": location,
        "schema_versions": dict(versions),
        "articles": {**articles, **articles_section(out)},
        "rejected": {**rejected, "by_reason": rejected_by_reason(out)},
        "duplicates": {**duplicates, "by_reason": duplicates_by_reason(out)},
        "runs": runs_section(out),
        "uncommitted_files": [out.relative(path) for path in out.uncommitted],
        "temp": temp_section(out),
        "site_boilerplate": learned_section(out),
        "samples": sample_rows(out, samples),
    }


# --------------------------------------------------------------------------- text


def _counts_line(counts: Dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "-"


def _range(pair, width=10) -> str:
    low, high = pair
    if low is None:
        return "-"
    return f"{str(low)[:width]} .. {str(high)[:width]}"


def _learned_lines(learned: Dict[str, List[dict]], max_sources: int = 10) -> List[str]:
    if not learned:
        return []
    lines = [f"site boilerplate learned ({len(learned)} sources; removed as site_repeated)"]
    for source, found in list(learned.items())[:max_sources]:
        lines.append(f"  {source}")
        lines += [f"    {item['count']:>6}x  {first_line(item['line'])[:90]}" for item in found]
    if len(learned) > max_sources:
        lines.append(f"  ... {len(learned) - max_sources} more sources (--json lists all)")
    return lines


def _temp_lines(temp: dict) -> List[str]:
    folders, holder = temp.get("folders") or {}, temp.get("locked_by")
    if holder:
        return [f"in progress  run {holder} holds the output; {counted(len(folders), 'temporary folder')} under _tmp/"]
    if not folders:
        return []
    lines = [f"stale        {counted(len(folders), 'temporary folder')} of runs that stopped, under _tmp/ "
             "(not read; removed by the next run or newsbeam gc)"]
    for name, entry in list(folders.items())[:10]:
        age = "?" if entry["age_s"] is None else f"{entry['age_s'] / 3600:.1f} h old"
        lines.append(f"  {name:<40} {entry['bytes'] / 1e6:>8.1f} MB  {age}")
    return lines


def _noun(number: int, noun: str) -> str:
    return counted(number, noun).split(" ", 1)[1]


def format_inspection(info: dict, max_partitions: int = 20) -> str:
    """The text ``newsbeam inspect`` prints."""
    art, rej, dup = info["articles"], info["rejected"], info["duplicates"]
    versions = ", ".join(f"{v} ({n} files)" for v, n in sorted(info["schema_versions"].items())) or "-"
    lines = [
        f"newsbeam output {info['location']}",
        f"  articles   {art['rows']:>9,} {_noun(art['rows'], 'row')} in {counted(art['files'], 'file')}, "
        f"{counted(len(art['partitions']), 'partition')}",
        f"  rejected   {rej['rows']:>9,} {_noun(rej['rows'], 'row')} in {counted(rej['files'], 'file')}",
        f"  duplicates {dup['rows']:>9,} dropped copies in {dup['files']} files: {_counts_line(dup['by_reason'])}",
        f"  schema     version {versions}",
        f"  dt         {_range(art['dt_range'])}",
        f"  published  {_range(art['published_range'])}"
        + (f"  ({art['without_published_at']} articles without a date)" if art["without_published_at"] else ""),
    ]
    if art["title_only"]:
        lines.append(f"  title-only {art['title_only']:>9,} articles (a feed entry with no text: title_only = true)")
    runs = info["runs"]
    if runs:
        last = runs[-1]
        lines.append(f"  runs       {len(runs)}; latest {last['run_id']} at {last['started_at']}: "
                     f"{last['articles']} articles, {last['rejected']} rejected, {last['duplicates']} duplicates")
    lines += [
        f"top sources  {_counts_line(art['top_sources'])}",
        f"top topics   {_counts_line(art['top_topics'])}",
        f"languages    {_counts_line(art['languages'])}",
    ]
    if info["uncommitted_files"]:
        lines.append(f"not committed {len(info['uncommitted_files'])} data files no manifest lists (a stopped "
                     "commit; not read; the next run removes those it left)")
    lines += _temp_lines(info.get("temp") or {})
    if rej["by_reason"]:
        lines.append("rejected by reason")
        for reason, stats in rej["by_reason"].items():
            lines.append(f"  {reason:<32} {stats['count']:>7}  e.g. {stats['example'][:80]}")
    lines += _learned_lines(info.get("site_boilerplate") or {})
    partitions = list(art["partitions"].items()) + list(rej["partitions"].items())
    lines.append(f"partitions ({len(partitions)})")
    for name, stats in partitions[:max_partitions]:
        lines.append(f"  {name:<60} {stats['rows']:>8,} rows {stats['files']:>4} files")
    if len(partitions) > max_partitions:
        lines.append(f"  ... {len(partitions) - max_partitions} more (--json lists all)")
    if info["samples"]:
        lines.append("sample rows")
        for row in info["samples"]:
            published = str(row.get("published_at") or "-")[:10]
            lines.append(f"  {str(row.get('source')):<22} {published:<10} {str(row.get('language')):<3} "
                         f"{row.get('word_count', 0):>6} words  {first_line(row.get('title'))[:70]}")
    return "\n".join(lines)
