"""Hardened HTTP fetching for feeds and article pages (pure Python, no Beam).

Built on a plain ``requests.Session`` with redirects followed by hand (every hop re-checked),
the connection-time private-address guard of ``transforms.web.address_guard``, a wall-clock cap
per attempt (headers and body included), gzip/deflate decoded here from the raw stream with
a hard cap on decompressed bytes, retries with full-jitter backoff and Retry-After, and a
process-wide per-host concurrency limit. Every failure raises ``RejectError``.
"""
import contextlib
import email.utils
import http.client
import http.cookiejar
import os
import random
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from transforms.web.fetch_policy import FetchPolicy
from transforms.web.address_guard import (
    GuardedAdapter,
    address_allowed,
    deadline_scope,
    is_public_address,
    parse_networks,
)
from transforms.errors import (
    BAD_REDIRECT, CONNECTION_ERROR, DECOMPRESS_ERROR, FETCH_TIMEOUT, HTTP_CLIENT_ERROR,
    HTTP_GONE, HTTP_NOT_FOUND, HTTP_RATE_LIMITED, HTTP_SERVER_ERROR, INVALID_URL, TLS_ERROR,
    TOO_LARGE, TOO_MANY_REDIRECTS, UNSUPPORTED_SCHEME, RejectError,
)

__all__ = ["FetchPolicy", "FetchResult", "Fetcher", "validate_policy",
           "is_public_address", "address_allowed", "retry_after_seconds"]

CHUNK_BYTES = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate"
DEFAULT_ACCEPT = "*/*"
SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_PERMANENT_4XX = {404: HTTP_NOT_FOUND, 410: HTTP_GONE}
_ENCODINGS = {"": "identity", "identity": "identity", "gzip": "gzip", "x-gzip": "gzip",
              "deflate": "deflate"}
_GZIP_MAGIC = b"\x1f\x8b"
_DELTA_SECONDS = re.compile(r"^\s*(\d{1,12})\s*$")
_HEADER_SAFE = re.compile(r"^[^\r\n\x00]*$")
_TIMEOUT_ERRORS = (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)
_CONNECTION_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                      urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)
_URL_ERRORS = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
               requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader)


@dataclass(frozen=True)
class FetchResult:
    """A successful fetch: final URL, status (2xx or 304), decompressed body, final headers."""

    url: str
    status: int
    body: bytes
    headers: dict
    etag: Optional[str]
    last_modified: Optional[str]
    attempts: int

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request."""
        return self.status == 304


def validate_policy(policy: FetchPolicy) -> None:
    """Raise ValueError for a policy that cannot work (non-positive limits, bad CIDR, bad UA)."""
    positive = ("connect_timeout", "total_timeout", "max_bytes", "max_per_host")
    non_negative = ("max_redirects", "retries", "backoff_base", "backoff_max", "max_retry_after")
    for name in positive:
        if not getattr(policy, name) > 0:
            raise ValueError(f"FetchPolicy.{name} must be > 0")
    for name in non_negative:
        if not getattr(policy, name) >= 0:
            raise ValueError(f"FetchPolicy.{name} must be >= 0")
    if not policy.user_agent or not _HEADER_SAFE.match(policy.user_agent):
        raise ValueError("FetchPolicy.user_agent must be a non-empty single-line string")
    parse_networks(policy.allow_networks)


def retry_after_seconds(value: Optional[str], cap: float, now: Optional[datetime] = None):
    """Seconds from a Retry-After value (delta-seconds or HTTP-date), capped; None if unusable."""
    if not value:
        return None
    match = _DELTA_SECONDS.match(value)
    if match:
        return min(float(match.group(1)), cap)
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    delta = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return min(max(delta, 0.0), cap)


class _Transient(Exception):
    """Internal: a failure worth another attempt (429, some 5xx, timeouts, connection errors)."""

    def __init__(self, reason: str, message: str, retry_after: Optional[float] = None):
        super().__init__(message)
        self.reason, self.message, self.retry_after = reason, message, retry_after


class _HostSlots:
    """Process-wide per-host semaphores; entries disappear when no thread uses them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}  # (host, limit) -> [BoundedSemaphore, users]

    @contextlib.contextmanager
    def slot(self, host: str, limit: int, deadline: float):
        """Hold one of ``limit`` slots for ``host``; fetch_timeout if none frees up by ``deadline``."""
        key = (host, limit)
        with self._lock:
            entry = self._entries.setdefault(key, [threading.BoundedSemaphore(limit), 0])
            entry[1] += 1
        try:
            if not entry[0].acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise _Transient(FETCH_TIMEOUT, f"no free connection slot for {host} in time")
            try:
                yield
            finally:
                entry[0].release()
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._entries[key]


_HOST_SLOTS = _HostSlots()


class _Inflater:
    """Streaming identity/gzip/deflate decoder that refuses to produce more than ``limit`` bytes."""

    def __init__(self, content_encoding: str, limit: int):
        mode = _ENCODINGS.get((content_encoding or "").strip().lower())
        if mode is None:
            raise RejectError(DECOMPRESS_ERROR, f"unsupported Content-Encoding {content_encoding!r}")
        self.mode, self.limit, self.size, self.done = mode, limit, 0, False
        self._obj, self._head = None, b""

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.limit:
            raise RejectError(TOO_LARGE, f"body exceeds max_bytes={self.limit} after decompression")
        return data

    def _decoder(self):
        """The active zlib object; deflate is sniffed as zlib-wrapped or raw (as browsers do)."""
        if self._obj is None:
            if self.mode == "gzip":
                wbits = 16 + zlib.MAX_WBITS
            else:
                cmf, flg = self._head[0], self._head[1]
                wbits = zlib.MAX_WBITS if cmf & 0x0F == 8 and (cmf << 8 | flg) % 31 == 0 else -zlib.MAX_WBITS
            self._obj = zlib.decompressobj(wbits)
        return self._obj

    def _after_eof(self, obj) -> bytes:
        """Input left after a finished stream: the next gzip member, or ignored trailing bytes."""
        rest, self._obj = obj.unused_data, None
        if self.mode == "gzip" and rest.startswith(_GZIP_MAGIC):
            return rest
        self.done = True
        return b""

    def feed(self, data: bytes) -> bytes:
        """Decode one raw chunk; never yields more than the remaining room plus one byte."""
        if self.done:
            return b""
        if self.mode == "identity":
            return self._count(data)
        if self.mode == "deflate" and self._obj is None:
            data = self._head = self._head + data  # two bytes are needed to sniff the header
            if len(data) < 2:
                return b""
        return self._inflate(data)

    def _inflate(self, data: bytes) -> bytes:
        """Run ``data`` through zlib in bounded steps (``max_length``) so memory stays flat."""
        out = []
        while data:
            obj = self._decoder()
            try:
                chunk = obj.decompress(data, self.limit - self.size + 1)
            except zlib.error as exc:
                raise RejectError(DECOMPRESS_ERROR, f"bad {self.mode} body: {exc}") from None
            out.append(self._count(chunk))
            data = self._after_eof(obj) if obj.eof else obj.unconsumed_tail
        return b"".join(out)

    def finish(self) -> None:
        """Raise if the stream ended inside a compressed member."""
        if self._obj is not None and not self._obj.eof:
            raise RejectError(DECOMPRESS_ERROR, f"truncated {self.mode} body")


@contextlib.contextmanager
def _transport_errors(url: str):
    """Translate requests/urllib3/socket exceptions into RejectError or _Transient."""
    try:
        yield
    except (RejectError, _Transient):
        raise
    except requests.exceptions.SSLError as exc:
        raise RejectError(TLS_ERROR, f"TLS failure for {url}: {exc}") from None
    except _URL_ERRORS as exc:
        raise RejectError(INVALID_URL, f"cannot request {url}: {exc}") from None
    except _TIMEOUT_ERRORS as exc:
        raise _Transient(FETCH_TIMEOUT, f"timed out fetching {url}: {exc}") from None
    except _CONNECTION_ERRORS as exc:
        raise _Transient(CONNECTION_ERROR, f"connection failed for {url}: {exc}") from None


def _check_url(url: str) -> str:
    """Return the lower-cased host of an http(s) URL; RejectError otherwise."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise RejectError(INVALID_URL, f"unparsable URL {url!r}: {exc}") from None
    if parts.scheme.lower() not in SCHEMES:
        raise RejectError(UNSUPPORTED_SCHEME, f"scheme {parts.scheme!r} is not http/https: {url!r}")
    if not host:
        raise RejectError(INVALID_URL, f"URL has no host: {url!r}")
    return host.lower()


def _status_error(status: int, url: str, retry_after: Optional[float]) -> Exception:
    """The exception for a non-success, non-redirect status."""
    message = f"HTTP {status} from {url}"
    if status in RETRY_STATUSES:
        reason = HTTP_RATE_LIMITED if status == 429 else HTTP_SERVER_ERROR
        return _Transient(reason, message, retry_after)
    if status >= 500:
        return RejectError(HTTP_SERVER_ERROR, message)
    if 400 <= status < 500:
        return RejectError(_PERMANENT_4XX.get(status, HTTP_CLIENT_ERROR), message)
    return RejectError(BAD_REDIRECT, f"unexpected {message}")


@dataclass(frozen=True)
class _Hop:
    """One request's outcome: either a redirect target or a final response."""

    url: str
    status: int
    headers: dict
    body: bytes = b""
    location: Optional[str] = None


class Fetcher:
    """Thread-safe HTTP fetcher enforcing a FetchPolicy. ``sleep`` is injectable for tests only."""

    def __init__(self, policy: FetchPolicy, sleep=time.sleep):
        validate_policy(policy)
        self.policy, self._sleep = policy, sleep
        self._session = self._new_session(policy)

    @staticmethod
    def _new_session(policy: FetchPolicy) -> requests.Session:
        """Session with the guarded adapter, no env proxies, no cookies, fixed headers."""
        session = requests.Session()
        session.trust_env = False
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        adapter = GuardedAdapter(allow_networks=policy.allow_networks, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers.clear()
        session.headers.update({"User-Agent": policy.user_agent, "Accept-Encoding": ACCEPT_ENCODING})
        return session

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    def fetch(self, url: str, etag: Optional[str] = None, last_modified: Optional[str] = None,
              accept: Optional[str] = None) -> FetchResult:
        """GET ``url`` under the policy; FetchResult on 2xx/304, RejectError on anything else."""
        _check_url(url)
        headers = self._request_headers(etag, last_modified, accept)
        for attempt in range(1, self.policy.retries + 2):
            try:
                hop = self._attempt(url, headers)
            except _Transient as exc:
                if attempt > self.policy.retries:
                    raise RejectError(exc.reason, f"{exc.message} (after {attempt} attempts)") from None
                self._sleep(self._delay(attempt - 1, exc.retry_after))
            else:
                return self._result(hop, attempt, etag, last_modified)
        raise AssertionError("unreachable")

    @staticmethod
    def _request_headers(etag, last_modified, accept) -> dict:
        """Per-request headers: Accept plus the conditional validators that were given."""
        headers = {"Accept": accept or DEFAULT_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def _delay(self, retry_index: int, retry_after: Optional[float]) -> float:
        """Retry-After when the server sent one (already capped), else full-jitter backoff."""
        if retry_after is not None:
            return retry_after
        ceiling = min(self.policy.backoff_max, self.policy.backoff_base * 2 ** retry_index)
        return random.uniform(0.0, ceiling)

    def _attempt(self, url: str, headers: dict) -> _Hop:
        """One attempt: follow up to max_redirects hops within one total_timeout deadline."""
        deadline = time.monotonic() + self.policy.total_timeout
        for _ in range(self.policy.max_redirects + 1):
            hop = self._request(url, headers, deadline)
            if hop.location is None:
                return hop
            url = hop.location
        raise RejectError(TOO_MANY_REDIRECTS, f"more than {self.policy.max_redirects} redirects, last {url}")

    def _request(self, url: str, headers: dict, deadline: float) -> _Hop:
        """One HTTP request under a per-host slot; reads the body only for a final 2xx."""
        host = _check_url(url)
        with _HOST_SLOTS.slot(host, self.policy.max_per_host, deadline), _transport_errors(url):
            response = self._send(url, headers, deadline)
            try:
                return self._handle(response, url, deadline)
            finally:
                response.close()

    def _send(self, url: str, headers: dict, deadline: float) -> requests.Response:
        """Send the GET with connect/read timeouts bounded by the remaining time."""
        remaining = _remaining(deadline, url)
        timeout = (min(self.policy.connect_timeout, remaining), remaining)
        with deadline_scope(deadline):
            return self._session.get(url, headers=headers, allow_redirects=False, stream=True,
                                     timeout=timeout, proxies={})

    def _handle(self, response: requests.Response, url: str, deadline: float) -> _Hop:
        """Turn a response into a redirect hop, a final hop with body, or an exception."""
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        if status in REDIRECT_STATUSES:
            return _Hop(url, status, headers, location=self._redirect_target(response, url))
        if 200 <= status < 300:
            return _Hop(url, status, headers, body=self._read_body(response, headers, deadline))
        if status == 304:
            return _Hop(url, status, headers)
        retry_after = retry_after_seconds(headers.get("retry-after"), self.policy.max_retry_after)
        raise _status_error(status, url, retry_after)

    def _redirect_target(self, response: requests.Response, url: str) -> str:
        """Absolute http(s) target of a redirect; RejectError for a missing or foreign-scheme one."""
        target = self._session.get_redirect_target(response)
        if not target:
            raise RejectError(BAD_REDIRECT, f"HTTP {response.status_code} without Location from {url}")
        absolute = requests.utils.requote_uri(urljoin(url, target.strip()))
        _check_url(absolute)
        return absolute

    def _read_body(self, response: requests.Response, headers: dict, deadline: float) -> bytes:
        """Stream the raw body under the deadline, decoding and capping it as it arrives."""
        inflater = _Inflater(headers.get("content-encoding", ""), self.policy.max_bytes)
        if inflater.mode == "identity":
            _check_declared_length(headers.get("content-length"), self.policy.max_bytes)
        parts = []
        with _body_watchdog(response, deadline) as fired:
            try:
                while not inflater.done:
                    _arm_socket(response, _remaining(deadline, response.url))
                    chunk = response.raw.read1(CHUNK_BYTES, decode_content=False)
                    if not chunk:
                        break
                    parts.append(inflater.feed(chunk))
                    _remaining(deadline, response.url)  # a chunk that came in after the deadline ends it too
            except (RejectError, _Transient):
                raise
            except Exception:
                if fired.is_set():  # the watchdog cut the socket under a read: that is the deadline
                    raise _Transient(FETCH_TIMEOUT, f"total_timeout exceeded reading the body of {response.url}") from None
                raise
            if fired.is_set():  # a cut can look like a clean end of a close-delimited body
                raise _Transient(FETCH_TIMEOUT, f"total_timeout exceeded reading the body of {response.url}")
        inflater.finish()
        return b"".join(parts)

    @staticmethod
    def _result(hop: _Hop, attempts: int, etag, last_modified) -> FetchResult:
        """FetchResult for the final hop; a 304 keeps the caller's validators if none came back."""
        etag_out = hop.headers.get("etag") or (etag if hop.status == 304 else None)
        modified_out = hop.headers.get("last-modified") or (last_modified if hop.status == 304 else None)
        return FetchResult(url=hop.url, status=hop.status, body=hop.body, headers=hop.headers,
                           etag=etag_out, last_modified=modified_out, attempts=attempts)


def _remaining(deadline: float, url: str) -> float:
    """Seconds left before ``deadline``; fetch_timeout once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Transient(FETCH_TIMEOUT, f"total_timeout exceeded fetching {url}")
    return left


def _response_socket(response: requests.Response):
    """The socket under a streamed response, or None (already released, or not a socket)."""
    connection = getattr(response.raw, "connection", None)
    return getattr(connection, "sock", None)


def _arm_socket(response: requests.Response, seconds: float) -> None:
    """Make each socket read wait at most ``seconds`` (the time left in the attempt)."""
    sock = _response_socket(response)
    if sock is not None:
        sock.settimeout(seconds)


@contextlib.contextmanager
def _body_watchdog(response: requests.Response, deadline: float):
    """Shut the response's socket down at ``deadline``; yields an Event set when that happened.

    The socket timeout bounds one ``recv`` only, and one ``read1`` can be many of them: a
    chunk-size line or the trailer lines are read with ``readline``, which keeps receiving while
    a server drips a byte per second. Shutting the socket down ends whatever read is blocked.
    The shutdown goes through a duplicate of the descriptor, so an SSL socket's own state is not
    touched from this thread, and it happens under a lock the reader takes before leaving, so
    the descriptor cannot be closed (and reused) while the watchdog acts on it."""
    fired, lock, state = threading.Event(), threading.Lock(), {"open": True}
    sock = _response_socket(response)

    def cut():
        with lock:
            if not state["open"] or sock is None:
                return
            fired.set()
            with contextlib.suppress(OSError, ValueError):
                with socket.socket(fileno=os.dup(sock.fileno())) as duplicate:
                    duplicate.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), cut)
    timer.daemon = True
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()
        with lock:
            state["open"] = False


def _check_declared_length(value: Optional[str], limit: int) -> None:
    """Refuse an uncompressed body whose Content-Length is over the cap, before reading it."""
    if value and value.strip().isdigit() and int(value) > limit:
        raise RejectError(TOO_LARGE, f"Content-Length {value.strip()} exceeds max_bytes={limit}")
