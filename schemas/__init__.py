"""Record definitions shared by every stage: defined once, imported everywhere."""
from schemas.article import (
    ARTICLE_SCHEMA,
    DUPLICATE_SCHEMA,
    REJECTED_SCHEMA,
    SCHEMA_VERSION,
    file_schema,
)

__all__ = ["ARTICLE_SCHEMA", "DUPLICATE_SCHEMA", "REJECTED_SCHEMA", "SCHEMA_VERSION", "file_schema"]
