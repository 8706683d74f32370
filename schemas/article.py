"""The Article, Rejected and Duplicate records as pyarrow schemas (version: ``schemas.SCHEMA_VERSION``).

Rows travel through the pipeline as plain dicts keyed by these column names.
Partition columns (e.g. ``source``) live in the hive path, not inside the
files, so Spark, DuckDB and pyarrow all read the dataset without a clash:
``file_schema`` gives the schema a writer uses for a given partitioning.
"""
import pyarrow as pa

from schemas import SCHEMA_VERSION

_UTC_TS = pa.timestamp("us", tz="UTC")

# count: for a learned rule (site_repeated), how many articles of the source carried the line
BOILERPLATE_ITEM = pa.struct([("rule", pa.string()), ("text", pa.string()), ("count", pa.int32())])

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source_id", pa.string()),
        pa.field("url", pa.string()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_type", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("authors", pa.list_(pa.string()), nullable=False),
        pa.field("published_at", _UTC_TS),
        pa.field("updated_at", _UTC_TS),
        pa.field("captured_at", _UTC_TS),
        pa.field("ingested_at", _UTC_TS, nullable=False),
        pa.field("language", pa.string()),
        pa.field("topics", pa.list_(pa.string()), nullable=False),
        pa.field("summary", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("word_count", pa.int32(), nullable=False),
        pa.field("title_only", pa.bool_(), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("simhash", pa.int64(), nullable=False),
        pa.field("duplicate_of", pa.string()),
        pa.field("boilerplate", pa.list_(BOILERPLATE_ITEM), nullable=False),
        pa.field("extractor", pa.string(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("pipeline_version", pa.string(), nullable=False),
    ],
    metadata={"newsbeam.schema": "article", "newsbeam.schema_version": SCHEMA_VERSION},
)

REJECTED_SCHEMA = pa.schema(
    [
        pa.field("stage", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("error", pa.string(), nullable=False),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("raw", pa.binary(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("rejected_at", _UTC_TS, nullable=False),
    ],
    metadata={"newsbeam.schema": "rejected", "newsbeam.schema_version": SCHEMA_VERSION},
)


DUPLICATE_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("kept_id", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("source_uri", pa.string()),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("recorded_at", _UTC_TS, nullable=False),
    ],
    metadata={"newsbeam.schema": "duplicate", "newsbeam.schema_version": SCHEMA_VERSION},
)


def file_schema(schema: pa.Schema, partition_columns) -> pa.Schema:
    """The schema stored inside each file: ``schema`` minus its partition columns."""
    keep = [f for f in schema if f.name not in set(partition_columns)]
    return pa.schema(keep, metadata=schema.metadata)
