"""Record field names: which of a record's fields newsbeam reads as its text, title, date, ...

A record (a JSON object, a JSONL line, a CSV or TSV row) is read by newsbeam's own field
names (``RECORD_FIELDS``; ``author``, ``published_at`` and ``updated_at`` are other names of
``authors``, ``published`` and ``updated``). A dump that names them otherwise is mapped by
config (``records.fields: {text: body, title: headline}``): a mapped field is read from the
dump's name only, never from newsbeam's own names for it in the same record. The default
mapping is empty: every field is read by its own name. Pure (no Beam).
"""
from typing import Mapping, Optional

__all__ = ["RECORD_FIELDS", "map_record_fields", "source_name"]

# names a record may use for one field (the record path, transforms.sources.formats, reads either)
_SAME_FIELD = (("authors", "author"), ("published", "published_at"), ("updated", "updated_at"))
# newsbeam's names, as the record path reads them
RECORD_FIELDS = ("text", "html", "title", "url", "id", "authors", "author", "published", "published_at", "updated",
                 "updated_at", "topics", "language", "summary", "source")


def map_record_fields(record: dict, fields: Optional[Mapping[str, str]]) -> dict:
    """``record`` with each mapped field (newsbeam's name -> the dump's) read from the dump's name."""
    if not fields:
        return record
    replaced = _replaced_names(fields)
    mapped = {key: value for key, value in record.items() if key not in replaced}
    for ours, theirs in fields.items():
        if theirs in record:
            mapped[ours] = record[theirs]
    return mapped


def source_name(field: str, fields: Optional[Mapping[str, str]]) -> str:
    """The name ``field`` is read from in a record: the mapped name, else its own."""
    return (fields or {}).get(field, field)


def _replaced_names(fields: Mapping[str, str]) -> set:
    """The names the mapping replaces: each mapped field's, and the other names of the same field."""
    groups = [next((group for group in _SAME_FIELD if ours in group), (ours,)) for ours in fields]
    return {name for group in groups for name in group}
