"""Extraction under a per-document time limit, in a persistent child process.

Real HTML hangs or crashes extractors now and then (pathological nesting, a parser bug,
a memory blow-up). Beam runs DoFns in worker threads, where ``signal.alarm`` does not
work, so ``TimedExtractor`` runs the extractor in a child process it keeps for many
documents: each document is sent over a pipe and the answer awaited for at most
``time_limit_s`` seconds. A document that runs out of time raises
``RejectError(extract_timeout)``; one whose extraction raises or kills the child raises
``RejectError(extract_error)``. Either way the child is replaced and the next document
is extracted as usual. A ``RejectError`` raised by the extractor passes through
unchanged. No Beam import: the Extract stage's DoFn (and the linked-page fetcher's) owns
one ``TimedExtractor``, made lazily on the first document that needs it (the child starts
then, in the constructor) and closed in ``teardown()``.
"""
import logging
import multiprocessing
import traceback
from typing import Callable, Optional

from transforms.errors import EXTRACT_ERROR, EXTRACT_TIMEOUT, RejectError
from transforms.sources.formats import extract_document
from schemas.records import ExtractedDocument, RawDocument

__all__ = ["TimedExtractor"]

START_TIMEOUT_S = 120.0  # the child imports the extractors before it says it is ready
_START_METHOD = "spawn"  # never fork a multi-threaded Beam worker
_READY = "ready"
_LOGGER = logging.getLogger(__name__)


def _serve(conn, extract: Callable) -> None:
    """Child loop: answer each RawDocument with ("ok", doc), ("reject", reason, message) or ("error", traceback)."""
    conn.send(_READY)
    while True:
        try:
            raw = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = ("ok", extract(raw))
        except RejectError as err:
            reply = ("reject", err.reason, err.message)
        except Exception:  # noqa: BLE001 -- reported to the parent, which rejects the document
            reply = ("error", traceback.format_exc())
        conn.send(reply)


class TimedExtractor:
    """Call ``extract`` (default ``formats.extract_document``) on RawDocuments in a child process, time-limited."""

    def __init__(self, time_limit_s: float, extract: Callable = extract_document):
        if not time_limit_s or time_limit_s <= 0:
            raise ValueError(f"time_limit_s must be a positive number of seconds, got {time_limit_s!r}")
        self._time_limit_s = float(time_limit_s)
        self._extract = extract
        self._context = multiprocessing.get_context(_START_METHOD)
        self._process = None
        self._conn = None
        self._start()

    def __call__(self, raw: RawDocument) -> ExtractedDocument:
        """The extracted document, or ``RejectError`` (the extractor's own, or extract_timeout / extract_error)."""
        if self._process is None:
            self._start()
        self._conn.send(raw)
        if not self._conn.poll(self._time_limit_s):
            self._stop()
            raise RejectError(EXTRACT_TIMEOUT, f"extraction took longer than {self._time_limit_s:g} s")
        return self._answer()

    def close(self) -> None:
        """Stop the child process (idempotent)."""
        self._stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _answer(self) -> ExtractedDocument:
        try:
            reply = self._conn.recv()
        except (EOFError, OSError):
            code = self._stop()
            raise RejectError(EXTRACT_ERROR, f"the extractor process died (exit code {code})") from None
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "reject":
            raise RejectError(reply[1], reply[2])
        raise RejectError(EXTRACT_ERROR, f"the extractor raised an exception:\n{reply[1]}")

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_serve, args=(child, self._extract), daemon=True,
                                              name="newsbeam-extractor")
        self._process.start()
        child.close()
        self._conn = parent
        if not parent.poll(START_TIMEOUT_S) or parent.recv() != _READY:
            self._stop()
            raise RuntimeError("the extractor process did not start")

    def _stop(self) -> Optional[int]:
        """Kill the child (if any) and return its exit code."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        if process.is_alive():
            process.kill()
        process.join()
        return process.exitcode
