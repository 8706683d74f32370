"""Pipeline assembly, options and the ``newsbeam`` command line."""
import logging
from importlib import metadata


def package_version(name: str, missing: str = "unknown") -> str:
    """The installed version of the distribution ``name``; ``missing`` when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return missing


def _drop_beam_import_noise(record: logging.LogRecord) -> bool:
    """Beam logs "apitools not found ..." through the root logger when its
    optional GCP clients are absent; it is not actionable for newsbeam users."""
    return not str(record.msg).startswith("apitools not found")


logging.getLogger().addFilter(_drop_beam_import_noise)
