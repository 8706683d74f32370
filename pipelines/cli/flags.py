"""newsbeam's own flags of ``run`` and ``stream``, declared once, and their help (no Beam).

``add_ingest_flags`` / ``add_stream_flags`` declare the flags on any argparse parser or
group: Beam's options classes (``pipelines/run/options.py``) call them to parse, and
``command_help`` calls them on argument groups to print ``newsbeam run --help``: newsbeam's
options first and completely, grouped, then the few Beam options most runs use. Beam's
several hundred others are behind ``--help-beam`` (``pipelines/run/options.beam_help``).
"""
import argparse

__all__ = ["add_ingest_flags", "add_stream_flags", "command_help", "HELPED_COMMANDS"]

HELPED_COMMANDS = {
    "run": ("newsbeam run [options] [BEAM OPTIONS]",
            "A batch run: files, folders and feeds -> clean articles, duplicates and rejected rows, "
            "committed as one run. With no arguments, the bundled samples into ./out."),
    "stream": ("newsbeam stream [options] [BEAM OPTIONS]",
               "Poll feeds and watch folders, committing one window per poll (locally), or one "
               "unbounded job on a streaming runner (Dataflow, Flink). Ctrl-C stops."),
}


def add_ingest_flags(inputs, output=None) -> None:
    """The flags of ``newsbeam run`` (inputs on ``inputs``, the rest on ``output`` or ``inputs``)."""
    output = output or inputs
    inputs.add_argument("--config", default=None, metavar="FILE", help="YAML config laid over the packaged defaults")
    inputs.add_argument("--input", action="append", default=None, metavar="GLOB",
                        help="input glob or folder (repeatable): .txt .html .json .jsonl .csv .tsv .xml/.rss/.atom "
                             ".warc, optionally .gz/.bz2/.zst")
    inputs.add_argument("--feed", action="append", default=None, metavar="URL",
                        help="RSS/Atom feed URL, or a saved feed file (repeatable)")
    inputs.add_argument("--allow-network", "--allow_network", dest="allow_network", action="append", default=None,
                        metavar="CIDR", help="a private network the address guard lets through (repeatable)")
    output.add_argument("--output", default=None, metavar="DIR", help="dataset root (default ./out)")
    output.add_argument("--run-id", "--run_id", dest="run_id", default=None, metavar="ID",
                        help="run id; re-using one replaces that run's files")


def add_stream_flags(group) -> None:
    """The flags ``newsbeam stream`` adds to those of ``run``."""
    group.add_argument("--watch", action="append", default=None, metavar="GLOB",
                       help="glob of a folder or bucket to watch for new files (repeatable)")
    group.add_argument("--poll-interval", "--poll_interval", dest="poll_interval", type=float, default=30.0,
                       metavar="S", help="seconds between polls; each poll commits one window (default 30)")
    group.add_argument("--duration", type=float, default=None, metavar="S",
                       help="stop by itself after this many seconds (default: run until stopped)")
    group.add_argument("--max-failures", "--max_failures", dest="max_failures", type=int, default=5, metavar="N",
                       help="windows failing in a row before the stream stops with an error (default 5); "
                            "a failed window is retried at the next poll")


def _outcome_flags(group) -> None:
    group.add_argument("--fail-on-rejects", action="store_true",
                       help="exit 3 when any row was rejected (the run still commits)")
    group.add_argument("--max-reject-rate", type=float, metavar="R",
                       help="exit 3 when more than R of the inputs were rejected (0.05 is 5%%); a run whose "
                            "every feed failed is exit 3 anyway")
    group.add_argument("-q", "--quiet", action="store_true", help="no progress line; a one-line summary")
    group.add_argument("-v", "--verbose", action="store_true", help="logs and tracebacks")


def _runner_flags(group) -> None:
    group.add_argument("--runner", metavar="NAME",
                       help="DataflowRunner, PortableRunner, ... (default: the local engine, every core)")
    group.add_argument("--direct_running_mode", choices=("in_memory", "multi_processing"),
                       help="local engine: one process, or one worker process per core (the default)")
    group.add_argument("--direct_num_workers", type=int, metavar="N", help="local engine: worker processes")


def command_help(name: str) -> str:
    """``newsbeam NAME --help``: newsbeam's own options, grouped, then the usual Beam ones."""
    usage, description = HELPED_COMMANDS[name]
    parser = argparse.ArgumentParser(prog=f"newsbeam {name}", usage=usage, description=description, add_help=False,
                                     epilog=f"Every other Beam pipeline option is accepted too: "
                                            f"newsbeam {name} --help-beam lists them.")
    add_ingest_flags(parser.add_argument_group("inputs"), parser.add_argument_group("output"))
    if name == "stream":
        add_stream_flags(parser.add_argument_group("streaming"))
    else:
        _outcome_flags(parser.add_argument_group("exit code and terminal"))
    _runner_flags(parser.add_argument_group("runner (Beam options most runs use)"))
    parser.add_argument_group("help").add_argument("-h", "--help", action="store_true", help="this help")
    return parser.format_help()
