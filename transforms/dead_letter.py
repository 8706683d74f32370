"""The dead-letter side output every stage shares, and the one error policy behind it.

What the work on one input raises is judged in one place, ``CaughtFailure``: a
``RejectError`` keeps its reason code, any other exception (a bug) becomes
``internal_error`` with the traceback, and the run goes on. A stage's DoFn subclasses
``GuardedFn`` and implements ``transform``; a failure becomes a rejected row. Outputs
of one input are collected before they are emitted, so an input is never half-written
and half-rejected, except for an input too large to collect (``GuardedFn.streams``),
whose outputs are given out as they are made. A step whose failure is not a rejected
row (a linked page: the entry it completes is kept) uses ``CaughtFailure`` itself.
"""
import logging
import traceback
from datetime import datetime, timezone
from typing import Optional

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms import progress_channel
from transforms.errors import INTERNAL_ERROR, RejectError
from transforms.text.field_values import valid_text
from transforms.process_exit import skip_final_collection

DEAD_LETTER = "rejected"  # the tag of every stage's rejected rows (written to OUT/rejected/)
MAX_ERROR_CHARS = 4000

# Progress counters, one Beam metrics namespace; pipelines/cli/progress.py shows them
# while a run is live (on runners that report metrics during a run).
PROGRESS_NAMESPACE = "newsbeam"
DOCUMENTS_READ = "documents_read"  # units reaching the extract stage (each exactly once)
ARTICLES_CLEANED = "articles_cleaned"  # article rows leaving the clean stage (before deduplication)
REJECTED_ROWS = "rejected"  # rejected rows, every stage
_INPUT_COUNTERS = {"extract": DOCUMENTS_READ}
_OUTPUT_COUNTERS = {"clean": ARTICLES_CLEANED}

_LOGGER = logging.getLogger(__name__)


def rejected_row(stage, reason, error, source_uri, raw, run_id, now=None) -> dict:
    """One row of the Rejected schema."""
    return {
        "stage": stage,
        "reason": reason,
        "error": valid_text(error[:MAX_ERROR_CHARS])[0],
        "source_uri": valid_text(source_uri or "")[0],
        "raw": bytes(raw or b""),
        "run_id": run_id,
        "rejected_at": now or datetime.now(timezone.utc),
    }


class CaughtFailure:
    """The error policy, as a ``with`` block around the work on one input: an exception the block
    raises is kept here, not raised. A ``RejectError`` keeps its reason and message; any other
    exception is a bug, which must not stop the run nor lose the input: ``internal_error`` with
    its traceback (``unexpected``). BaseExceptions (KeyboardInterrupt, GeneratorExit) pass.
    True once something was caught."""

    def __init__(self):
        self.error: Optional[Exception] = None
        self.reason: Optional[str] = None
        self.message = ""

    @property
    def unexpected(self) -> bool:
        return self.error is not None and not isinstance(self.error, RejectError)

    def __bool__(self) -> bool:
        return self.error is not None

    def __enter__(self) -> "CaughtFailure":
        return self

    def __exit__(self, kind, error, trace) -> bool:
        if not isinstance(error, Exception):
            return False
        self.error = error
        if isinstance(error, RejectError):
            self.reason, self.message = error.reason, error.message
        else:
            self.reason, self.message = INTERNAL_ERROR, "".join(traceback.format_exception(kind, error, trace))
        return True


class GuardedFn(beam.DoFn):
    """Base DoFn: subclasses set ``stage`` and implement ``transform``; a failure is a rejected row."""

    stage = "unknown"

    def __init__(self, run_id: str):
        self._run_id = run_id
        self._internal_errors = Metrics.counter(self.__class__, "internal_error")
        self._inputs = _progress_counter(_INPUT_COUNTERS.get(self.stage))
        self._outputs = _progress_counter(_OUTPUT_COUNTERS.get(self.stage))
        self._warned = False

    def setup(self):
        skip_final_collection()

    def finish_bundle(self):
        progress_channel.flush()

    def transform(self, element):  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, element):
        """(source_uri, raw bytes) of ``element`` for a rejected row."""
        return getattr(element, "source_uri", ""), getattr(element, "raw", b"") or getattr(element, "data", b"")

    def streams(self, element) -> bool:
        """Whether ``element``'s outputs are given out as ``transform`` makes them instead of
        collected first (subclasses override it for inputs whose outputs may not fit in memory).
        When such an input fails half way, the outputs before stay, and the rejected row's
        message ends with how many records were given out."""
        return False

    def process(self, element):
        if self._inputs is not None:
            self._inputs.inc()
        yield from (self._process_streamed(element) if self.streams(element) else self._process_collected(element))

    def _process_collected(self, element):
        with CaughtFailure() as failure:
            outputs = list(self.transform(element))
        if failure:
            yield self._reject_failure(element, failure)
            return
        if self._outputs is not None:
            self._outputs.inc(sum(1 for out in outputs if not isinstance(out, pvalue.TaggedOutput)))
        yield from outputs

    def _process_streamed(self, element):
        given = 0
        with CaughtFailure() as failure:
            for output in self.transform(element):
                given += 0 if isinstance(output, pvalue.TaggedOutput) else 1
                yield output
        if failure:
            yield self._reject_failure(element, failure, f" (after {given} records)")
        if self._outputs is not None:
            self._outputs.inc(given)

    def _reject_failure(self, element, failure: CaughtFailure, note: str = ""):
        if failure.unexpected:
            self._internal_errors.inc()
            self._warn_once()
        uri, raw = self.describe(element)
        return self.reject(uri, raw, failure.reason, failure.message + note)

    def reject(self, source_uri, raw, reason, message):
        """A tagged rejected row; subclasses may yield it for part of an input."""
        Metrics.counter(self.__class__, f"rejected_{reason}").inc()
        _progress_counter(REJECTED_ROWS).inc()
        row = rejected_row(self.stage, reason, message, source_uri, raw, self._run_id)
        return pvalue.TaggedOutput(DEAD_LETTER, row)

    def _warn_once(self):
        if not self._warned:
            _LOGGER.warning("stage %s hit an unexpected error; see rejected/ reason internal_error", self.stage)
            self._warned = True


class _ProgressCounter:
    """A Beam counter (runners that report metrics) that also counts on the progress channel
    (the local runner, whose metrics come only at the end)."""

    def __init__(self, name: str):
        self._name = name
        self._metric = Metrics.counter(PROGRESS_NAMESPACE, name)

    def inc(self, amount: int = 1) -> None:
        self._metric.inc(amount)
        progress_channel.count(self._name, amount)


def _progress_counter(name):
    return _ProgressCounter(name) if name else None
