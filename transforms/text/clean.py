"""Clean stage: strip boilerplate and derive metadata into Article rows."""
import apache_beam as beam

from transforms.text.article import build_article
from transforms.text.boilerplate import load_rules
from transforms.dead_letter import DEAD_LETTER, GuardedFn

__all__ = ["CleanArticles"]


class _BuildArticleFn(GuardedFn):
    stage = "clean"

    def __init__(self, ctx, rule_packs):
        super().__init__(ctx.run_id)
        self._ctx = ctx
        self._rule_packs = tuple(rule_packs)
        self._rules = None

    def setup(self):
        super().setup()
        self._rules = load_rules(self._rule_packs)

    def describe(self, element):
        return element.source_uri, element.raw

    def transform(self, element):
        yield build_article(element, self._rules, self._ctx)


class CleanArticles(beam.PTransform):
    """ExtractedDocuments -> Article rows (main) and rejected rows (``rejected``)."""

    def __init__(self, ctx, rule_packs):
        super().__init__()
        self._ctx = ctx
        self._rule_packs = rule_packs

    def expand(self, documents):
        fn = _BuildArticleFn(self._ctx, self._rule_packs)
        return documents | "BuildArticle" >> beam.ParDo(fn).with_outputs(DEAD_LETTER, main="articles")
