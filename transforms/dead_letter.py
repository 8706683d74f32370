"""The dead-letter side output every stage shares.

A stage's DoFn subclasses ``GuardedFn`` and implements ``transform``; any
``RejectError`` becomes a rejected row with its reason code, and any other
exception becomes ``internal_error`` with the traceback. Outputs of one input
are collected before they are emitted, so an input is never half-written and
half-rejected.
"""
import logging
import traceback
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.errors import INTERNAL_ERROR, RejectError
from transforms.text.field_values import valid_text

REJECTED = "rejected"
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


class GuardedFn(beam.DoFn):
    """Base DoFn: subclasses set ``stage`` and implement ``transform``."""

    stage = "unknown"

    def __init__(self, run_id: str):
        self._run_id = run_id
        self._internal_errors = Metrics.counter(self.__class__, "internal_error")
        self._inputs = _progress_counter(_INPUT_COUNTERS.get(self.stage))
        self._outputs = _progress_counter(_OUTPUT_COUNTERS.get(self.stage))
        self._warned = False

    def transform(self, element):  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, element):
        """(source_uri, raw bytes) of ``element`` for a rejected row."""
        return getattr(element, "source_uri", ""), getattr(element, "raw", b"") or getattr(element, "data", b"")

    def process(self, element):
        if self._inputs is not None:
            self._inputs.inc()
        try:
            outputs = list(self.transform(element))
        except RejectError as err:
            yield self._reject(element, err.reason, err.message)
            return
        except Exception:  # noqa: BLE001 - a bug must not stop the run nor lose the record
            self._internal_errors.inc()
            self._warn_once()
            yield self._reject(element, INTERNAL_ERROR, traceback.format_exc())
            return
        if self._outputs is not None:
            self._outputs.inc(sum(1 for out in outputs if not isinstance(out, pvalue.TaggedOutput)))
        yield from outputs

    def _reject(self, element, reason, message):
        uri, raw = self.describe(element)
        return self.reject(uri, raw, reason, message)

    def reject(self, source_uri, raw, reason, message):
        """A tagged rejected row; subclasses may yield it for part of an input."""
        Metrics.counter(self.__class__, f"rejected_{reason}").inc()
        Metrics.counter(PROGRESS_NAMESPACE, REJECTED_ROWS).inc()
        row = rejected_row(self.stage, reason, message, source_uri, raw, self._run_id)
        return pvalue.TaggedOutput(REJECTED, row)

    def _warn_once(self):
        if not self._warned:
            _LOGGER.warning("stage %s hit an unexpected error; see rejected/ reason internal_error", self.stage)
            self._warned = True


def _progress_counter(name):
    return Metrics.counter(PROGRESS_NAMESPACE, name) if name else None
