"""Run-wide values fixed at launch: run id, ingest time, versions, inputs."""
import os
import platform
import secrets
from datetime import datetime, timezone
from importlib import resources

from pipelines import package_version
from pipelines.errors import InputError
from pipelines.run.config import yaml_config
from schemas import SCHEMA_VERSION
from schemas.records import RunContext
from transforms.sources.decode import FORMAT_SUFFIXES
from transforms.sources.files import folder_files


def new_run_id(now: datetime) -> str:
    """Sortable, unique, path-safe: ``20240102T030405Z-1a2b3c``."""
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def new_run_context(settings) -> RunContext:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return RunContext(run_id=settings.run_id or new_run_id(now), ingested_at=now,
                      pipeline_version=package_version("newsbeam"))


def bundled_samples_glob() -> str:
    """The glob of the sample corpus shipped inside the package."""
    return str(resources.files("samples").joinpath("data")) + "/*"


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def feed_urls(settings):
    """The feeds to fetch over HTTP (the others are saved feed files)."""
    return [feed for feed in settings.feeds if is_url(feed)]


def resolve_inputs(settings):
    """The file globs to read (saved feed files included); each must match a file.
    With no inputs and no feeds at all, the bundled samples."""
    from apache_beam.io.filesystems import FileSystems  # Beam only when a run's inputs are listed

    patterns = list(settings.inputs) + [feed for feed in settings.feeds if not is_url(feed)]
    if not patterns and not settings.feeds:
        patterns = [bundled_samples_glob()]
    for pattern in patterns:
        if "://" not in pattern and os.path.isdir(pattern):
            if not folder_files(pattern):
                raise InputError(f"input {pattern!r}: a folder with no file newsbeam reads "
                                 f"({' '.join('.' + suffix for suffix in FORMAT_SUFFIXES)}, optionally compressed)")
            continue
        try:
            found = FileSystems.match([pattern])[0].metadata_list
        except Exception as err:  # noqa: BLE001 - any filesystem failure is an input problem
            raise InputError(f"input {pattern!r}: cannot be listed ({err})") from None
        if not found:
            raise InputError(f"input {pattern!r}: matches no files")
    return patterns


def input_bytes(patterns) -> int:
    """The stored size of every file the patterns name (what the progress line counts up to)."""
    from apache_beam.io.filesystems import FileSystems

    from transforms.sources.read import match_local

    total = 0
    for pattern in patterns:
        try:
            if "://" in pattern:
                total += sum(m.size_in_bytes for m in FileSystems.match([pattern])[0].metadata_list)
            else:
                total += sum(os.path.getsize(item.path) for item in match_local(pattern)
                             if item.error is None and os.path.isfile(item.path))
        except Exception:  # noqa: BLE001 - progress is best effort; the read step reports bad inputs
            continue
    return total


def run_header(settings, ctx: RunContext, inputs) -> dict:
    """The manifest fields known before the run starts."""
    return {
        "run_id": ctx.run_id,
        "schema_version": SCHEMA_VERSION,
        "pipeline_version": ctx.pipeline_version,
        "started_at": ctx.ingested_at.isoformat(),
        "input_patterns": list(inputs),
        "config": yaml_config(settings),  # under the YAML keys (configs/defaults.yaml)
        "versions": {
            "newsbeam": ctx.pipeline_version,
            "apache_beam": package_version("apache-beam"),
            "pyarrow": package_version("pyarrow"),
            "trafilatura": package_version("trafilatura"),
            "python": platform.python_version(),
        },
    }
