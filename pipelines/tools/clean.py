"""``newsbeam clean``: documents through the batch pipeline's own functions, no Beam.

Inputs: files, folders (every file newsbeam reads under them), ``-`` (stdin, its format
sniffed: a JSON record, JSONL, a feed, HTML or text) and http(s) URLs (fetched through the
guarded HTTP client, with the run's limits). Each record gives one row: an Article, or
``{"rejected": reason, ...}``.
"""
import json
import os
import stat
import sys
from typing import Iterator, List, Optional

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
        return sniffed_name(data), data
    fd = _open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        if os.fstat(handle.fileno()).st_size > max_bytes:  # refused before reading a byte
            raise _too_large(repr(path), max_bytes)
        try:
            return path, read_capped(handle, max_bytes, repr(path))  # capped even if it grows meanwhile
        except OSError as err:
            raise InputError(f"input {path!r}: cannot read ({err.strerror})") from None


_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf")


def sniffed_name(data: bytes) -> str:
    """``stdin.<suffix>`` naming the format of ``data``: a JSON record, JSONL, a feed, HTML or text."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        try:
            json.loads(head)
            return "stdin.json"
        except ValueError:
            return "stdin.jsonl" if head[:1] == b"{" else "stdin.txt"
    if head[:1] == b"<":
        lowered = head[:2048].lower()
        is_feed = any(root in lowered for root in _FEED_ROOTS) and b"<html" not in lowered
        return "stdin.xml" if is_feed else "stdin.html"
    return "stdin.txt"


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


def is_url(path: str) -> bool:
    return path.lower().startswith(("http://", "https://"))


def expand_inputs(paths: List[str]) -> List[str]:
    """The inputs, a folder replaced by the files newsbeam reads under it (InputError when none)."""
    from transforms.sources.files import folder_files

    expanded = []
    for path in paths:
        if not is_url(path) and path != "-" and os.path.isdir(path):
            files = [found for found, error in folder_files(path) if error is None]
            if not files:
                raise InputError(f"input {path!r}: a folder with no file newsbeam reads")
            expanded += files
        else:
            expanded.append(path)
    return expanded


def fetch_page(url: str, settings) -> tuple:
    """(name, bytes) of the page at ``url``, through the guarded HTTP client and its limits."""
    from transforms.web.http_client import Fetcher

    fetcher = Fetcher(settings.fetch)
    try:
        result = fetcher.fetch(url, accept="text/html, application/xhtml+xml;q=0.9, */*;q=0.5")
    except RejectError as err:
        raise InputError(f"input {url!r}: {err.reason}: {err.message}") from None
    finally:
        fetcher.close()
    kind = (result.headers.get("content-type") or "").lower()
    return (url + ("#feed.xml" if "xml" in kind and "html" not in kind else "#page.html")), result.body


PARALLEL_FROM = 8  # files: from this many on, they are cleaned by a process per core
_CLEANER = {}  # the state of this process's cleaning: set once, inherited by forked workers


def clean_inputs(paths: List[str], state: str = None, allow_networks=(), workers: Optional[int] = None) -> Iterator[dict]:
    """The row of each record of each input, in order (see the module docstring); ``allow_networks``:
    CIDRs a URL may reach despite the private-address guard. Many files are cleaned by ``workers``
    processes (default: one per core), forked once the settings and rules are loaded."""
    _prepare(state, allow_networks)
    expanded = expand_inputs(paths)
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(expanded) >= PARALLEL_FROM and not any(is_url(p) or p == "-" for p in expanded):
        import multiprocessing  # here: one page needs no pool
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for rows in pool.map(_clean_path, expanded, chunksize=4):
                yield from rows
        return
    for path in expanded:
        yield from _clean_path(path)


def _prepare(state: Optional[str], allow_networks) -> None:
    """Settings, run context, compiled rules and learned lines, loaded once (CLD2 needs no loading;
    py3langid's model is loaded when a short text first needs it)."""
    # imported here: both modules import Beam's FileSystems at the top (for remote config files and globs)
    from pipelines.run.config import build_settings
    from pipelines.run.run_context import new_run_context

    settings = build_settings({"fetch": {"allow_networks": list(allow_networks)}} if allow_networks else {}, {})
    _CLEANER.update(settings=settings, ctx=new_run_context(settings), rules=load_rules(settings.rule_packs),
                    learned=learned_lines(state, settings.site_lines) if state else {})


def _clean_path(path: str) -> List[dict]:
    """The rows of one input (a rejected row when it cannot be split into records)."""
    settings, rules, ctx, learned = (_CLEANER[k] for k in ("settings", "rules", "ctx", "learned"))
    name, data = fetch_page(path, settings) if is_url(path) else read_input(path, settings.max_file_bytes)
    try:
        records = list(records_of_file(name, data, settings.max_file_bytes))
    except RejectError as err:
        return [{"rejected": err.reason, "error": err.message, "source_uri": name}]
    return [strip_learned(clean_record(raw, rules, ctx), learned, settings.site_lines) for raw in records]


def clean_document(path: str, state: str = None):
    """The Article row (or rejection) of each record in ``path``; one dict for one record."""
    results = list(clean_inputs([path], state))
    return results[0] if len(results) == 1 else results
