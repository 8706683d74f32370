"""Field values shared by the input formats: a unit's JSON object, clean strings, plain-text paragraphs.

Pure functions (no Beam). Bad JSON raises ``RejectError`` and nothing else.
"""
import json
import re
from typing import Optional

from transforms.decode import decode_text
from transforms.errors import JSON_INVALID, RejectError

__all__ = ["load_json_object", "str_or_none", "text_paragraphs"]

_NEWLINES = re.compile(r"\r\n?")
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")


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
