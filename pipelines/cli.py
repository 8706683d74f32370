"""The ``newsbeam`` command: run, clean.

Exit codes: 0 the run completed (rejected rows are normal), 1 the run itself
failed, 2 a usage, config or input problem (one line, no traceback).
"""
import argparse
import json
import logging
import sys

from pipelines.config import ConfigError
from pipelines.run_context import InputError

_LOGGER = logging.getLogger(__name__)

USAGE = """newsbeam <command> [options]

commands:
  run     [--config FILE] [--input GLOB ...] [--output DIR] [--run-id ID] [BEAM OPTIONS ...]
          batch run; with no arguments, the bundled samples into ./out
  stream  [--config FILE] [--feed URL ...] [--watch GLOB ...] [--output DIR] [--poll-interval S]
          [--duration S] [--allow-network CIDR ...] [BEAM OPTIONS ...]
          poll feeds and watch folders, committing one window per poll; Ctrl-C stops
  clean   [FILE|-]   one document through the same cleaning code, printed as JSON
"""


def _configure_logging(verbose: bool) -> None:
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    if not verbose:
        for noisy in ("apache_beam", "trafilatura", "htmldate"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


def _pop_flag(argv, *names) -> bool:
    found = any(name in argv for name in names)
    argv[:] = [a for a in argv if a not in names]
    return found


def command_run(argv) -> int:
    from pipelines.ingest import run
    from pipelines.summary import format_summary

    manifest = run(argv)
    output = manifest["config"]["output"]
    print(format_summary(manifest, output))
    return 0 if manifest["reconciliation"]["ok"] else 1


def command_clean(argv) -> int:
    from pipelines.clean_one import clean_document

    parser = argparse.ArgumentParser(prog="newsbeam clean")
    parser.add_argument("path", nargs="?", default="-", help="a .txt/.html/.jsonl/.xml file (optionally compressed) or - for stdin")
    args = parser.parse_args(argv)
    print(json.dumps(clean_document(args.path), indent=2, ensure_ascii=False, default=str))
    return 0


def command_stream(argv) -> int:
    from pipelines.stream import stream

    manifests = stream(argv)
    articles = sum(m["counts"]["articles"] for m in manifests)
    print(f"newsbeam stream: {len(manifests)} windows committed, {articles} articles")
    return 0


COMMANDS = {"run": command_run, "clean": command_clean, "stream": command_stream}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = _pop_flag(argv, "--verbose", "-v")
    _configure_logging(verbose)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"newsbeam: unknown command {name!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[name](rest)
    except (ConfigError, InputError) as err:
        if verbose:
            raise
        print(f"newsbeam {name}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"newsbeam {name}: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - the run itself failed: say so in one line
        if verbose:
            raise
        print(f"newsbeam {name}: the run failed: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
              " (re-run with --verbose for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
