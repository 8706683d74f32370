"""Command-line arguments into what a run needs: validated ``Settings`` and Beam options.

Parsed once, here; the run, stream and replay functions take the results, never argv.
Beam is imported by the functions that need it, so commands that run no pipeline
(``clean``, ``inspect``, ``--help``, ``--version``) start without it.
"""
import argparse

from pipelines.errors import ConfigError, UsageError

__all__ = ["ArgumentParser", "settings_from_args"]


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises UsageError (one line, exit 2) instead of printing usage and exiting."""

    def error(self, message):
        raise UsageError(message)


def settings_from_args(argv):
    """(Settings, PipelineOptions) from ``newsbeam run`` arguments; raises ConfigError.
    A local run uses every core (``options.with_local_defaults``)."""
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.run.config import build_settings, read_config_file
    from pipelines.run.options import IngestOptions, unknown_flags, with_local_defaults
    from transforms.text.boilerplate import load_rules

    unknown = unknown_flags(argv)
    if unknown:
        raise ConfigError(f"unknown option {unknown[0]!r} (not a newsbeam flag nor a Beam pipeline option)")
    options = PipelineOptions(with_local_defaults(argv))
    ours = options.view_as(IngestOptions)
    user = read_config_file(ours.config) if ours.config else {}
    overrides = {"inputs": ours.input, "output": ours.output, "run_id": ours.run_id}
    feeds = [{"type": "feed", "urls": ours.feed}] if ours.feed else []
    user = {**user, "sources": list(user.get("sources", [])) + feeds} if feeds else user
    if ours.allow_network:
        fetch = dict(user.get("fetch") or {})
        fetch["allow_networks"] = list(fetch.get("allow_networks", [])) + ours.allow_network
        user = {**user, "fetch": fetch}
    settings = build_settings(user, overrides)
    try:
        load_rules(settings.rule_packs)
    except ValueError as err:
        raise ConfigError(f"config key 'boilerplate.packs': {err}") from None
    return settings, options


def stream_args(argv):
    """(StreamPlan, Settings, PipelineOptions) from ``newsbeam stream`` arguments."""
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.run.options import StreamOptions
    from pipelines.run.stream import StreamPlan, window_argv

    ours = PipelineOptions(list(argv)).view_as(StreamOptions)
    plan = StreamPlan(watch=tuple(ours.watch or ()), poll_interval=ours.poll_interval, duration=ours.duration,
                      max_failures=ours.max_failures)
    settings, options = settings_from_args(window_argv(argv))
    return plan, settings, options


def replay_args(argv):
    """(ReplayRequest, Settings, PipelineOptions) from ``newsbeam replay`` arguments: its own
    flags, then those of ``run`` (a ``--config``'s inputs, sources and output are replaced)."""
    from pipelines.tools.replay import ReplayRequest, own_flags

    parser = ArgumentParser(prog="newsbeam replay", add_help=True)
    parser.add_argument("paths", nargs="+", help="rejected Parquet: files, folders or globs under OUT/rejected/")
    parser.add_argument("--from-run", dest="from_runs", action="append", default=[],
                        help="only the rows of this run id (repeatable)")
    parser.add_argument("--reason", dest="reasons", action="append", default=[],
                        help="only rows with this reason, e.g. too_large or clean/boilerplate_only (repeatable)")
    parser.add_argument("--run-id", "--run_id", dest="run_id", default=None, help="the new run's id")
    args, rest = parser.parse_known_args(list(argv))
    own = own_flags(rest)
    if own:
        raise UsageError(f"{own[0]} is set by replay (the rejected rows are the input, their output the output)")
    settings, options = settings_from_args(rest)
    return ReplayRequest(args.paths, args.from_runs, args.reasons, args.run_id), settings, options
