"""Run configuration: packaged defaults, then the user's YAML, then CLI flags.

Validated once, before the pipeline starts, into a frozen ``Settings``. Every
problem is a ``ConfigError`` whose message names the key path and what was
expected, so the CLI can print one line and exit 2.
"""
import ipaddress
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Mapping, Optional, Tuple

from configs import InvalidYAML, load_yaml
from pipelines import package_version
from pipelines.errors import ConfigError, first_line
from pipelines.tools.expectations import validate_expectations
from transforms.startup_cache import cached
from transforms.text.site_lines import SiteLineParams
from transforms.web.fetch_policy import FetchPolicy
from transforms.sources.record_fields import RECORD_FIELDS
from transforms.sources.page_filters import ArchiveFilters, check_host, check_language, check_pattern

PARTITION_COLUMNS = ("source", "source_type", "language")
COMPRESSIONS = ("zstd", "snappy", "gzip", "none")
ARTICLE_MODES = ("auto", "always", "never")
SOURCE_TYPES = {"feed": "urls", "files": "paths"}
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True)
class Settings:
    inputs: Tuple[str, ...]
    record_fields: Mapping[str, str]  # records.fields: newsbeam's record field name -> an input's own name
    feeds: Tuple[str, ...]
    fetch: FetchPolicy
    linked_pages: str  # fetch.articles: auto | always | never
    linked_page_min_words: int
    output: str
    run_id: Optional[str]
    rule_packs: Tuple[str, ...]
    lookback_days: int
    near_threshold: int
    near_min_words: int
    content_min_words: int
    dedup_memory_mb: int
    partition_date: str
    partition_columns: Tuple[str, ...]
    max_file_bytes: int
    max_record_bytes: int
    max_rows_per_file: int
    compression: str
    extraction_time_s: float
    writer_sizes: Mapping[str, int]  # PartitionSpec's target_file_bytes, row_group_bytes, row_group_rows, buffer_bytes
    site_lines: SiteLineParams
    archive: ArchiveFilters  # archive.*: WARC pages dropped before extraction
    archive_skip_seen: bool  # archive.skip_seen: a WARC page whose URL the dataset holds is not extracted
    expectations: Mapping  # expectations.*: checked after each run (pipelines/tools/expectations.py)


def load_defaults() -> dict:
    """The packaged ``configs/defaults.yaml`` as a dict."""
    text = resources.files("configs").joinpath("defaults.yaml").read_text("utf-8")
    return cached("defaults", text, lambda: load_yaml(text))


def read_config_file(path: str) -> dict:
    """A user's YAML config; an unreadable or non-mapping file is a ConfigError."""
    try:
        from apache_beam.io.filesystems import FileSystems  # Beam only when a config file is read

        with FileSystems.open(path) as handle:  # local paths, gs://, s3://
            data = load_yaml(handle.read().decode("utf-8"))
    except OSError as err:  # Beam's BeamIOError is an OSError
        raise ConfigError(f"config file {path!r}: cannot read ({first_line(err)})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path!r}: not UTF-8 text") from None
    except InvalidYAML as err:
        raise ConfigError(f"config file {path!r}: not valid YAML ({first_line(err)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path!r}: expected a mapping of keys, got {type(data).__name__}")
    return data


def merge(base: Mapping, override: Mapping, prefix: str = "") -> dict:
    """``override`` laid over ``base``; a key ``base`` lacks is a ConfigError. A mapping that is
    empty in ``base`` (``records.fields: {}``) holds the user's own keys: replaced whole, checked later."""
    merged = dict(base)
    for key, value in override.items():
        path = f"{prefix}{key}"
        if key not in base:
            known = ", ".join(sorted(base))
            raise ConfigError(f"config key {path!r}: unknown key (known here: {known})")
        if isinstance(base[key], dict) and base[key]:
            if not isinstance(value, dict):
                raise ConfigError(f"config key {path!r}: expected a mapping, got {value!r}")
            merged[key] = merge(base[key], value, prefix=f"{path}.")
        else:
            merged[key] = value
    return merged


def build_settings(user: Mapping, overrides: Mapping) -> Settings:
    """Validate defaults + ``user`` + ``overrides`` (flat CLI values) into Settings."""
    raw = merge(merge(load_defaults(), user), {k: v for k, v in overrides.items() if v is not None})
    feeds, paths = _sources(raw["sources"])
    return Settings(
        inputs=_string_list(raw["inputs"], "inputs") + paths,
        record_fields=_record_fields(raw["records"]["fields"]),
        feeds=feeds,
        fetch=fetch_policy(raw["fetch"]),
        linked_pages=_choice(raw["fetch"]["articles"], "fetch.articles", ARTICLE_MODES),
        linked_page_min_words=_non_negative_int(raw["fetch"]["article_min_words"], "fetch.article_min_words"),
        output=_non_empty_string(raw["output"], "output"),
        run_id=_run_id(raw["run_id"]),
        rule_packs=_string_list(raw["boilerplate"]["packs"], "boilerplate.packs", min_items=1),
        lookback_days=_non_negative_int(raw["dedup"]["lookback_days"], "dedup.lookback_days"),
        near_threshold=_bounded_int(raw["dedup"]["near_threshold"], "dedup.near_threshold", 0, 16),
        near_min_words=_non_negative_int(raw["dedup"]["near_min_words"], "dedup.near_min_words"),
        content_min_words=_bounded_int(raw["dedup"]["content_min_words"], "dedup.content_min_words", 1, 10_000),
        dedup_memory_mb=_bounded_int(raw["dedup"]["memory_mb"], "dedup.memory_mb", 64, 1_048_576),
        partition_date=_choice(raw["partition"]["date"], "partition.date", ("ingested", "published")),
        partition_columns=_partition_columns(raw["partition"]["columns"]),
        max_file_bytes=_megabytes(raw["limits"]["max_file_mb"], "limits.max_file_mb"),
        max_record_bytes=_megabytes(raw["limits"]["max_record_mb"], "limits.max_record_mb"),
        max_rows_per_file=_positive_int(raw["writer"]["max_rows_per_file"], "writer.max_rows_per_file"),
        compression=_choice(raw["writer"]["compression"], "writer.compression", COMPRESSIONS),
        extraction_time_s=_positive_number(raw["limits"]["extraction_time_s"], "limits.extraction_time_s"),
        writer_sizes=_writer_sizes(raw["writer"]),
        site_lines=site_line_params(raw["site_boilerplate"]),
        archive=archive_filters(raw["archive"]),
        archive_skip_seen=_boolean(raw["archive"]["skip_seen"], "archive.skip_seen"),
        expectations=validate_expectations(raw["expectations"]),
    )


def site_line_params(raw: Mapping) -> SiteLineParams:
    """The ``site_boilerplate:`` section (validated)."""
    key = "site_boilerplate."
    _boolean(raw["enabled"], key + "enabled")
    share = _positive_number(raw["min_share"], key + "min_share")
    if share > 1:
        raise ConfigError(f"config key '{key}min_share': expected a share from 0 to 1, got {share!r}")
    return SiteLineParams(
        enabled=raw["enabled"], min_count=_bounded_int(raw["min_count"], key + "min_count", 2, 1_000_000),
        min_share=share, max_sources=_positive_int(raw["max_sources"], key + "max_sources"),
        protect_first_lines=_non_negative_int(raw["protect_first_lines"], key + "protect_first_lines"),
        max_line_words=_positive_int(raw["max_line_words"], key + "max_line_words"),
        lookback_runs=_non_negative_int(raw["lookback_runs"], key + "lookback_runs"),
        lines_per_source=_positive_int(raw["lines_per_source"], key + "lines_per_source"),
        sketch_mb=_bounded_int(raw["sketch_mb"], key + "sketch_mb", 1, 4096))


def _boolean(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"config key {key!r}: expected true or false, got {value!r}")
    return value


def archive_filters(raw: Mapping) -> ArchiveFilters:
    """The ``archive:`` section: host suffixes, URL regexes and language tags, each checked."""
    checks = {"hosts_allow": check_host, "hosts_deny": check_host, "url_allow": check_pattern,
              "url_deny": check_pattern, "languages": check_language}
    return ArchiveFilters(**{name: _checked_list(raw[name], f"archive.{name}", check)
                             for name, check in checks.items()})


def _checked_list(value: Any, key: str, check) -> Tuple[str, ...]:
    """A list of strings each of which ``check`` finds nothing wrong with."""
    items = _string_list(value, key)
    for item in items:
        problem = check(item)
        if problem:
            raise ConfigError(f"config key {key!r}: {problem}")
    return items


def _sources(value: Any) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """(feed URLs or paths, file globs) from ``sources: [{type: feed, urls: [...]}, ...]``."""
    if not isinstance(value, list):
        raise ConfigError(f"config key 'sources': expected a list, got {value!r}")
    found = {"feed": (), "files": ()}
    for index, item in enumerate(value):
        key = f"sources[{index}]"
        if not isinstance(item, dict) or item.get("type") not in SOURCE_TYPES:
            raise ConfigError(f"config key {key!r}: expected a mapping with type: feed or files, got {item!r}")
        field = SOURCE_TYPES[item["type"]]
        extra = sorted(set(item) - {"type", field})
        if extra:
            raise ConfigError(f"config key '{key}.{extra[0]}': unknown key (type {item['type']} takes {field})")
        found[item["type"]] += _string_list(item.get(field, []), f"{key}.{field}", min_items=1)
    return found["feed"], found["files"]


def _record_fields(value: Any) -> dict:
    """``records.fields``: newsbeam's record field name -> the name an input uses for it."""
    if not isinstance(value, dict):
        raise ConfigError(f"config key 'records.fields': expected a mapping such as {{text: body}}, got {value!r}")
    for ours, theirs in value.items():
        if ours not in RECORD_FIELDS:
            raise ConfigError(f"config key 'records.fields.{ours}': unknown field (known: {', '.join(RECORD_FIELDS)})")
        if not isinstance(theirs, str) or not theirs.strip():
            raise ConfigError(f"config key 'records.fields.{ours}': expected the input's field name, got {theirs!r}")
    return dict(value)


def fetch_policy(raw: Mapping) -> FetchPolicy:
    """The HTTP client's policy from the ``fetch:`` section (validated; the one source of its values)."""
    return FetchPolicy(
        connect_timeout=_positive_number(raw["connect_timeout_s"], "fetch.connect_timeout_s"),
        total_timeout=_positive_number(raw["total_timeout_s"], "fetch.total_timeout_s"),
        max_bytes=_megabytes(raw["max_body_mb"], "fetch.max_body_mb"),
        max_redirects=_non_negative_int(raw["max_redirects"], "fetch.max_redirects"),
        user_agent=_user_agent(raw["user_agent"]),
        allow_networks=_networks(raw["allow_networks"]),
        retries=_non_negative_int(raw["retries"], "fetch.retries"),
        backoff_base=_positive_number(raw["backoff_s"], "fetch.backoff_s"),
        backoff_max=_positive_number(raw["backoff_max_s"], "fetch.backoff_max_s"),
        max_retry_after=_positive_number(raw["max_retry_after_s"], "fetch.max_retry_after_s"),
        max_per_host=_positive_int(raw["max_per_host"], "fetch.max_per_host"),
    )


def _user_agent(value: Any) -> str:
    """``fetch.user_agent`` with ``{version}`` replaced by newsbeam's version."""
    text = _non_empty_string(value, "fetch.user_agent")
    return text.replace("{version}", package_version("newsbeam", missing="dev"))


def _networks(value: Any) -> Tuple[str, ...]:
    networks = _string_list(value, "fetch.allow_networks")
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(f"config key 'fetch.allow_networks': {network!r} is not a CIDR network") from None
    return networks


def _string_list(value: Any, key: str, min_items: int = 0) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"config key {key!r}: expected a list of non-empty strings, got {value!r}")
    if len(value) < min_items:
        raise ConfigError(f"config key {key!r}: expected at least {min_items} item(s)")
    return tuple(value)


def _non_empty_string(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"config key {key!r}: expected a non-empty string, got {value!r}")
    return value


def _run_id(value: Any) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not _RUN_ID.fullmatch(value):
        raise ConfigError(
            f"config key 'run_id': expected letters, digits, '.', '_' or '-' (at most 128), got {value!r}"
        )
    return value


def _choice(value: Any, key: str, choices: Tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"config key {key!r}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _partition_columns(value: Any) -> Tuple[str, ...]:
    columns = _string_list(value, "partition.columns")
    for column in columns:
        _choice(column, "partition.columns", PARTITION_COLUMNS)
    if len(set(columns)) != len(columns):
        raise ConfigError(f"config key 'partition.columns': a column is listed twice in {list(columns)}")
    return columns


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"config key {key!r}: expected a positive integer, got {value!r}")
    return value


def _non_negative_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"config key {key!r}: expected a whole number >= 0, got {value!r}")
    return value


def _bounded_int(value: Any, key: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"config key {key!r}: expected a whole number from {low} to {high}, got {value!r}")
    return value


def _positive_number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"config key {key!r}: expected a positive number, got {value!r}")
    return float(value)


def _writer_sizes(raw: Mapping) -> dict:
    return {"target_file_bytes": _megabytes(raw["target_file_mb"], "writer.target_file_mb"),
            "row_group_bytes": _megabytes(raw["row_group_mb"], "writer.row_group_mb"),
            "row_group_rows": _positive_int(raw["row_group_rows"], "writer.row_group_rows"),
            "buffer_bytes": _megabytes(raw["buffer_mb"], "writer.buffer_mb")}


def _megabytes(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"config key {key!r}: expected a positive number of MiB, got {value!r}")
    return int(value * 1024 * 1024)


def _mib(size: int) -> float:
    value = size / (1024 * 1024)
    return int(value) if value == int(value) else value


def yaml_config(settings: Settings) -> dict:
    """``settings`` under the keys of configs/defaults.yaml (what the manifest records as
    ``config``): ``build_settings(yaml_config(s), {}) == s``. File globs of ``sources:`` appear
    under ``inputs``."""
    fetch, site, sizes = settings.fetch, settings.site_lines, settings.writer_sizes
    return {
        "inputs": list(settings.inputs), "output": settings.output, "run_id": settings.run_id,
        "sources": [{"type": "feed", "urls": list(settings.feeds)}] if settings.feeds else [],
        "records": {"fields": dict(settings.record_fields)},
        "archive": {**{name: list(getattr(settings.archive, name)) for name in
                       ("hosts_allow", "hosts_deny", "url_allow", "url_deny", "languages")},
                    "skip_seen": settings.archive_skip_seen},
        "fetch": {"connect_timeout_s": fetch.connect_timeout, "total_timeout_s": fetch.total_timeout,
                  "max_body_mb": _mib(fetch.max_bytes), "max_redirects": fetch.max_redirects,
                  "user_agent": fetch.user_agent, "allow_networks": list(fetch.allow_networks),
                  "retries": fetch.retries, "backoff_s": fetch.backoff_base, "backoff_max_s": fetch.backoff_max,
                  "max_retry_after_s": fetch.max_retry_after, "max_per_host": fetch.max_per_host,
                  "articles": settings.linked_pages, "article_min_words": settings.linked_page_min_words},
        "boilerplate": {"packs": list(settings.rule_packs)},
        "site_boilerplate": {name: getattr(site, name) for name in site.__dataclass_fields__},
        "dedup": {"lookback_days": settings.lookback_days, "near_threshold": settings.near_threshold,
                  "near_min_words": settings.near_min_words, "content_min_words": settings.content_min_words,
                  "memory_mb": settings.dedup_memory_mb},
        "partition": {"date": settings.partition_date, "columns": list(settings.partition_columns)},
        "limits": {"max_file_mb": _mib(settings.max_file_bytes), "max_record_mb": _mib(settings.max_record_bytes),
                   "extraction_time_s": settings.extraction_time_s},
        "writer": {"max_rows_per_file": settings.max_rows_per_file, "compression": settings.compression,
                   "target_file_mb": _mib(sizes["target_file_bytes"]), "row_group_mb": _mib(sizes["row_group_bytes"]),
                   "row_group_rows": sizes["row_group_rows"], "buffer_mb": _mib(sizes["buffer_bytes"])},
        "expectations": {key: dict(value) if isinstance(value, Mapping) else value
                         for key, value in settings.expectations.items()},
    }
