"""Extract stage: RawDocument -> ExtractedDocument (text + declared metadata).

Each HTML document is extracted under a time limit in a child process the DoFn keeps
(``transforms.sources.timed_extraction``, started on the first HTML document): a page that hangs
or crashes the extractor becomes a rejected row (``extract_timeout`` / ``extract_error``)
and the run goes on. Records (JSON objects, CSV/TSV rows) are read by the field names of
``records.fields`` (``record_fields``).
"""
import json
from functools import partial

import apache_beam as beam

from transforms.dead_letter import DEAD_LETTER, GuardedFn
from transforms.sources.csv_records import CSV_FORMATS, header_bytes
from transforms.sources.formats import extract_document
from transforms.sources.record_fields import source_name
from transforms.sources.timed_extraction import TimedExtractor

__all__ = ["ExtractDocuments"]


def needs_time_limit(raw, fields=None) -> bool:
    """HTML goes through the page extractor, which real pages can hang; text, record text
    and feed entries are parsed in-process (no child process, no IPC). ``fields``: the
    record field mapping, which names the html field. A CSV/TSV row whose header (the first
    line of its unit) holds that name goes to the child. A JSON record may spell its key
    with escapes (``"ht\\u006dl"``): a record holding any ``\\u`` escape is parsed to look
    at its keys."""
    html = source_name("html", fields)
    if raw.fmt == "html":
        return True
    if raw.fmt in CSV_FORMATS:
        return html.encode("utf-8") in header_bytes(raw.data)
    if raw.fmt != "json":
        return False
    quoted = json.dumps(html, ensure_ascii=False).encode("utf-8")
    return quoted in raw.data or (b"\\u" in raw.data and _has_key(raw.data, html))


def _has_key(data: bytes, key: str) -> bool:
    try:
        return key in json.loads(data)
    except (ValueError, TypeError, RecursionError):
        return False


class _ExtractFn(GuardedFn):
    stage = "extract"

    def __init__(self, run_id, time_limit_s, fields):
        super().__init__(run_id)
        self._time_limit_s = time_limit_s
        self._fields = dict(fields)
        self._extractor = None

    def teardown(self):
        if self._extractor is not None:
            self._extractor.close()

    def describe(self, element):
        return element.source_uri, element.data

    def transform(self, element):
        if not needs_time_limit(element, self._fields):
            yield extract_document(element, self._fields)
            return
        if self._extractor is None:  # started on the first HTML document only
            self._extractor = TimedExtractor(self._time_limit_s, partial(extract_document, fields=self._fields))
        yield self._extractor(element)


class ExtractDocuments(beam.PTransform):
    """RawDocuments -> ExtractedDocuments (main) and rejected rows (``rejected``).

    ``time_limit_s`` bounds each document's extraction (seconds); ``fields`` maps newsbeam's
    record field names to an input's own (``records.fields``; empty: newsbeam's names).
    """

    def __init__(self, run_id, time_limit_s, fields=None):
        super().__init__()
        self._run_id = run_id
        self._time_limit_s = time_limit_s
        self._fields = dict(fields or {})

    def expand(self, records):
        fn = _ExtractFn(self._run_id, self._time_limit_s, self._fields)
        return records | "Extract" >> beam.ParDo(fn).with_outputs(DEAD_LETTER, main="documents")
