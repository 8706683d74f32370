"""Site boilerplate stage (Beam): learn each source's repeated lines, then strip them.

It works on the staged files (``transforms/dedup/staged_rows.py``), before deduplication:
nothing that grows with the corpus travels between steps or waits in memory.

1. ``Sketch``: every staged file's line fingerprints (and the saved state's) are counted in one
   combine (``line_sketch.LineCounts``: exact up to 4M distinct lines, 16 bytes each, a
   count-min sketch beyond); only the lines added twice or more are kept for the next step.
2. ``CountLines``: each staged file emits ((source, fingerprint), (run count, state count,
   line)) only for lines the counts say recur; ``CombinePerKey`` sums them over the run and the
   state of earlier runs (``transforms/sinks/site_state.py``). Articles per source likewise.
3. ``Decide``: grouped by fingerprint (how many sources carry it), ``site_lines.is_site_line``
   picks the learned lines -> a side input of ((source, fingerprint), count), bounded by the
   number of repeated lines; the lines that recurred in this run go to the run's state file.
4. ``Strip``: each staged file whose articles carry a learned line is written again with those
   lines removed (``site_lines.strip_site_lines``, ``article.without_site_lines``); the others
   pass unchanged.

Everything the steps share goes through Beam (combines, side inputs), so it runs alike on the
local and on distributed runners.
"""
from collections import Counter, defaultdict

import apache_beam as beam
import numpy as np
from apache_beam.io.filesystems import FileSystems

from transforms.dedup.staged_rows import KEYS, LINES, ROWS, SOURCES, StagedFile, read_columns, read_staged_rows
from transforms.sinks.site_state import read_state_rows, state_table, write_state_file
from transforms.text.article import strip_learned_lines
from transforms.text.line_sketch import LineCounts
from transforms.text.site_lines import SiteLineParams, is_site_line

__all__ = ["LearnSiteLines", "StripSiteLines", "STATE_FILE", "REMOVED_COUNTS"]

STATE_FILE, REMOVED_COUNTS = "state_file", "removed_counts"
RECURRING = 2  # a line must occur at least this often (sketch estimate) to be counted exactly


class _SketchFn(beam.CombineFn):
    """Staged-file descriptions and state rows -> one LineCounts of their line fingerprints (exact
    while they fit, a sketch beyond), keeping only the lines that recur."""

    def __init__(self, megabytes: int):
        self._megabytes = megabytes

    def create_accumulator(self):
        return LineCounts(self._megabytes)

    def add_input(self, sketch, element):
        if "fingerprint" in element:  # a state row: its count, once per article of earlier runs
            if element["fingerprint"] is not None:
                sketch.add([element["fingerprint"]], [element["count"]])
            return sketch
        if element.get(LINES):
            fingerprints = read_columns(element[LINES], ["fingerprint"]).column(0).to_numpy()
            sketch.add(fingerprints)
        return sketch

    def merge_accumulators(self, sketches):
        sketches = iter(sketches)
        merged = next(sketches)
        for sketch in sketches:
            merged.merge(sketch)
        return merged

    def extract_output(self, sketch):
        return sketch.at_least(RECURRING)  # the side input: only the lines that may be counted


def _staged_counts(staged: dict, sketch: LineCounts):
    """((source, fingerprint), (run count, 0, line)) of one staged file's recurring lines."""
    if not staged.get(LINES) or sketch is None:
        return
    table = read_columns(staged[LINES], ["source", "fingerprint", "line"])
    fingerprints = table.column("fingerprint").to_numpy()
    recurring = np.nonzero(sketch.estimate(fingerprints) >= RECURRING)[0]
    if not len(recurring):
        return
    chosen = table.take(recurring).to_pydict()
    counts, lines = Counter(), {}
    for source, fingerprint, line in zip(chosen["source"], chosen["fingerprint"], chosen["line"]):
        counts[(source, fingerprint)] += 1
        lines.setdefault((source, fingerprint), line)
    for key, count in counts.items():
        yield key, (count, 0, lines[key])


def _keyed_counts(element, sketch):
    """A staged file or a state row -> ((source, fingerprint), (run, state, line)); a source's
    number of articles has the fingerprint None."""
    if "fingerprint" in element:  # a state row
        yield (element["source"], element["fingerprint"]), (0, element["count"], element["line"])
        return
    for source, count in (element.get(SOURCES) or {}).items():
        yield (source, None), (count, 0, None)
    yield from _staged_counts(element, sketch)


def _sum_counts(values):
    """(run, state, line) tuples of one key -> their sums and one line (the smallest: deterministic)."""
    values = list(values)
    lines = [v[2] for v in values if v[2] is not None]
    return (sum(v[0] for v in values), sum(v[1] for v in values), min(lines) if lines else None)


def _article_counts(item):
    (source, fingerprint), (run, state, _) = item
    if fingerprint is None:
        yield source, (run, state)


def _line_counts(item):
    (source, fingerprint), (run, state, line) = item
    if fingerprint is not None:
        yield fingerprint, (source, run, state, line)


def _run_articles(item):
    """A source's articles in this run, as a state row."""
    source, (run, _) = item
    if run:
        yield {"source": source, "fingerprint": None, "count": run, "line": None}


class _DecideFn(beam.DoFn):
    """(fingerprint, [(source, run, state, line)]) -> learned ((source, fingerprint), count) and
    this run's state rows (lines that recurred in the run)."""

    def __init__(self, params: SiteLineParams):
        self._params = params

    def process(self, element, articles):
        fingerprint, carriers = element
        carriers = list(carriers)
        sources = sum(1 for _, run, state, _ in carriers if run + state > 0)
        for source, run, state, line in carriers:
            total = run + state
            if is_site_line(total, sum(articles.get(source, (0, 0))), sources, self._params):
                yield (source, fingerprint), total
            if run >= RECURRING:
                yield beam.pvalue.TaggedOutput(STATE_FILE, {"source": source, "fingerprint": fingerprint,
                                                            "count": run, "line": line})


def _write_state(keyed_rows, temp_dir, run_id, lines_per_source):
    _, rows = keyed_rows
    rows = list(rows)
    if rows:
        yield write_state_file(temp_dir, run_id, state_table(rows, lines_per_source))


class LearnSiteLines(beam.PTransform):
    """Staged-file descriptions -> learned lines ((source, fingerprint), count), with the run's
    state file description as the ``STATE_FILE`` output.

    Few steps on purpose (the local runner pays a fixed cost per stage): one keyed combine
    counts the lines and the articles per source together, and the state is read only when
    earlier runs left some."""

    def __init__(self, params: SiteLineParams, state_paths, temp_dir: str, run_id: str):
        super().__init__()
        self._params, self._state_paths = params, tuple(state_paths)
        self._temp_dir, self._run_id = temp_dir, run_id

    def expand(self, staged):
        both = staged
        if self._state_paths:
            state = (staged.pipeline | "StatePaths" >> beam.Create(self._state_paths)
                     | "ReadState" >> beam.FlatMap(read_state_rows))
            both = (staged, state) | "StagedAndState" >> beam.Flatten()
        sketch = (both | "OneKey" >> beam.Map(lambda element: (None, element))
                  | "Sketch" >> beam.CombinePerKey(_SketchFn(self._params.sketch_mb)) | "TheSketch" >> beam.Values())
        counts = (both | "CountLines" >> beam.FlatMap(_keyed_counts, beam.pvalue.AsSingleton(sketch, default_value=None))
                  | "SumCounts" >> beam.CombinePerKey(_sum_counts))
        articles = counts | "ArticleCounts" >> beam.FlatMap(_article_counts)
        decided = (counts | "LineCounts" >> beam.FlatMap(_line_counts) | "Carriers" >> beam.GroupByKey()
                   | "Decide" >> beam.ParDo(_DecideFn(self._params), beam.pvalue.AsDict(articles))
                   .with_outputs(STATE_FILE, main="learned"))
        state_file = ((decided[STATE_FILE], articles | "RunArticles" >> beam.FlatMap(_run_articles))
                      | "RunState" >> beam.Flatten() | "StateKey" >> beam.Map(lambda row: (None, row))
                      | "StateRows" >> beam.GroupByKey()
                      | "WriteState" >> beam.FlatMap(_write_state, self._temp_dir, self._run_id,
                                                     self._params.lines_per_source))
        return {"learned": decided.learned, STATE_FILE: state_file}


class _StripFn(beam.DoFn):
    """A staged file -> itself, or a new staged file with its articles' learned lines removed."""

    def __init__(self, folder, spec, params: SiteLineParams):
        self._folder, self._spec, self._params = folder, spec, params

    def process(self, staged, learned):
        by_source = defaultdict(dict)
        for (source, fingerprint), count in learned.items():
            if source in (staged.get(SOURCES) or {}):
                by_source[source][fingerprint] = count
        affected = _affected_rows(staged, by_source)
        if not affected:
            yield staged
            return
        restaged, removed, cleaned = self._rewrite(staged, by_source, affected)
        yield restaged
        yield beam.pvalue.TaggedOutput(REMOVED_COUNTS, ("site_lines_removed", removed))
        yield beam.pvalue.TaggedOutput(REMOVED_COUNTS, ("articles_site_cleaned", cleaned))

    def _rewrite(self, staged, by_source, affected):
        """(the new staged file's description, lines removed, articles cleaned)."""
        restaged = StagedFile(self._folder, self._spec)
        removed = cleaned = 0
        for number, row in enumerate(read_staged_rows(staged[ROWS])):
            if number in affected:
                row, lines = strip_learned_lines(row, by_source[row["source"]], self._params)
                removed, cleaned = removed + lines, cleaned + bool(lines)
            restaged.add(row)
        FileSystems.delete([staged[ROWS], staged[KEYS]])
        return restaged.close(), removed, cleaned


def _affected_rows(staged: dict, by_source: dict) -> set:
    """Row numbers of a staged file whose article carries one of its source's learned lines."""
    if not by_source or not staged.get(LINES):
        return set()
    table = read_columns(staged[LINES], ["staged_row", "source", "fingerprint"]).to_pydict()
    return {number for number, source, fingerprint in zip(table["staged_row"], table["source"], table["fingerprint"])
            if fingerprint in by_source.get(source, ())}


class StripSiteLines(beam.PTransform):
    """Staged-file descriptions -> descriptions of the same rows with learned lines removed
    (main), and ("site_lines_removed" | "articles_site_cleaned", n) counts (``REMOVED_COUNTS``)."""

    def __init__(self, folder, spec, params: SiteLineParams):
        super().__init__()
        self._fn = _StripFn(folder, spec, params)

    def expand(self, inputs):
        staged, learned = inputs
        # Its own PCollection: the local runner fuses sibling consumers of one PCollection into one
        # stage, and this step's side input depends on a sibling (CountLines): a deadlock.
        staged = staged | "Apart" >> beam.Map(lambda description: description)
        return staged | "Strip" >> beam.ParDo(self._fn, beam.pvalue.AsDict(learned)).with_outputs(
            REMOVED_COUNTS, main="staged")
