"""Commit stage: once every file of the run is written, commit them with
``transforms.sinks.commit_protocol`` (moved into place, then the manifest -- the
commit point --, then what an earlier attempt of the same run id left is
removed, then the feed state), and clear the temp folder."""
import logging
from collections import Counter
from datetime import datetime, timezone
from typing import Optional

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from transforms.sinks.feed_state import merged_state, read_feed_state, save_feed_state
from transforms.sinks.site_state import prune_site_state
from transforms.sinks.commit_protocol import commit_files
from transforms.sinks.manifest import build_manifest
from transforms.sinks.parquet_sink import write_empty_file
from schemas.layout import ARTICLES

__all__ = ["CommitRun", "CountPerBundleFn", "CountRejectsByReason", "MergeReasonStats"]

_LOGGER = logging.getLogger(__name__)


class _ReasonStatsFn(beam.CombineFn):
    """(count, first example error) per reason."""

    def create_accumulator(self):
        return (0, None)

    def add_input(self, acc, error):
        return (acc[0] + 1, acc[1] if acc[1] is not None else error)

    def merge_accumulators(self, accs):
        accs = list(accs)
        examples = [a[1] for a in accs if a[1] is not None]
        return (sum(a[0] for a in accs), min(examples) if examples else None)

    def extract_output(self, acc):
        return {"count": acc[0], "example": (acc[1] or "").strip().splitlines()[-1:][0][:300] if acc[1] else ""}


class _MergeReasonStatsFn(beam.CombineFn):
    """{count, example} dicts of one reason from several steps -> one (counts summed, an example kept)."""

    def create_accumulator(self):
        return (0, "")

    def add_input(self, acc, stats):
        return self.merge_accumulators([acc, (stats["count"], stats["example"])])

    def merge_accumulators(self, accs):
        accs = list(accs)
        examples = [a[1] for a in accs if a[1]]
        return (sum(a[0] for a in accs), min(examples) if examples else "")

    def extract_output(self, acc):
        return {"count": acc[0], "example": acc[1]}


class MergeReasonStats(beam.PTransform):
    """("stage/reason", {count, example}) of several steps -> one per reason."""

    def expand(self, stats):
        return stats | "MergeStats" >> beam.CombinePerKey(_MergeReasonStatsFn())


class CountPerBundleFn(beam.DoFn):
    """Elements -> (label, how many) once per bundle: ``label``, or each element is its label.

    Only a few numbers leave the stage, whatever the number of elements."""

    def __init__(self, label: Optional[str] = None):
        self._label = label
        self._counts = Counter()

    def start_bundle(self):
        self._counts = Counter()

    def process(self, element):
        self._counts[self._label or element] += 1

    def finish_bundle(self):
        for label, count in self._counts.items():
            yield WindowedValue((label, count), MIN_TIMESTAMP, [GlobalWindow()])


class CountRejectsByReason(beam.PTransform):
    """Rejected rows -> ("stage/reason", {count, example})."""

    def expand(self, rejected):
        return (
            rejected
            | "KeyByReason" >> beam.Map(lambda row: (f"{row['stage']}/{row['reason']}", row["error"]))
            | "Stats" >> beam.CombinePerKey(_ReasonStatsFn())
        )


class _CommitFn(beam.DoFn):
    def __init__(self, output, run_id, temp_dir, header, keep_state_runs=None, article_spec=None):
        self._output = output
        self._run_id = run_id
        self._temp_dir = temp_dir
        self._header = header
        self._keep_state_runs = keep_state_runs
        self._article_spec = article_spec

    def _with_articles(self, files) -> list:
        """``files``, plus an empty article file when the run wrote no article (``write_empty_file``)."""
        if self._article_spec is None or any(f["kind"] == ARTICLES for f in files):
            return list(files)
        day = (self._header.get("started_at") or datetime.now(timezone.utc).isoformat())[:10]
        return [*files, write_empty_file(self._article_spec, day)]

    def _manifest(self, files, counts, reasons, replaced: int) -> dict:
        header = {**self._header, "finished_at": datetime.now(timezone.utc).isoformat(), "replaced_files": replaced}
        return build_manifest(header, files, dict(counts), dict(reasons))

    def _save_state(self, validators) -> None:
        if validators:  # only once the manifest is in place: a failed commit hides no item
            save_feed_state(self._output, merged_state(read_feed_state(self._output), validators))
        if self._keep_state_runs is not None:  # site-boilerplate state outside the lookback window
            prune_site_state(self._output, self._keep_state_runs)

    def process(self, _, files, counts, reasons, validators):
        files = self._with_articles(files)
        manifest = commit_files(self._output, self._run_id, self._temp_dir, files,
                                lambda replaced: self._manifest(files, counts, reasons, replaced),
                                lambda: self._save_state(validators))
        _LOGGER.info("committed %d files for run %s", len(files), self._run_id)
        yield manifest


class CommitRun(beam.PTransform):
    """(file descriptions, counts, reasons, feed validators) -> the manifest, once all are complete.
    ``keep_state_runs``: the site-boilerplate state files of older runs are deleted after it;
    ``article_spec``: a run with no article commits an empty article file of that layout."""

    def __init__(self, output, run_id, temp_dir, header, keep_state_runs=None, article_spec=None):
        super().__init__()
        self._args = (output, run_id, temp_dir, header, keep_state_runs, article_spec)

    def expand(self, inputs):
        files, counts, reasons, validators = inputs
        pipeline = files.pipeline
        return (
            pipeline
            | "Once" >> beam.Create([None])
            | "Commit" >> beam.ParDo(
                _CommitFn(*self._args),
                files=beam.pvalue.AsList(files),
                counts=beam.pvalue.AsDict(counts),
                reasons=beam.pvalue.AsDict(reasons),
                validators=beam.pvalue.AsList(validators),
            )
        )
