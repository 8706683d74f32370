"""Extract stage: RawDocument -> ExtractedDocument (text + declared metadata)."""
import apache_beam as beam

from transforms.dead_letter import REJECTED, GuardedFn
from transforms.formats import extract_document

__all__ = ["ExtractDocuments"]


class _ExtractFn(GuardedFn):
    stage = "extract"

    def describe(self, element):
        return element.source_uri, element.data

    def transform(self, element):
        yield extract_document(element)


class ExtractDocuments(beam.PTransform):
    """RawDocuments -> ExtractedDocuments (main) and rejected rows (``rejected``)."""

    def __init__(self, run_id):
        super().__init__()
        self._run_id = run_id

    def expand(self, records):
        return records | "Extract" >> beam.ParDo(_ExtractFn(self._run_id)).with_outputs(REJECTED, main="documents")
