"""The limits of one HTTP fetcher, apart from the client so that reading a config needs no HTTP library."""
from dataclasses import dataclass

__all__ = ["FetchPolicy"]


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one Fetcher. Times are seconds; ``max_bytes`` counts decompressed bytes.

    No defaults here: the values come from the ``fetch:`` config (``configs/defaults.yaml``),
    which ``pipelines/run/config.fetch_policy`` turns into this policy."""

    connect_timeout: float
    total_timeout: float
    max_bytes: int
    max_redirects: int
    user_agent: str
    allow_networks: tuple[str, ...]
    retries: int
    backoff_base: float
    backoff_max: float
    max_retry_after: float
    max_per_host: int
