"""Extract stage: RawDocument -> ExtractedDocument (text + declared metadata).

Each HTML document is extracted under a time limit in a child process the DoFn keeps
(``transforms.sources.timed_extraction``, started on the first HTML document): a page that hangs
or crashes the extractor becomes a rejected row (``extract_timeout`` / ``extract_error``)
and the run goes on.
"""
import json

import apache_beam as beam

from transforms.dead_letter import DEAD_LETTER, GuardedFn
from transforms.sources.formats import extract_document
from transforms.sources.timed_extraction import TimedExtractor

__all__ = ["ExtractDocuments"]


def needs_time_limit(raw) -> bool:
    """HTML goes through the page extractor, which real pages can hang; text, JSON text
    and feed entries are parsed in-process (no child process, no IPC). A JSON record may
    spell its key with escapes (``"ht\\u006dl"``): a record holding any ``\\u`` escape is
    parsed to look at its keys."""
    if raw.fmt == "html":
        return True
    if raw.fmt != "json":
        return False
    return b'"html"' in raw.data or (b"\\u" in raw.data and _has_html_key(raw.data))


def _has_html_key(data: bytes) -> bool:
    try:
        return "html" in json.loads(data)
    except (ValueError, TypeError, RecursionError):
        return False


class _ExtractFn(GuardedFn):
    stage = "extract"

    def __init__(self, run_id, time_limit_s):
        super().__init__(run_id)
        self._time_limit_s = time_limit_s
        self._extractor = None

    def teardown(self):
        if self._extractor is not None:
            self._extractor.close()

    def describe(self, element):
        return element.source_uri, element.data

    def transform(self, element):
        if not needs_time_limit(element):
            yield extract_document(element)
            return
        if self._extractor is None:  # started on the first HTML document only
            self._extractor = TimedExtractor(self._time_limit_s)
        yield self._extractor(element)


class ExtractDocuments(beam.PTransform):
    """RawDocuments -> ExtractedDocuments (main) and rejected rows (``rejected``).

    ``time_limit_s`` bounds each document's extraction (seconds).
    """

    def __init__(self, run_id, time_limit_s):
        super().__init__()
        self._run_id = run_id
        self._time_limit_s = time_limit_s

    def expand(self, records):
        fn = _ExtractFn(self._run_id, self._time_limit_s)
        return records | "Extract" >> beam.ParDo(fn).with_outputs(DEAD_LETTER, main="documents")
