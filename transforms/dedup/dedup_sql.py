"""Deduplication decisions out of core: the rules of ``transforms/dedup/rules.py``, run by DuckDB
over the key columns of a run's staged rows and of the dataset's history.

A runner that keeps every PCollection between stages in memory (the local DirectRunner,
the portable runner's embedded job server) would hold one key record per article through
each grouping, so memory grew with the input (~8 KB per article). Here the keys go into a
DuckDB database with a memory limit that spills to a temp folder: memory is bounded by
``memory_mb`` whatever the number of articles, and only a few numbers, file names and
per-file batches leave the step.

The SQL is the same definition as ``dedup.pick_winner``/``near_links`` (the pure reference;
tests check that both decide alike on random inputs):

1. by ``id``: the first copy by ``winner_key`` stays, the others are ``duplicate_id``; the
   winner is ``seen_id`` when the history holds the id;
2. among the rest with at least ``content_min_words`` body words, the same by
   ``content_hash`` (``duplicate_content`` / ``seen_content``, the smallest history id kept);
3. near duplicates: each kept article with ``near_min_words`` words is linked
   (``duplicate_of``) to the earliest copy -- history first, then published earlier, then
   smaller id -- whose simhash is within ``near_threshold`` bits; only members sharing a
   band bucket (``dedup.band_buckets``) are compared.
"""
import shutil
import tempfile
from dataclasses import dataclass
from typing import Dict, Iterator

import duckdb
import pyarrow as pa

from transforms.dedup.rules import LATEST

__all__ = ["KEY_SCHEMA", "HISTORY_KEY_SCHEMA", "DedupParams", "DedupDecider"]

# What staging writes for each row (``staged_rows``), as DuckDB types; ``staged_file`` is added
# when a batch is read in.
_KEY_TYPES = {"staged_row": "BIGINT", "part": "VARCHAR", "id": "VARCHAR", "content_hash": "VARCHAR",
              "simhash": "BIGINT", "published_at": "BIGINT", "word_count": "INTEGER", "body_words": "INTEGER",
              "richness": "INTEGER", "source_uri": "VARCHAR", "duplicate_of": "VARCHAR"}
_HISTORY_TYPES = {name: _KEY_TYPES[name] for name in ("id", "content_hash", "simhash", "published_at", "word_count")}
_ARROW_TYPES = {"BIGINT": pa.int64(), "INTEGER": pa.int32(), "VARCHAR": pa.string()}
KEY_SCHEMA = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in _KEY_TYPES.items()])
HISTORY_KEY_SCHEMA = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in _HISTORY_TYPES.items()])
BATCH_ROWS = 65_536

_WINNER_ORDER = "coalesce(word_count, 0) = 0, published_at, -richness, id, coalesce(source_uri, '')"
_TABLES = f"""
CREATE TABLE cur (staged_file INTEGER, {', '.join(f'{name} {kind}' for name, kind in _KEY_TYPES.items())});
CREATE TABLE hist ({', '.join(f'{name} {kind}' for name, kind in _HISTORY_TYPES.items())});
CREATE TABLE dropped (id VARCHAR, kept_id VARCHAR, reason VARCHAR, source_uri VARCHAR);
"""

_BY_ID = f"""
CREATE TABLE by_id AS SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY id ORDER BY {_WINNER_ORDER}) AS pick FROM cur);
INSERT INTO dropped SELECT id, id, 'duplicate_id', source_uri FROM by_id WHERE pick > 1;
INSERT INTO dropped SELECT b.id, b.id, 'seen_id', b.source_uri FROM by_id b SEMI JOIN hist h ON b.id = h.id
    WHERE b.pick = 1;
CREATE TABLE after_id AS SELECT b.* EXCLUDE (pick) FROM by_id b ANTI JOIN hist h ON b.id = h.id WHERE b.pick = 1;
DROP TABLE by_id;
"""
_BY_CONTENT = f"""
CREATE TABLE by_hash AS SELECT *, row_number() OVER w AS pick, first_value(id) OVER w AS winner
    FROM after_id WHERE body_words >= $min_words
    WINDOW w AS (PARTITION BY content_hash ORDER BY {_WINNER_ORDER});
INSERT INTO dropped SELECT id, winner, 'duplicate_content', source_uri FROM by_hash WHERE pick > 1;
INSERT INTO dropped SELECT b.id, min(h.id), 'seen_content', any_value(b.source_uri)
    FROM by_hash b JOIN hist h ON b.content_hash = h.content_hash WHERE b.pick = 1 GROUP BY b.id;
CREATE TABLE kept AS
    SELECT b.* EXCLUDE (pick, winner) FROM by_hash b ANTI JOIN hist h ON b.content_hash = h.content_hash
        WHERE b.pick = 1
    UNION ALL SELECT * FROM after_id WHERE body_words < $min_words;
DROP TABLE by_hash; DROP TABLE after_id;
"""
_NEAR = """
CREATE TABLE members AS
    SELECT 1 AS origin, published_at AS instant, id, simhash FROM kept WHERE coalesce(word_count, 0) >= $near_words
    UNION ALL SELECT 0, published_at, id, simhash FROM hist WHERE coalesce(word_count, 0) >= $near_words;
CREATE TABLE bands AS SELECT m.*, e.band, (m.simhash >> e.low) & e.mask AS bucket
    FROM members m CROSS JOIN edges e;
CREATE TABLE links AS
    SELECT c.id, min(struct_pack(o := e.origin, instant := e.instant, id := e.id)).id AS link
    FROM bands c JOIN bands e ON c.band = e.band AND c.bucket = e.bucket
    WHERE c.origin = 1 AND e.id <> c.id AND bit_count(xor(c.simhash, e.simhash)) <= $threshold
      AND (e.origin < c.origin OR (e.origin = c.origin AND (e.instant < c.instant OR (e.instant = c.instant AND e.id < c.id))))
    GROUP BY c.id;
DROP TABLE bands; DROP TABLE members;
"""
_NO_LINKS = "CREATE TABLE links (id VARCHAR, link VARCHAR);"


@dataclass(frozen=True)
class DedupParams:
    near_threshold: int
    near_min_words: int
    content_min_words: int
    memory_mb: int = 512
    threads: int = 2


def band_edges(threshold: int) -> list:
    """(band, lowest bit, mask) of ``dedup.band_buckets``'s ``threshold + 1`` bands."""
    bands = threshold + 1
    edges = [round(64 * i / bands) for i in range(bands + 1)]
    return [(i, edges[i], (1 << (edges[i + 1] - edges[i])) - 1) for i in range(bands)]


class DedupDecider:
    """Keys in (``add_current``, ``add_history``), ``decide()``, then the decisions out as Arrow
    batches: ``kept_batches`` (staged_file, staged_row, part, duplicate_of in file and row order) and
    ``duplicate_batches`` (id, kept_id, reason, source_uri); ``reason_counts``."""

    def __init__(self, params: DedupParams):
        self._params = params
        self._spill = tempfile.mkdtemp(prefix="newsbeam-dedup-")
        self._db = duckdb.connect(config={
            "memory_limit": f"{params.memory_mb}MB", "threads": params.threads,
            "temp_directory": self._spill, "preserve_insertion_order": False})
        self._db.execute(_TABLES)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self._spill, ignore_errors=True)

    def add_current(self, batch: pa.RecordBatch, file: int) -> None:
        """Key rows (``KEY_SCHEMA``) of the staged file numbered ``file``."""
        self._insert("cur", pa.Table.from_batches([batch]), file)

    def add_history(self, table: pa.Table) -> None:
        """Key columns (``HISTORY_KEY_SCHEMA``) of committed articles; a missing date is LATEST."""
        dates = table.column("published_at").fill_null(LATEST)
        self._insert("hist", table.set_column(table.schema.get_field_index("published_at"), "published_at", dates))

    def _insert(self, name: str, table: pa.Table, *constants) -> None:
        self._db.register("batch", table)
        self._db.execute(f"INSERT INTO {name} SELECT {'?, ' * len(constants)}* FROM batch", constants or None)
        self._db.unregister("batch")

    def decide(self) -> None:
        p = self._params
        self._run(_BY_ID, {})
        self._run(_BY_CONTENT, {"min_words": p.content_min_words})
        if p.near_threshold > 0:
            self._db.execute("CREATE TABLE edges (band INTEGER, low INTEGER, mask BIGINT)")
            self._db.executemany("INSERT INTO edges VALUES (?, ?, ?)", band_edges(p.near_threshold))
            self._run(_NEAR, {"near_words": p.near_min_words, "threshold": p.near_threshold})
        else:
            self._db.execute(_NO_LINKS)

    def _run(self, script: str, values: dict) -> None:
        for statement in filter(str.strip, script.split(";")):
            used = {k: v for k, v in values.items() if f"${k}" in statement}
            self._db.execute(statement, used or None)

    def kept_batches(self) -> Iterator[pa.RecordBatch]:
        return self._batches("""SELECT k.staged_file, k.staged_row, k.part, coalesce(l.link, k.duplicate_of) AS duplicate_of
                                FROM kept k LEFT JOIN links l ON k.id = l.id ORDER BY k.staged_file, k.staged_row""")

    def duplicate_batches(self) -> Iterator[pa.RecordBatch]:
        return self._batches("SELECT id, kept_id, reason, source_uri FROM dropped ORDER BY id, reason")

    def reason_counts(self) -> Dict[str, int]:
        return dict(self._db.execute("SELECT reason, count(*) FROM dropped GROUP BY reason").fetchall())

    def _batches(self, query: str) -> Iterator[pa.RecordBatch]:
        reader = self._db.sql(query).to_arrow_reader(BATCH_ROWS)
        yield from reader
