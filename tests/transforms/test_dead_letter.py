"""The shared dead-letter mechanism: bugs and bad input both become rows."""
import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.dead_letter import DEAD_LETTER, GuardedFn
from transforms.errors import RejectError
from schemas.records import RawDocument


class _HalfThenCrashFn(GuardedFn):
    """Yields one output, then fails: a bug in the middle of an element."""

    stage = "demo"

    def transform(self, element):
        yield element.data.upper()
        if element.data == b"bug":
            raise ZeroDivisionError("a bug nobody anticipated")
        if element.data == b"bad":
            raise RejectError("demo_reason", "bad input")


def doc(data):
    return RawDocument(data=data, source_uri=f"mem://{data.decode()}", fmt="txt")


def test_exceptions_become_rejected_rows_and_no_partial_output():
    with TestPipeline() as p:
        out = p | beam.Create([doc(b"ok"), doc(b"bug"), doc(b"bad")]) | beam.ParDo(
            _HalfThenCrashFn("r1")).with_outputs(DEAD_LETTER, main="main")
        assert_that(out.main, equal_to([b"OK"]), label="main")
        rows = out[DEAD_LETTER] | beam.Map(
            lambda r: (r["stage"], r["reason"], r["source_uri"], r["raw"], r["run_id"],
                       "ZeroDivisionError" in r["error"] and "Traceback" in r["error"]
                       if r["reason"] == "internal_error" else r["error"]))
        assert_that(rows, equal_to([
            ("demo", "internal_error", "mem://bug", b"bug", "r1", True),
            ("demo", "demo_reason", "mem://bad", b"bad", "r1", "bad input"),
        ]), label="rejected")
