"""The ``newsbeam`` command: run, clean, stream, inspect, report, replay.

Exit codes: 0 the run completed (rejected rows are normal), 1 the run itself
failed, 2 a usage, config or input problem (one line, no traceback), 3 the run
completed but failed a check (``pipelines/cli/outcome.py``: ``--fail-on-rejects``,
``--max-reject-rate``, every feed failing).
``--verbose`` shows logs and tracebacks; ``--quiet`` shows no progress and a
one-line summary.
"""
import inspect
import json
import logging
import os
import re
import sys
import threading
from dataclasses import dataclass

from pipelines import package_version
from pipelines.cli.arguments import ArgumentParser
from pipelines.cli.flags import HELPED_COMMANDS, command_help
from pipelines.cli.outcome import OutcomePolicy, outcome_problems, pop_reject_rate
from pipelines.cli.words import counted
from pipelines.errors import (EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_REJECTS, EXIT_USAGE, ConfigError, InputError,
                             UsageError)
from transforms.process_exit import skip_final_collection

_LOGGER = logging.getLogger(__name__)

_ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception)\b")


@dataclass(frozen=True)
class Flags:
    """The global switches, given to every command."""

    verbose: bool = False
    quiet: bool = False


def error(self, message):
        raise UsageError(message)


def _configure_logging(verbose: bool) -> None:
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    if not verbose:  # a failed run is reported in one line; the workers' tracebacks are for --verbose
        logging.getLogger("apache_beam").setLevel(logging.CRITICAL + 1)
        threading.excepthook = _thread_failure_to_debug_log  # Beam's gRPC threads dying on Ctrl-C
        for noisy in ("trafilatura", "htmldate"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


def _thread_failure_to_debug_log(args) -> None:
    """An exception ending a background thread (the runner's, stopped by Ctrl-C or a failed run),
    logged for --verbose instead of printed; the command reports the run in one line."""
    _LOGGER.debug("thread %s ended with an exception", getattr(args.thread, "name", "?"),
                  exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def _pop_flag(argv, *names) -> bool:
    found = any(name in argv for name in names)
    argv[:] = [a for a in argv if a not in names]
    return found


def finish_run(manifest: dict, flags: Flags, policy: OutcomePolicy, name: str = "run") -> int:
    """Print the run summary; the exit code for a run that completed (``outcome``)."""
    from pipelines.cli.summary import format_summary

    print(format_summary(manifest, manifest["config"]["output"], brief=flags.quiet))
    if not manifest["reconciliation"]["ok"]:
        return EXIT_FAILED
    problems = outcome_problems(manifest, policy)
    for problem in problems:
        print(f"newsbeam {name}: {problem} (exit {EXIT_REJECTS})", file=sys.stderr)
    return EXIT_REJECTS if problems else EXIT_OK


def command_run(argv, flags: Flags) -> int:
    """run [--config FILE] [--input GLOB ...] [--feed URL ...] [--output DIR] [--run-id ID]
    [--fail-on-rejects] [--max-reject-rate R] [BEAM OPTIONS ...]
    batch run; with no arguments, the bundled samples into ./out"""
    from pipelines.cli.arguments import settings_from_args
    from pipelines.cli.progress import Progress
    from pipelines.run.launch import run

    policy = OutcomePolicy(_pop_flag(argv, "--fail-on-rejects"), pop_reject_rate(argv))
    settings, options = settings_from_args(argv)
    manifest = run(settings, options, progress=Progress.choose(flags.quiet, flags.verbose))
    return finish_run(manifest, flags, policy)


def command_clean(argv, flags: Flags) -> int:
    """clean [FILE|DIR|URL|- ...] [--state OUT]

    documents through the same cleaning code, no Beam: one record printed as JSON, several as
    JSONL (one row per line); stdin's format is sniffed (JSON, JSONL, feed, HTML, text)"""
    from pipelines.tools.clean import clean_inputs

    parser = ArgumentParser(prog="newsbeam clean")
    parser.add_argument("paths", nargs="*", default=["-"], metavar="INPUT",
                        help="files (.txt .html .json .jsonl .csv .xml, optionally compressed), folders, "
                             "http(s) URLs, or - for stdin (the default)")
    parser.add_argument("--state", metavar="OUT",
                        help="also remove the site boilerplate the dataset OUT learned (site_repeated)")
    parser.add_argument("--allow-network", dest="allow_network", action="append", default=[], metavar="CIDR",
                        help="a private network a URL may reach despite the address guard (repeatable)")
    args = parser.parse_args(argv)
    rows = clean_inputs(args.paths or ["-"], args.state, args.allow_network)
    first = next(rows, None)
    second = next(rows, None)
    if second is None:
        print(json.dumps(first, indent=2, ensure_ascii=False, default=str))
        return EXIT_OK
    for row in (first, second):
        print(json.dumps(row, ensure_ascii=False, default=str))
    for row in rows:  # streamed: a folder of many files is never held whole
        print(json.dumps(row, ensure_ascii=False, default=str))
    return EXIT_OK


def command_stream(argv, flags: Flags) -> int:
    """stream [--config FILE] [--feed URL ...] [--watch GLOB ...] [--output DIR] [--poll-interval S]
    [--duration S] [--allow-network CIDR ...] [BEAM OPTIONS ...]

    poll feeds and watch folders, committing one window per poll; Ctrl-C stops"""
    from pipelines.cli.arguments import stream_args
    from pipelines.run.stream import stream

    plan, settings, options = stream_args(argv)
    manifests = stream(settings, options, plan)
    articles = sum(m["counts"]["articles"] for m in manifests)
    print(f"newsbeam stream: {counted(len(manifests), 'window')} committed, {counted(articles, 'article')}")
    return EXIT_OK


def command_inspect(argv, flags: Flags) -> int:
    """inspect DIR [--json] [--samples N]

    what an output holds: partitions, rows, dates, sources, topics, rejects by reason, schema version, samples"""
    parser = ArgumentParser(prog="newsbeam inspect")
    parser.add_argument("dir", help="the output root of newsbeam run (holds articles/, rejected/, _runs/)")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    parser.add_argument("--samples", type=int, default=3, help="sample rows to show (default 3)")
    args = parser.parse_args(argv)
    from pipelines.tools.inspect import format_inspection, inspect_output  # after --help: no Beam for that

    info = inspect_output(args.dir, samples=max(0, args.samples))
    print(json.dumps(info, indent=2, ensure_ascii=False, default=str) if args.json else format_inspection(info))
    return EXIT_OK


def command_report(argv, flags: Flags) -> int:
    """report DIR [--html FILE]

    one self-contained HTML page with charts (no scripts, no network: opens from an e-mail);
    written to ./newsbeam-report.html unless --html names the file"""
    parser = ArgumentParser(prog="newsbeam report")
    parser.add_argument("dir", help="the output root of newsbeam run")
    parser.add_argument("--html", default="newsbeam-report.html", metavar="FILE",
                        help="where to write the page (default ./newsbeam-report.html)")
    args = parser.parse_args(argv)
    from pipelines.tools.report import write_report  # after --help: no Beam for that

    path = write_report(args.dir, args.html)
    if not flags.quiet:
        print(f"newsbeam report: wrote {path}")
    return EXIT_OK


def command_gc(argv, flags: Flags) -> int:
    """gc DIR

    remove what runs that stopped left under DIR (temporary folders, a half-done commit:
    finished or undone); refuses while a run holds the output"""
    parser = ArgumentParser(prog="newsbeam gc")
    parser.add_argument("dir", help="the output root of newsbeam run")
    args = parser.parse_args(argv)
    from pipelines.run.output_lock import OutputLock  # after --help: no Beam for that
    from transforms.sinks.commit_protocol import repair_output

    if not os.path.isdir(args.dir) and "://" not in args.dir:
        raise InputError(f"{args.dir!r}: no such folder")
    with OutputLock(args.dir, "gc"):
        done = repair_output(args.dir)
    if not flags.quiet:
        print(f"newsbeam gc {args.dir}: removed {counted(done['temp_folders_removed'], 'temporary folder')}; "
              f"commits finished {done['finished']}, undone {done['undone']}")
    return EXIT_OK


def command_replay(argv, flags: Flags) -> int:
    """replay DIR/rejected[/...] [--from-run ID ...] [--reason CODE ...] [--fail-on-rejects] [RUN OPTIONS ...]

    re-run rejected inputs (a file, folder or glob under rejected/) through the current pipeline as a new run"""
    from pipelines.cli.arguments import replay_args
    from pipelines.cli.progress import Progress
    from pipelines.tools.replay import replay

    policy = OutcomePolicy(_pop_flag(argv, "--fail-on-rejects"), pop_reject_rate(argv))
    request, settings, options = replay_args(argv)
    outcome = replay(request, settings, options, progress=Progress.choose(flags.quiet, flags.verbose))
    if not flags.quiet:
        print(outcome.describe())
    return finish_run(outcome.manifest, flags, policy, name="replay")


# Each command is ``fn(argv, flags) -> exit code``. In ``newsbeam --help`` its docstring's
# first paragraph is the synopsis and the rest the description.
COMMANDS = {
    "run": command_run,
    "clean": command_clean,
    "stream": command_stream,
    "inspect": command_inspect,
    "report": command_report,
    "replay": command_replay,
    "gc": command_gc,
}


def usage() -> str:
    lines = ["newsbeam [--verbose|-v] [--quiet|-q] <command> [options]   (newsbeam --version: the version)", "",
             "commands:"]
    for name, command in COMMANDS.items():
        synopsis, _, description = inspect.cleandoc(command.__doc__ or name).partition("\n\n")
        lines.append("  " + " ".join(synopsis.split()))
        lines += [f"      {line}" for line in description.splitlines()]
    lines += ["", "exit codes: 0 completed (rejected rows are normal), 1 the run failed, "
              "2 usage/config/input problem, 3 a check failed (--fail-on-rejects, --max-reject-rate, every feed failed)"]
    return "\n".join(lines)


def describe_failure(err: BaseException) -> str:
    """One line for a failed run: the innermost ``SomeError: message`` line of the error's text."""
    lines = [line.strip() for line in str(err).strip().splitlines() if line.strip()]
    errors = [line for line in lines if _ERROR_LINE.match(line)]
    detail = errors[-1] if errors else (lines[0] if lines else "")
    text = detail if _ERROR_LINE.match(detail) else f"{type(err).__name__}: {detail}".rstrip(": ")
    return text if len(text) <= 300 else text[:297] + "..."


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    flags = Flags(verbose=_pop_flag(argv, "--verbose", "-v"), quiet=_pop_flag(argv, "--quiet", "-q"))
    _configure_logging(flags.verbose)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return EXIT_OK if argv else EXIT_USAGE
    if argv[0] in ("-V", "--version", "version"):
        print(f"newsbeam {package_version('newsbeam', missing='(not installed)')}")
        return EXIT_OK
    name, rest = argv[0], argv[1:]
    if name in HELPED_COMMANDS and "--help-beam" in rest:
        from pipelines.run.options import beam_help  # Beam's options: imports Beam

        print(beam_help(name))
        return EXIT_OK
    if name in HELPED_COMMANDS and ("-h" in rest or "--help" in rest):
        print(command_help(name))
        return EXIT_OK
    if name not in COMMANDS:
        print(f"newsbeam: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[name](rest, flags)
    except (ConfigError, InputError, UsageError) as err:
        if flags.verbose:
            raise
        print(f"newsbeam {name}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as err:
        print(f"newsbeam {name}: {str(err) or 'interrupted'}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # whoever read our output stopped (``newsbeam inspect DIR | head``)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as err:  # noqa: BLE001 - the command (the run) itself failed: say so in one line
        if flags.verbose:
            raise
        print(f"newsbeam {name}: failed: {describe_failure(err)} (re-run with --verbose for the traceback)",
              file=sys.stderr)
        return EXIT_FAILED


def console_main() -> None:
    """The ``newsbeam`` command: ``main``, then leave with its exit code.

    After a usage error (exit 2) nothing was started that needs the interpreter's
    finalisation, and finalising there sometimes aborted (exit 134, "terminate called
    without an active exception": a C++ library thread torn down at exit, seen in about
    one of three ``replay`` usage errors). So that exit skips finalisation, streams flushed.
    So does the exit after Ctrl-C: the run's commit is finished or undone by then, and the
    interpreter's finalisation would wait for the interrupted runner's threads (a stream
    stopped mid-window once sat there for over a minute after its last line)."""
    skip_final_collection()  # a process that parsed a page spent ~70 ms collecting at exit
    code = main()
    if code in (EXIT_USAGE, EXIT_INTERRUPTED):
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    console_main()
