"""Tests for transforms.sources.timed_extraction and the Extract stage's time limit.

A real hang (a child that sleeps), a real crash (a child that exits) and a real slow
page (a large HTML document against a tiny limit): nothing under test is mocked.
"""
import time

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.transforms.sources import extractor_stubs
from transforms.dead_letter import DEAD_LETTER
from transforms.errors import EXTRACT_ERROR, EXTRACT_TIMEOUT, HTML_EMPTY, RejectError
from transforms.sources.extract import ExtractDocuments
from transforms.sources.formats import extract_document
from schemas.records import RawDocument
from transforms.sources.timed_extraction import TimedExtractor

TEXT = RawDocument(b"The council met on Tuesday.\n\nIt approved the budget.", "mem://ok.txt", "txt")


def _raw(data: bytes, name: str = "x.txt", fmt: str = "txt") -> RawDocument:
    return RawDocument(data, f"mem://{name}", fmt)


def _reason(extractor, raw) -> str:
    with pytest.raises(RejectError) as caught:
        extractor(raw)
    return caught.value.reason


def test_result_is_the_same_as_in_process():
    with TimedExtractor(10) as extractor:
        assert extractor(TEXT) == extract_document(TEXT)


def test_reject_errors_pass_through():
    with TimedExtractor(10) as extractor:
        assert _reason(extractor, _raw(b"<html></html>", "x.html", "html")) == HTML_EMPTY


def test_a_hanging_document_times_out_and_the_next_one_is_extracted():
    with TimedExtractor(1.0, extract=extractor_stubs.hang_on_marker) as extractor:
        started = time.monotonic()
        assert _reason(extractor, _raw(b"HANG here")) == EXTRACT_TIMEOUT
        assert time.monotonic() - started < 10
        assert extractor(TEXT).text.startswith("The council met")


def test_a_crashing_extractor_is_an_extract_error_and_is_restarted():
    with TimedExtractor(10, extract=extractor_stubs.die_on_marker) as extractor:
        with pytest.raises(RejectError) as caught:
            extractor(_raw(b"DIE now"))
        assert caught.value.reason == EXTRACT_ERROR and "exit code 3" in caught.value.message
        assert extractor(TEXT).text.startswith("The council met")


def test_an_exception_in_the_extractor_is_an_extract_error_with_its_traceback():
    with TimedExtractor(10, extract=extractor_stubs.raise_on_marker) as extractor:
        with pytest.raises(RejectError) as caught:
            extractor(_raw(b"RAISE"))
        assert caught.value.reason == EXTRACT_ERROR and "ValueError: extractor bug" in caught.value.message
        assert extractor(TEXT).text.startswith("The council met")


@pytest.mark.parametrize("limit", [0, -1, None])
def test_time_limit_must_be_positive(limit):
    with pytest.raises(ValueError):
        TimedExtractor(limit)


def _slow_page() -> bytes:
    """A large real page: tens of thousands of paragraphs take the HTML extractor seconds."""
    paragraph = "<div><p>Residents of the valley said the new road had changed their commute. </p></div>"
    return f"<html><body><article>{paragraph * 8000}</article></body></html>".encode()


def test_extract_stage_rejects_a_slow_page_and_goes_on():
    slow = _raw(_slow_page(), "slow.html", "html")
    with TestPipeline() as pipeline:
        outputs = pipeline | beam.Create([TEXT, slow]) | ExtractDocuments("run-1", time_limit_s=0.5)
        texts = outputs.documents | "Texts" >> beam.Map(lambda doc: doc.text[:15])
        reasons = outputs[DEAD_LETTER] | "Reasons" >> beam.Map(lambda row: (row["source_uri"], row["reason"], row["stage"]))
        assert_that(texts, equal_to(["The council met"]), label="documents")
        assert_that(reasons, equal_to([("mem://slow.html", EXTRACT_TIMEOUT, "extract")]), label="rejected")
