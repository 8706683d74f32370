"""Shared helpers for the input-format tests: fixture paths, a fixture's units and documents, reject reasons.

Fixture expectations are written in each fixture's header (see tests/fixtures/inputs/README.md).
"""
from datetime import datetime, timezone
from pathlib import Path

import pytest

from transforms.sources.decode import detect_format
from transforms.errors import RejectError
from transforms.sources.formats import extract_document, split_file
from schemas.records import RawDocument

INPUTS = Path(__file__).resolve().parents[2] / "fixtures" / "inputs"
SHARED = Path(__file__).resolve().parents[4] / "shared"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def units_of(name: str):
    fmt, _ = detect_format(name)
    return list(split_file((INPUTS / name).read_bytes(), f"file:///inputs/{name}", fmt))


def documents_of(name: str):
    return [extract_document(unit) for unit in units_of(name)]


def split_reason(data: bytes, fmt: str) -> str:
    with pytest.raises(RejectError) as caught:
        list(split_file(data, "mem://input", fmt))
    return caught.value.reason


def extract_reason(unit: RawDocument) -> str:
    with pytest.raises(RejectError) as caught:
        extract_document(unit)
    return caught.value.reason
