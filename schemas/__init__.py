"""Record definitions shared by every stage: defined once, imported everywhere.

The Arrow schemas (``schemas.article``) load pyarrow; they are imported on first use, so a
module that needs only ``schemas.records`` (``newsbeam clean``'s path) does not pay for it.
"""
import importlib

__all__ = ["ARTICLE_SCHEMA", "DUPLICATE_SCHEMA", "REJECTED_SCHEMA", "SCHEMA_VERSION", "file_schema"]

SCHEMA_VERSION = "3"  # v3: captured_at, boilerplate[].count; v2: source_id, title_only; ids from guids


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("schemas.article"), name)
    raise AttributeError(f"module 'schemas' has no attribute {name!r}")
