"""Command-line options of the batch pipeline, as a Beam PipelineOptions class.

newsbeam's own flags are declared here; every other ``--flag`` must be a
known Beam pipeline option (``--runner``, ``--direct_num_workers``, ...).
"""
import os

from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser


class IngestOptions(PipelineOptions):
    """Flags of ``newsbeam run`` / ``python -m pipelines.run.ingest``."""

    @classmethod
    def _add_argparse_args(cls, parser):
        parser.add_argument("--config", default=None, help="YAML config laid over the packaged defaults")
        parser.add_argument("--input", action="append", default=None,
                            help="input glob (repeatable): .txt .html .jsonl .xml/.rss/.atom, optionally .gz/.bz2/.zst")
        parser.add_argument("--feed", action="append", default=None,
                            help="RSS/Atom feed URL, or a saved feed file (repeatable)")
        parser.add_argument("--allow-network", "--allow_network", dest="allow_network", action="append",
                            default=None, help="CIDR the private-address guard lets through (repeatable)")
        parser.add_argument("--output", default=None, help="dataset root (default ./out)")
        parser.add_argument("--run-id", "--run_id", dest="run_id", default=None,
                            help="run id; re-using one replaces that run's files")


def options_parser(parser_class=_BeamArgumentParser):
    """A parser that knows every flag of every loaded PipelineOptions class (Beam's and ours)."""
    parser = parser_class(allow_abbrev=False)
    seen = {}
    for cls in PipelineOptions.__subclasses__():
        seen.setdefault(str(cls), cls)
    for cls in seen.values():
        cls._add_argparse_args(parser)  # pylint: disable=protected-access
    return parser


def unknown_flags(argv) -> list:
    """Arguments that neither newsbeam nor any Beam options class understands."""
    _, unknown = options_parser().parse_known_args(list(argv))
    return unknown


def with_local_defaults(argv) -> list:
    """``argv`` plus the flags that make a local run use every core.

    When no runner other than the DirectRunner is named and the user set no
    DirectRunner flags, run the multi-process DirectRunner with one worker per
    core; an explicit ``--direct_running_mode`` / ``--direct_num_workers`` wins."""
    options = PipelineOptions(list(argv)).get_all_options()
    runner = options.get("runner") or "DirectRunner"
    if runner not in ("DirectRunner", "direct") or any(a.startswith("--direct_") for a in argv):
        return list(argv)
    workers = max(1, os.cpu_count() or 1)
    if workers == 1:
        return list(argv)
    return [*argv, "--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]
