"""Data expectations checked after each run, reported the way dbt tests or Great Expectations do.

``expectations:`` in the config (docs/configuration.md) names what a good run looks like:
at least ``min_articles`` articles, and for fields such as ``title`` or ``published_at`` the
least share of articles that have them (``fill``), for the whole run and per source
(``sources: {example.com: {min_articles: 5, fill: {authors: 0.5}}}``). After the commit every
check is written to the manifest (``expectations``: name, expected, actual, passed) and a
failed one makes the run exit 3. The numbers come from the run's committed article files,
read column by column with pyarrow: bounded memory whatever the run's size.
"""
from collections import Counter
from typing import Dict, List, Mapping

from pipelines.errors import ConfigError
from schemas.layout import ARTICLES, join

__all__ = ["FILL_FIELDS", "any_expectation", "check_expectations", "fill_counts", "validate_expectations"]

FILL_FIELDS = ("title", "authors", "published_at", "language", "summary", "url", "topics")


def validate_expectations(raw: Mapping) -> dict:
    """The ``expectations:`` section, checked (ConfigError naming the key), as plain dicts."""
    checked = {"min_articles": _count(raw.get("min_articles", 0), "expectations.min_articles"),
               "fill": _fill(raw.get("fill") or {}, "expectations.fill"), "sources": {}}
    for source, spec in (raw.get("sources") or {}).items():
        key = f"expectations.sources.{source}"
        if not isinstance(spec, Mapping) or set(spec) - {"min_articles", "fill"}:
            raise ConfigError(f"config key {key!r}: expected a mapping of min_articles and fill, got {spec!r}")
        checked["sources"][str(source)] = {"min_articles": _count(spec.get("min_articles", 0), f"{key}.min_articles"),
                                           "fill": _fill(spec.get("fill") or {}, f"{key}.fill")}
    return checked


def _count(value, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"config key {key!r}: expected a whole number >= 0, got {value!r}")
    return value


def _fill(value, key: str) -> Dict[str, float]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"config key {key!r}: expected a mapping of field -> share, got {value!r}")
    for field, share in value.items():
        if field not in FILL_FIELDS:
            raise ConfigError(f"config key '{key}.{field}': unknown field (known: {', '.join(FILL_FIELDS)})")
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise ConfigError(f"config key '{key}.{field}': expected a share from 0 to 1, got {share!r}")
    return {str(field): float(share) for field, share in value.items()}


def any_expectation(expectations: Mapping) -> bool:
    """Whether the validated ``expectations:`` section asks for any check."""
    return bool(expectations["min_articles"] or expectations["fill"] or expectations["sources"])


def fill_counts(output: str, manifest: Mapping) -> Dict[str, Counter]:
    """source -> Counter of articles and of articles having each FILL_FIELDS field, from the run's files."""
    counts: Dict[str, Counter] = {}
    for item in manifest.get("files", []):
        if item["path"].startswith(f"{ARTICLES}/") and item.get("rows"):
            _count_file(counts, join(output, item["path"]), _partition_values(item["path"]))
    return counts


def _partition_values(path: str) -> Dict[str, str]:
    return dict(part.split("=", 1) for part in path.split("/") if "=" in part)


def _count_file(counts, path: str, partition: Dict[str, str]) -> None:
    import pyarrow.parquet as pq  # here: the config validates expectations without loading pyarrow

    stored = set(pq.read_schema(path).names)
    columns = [f for f in FILL_FIELDS if f in stored] + (["source"] if "source" in stored else [])
    table = pq.read_table(path, columns=columns)
    sources = table.column("source").to_pylist() if "source" in stored else [partition.get("source")] * table.num_rows
    for name in sources:
        counts.setdefault(name, Counter())["articles"] += 1
    for field in FILL_FIELDS:
        if field in stored:
            _add_filled(counts, sources, table.column(field), field)
        elif partition.get(field) not in (None, "", "_none"):  # a partition column: every row has it
            for name in sources:
                counts[name][field] += 1


def _add_filled(counts, sources, column, field: str) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    present = pc.is_valid(column)
    if pa.types.is_list(column.type):
        present = pc.and_(present, pc.greater(pc.fill_null(pc.list_value_length(column), 0), 0))
    elif pa.types.is_string(column.type):
        present = pc.and_(present, pc.greater(pc.fill_null(pc.utf8_length(column), 0), 0))
    for name, has in zip(sources, present.to_pylist()):
        if has:
            counts[name][field] += 1


def check_expectations(expectations: Mapping, counts: Mapping[str, Counter]) -> List[dict]:
    """Every check, passed or not: {name, expected, actual, passed}."""
    total = sum((Counter(c) for c in counts.values()), Counter())
    results = _checks("run", expectations, total)
    for source, spec in expectations.get("sources", {}).items():
        results += _checks(f"source {source}", spec, counts.get(source, Counter()))
    return results


def _checks(scope: str, spec: Mapping, counted: Counter) -> List[dict]:
    articles = counted.get("articles", 0)
    results = []
    if spec.get("min_articles"):
        results.append(_result(f"{scope}: articles", f">= {spec['min_articles']}", articles,
                               articles >= spec["min_articles"]))
    for field, share in spec.get("fill", {}).items():
        actual = round(counted.get(field, 0) / articles, 4) if articles else 0.0
        results.append(_result(f"{scope}: share with {field}", f">= {share:g}", actual, articles > 0 and actual >= share))
    return results


def _result(name: str, expected: str, actual, passed: bool) -> dict:
    return {"name": name, "expected": expected, "actual": actual, "passed": bool(passed)}
