"""Conditional-GET state kept across scheduled runs: ``OUT/_state/feeds.json``.

``{"feeds": {URL: {"etag": ..., "last_modified": ..., "fetched_at": ...}}}``.
The launcher reads it to build the run's ``FeedRequest``s; the commit step
merges the new validators in only after the run's files are in place, so a
failed write never hides items from the next run.
"""
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Mapping, Optional, Tuple

from apache_beam.io.filesystems import FileSystems

from schemas.layout import join
from transforms.storage import write_json_atomically

STATE_VERSION = 1
VALIDATOR_KEYS = ("etag", "last_modified", "fetched_at")
_HEADER_SAFE = re.compile(r"^[^\r\n\x00]*$")
_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedRequest:
    """One feed to fetch, with the validators of its last successful fetch."""

    url: str
    etag: Optional[str] = None
    last_modified: Optional[str] = None


def feed_state_path(output: str) -> str:
    return join(output, "_state", "feeds.json")


class CorruptState(ValueError):
    """The state file as a whole cannot be used (not JSON, not an object, ``feeds`` not an object)."""


def valid_entry(url, values) -> bool:
    """A usable saved entry: a URL key and an object whose validators are single-line strings or null."""
    if not isinstance(url, str) or not url or not isinstance(values, dict):
        return False
    return all(values.get(key) is None or (isinstance(values[key], str) and _HEADER_SAFE.match(values[key]))
               for key in VALIDATOR_KEYS)


def parse_feed_state(data: bytes) -> Tuple[dict, int]:
    """(URL -> validators, number of malformed entries dropped) of the state file's bytes (pure).

    Raises CorruptState when the file as a whole is unusable; a malformed entry inside a
    valid object is only left out."""
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:  # JSONDecodeError is a ValueError; b"" too
        raise CorruptState(f"not JSON ({err})") from None
    if not isinstance(payload, dict):
        raise CorruptState(f"a JSON {type(payload).__name__}, not an object")
    feeds = payload.get("feeds", {})
    if not isinstance(feeds, dict):
        raise CorruptState(f"'feeds' is a JSON {type(feeds).__name__}, not an object")
    kept = {url: dict(values) for url, values in feeds.items() if valid_entry(url, values)}
    return kept, len(feeds) - len(kept)


def quarantine_path(path: str, now: Optional[datetime] = None) -> str:
    """Where a corrupt state file is moved aside: ``feeds.json.corrupt-<UTC timestamp>``."""
    return f"{path}.corrupt-{(now or datetime.now(timezone.utc)).strftime('%Y%m%dT%H%M%SZ')}"


def _quarantine(path: str) -> str:
    """Move ``path`` aside (a free name beside it); returns the new name."""
    target = base = quarantine_path(path)
    number = 1
    while FileSystems.exists(target):
        number += 1
        target = f"{base}-{number}"
    FileSystems.rename([path], [target])
    return target


def read_feed_state(output: str) -> dict:
    """URL -> validators; empty when no run has saved any yet.

    Never fails a run: a state file that cannot be read or parsed is reported in one warning and
    moved aside (so the next run does not trip on it again), and this run sends no validators,
    i.e. fetches every feed in full. Malformed entries of a valid file are dropped one by one."""
    path = feed_state_path(output)
    try:
        if not FileSystems.exists(path):
            return {}
        with FileSystems.open(path) as handle:
            state, dropped = parse_feed_state(handle.read())
    except (CorruptState, OSError) as err:  # Beam's IO errors are OSErrors too
        try:
            where = f"moved aside to {_quarantine(path)}"
        except OSError as move_err:
            where = f"could not be moved aside ({move_err})"
        _LOGGER.warning("feed state %s is unusable (%s) and %s; this run fetches every feed without "
                        "validators", path, err, where)
        return {}
    if dropped:
        _LOGGER.warning("feed state %s: ignored %d malformed entries (their feeds are fetched in full)",
                        path, dropped)
    return state


def feed_requests(urls: Iterable[str], state: Mapping) -> Tuple[FeedRequest, ...]:
    """One request per distinct URL, carrying its saved validators."""
    requests = []
    for url in dict.fromkeys(urls):
        saved = state.get(url, {})
        requests.append(FeedRequest(url, saved.get("etag"), saved.get("last_modified")))
    return tuple(requests)


def merged_state(state: Mapping, updates: Iterable[Tuple[str, dict]]) -> dict:
    """``state`` with this run's validators laid over it."""
    merged = {url: dict(values) for url, values in state.items()}
    for url, values in updates:
        merged[url] = dict(values)
    return merged


def save_feed_state(output: str, state: Mapping) -> None:
    write_json_atomically(feed_state_path(output), {"version": STATE_VERSION, "feeds": dict(sorted(state.items()))})
