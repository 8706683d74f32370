"""The data-quality numbers of ``newsbeam report``, aggregated out of core with DuckDB.

DuckDB scans the committed articles as a pyarrow dataset (hive partitions included) with a
memory limit, so a dataset of millions of rows reports in bounded memory; only the
aggregates (one row per source, per day, per rule family) come back to Python.
"""
import re
from typing import Dict, List, Optional

import duckdb
import pyarrow.dataset as ds

__all__ = ["dataset_rows", "quality_by_source", "published_per_day", "rule_families", "run_trend", "MEMORY_LIMIT"]

MEMORY_LIMIT = "1GB"
MAX_SOURCES = 50
LANGUAGE_SUFFIX = re.compile(r"_(en|de|fr|es|it|nl|pt|pl|sv|da|no|fi)$")

_BY_SOURCE = f"""
SELECT source, count(*) AS articles,
       avg(CASE WHEN coalesce(title, '') <> '' THEN 1 ELSE 0 END) AS title,
       avg(CASE WHEN len(coalesce(authors, [])) > 0 THEN 1 ELSE 0 END) AS authors,
       avg(CASE WHEN published_at IS NOT NULL THEN 1 ELSE 0 END) AS published_at,
       avg(CASE WHEN coalesce(language, 'und') NOT IN ('', 'und') THEN 1 ELSE 0 END) AS language,
       avg(CASE WHEN coalesce(summary, '') <> '' THEN 1 ELSE 0 END) AS summary,
       median(word_count) AS median_words,
       avg(CASE WHEN len(boilerplate) > 0 THEN 1 ELSE 0 END) AS with_boilerplate,
       avg(CASE WHEN duplicate_of IS NOT NULL THEN 1 ELSE 0 END) AS near_duplicates
FROM articles GROUP BY source ORDER BY articles DESC, source LIMIT {MAX_SOURCES}
"""
_PER_DAY = """
SELECT CAST(published_at AS DATE) AS day, count(*) AS n FROM articles GROUP BY day ORDER BY day NULLS LAST
"""
_RULES = """
SELECT piece.rule AS rule, count(*) AS n FROM (SELECT unnest(boilerplate) AS piece FROM articles) GROUP BY rule
"""


def dataset_rows(dataset: Optional[ds.Dataset], sql: str) -> list:
    """The rows of ``sql`` over the dataset registered as ``articles`` ([] without one)."""
    if dataset is None:
        return []
    with duckdb.connect() as con:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.register("articles", dataset)
        return con.execute(sql).fetchall()


def quality_by_source(dataset: Optional[ds.Dataset]) -> List[dict]:
    """Per source (the largest first): articles, the share of articles with each field, median
    words, the share that had boilerplate removed and the share linked as near-duplicates."""
    names = ("source", "articles", "title", "authors", "published_at", "language", "summary", "median_words",
             "with_boilerplate", "near_duplicates")
    return [dict(zip(names, row)) for row in dataset_rows(dataset, _BY_SOURCE)]


def published_per_day(dataset: Optional[ds.Dataset]) -> Dict[str, int]:
    """{publication date: articles} ("undated" for those without a date), oldest first."""
    return {(day.isoformat() if day is not None else "undated"): n for day, n in dataset_rows(dataset, _PER_DAY)}


def rule_families(dataset: Optional[ds.Dataset]) -> Dict[str, int]:
    """Boilerplate pieces removed per rule family: a rule and its language variants together
    (``newsletter_de`` and ``newsletter_fr`` are ``newsletter``), most first."""
    families: Dict[str, int] = {}
    for rule, n in dataset_rows(dataset, _RULES):
        family = LANGUAGE_SUFFIX.sub("", rule or "unknown")
        families[family] = families.get(family, 0) + n
    return dict(sorted(families.items(), key=lambda item: (-item[1], item[0])))


def run_trend(runs: List[dict]) -> List[dict]:
    """Per run, oldest first: articles, and the reject and duplicate rates of its inputs."""
    trend = []
    for run in runs:
        articles, rejected, duplicates = (run.get(k) or 0 for k in ("articles", "rejected", "duplicates"))
        units = articles + rejected + duplicates
        trend.append({"run_id": run["run_id"], "started_at": run.get("started_at"), "articles": articles,
                      "reject_rate": rejected / units if units else 0.0,
                      "duplicate_rate": duplicates / units if units else 0.0})
    return trend
