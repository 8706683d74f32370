"""``newsbeam clean``: one file through the batch pipeline's own functions, no Beam."""
import os
import stat
import sys

from pipelines.errors import InputError
from transforms.text.article import build_article, strip_learned_lines
from transforms.text.boilerplate import load_rules
from transforms.errors import RejectError
from transforms.sources.files import records_of_file
from transforms.sources.formats import extract_document
from transforms.text.site_lines import learned_from_state


MIB = 1024 * 1024
READ_STEP = MIB


def _too_large(name: str, max_bytes: int) -> InputError:
    return InputError(f"input {name} is larger than limits.max_file_mb ({max_bytes / MIB:g} MiB, "
                      f"{max_bytes} bytes)")


def read_capped(stream, max_bytes: int, name: str) -> bytes:
    """All of ``stream``, read in steps; InputError as soon as it holds more than ``max_bytes``."""
    parts, size = [], 0
    while True:
        part = stream.read(min(READ_STEP, max_bytes + 1 - size))
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
        if size > max_bytes:
            raise _too_large(name, max_bytes)


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "special"


def _open_regular(path: str) -> int:
    """A descriptor of ``path`` if it is a regular file; InputError otherwise (a FIFO, a device
    such as /dev/zero, a directory). Opened non-blocking, so a FIFO with no writer cannot hang
    the open, and checked on the descriptor, so nothing can be swapped in after the check."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise InputError(f"input {path!r}: cannot read ({err.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(f"input {path!r}: is {_kind(mode)}, not a regular file (use '-' to read stdin)")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fd


def read_input(path: str, max_bytes: int, stdin=None) -> tuple:
    """(name used to pick the format, bytes) of a regular file, or of stdin for '-' (which may be
    a pipe), read up to ``max_bytes`` (``limits.max_file_mb``); InputError beyond it."""
    if path == "-":
        data = read_capped(stdin if stdin is not None else sys.stdin.buffer, max_bytes, "from stdin")
        return ("stdin.html" if data.lstrip()[:1] == b"<" else "stdin.txt"), data
    fd = _open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        if os.fstat(handle.fileno()).st_size > max_bytes:  # refused before reading a byte
            raise _too_large(repr(path), max_bytes)
        try:
            return path, read_capped(handle, max_bytes, repr(path))  # capped even if it grows meanwhile
        except OSError as err:
            raise InputError(f"input {path!r}: cannot read ({err.strerror})") from None


def clean_record(raw, rules, ctx) -> dict:
    try:
        return build_article(extract_document(raw), rules, ctx)
    except RejectError as err:
        return {"rejected": err.reason, "error": err.message, "source_uri": raw.source_uri}


def learned_lines(state: str, params) -> dict:
    """source -> {fingerprint: count} of what the dataset at ``state`` learned (``--state OUT``)."""
    from pipelines.tools.inspect import open_output, state_rows  # reads committed manifests (imports Beam)

    learned = learned_from_state(state_rows(open_output(state)), params)
    return {source: {fingerprint: count for fingerprint, (count, _) in lines.items()}
            for source, lines in learned.items()}


def strip_learned(row: dict, learned: dict, params) -> dict:
    """``row`` without the lines its source's learned state makes boilerplate."""
    if "rejected" in row or row["source"] not in learned:
        return row
    return strip_learned_lines(row, learned[row["source"]], params)[0]


def clean_document(path: str, state: str = None):
    """The Article row (or rejection) of each record in ``path``; one dict for one record.
    ``state``: a dataset whose learned site boilerplate is removed too."""
    # imported here: both modules import Beam's FileSystems at the top (for remote config files and globs)
    from pipelines.run.config import build_settings
    from pipelines.run.run_context import new_run_context

    settings = build_settings({}, {})
    name, data = read_input(path, settings.max_file_bytes)
    ctx = new_run_context(settings)
    rules = load_rules(settings.rule_packs)
    learned = learned_lines(state, settings.site_lines) if state else {}
    try:
        results = [clean_record(raw, rules, ctx) for raw in records_of_file(name, data, settings.max_file_bytes)]
    except RejectError as err:
        return {"rejected": err.reason, "error": err.message, "source_uri": name}
    results = [strip_learned(row, learned, settings.site_lines) for row in results]
    return results[0] if len(results) == 1 else results
