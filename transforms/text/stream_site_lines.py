"""Site boilerplate learned in an unbounded pipeline: each source's line counts in Beam state.

The batch stage counts a run's lines at once (``site_boilerplate``); a stream learns as the
articles come. Rows are keyed by source; a stateful DoFn keeps the source's ``SourceLines``
(articles seen, and a count per line fingerprint), adds each article's distinct lines, and
strips the lines that by then are the source's boilerplate (``site_lines.is_site_line``, as
in batch; the count includes this article), with ``article.strip_learned_lines``, the one
function that strips a row. The memory of a source is bounded: past ``MAX_LINES`` lines the
rarest half is forgotten. A line's spread over *other* sources (``max_sources``) needs all
sources at once and is a batch check; the stream judges each source alone.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, Tuple

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from transforms.text.article import strip_learned_lines
from transforms.text.site_lines import SiteLineParams, countable_lines, is_site_line

__all__ = ["SourceLines", "StripSiteLinesInState", "MAX_LINES"]

MAX_LINES = 20_000  # line fingerprints remembered per source


@dataclass
class SourceLines:
    """What a source's articles so far say about its lines."""

    articles: int = 0
    counts: Dict[int, int] = field(default_factory=dict)

    def add(self, text: str, params: SiteLineParams) -> None:
        self.articles += 1
        for line in countable_lines(text, params.max_line_words):
            self.counts[line.fingerprint] = self.counts.get(line.fingerprint, 0) + 1
        if len(self.counts) > MAX_LINES:
            keep = sorted(self.counts.items(), key=lambda item: -item[1])[: MAX_LINES // 2]
            self.counts = dict(keep)

    def learned(self, params: SiteLineParams) -> Dict[int, int]:
        """{fingerprint: count} of the lines that are the source's boilerplate now."""
        return {fp: n for fp, n in self.counts.items() if is_site_line(n, self.articles, 1, params)}


def learn_and_strip(memory: SourceLines, row: dict, params: SiteLineParams) -> Tuple[dict, int]:
    """Add ``row``'s lines to ``memory``; (the row without the source's site lines, lines removed)."""
    memory.add(row["text"], params)
    return strip_learned_lines(row, memory.learned(params), params)


class _StripInStateFn(beam.DoFn):
    MEMORY = ReadModifyWriteStateSpec("lines", PickleCoder())

    def __init__(self, params: SiteLineParams):
        self._params = params

    def process(self, element, memory=beam.DoFn.StateParam(MEMORY)):
        lines = memory.read() or SourceLines()
        row, _ = learn_and_strip(lines, element[1], self._params)
        memory.write(lines)
        yield row


class StripSiteLinesInState(beam.PTransform):
    """Article rows -> the same rows without their source's site lines, learned in keyed state."""

    def __init__(self, params: SiteLineParams):
        super().__init__()
        self._params = params

    def expand(self, rows):
        return (rows | "KeyBySource" >> beam.Map(lambda row: (row.get("source") or "", row))
                .with_output_types(Tuple[str, Any])
                | "StripInState" >> beam.ParDo(_StripInStateFn(self._params)))
