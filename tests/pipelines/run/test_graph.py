"""The graph's step labels and the progress line's registry of them stay in step."""
import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.cli.arguments import settings_from_args
from pipelines.cli.progress import stage_phases
from pipelines.run.graph import STEP_PHASES, build_pipeline
from pipelines.run.run_context import feed_urls, new_run_context
from transforms.sinks.feed_state import feed_requests


def graph_labels(tmp_path) -> set:
    """Every transform's full label in the graph of a run over a file and a feed."""
    source = tmp_path / "in.txt"
    source.write_text("A paragraph of text.\n")
    settings, _ = settings_from_args(["--input", str(source), "--feed", "http://127.0.0.1:9/feed",
                                      "--output", str(tmp_path / "out")])
    pipeline = beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"]))
    requests = feed_requests(feed_urls(settings), {})
    build_pipeline(pipeline, settings, new_run_context(settings), [str(source)], requests, {})
    labels, pending = set(), [pipeline.transforms_stack[0]]
    while pending:
        node = pending.pop()
        labels.add(node.full_label)
        pending.extend(node.parts)
    return labels


def test_every_step_the_progress_line_names_is_in_the_graph(tmp_path):
    labels = graph_labels(tmp_path)
    top = {label.split("/")[0] for label in labels}
    for step in STEP_PHASES:
        assert step in labels or step in top or any(label.startswith(step + "_") for label in top), step


def test_each_step_is_found_in_a_runner_stage_name():
    for step, words in STEP_PHASES.items():
        stage = "ref_AppliedPTransform_" + step.replace("/", "-") + "_12"
        assert words in stage_phases(stage), step
