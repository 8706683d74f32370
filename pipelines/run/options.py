"""Command-line options of ``newsbeam run`` and ``newsbeam stream``, as Beam PipelineOptions classes.

newsbeam's own flags are declared here; every other ``--flag`` must be a
known Beam pipeline option (``--runner``, ``--direct_num_workers``, ...).
"""
import argparse
import os

from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.cli.flags import add_ingest_flags, add_stream_flags
from pipelines.errors import ConfigError
from pipelines.run.runners import LOCAL_RUNNER_NAMES


class IngestOptions(PipelineOptions):
    """Flags of ``newsbeam run`` / ``python -m pipelines.run`` (declared in ``pipelines/cli/flags.py``)."""

    @classmethod
    def _add_argparse_args(cls, parser):
        add_ingest_flags(parser)


class StreamOptions(PipelineOptions):
    """Flags of ``newsbeam stream`` beyond those of ``newsbeam run``."""

    @classmethod
    def _add_argparse_args(cls, parser):
        add_stream_flags(parser)


class _OptionsParser(argparse.ArgumentParser):
    """argparse, plus the one method Beam's options classes call beyond argparse's own; a
    malformed value is a ConfigError (one line) instead of usage text and exit."""

    def add_value_provider_argument(self, *args, **kwargs):
        self.add_argument(*args, **kwargs)

    def error(self, message):
        raise ConfigError(f"Beam option: {message}")


def options_parser() -> argparse.ArgumentParser:
    """A parser that knows every flag of every loaded PipelineOptions class (Beam's and ours)."""
    parser = _OptionsParser(allow_abbrev=False)
    seen = {}
    for cls in PipelineOptions.__subclasses__():
        seen.setdefault(str(cls), cls)
    for cls in seen.values():
        cls._add_argparse_args(parser)  # pylint: disable=protected-access  (how Beam declares options)
    return parser


def unknown_flags(argv) -> list:
    """Arguments that neither newsbeam nor any Beam options class understands; a malformed
    value of a known one (``--direct_num_workers abc``) is a ConfigError."""
    _, unknown = options_parser().parse_known_args(list(argv))
    return unknown


def with_local_defaults(argv) -> list:
    """``argv`` plus the flags that make a local run use every core.

    When no runner other than the DirectRunner is named and the user set no
    DirectRunner flags, run the multi-process DirectRunner with one worker per
    core; an explicit ``--direct_running_mode`` / ``--direct_num_workers`` wins."""
    options = PipelineOptions(list(argv)).get_all_options()
    runner = options.get("runner") or "DirectRunner"
    if runner not in LOCAL_RUNNER_NAMES or any(a.startswith("--direct_") for a in argv):
        return list(argv)
    workers = max(1, os.cpu_count() or 1)
    if workers == 1:
        return list(argv)
    return [*argv, "--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]


def beam_help(name: str) -> str:
    """Every Beam pipeline option (``newsbeam NAME --help-beam``)."""
    parser = options_parser()
    parser.prog = f"newsbeam {name}"
    return parser.format_help()
