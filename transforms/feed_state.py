"""Conditional-GET state kept across scheduled runs: ``OUT/_state/feeds.json``.

``{"feeds": {URL: {"etag": ..., "last_modified": ..., "fetched_at": ...}}}``.
The launcher reads it to build the run's ``FeedRequest``s; the commit step
merges the new validators in only after the run's files are in place, so a
failed write never hides items from the next run.
"""
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Tuple

from transforms.layout import join
from transforms.storage import read_json, write_json_atomically

STATE_VERSION = 1


@dataclass(frozen=True)
class FeedRequest:
    """One feed to fetch, with the validators of its last successful fetch."""

    url: str
    etag: Optional[str] = None
    last_modified: Optional[str] = None


def feed_state_path(output: str) -> str:
    return join(output, "_state", "feeds.json")


def read_feed_state(output: str) -> dict:
    """URL -> validators; empty when no run has saved any yet."""
    state = read_json(feed_state_path(output)) or {}
    return dict(state.get("feeds", {}))


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
