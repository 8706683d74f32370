"""Field values shared by the input formats: a unit's JSON object, clean strings, plain-text paragraphs.

Pure functions (no Beam). Bad JSON raises ``RejectError`` and nothing else.
"""
import json
import re
from typing import Optional, Tuple

from transforms.sources.decode import decode_text
from transforms.errors import JSON_INVALID, RejectError

__all__ = ["load_json_object", "str_or_none", "text_paragraphs", "valid_text", "valid_fields", "FIELD_LIMITS"]

_NEWLINES = re.compile(r"\r\n?")
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")
# What no Parquet string may hold: a lone surrogate cannot be encoded as UTF-8 (Beam and
# pyarrow fail on it, ending the run), a NUL breaks the C tools that read the output.
_INVALID_CHARS = re.compile("[\ud800-\udfff\x00]")
# Longest value kept per field (characters; list fields: per item, and items kept). A longer
# value is cut: a 10 MB "title" is a broken record, not a title. ``text`` is bounded by
# limits.max_record_mb / max_file_mb.
FIELD_LIMITS = {"title": 2_000, "summary": 20_000, "fallback_text": 1_000_000, "url": 8_192, "entry_id": 2_048,
                "id_scope": 8_192, "source": 512, "site_name": 512, "language": 64, "authors": 512, "topics": 512}
LIST_LIMITS = {"authors": 100, "topics": 200}


def load_json_object(data: bytes) -> dict:
    """The JSON object in ``data`` (any text encoding); a non-object or bad JSON is rejected."""
    try:
        record = json.loads(decode_text(data))
    except (ValueError, RecursionError) as exc:
        raise RejectError(JSON_INVALID, f"invalid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise RejectError(JSON_INVALID, f"JSON record is a {type(record).__name__}, not an object")
    return record


def str_or_none(value) -> Optional[str]:
    """A stripped non-empty string (numbers become strings), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def text_paragraphs(text: str) -> str:
    """Plain text as paragraphs: blank-line separated blocks if it has any, else one per line."""
    text = _NEWLINES.sub("\n", text).strip()
    blocks = _BLANK_LINES.split(text) if _BLANK_LINES.search(text) else text.split("\n")
    paragraphs = ("\n".join(line.strip() for line in block.split("\n") if line.strip()) for block in blocks)
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def valid_text(text: str) -> Tuple[str, int]:
    """``text`` with each lone surrogate replaced by U+FFFD and NULs dropped, and how many
    characters that changed (0: ``text`` itself)."""
    if "\x00" not in text and _encodes(text):
        return text, 0
    changed = len(_INVALID_CHARS.findall(text))
    return _INVALID_CHARS.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text), changed


def _encodes(text: str) -> bool:
    """No lone surrogate: the text encodes as UTF-8 (a C loop, several times a regex search)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _valid_value(key: str, value, limited: bool) -> Tuple[object, int]:
    """One field's value made valid (and cut to its limit); (value, characters changed)."""
    if isinstance(value, str):
        text, changed = valid_text(value)
        return (text[: FIELD_LIMITS.get(key, len(text))] if limited else text), changed
    if isinstance(value, (tuple, list)) and all(isinstance(item, str) for item in value):
        kept = value[: LIST_LIMITS.get(key, len(value))] if limited else value
        items = [_valid_value(key, item, limited) for item in kept]
        return tuple(item for item, _ in items), sum(changed for _, changed in items)
    return value, 0


def valid_fields(fields: dict, limited: bool = True) -> Tuple[dict, int]:
    """Every string (and list of strings) of ``fields`` valid and, when ``limited``, within
    ``FIELD_LIMITS``; returns the fields and how many invalid characters were replaced or dropped."""
    checked = {key: _valid_value(key, value, limited) for key, value in fields.items()}
    return {key: value for key, (value, _) in checked.items()}, sum(changed for _, changed in checked.values())
