"""``newsbeam clean``: one file through the batch pipeline's own functions, no Beam."""
import sys

from pipelines.config import build_settings
from pipelines.run_context import InputError, new_run_context
from transforms.article import build_article
from transforms.boilerplate import load_rules
from transforms.errors import RejectError
from transforms.formats import extract_document
from transforms.read import records_of_file


def read_input(path: str) -> tuple:
    """(name used to pick the format, bytes) of a file, or of stdin for '-'."""
    if path == "-":
        data = sys.stdin.buffer.read()
        return ("stdin.html" if data.lstrip()[:1] == b"<" else "stdin.txt"), data
    try:
        with open(path, "rb") as handle:
            return path, handle.read()
    except OSError as err:
        raise InputError(f"input {path!r}: cannot read ({err.strerror})") from None


def clean_record(raw, rules, ctx) -> dict:
    try:
        return build_article(extract_document(raw), rules, ctx)
    except RejectError as err:
        return {"rejected": err.reason, "error": err.message, "source_uri": raw.source_uri}


def clean_document(path: str):
    """The Article row (or rejection) of each record in ``path``; one dict for one record."""
    settings = build_settings({}, {})
    name, data = read_input(path)
    ctx = new_run_context(settings)
    rules = load_rules(settings.rule_packs)
    try:
        results = [clean_record(raw, rules, ctx) for raw in records_of_file(name, data, settings.max_file_bytes)]
    except RejectError as err:
        return {"rejected": err.reason, "error": err.message, "source_uri": name}
    return results[0] if len(results) == 1 else results
