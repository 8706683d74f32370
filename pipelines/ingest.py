"""The batch ingest pipeline: files -> clean articles + rejected rows -> Parquet.

``build_pipeline`` only wires stages; ``run`` turns argv into settings and
Beam options, runs the graph and returns the committed manifest.
``python -m pipelines.ingest ...`` behaves like ``newsbeam run ...``.
"""
import functools
import logging
import operator
import sys
import uuid

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms import combiners

from pipelines.config import ConfigError, build_settings, read_config_file
from pipelines.options import IngestOptions, unknown_flags

from pipelines.run_context import new_run_context, resolve_inputs, run_header
from schemas import ARTICLE_SCHEMA, REJECTED_SCHEMA
from transforms.article import partition_date
from transforms.boilerplate import load_rules
from transforms.clean import CleanArticles
from transforms.commit import CommitRun, CountRejectsByReason
from transforms.dead_letter import REJECTED
from transforms.extract import ExtractDocuments
from transforms.layout import ARTICLES, REJECTED as REJECTED_KIND, manifest_path, temp_dir
from transforms.parquet_sink import PartitionSpec, WriteParquetPartitions
from transforms.read import ReadInputFiles
from transforms.storage import read_json

_LOGGER = logging.getLogger(__name__)


def partition_specs(settings, run_id: str, tmp: str):
    """(articles spec, rejected spec) for one run."""
    common = dict(output=settings.output, temp_dir=tmp, run_id=run_id,
                  max_rows_per_file=settings.max_rows_per_file, compression=settings.compression)
    use_published = settings.partition_date == "published"
    articles = PartitionSpec(kind=ARTICLES, schema=ARTICLE_SCHEMA, columns=settings.partition_columns,
                             date_of=functools.partial(partition_date, use_published=use_published), **common)
    rejected = PartitionSpec(kind=REJECTED_KIND, schema=REJECTED_SCHEMA, columns=(),
                             date_of=operator.itemgetter("rejected_at"), **common)
    return articles, rejected


def _count(pcoll, label):
    return pcoll | f"Count{label}" >> combiners.Count.Globally() | f"Key{label}" >> beam.Map(
        lambda n, key=label: (key, n))


def build_pipeline(pipeline, settings, ctx, inputs, header):
    """Wire read -> extract -> clean -> write -> commit; returns the manifest PCollection."""
    tmp = temp_dir(settings.output, ctx.run_id, uuid.uuid4().hex[:8])
    article_spec, rejected_spec = partition_specs(settings, ctx.run_id, tmp)
    read = pipeline | "Read" >> ReadInputFiles(inputs, ctx.run_id, settings.max_file_bytes,
                                              settings.max_record_bytes)
    extracted = read["records"] | "ExtractDocuments" >> ExtractDocuments(ctx.run_id)
    cleaned = extracted.documents | "CleanArticles" >> CleanArticles(ctx, settings.rule_packs)
    rejected = (read[REJECTED], extracted[REJECTED], cleaned[REJECTED]) | "AllRejected" >> beam.Flatten()
    files = (
        (cleaned.articles | "WriteArticles" >> WriteParquetPartitions(article_spec),
         rejected | "WriteRejected" >> WriteParquetPartitions(rejected_spec))
        | "AllFiles" >> beam.Flatten()
    )
    counts = (
        (_count(read["files"], "files_matched"), _count(read["records"], "records"),
         _count(read[REJECTED], "read_rejected"))
        | "AllCounts" >> beam.Flatten()
    )
    reasons = rejected | "RejectReasons" >> CountRejectsByReason()
    return (files, counts, reasons) | "CommitRun" >> CommitRun(settings.output, ctx.run_id, tmp, header)


def settings_from_args(argv):
    """(Settings, IngestOptions) from command-line arguments; raises ConfigError."""
    unknown = unknown_flags(argv)
    if unknown:
        raise ConfigError(f"unknown option {unknown[0]!r} (not a newsbeam flag nor a Beam pipeline option)")
    options = PipelineOptions(list(argv))
    ours = options.view_as(IngestOptions)
    user = read_config_file(ours.config) if ours.config else {}
    overrides = {"inputs": ours.input, "output": ours.output, "run_id": ours.run_id}
    settings = build_settings(user, overrides)
    try:
        load_rules(settings.rule_packs)
    except ValueError as err:
        raise ConfigError(f"config key 'boilerplate.packs': {err}") from None
    return settings, options


def prepare_output(output: str) -> None:
    """Fail fast, before the pipeline starts, when the output root cannot be created."""
    try:
        if not FileSystems.exists(output):
            FileSystems.mkdirs(output)
    except Exception as err:  # noqa: BLE001 - any filesystem failure means: cannot write there
        raise ConfigError(f"output {output!r}: cannot be created ({err})") from None


def run(argv) -> dict:
    """Run one batch ingest; returns the committed manifest."""
    settings, options = settings_from_args(argv)
    inputs = resolve_inputs(settings)
    prepare_output(settings.output)
    ctx = new_run_context(settings)
    _LOGGER.info("run %s: reading %s into %s", ctx.run_id, ", ".join(inputs), settings.output)
    with beam.Pipeline(options=options) as pipeline:
        build_pipeline(pipeline, settings, ctx, inputs, run_header(settings, ctx, inputs))
    return read_manifest(settings.output, ctx.run_id)


def read_manifest(output: str, run_id: str) -> dict:
    manifest = read_json(manifest_path(output, run_id))
    if manifest is None:
        raise RuntimeError(f"the run finished but wrote no manifest for run {run_id}")
    return manifest


def main(argv=None) -> int:
    from pipelines.cli import main as cli_main

    return cli_main(["run", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
