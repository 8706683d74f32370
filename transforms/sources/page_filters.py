"""Filters on archived pages before extraction: by host, by URL pattern, by language hint.

A page is judged from its URL and its HTTP ``Content-Language`` header (or, without one, the
``<html lang>`` of its first bytes), never from its text: a filtered page is never extracted.
``PageFilter.decide`` returns ``(True, "")`` for a page to keep, ``(False, reason)`` for one to
drop, the reason a stable code counted in the manifest (``filtered_host``, ``filtered_url``,
``filtered_language``). Checks run in that order, and a deny list wins over an allow list.

- hosts: suffix match on whole labels (``example.com`` matches ``example.com`` and
  ``news.example.com``, not ``badexample.com``); an empty allow list allows every host.
- URLs: Python regular expressions searched in the URL; an empty allow list allows every URL.
- languages: a page whose hint names none of the listed languages is dropped; a hint matches a
  listed tag that equals it or is its prefix (``en`` matches ``en-GB``, RFC 4647 basic
  filtering); a page without a hint is kept (a hint is only a hint).

``ArchiveFilters`` holds the settings as strings (validated by ``pipelines/run/config.py`` with
``check_host``, ``check_pattern``, ``check_language``); ``PageFilter`` compiles them once, in a
DoFn's ``setup()``. Pure: no Beam.
"""
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Tuple
from urllib.parse import urlsplit

__all__ = ["ArchiveFilters", "PageFilter", "HEAD_BYTES", "FILTERED_HOST", "FILTERED_URL", "FILTERED_LANGUAGE",
           "check_host", "check_pattern", "check_language", "html_lang"]

FILTERED_HOST = "filtered_host"
FILTERED_URL = "filtered_url"
FILTERED_LANGUAGE = "filtered_language"
HEAD_BYTES = 4096  # how far into a page ``<html lang>`` is looked for

_LANGUAGE_TAG = re.compile(r"[a-z]{1,8}(?:-[a-z0-9]{1,8})*")
_HTML_LANG = re.compile(rb"<html\b[^>]*?\slang\s*=\s*[\"']?\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*)", re.I)


@dataclass(frozen=True)
class ArchiveFilters:
    """The ``archive:`` settings, as written (all empty: nothing is filtered)."""

    hosts_allow: Tuple[str, ...] = ()
    hosts_deny: Tuple[str, ...] = ()
    url_allow: Tuple[str, ...] = ()
    url_deny: Tuple[str, ...] = ()
    languages: Tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return any((self.hosts_allow, self.hosts_deny, self.url_allow, self.url_deny, self.languages))


class PageFilter:
    """``ArchiveFilters`` compiled: host suffixes normalized, patterns compiled, tags lowered."""

    def __init__(self, filters: ArchiveFilters):
        self._hosts_allow = tuple(normal_host(h) for h in filters.hosts_allow)
        self._hosts_deny = tuple(normal_host(h) for h in filters.hosts_deny)
        self._url_allow = tuple(re.compile(p) for p in filters.url_allow)
        self._url_deny = tuple(re.compile(p) for p in filters.url_deny)
        self._languages = tuple(normal_language(t) for t in filters.languages)

    def decide(self, url: Optional[str], content_language: Optional[str] = None,
               head: bytes = b"") -> Tuple[bool, str]:
        """(keep, reason) for the page at ``url`` with that header and these first bytes."""
        if not self._host_allowed(host_of(url or "")):
            return False, FILTERED_HOST
        if not self._url_allowed(url or ""):
            return False, FILTERED_URL
        if not self._language_allowed(content_language, head):
            return False, FILTERED_LANGUAGE
        return True, ""

    def _host_allowed(self, host: str) -> bool:
        if any(on_host(host, suffix) for suffix in self._hosts_deny):
            return False
        return not self._hosts_allow or any(on_host(host, suffix) for suffix in self._hosts_allow)

    def _url_allowed(self, url: str) -> bool:
        if any(pattern.search(url) for pattern in self._url_deny):
            return False
        return not self._url_allow or any(pattern.search(url) for pattern in self._url_allow)

    def _language_allowed(self, content_language: Optional[str], head: bytes) -> bool:
        if not self._languages:
            return True
        hints = header_languages(content_language) or [tag for tag in (html_lang(head),) if tag]
        return not hints or any(language_matches(hint, self._languages) for hint in hints)


def host_of(url: str) -> str:
    """The URL's host, lower case, without port or trailing dot ("" when it has none)."""
    try:
        return normal_host(urlsplit(url.strip()).hostname or "")
    except ValueError:
        return ""


def normal_host(host: str) -> str:
    """A host name in lower-case ASCII (IDNA), without leading or trailing dots."""
    host = host.strip().strip(".").lower()
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return host


def on_host(host: str, suffix: str) -> bool:
    """Whether ``host`` is ``suffix`` or one of its subdomains (whole labels only)."""
    return bool(host) and (host == suffix or host.endswith("." + suffix))


def header_languages(value: Optional[str]) -> list:
    """The language tags of a Content-Language header (``"de, en-GB"``), normalized; junk left out."""
    tags = (normal_language(part) for part in (value or "").split(","))
    return [tag for tag in tags if _LANGUAGE_TAG.fullmatch(tag)]


def html_lang(head: bytes) -> Optional[str]:
    """The ``<html lang="...">`` tag of a page's first bytes, normalized; None without one."""
    found = _HTML_LANG.search(head[:HEAD_BYTES])
    return normal_language(found.group(1).decode("ascii")) if found else None


def normal_language(tag: str) -> str:
    return tag.strip().lower().replace("_", "-")


def language_matches(hint: str, languages: Iterable[str]) -> bool:
    """Whether the page's tag ``hint`` falls under one of ``languages`` (equal, or a subtag of it)."""
    return any(hint == tag or hint.startswith(tag + "-") for tag in languages)


# --------------------------------------------------------------------------- validation


def check_host(value: str) -> Optional[str]:
    """What is wrong with a configured host suffix, or None."""
    if any(char in value for char in "/:@ \t") or not value.strip("."):
        return f"{value!r} is not a host name such as example.com"
    return None


def check_pattern(value: str) -> Optional[str]:
    """What is wrong with a configured URL pattern, or None."""
    try:
        re.compile(value)
    except re.error as err:
        return f"{value!r} is not a valid regular expression ({err})"
    return None


def check_language(value: str) -> Optional[str]:
    """What is wrong with a configured language tag, or None."""
    if not _LANGUAGE_TAG.fullmatch(normal_language(value)):
        return f"{value!r} is not a language tag such as en or pt-BR"
    return None
