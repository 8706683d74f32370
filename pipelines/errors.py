"""Every error the command line reports, and the exit code each one means.

The CLI (``pipelines/cli/main.py``) catches these and prints one line: a usage, config or
input problem exits 2, a failed run 1, Ctrl-C 130 (128 + SIGINT, as shells report it). They
live apart from the modules that raise them so that no module has to import the CLI, nor the
CLI a module it does not run.
"""

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTS = 0, 1, 2, 3
EXIT_INTERRUPTED = 130


class UsageError(ValueError):
    """A command's arguments are wrong (exit 2)."""


class ConfigError(ValueError):
    """A configuration value is missing, unknown or of the wrong shape (exit 2)."""


class InputError(ValueError):
    """An input glob matches nothing or cannot be listed, or an output holds nothing to use (exit 2)."""


class PipelineFailed(RuntimeError):
    """The runner finished the pipeline in a state other than DONE (exit 1)."""


def first_line(err: BaseException) -> str:
    """The first line of an error's message, or its type's name when it has none."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
