"""transforms.web.http_client against real HTTP servers on loopback (127.0.0.1; 127.0.0.2 as a
disallowed target). No other address is ever contacted."""
import collections
import contextlib
import gzip
import http.server
import resource
import select
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
import dataclasses
from importlib import metadata
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit

import pytest

import transforms.errors as errors
from pipelines.run.config import fetch_policy, load_defaults
from transforms.errors import RejectError
from transforms.web.http_client import (
    Fetcher,
    address_allowed,
    is_public_address,
    retry_after_seconds,
    validate_policy,
)

LOOPBACK = ("127.0.0.1/32",)
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
FEED = b"<?xml version='1.0'?><rss><channel><title>t</title></channel></rss>"
TEXT = b"Breaking news. " * 2000
MIB = 1024 * 1024


# --- test servers -----------------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    """Routes on the first path segment; records hits and request headers on the server."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        route = parts.path.strip("/").split("/")[0] or "ok"
        self.query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.server.lock:
            self.server.hits[parts.path] += 1
            self.server.seen.append((parts.path, dict(self.headers)))
        try:
            getattr(self, "route_" + route.replace("-", "_"))(parts.path)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, status, body=b"", **headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_chunked(self, pieces, **headers):
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in pieces:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n\r\n")

    def route_ok(self, path):
        if self.headers.get("If-None-Match") == ETAG or self.headers.get("If-Modified-Since"):
            self._send(304, ETag=ETAG)
        else:
            self._send(200, FEED, ETag=ETAG, Last_Modified=LAST_MODIFIED, Content_Type="application/rss+xml")

    def route_status(self, path):
        extra = {"Retry_After": self.query["ra"]} if "ra" in self.query else {}
        self._send(int(path.split("/")[2]), b"nope", **extra)

    def route_flaky429(self, path):
        if self.server.hits[path] == 1:
            self._send(429, Retry_After="1")
        else:
            self._send(200, b"finally")

    def route_slow_headers(self, path):
        self.server.release.wait(5)
        self._send(200, b"late")

    def _drip(self, interval, byte, seconds=5.0):
        """Write one byte per ``interval`` for ``seconds`` (bounded, so a broken client fails, not hangs)."""
        for _ in range(int(seconds / interval)):
            if self.server.release.wait(interval):
                return
            self.wfile.write(byte)

    def route_drip(self, path):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self._drip(0.1, b"x")

    def route_drip_then_stall(self, path):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self._drip(0.1, b"x", seconds=0.6)
        self.server.release.wait(5)

    def route_drip_headers(self, path):
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Pad: ")
        self._drip(0.05, b"a")

    def route_bomb(self, path):
        self._send(200, self.server.bomb, Content_Encoding="gzip")

    def route_encoded(self, path):
        kind = path.split("/")[2]
        if kind == "gzip-chunked":
            blob = gzip.compress(TEXT)
            self._send_chunked([blob[i:i + 1000] for i in range(0, len(blob), 1000)], Content_Encoding="gzip")
            return
        encoding, blob = {
            "gzip": ("gzip", gzip.compress(TEXT)),
            "x-gzip": ("x-gzip", gzip.compress(TEXT)),
            "multi-gzip": ("gzip", gzip.compress(TEXT[:5000]) + gzip.compress(TEXT[5000:])),
            "deflate-zlib": ("deflate", zlib.compress(TEXT)),
            "deflate-raw": ("deflate", _raw_deflate(TEXT)),
            "br": ("br", b"\x0b\x02\x80hello\x03"),
            "corrupt": ("gzip", b"\x1f\x8b\x08\x00garbage-not-gzip"),
        }[kind]
        self._send(200, blob, Content_Encoding=encoding)

    def route_declared_big(self, path):
        self.send_response(200)
        self.send_header("Content-Length", str(2 * MIB))
        self.end_headers()
        self.server.release.wait(5)  # never sends the body: the client must not wait for it

    def route_chunked_big(self, path):
        self._send_chunked([b"z" * 65536] * 40)

    def route_redirect(self, path):
        left = int(path.split("/")[2])
        if left:
            self._send(302, Location=f"/redirect/{left - 1}")
        else:
            self._send(200, b"arrived")

    def route_to(self, path):
        self._send(int(self.query.get("code", "302")), Location=self.query["u"])

    def route_slow(self, path):
        with self.server.lock:
            self.server.active += 1
            self.server.max_active = max(self.server.max_active, self.server.active)
        time.sleep(0.3)
        with self.server.lock:
            self.server.active -= 1
        self._send(200, b"slow")


def _raw_deflate(data):
    obj = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host="127.0.0.1"):
        super().__init__((host, 0), _Handler)
        self.lock = threading.Lock()
        self.hits = collections.Counter()
        self.seen = []
        self.release = threading.Event()
        self.active = self.max_active = 0
        self.bomb = b""

    def handle_error(self, request, client_address):
        pass  # clients hang up on purpose (timeouts, caps)

    def url(self, path, host="127.0.0.1"):
        return f"http://{host}:{self.server_port}{path}"

    def headers_for(self, path):
        return [headers for seen_path, headers in self.seen if seen_path == path]


@contextlib.contextmanager
def _serving(srv):
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.release.set()
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def server():
    with _serving(_Server()) as srv:
        yield srv


def policy(**overrides):
    """The default policy (configs/defaults.yaml's ``fetch:``) with ``overrides``."""
    return dataclasses.replace(fetch_policy(load_defaults()["fetch"]), **overrides)


@pytest.fixture
def fetchers():
    """Build Fetchers (small timeouts, loopback allowed, recorded sleeps); closed afterwards."""
    made = []

    def make(**overrides):
        settings = dict(connect_timeout=1.0, total_timeout=3.0, retries=2, backoff_base=0.01,
                        backoff_max=0.05, allow_networks=LOOPBACK)
        settings.update(overrides)
        sleeps = []
        fetcher = Fetcher(policy(**settings), sleep=sleeps.append)
        fetcher.sleeps = sleeps
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


@contextlib.contextmanager
def raw_listener(host):
    """A bare listening socket; lets a test prove that nobody ever connected to it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, 0))
    except OSError as exc:
        sock.close()
        pytest.skip(f"cannot bind {host}: {exc}")
    sock.listen(8)
    sock.setblocking(False)
    try:
        yield sock
    finally:
        sock.close()


def assert_never_connected(sock):
    readable, _, _ = select.select([sock], [], [], 0.3)
    assert not readable, "a connection reached the listener"
    with pytest.raises(BlockingIOError):
        sock.accept()


def reject(fetcher, url, **kwargs):
    with pytest.raises(RejectError) as info:
        fetcher.fetch(url, **kwargs)
    return info.value


# --- success, conditional requests ------------------------------------------------------------

def test_ok_returns_body_validators_and_sends_identity_headers(server, fetchers):
    result = fetchers().fetch(server.url("/ok"), accept="application/rss+xml")
    assert (result.status, result.body, result.attempts) == (200, FEED, 1)
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert result.url == server.url("/ok") and not result.not_modified
    assert result.headers["content-type"] == "application/rss+xml"
    sent = server.headers_for("/ok")[0]
    assert sent["User-Agent"].startswith(f"newsbeam/{metadata.version('newsbeam')} (")  # the version is the installed one
    assert sent["Accept-Encoding"] == "gzip, deflate"
    assert sent["Accept"] == "application/rss+xml"
    assert "If-None-Match" not in sent and "Cookie" not in sent


def test_conditional_request_gets_304(server, fetchers):
    result = fetchers().fetch(server.url("/ok"), etag=ETAG, last_modified=LAST_MODIFIED)
    assert result.status == 304 and result.not_modified and result.body == b""
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    sent = server.headers_for("/ok")[0]
    assert sent["If-None-Match"] == ETAG
    assert sent["If-Modified-Since"] == LAST_MODIFIED


# --- status codes and retries -----------------------------------------------------------------

@pytest.mark.parametrize("code, reason", [
    (404, errors.HTTP_NOT_FOUND), (410, errors.HTTP_GONE), (403, errors.HTTP_CLIENT_ERROR),
    (400, errors.HTTP_CLIENT_ERROR), (501, errors.HTTP_SERVER_ERROR),
])
def test_permanent_failures_are_not_retried(server, fetchers, code, reason):
    fetcher = fetchers()
    assert reject(fetcher, server.url(f"/status/{code}")).reason == reason
    assert server.hits[f"/status/{code}"] == 1 and fetcher.sleeps == []


def test_429_with_retry_after_then_success(server, fetchers):
    fetcher = fetchers()
    result = fetcher.fetch(server.url("/flaky429"))
    assert (result.status, result.body, result.attempts) == (200, b"finally", 2)
    assert fetcher.sleeps == [1.0]
    assert server.hits["/flaky429"] == 2


@pytest.mark.parametrize("code, reason", [
    (503, errors.HTTP_SERVER_ERROR), (500, errors.HTTP_SERVER_ERROR), (429, errors.HTTP_RATE_LIMITED),
])
def test_transient_status_forever_gives_up_after_retries(server, fetchers, code, reason):
    fetcher = fetchers(retries=3, backoff_base=0.01, backoff_max=0.05)
    assert reject(fetcher, server.url(f"/status/{code}")).reason == reason
    assert server.hits[f"/status/{code}"] == 4
    assert len(fetcher.sleeps) == 3
    for index, delay in enumerate(fetcher.sleeps):  # full jitter within the exponential ceiling
        assert 0.0 <= delay <= min(0.05, 0.01 * 2 ** index)


def test_retry_after_is_capped(server, fetchers):
    fetcher = fetchers(retries=1, max_retry_after=0.5)
    assert reject(fetcher, server.url("/status/429?ra=500")).reason == errors.HTTP_RATE_LIMITED
    assert fetcher.sleeps == [0.5]


def test_retry_after_parsing():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("7", 120.0, now) == 7.0
    assert retry_after_seconds(" 9000 ", 120.0, now) == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), 120.0, now) == 30.0
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), 120.0, now) == 0.0
    assert retry_after_seconds("soon, please", 120.0, now) is None
    assert retry_after_seconds(None, 120.0, now) is None


# --- timeouts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/slow-headers", "/drip", "/drip-then-stall", "/drip-headers"])
def test_total_timeout_cuts_slow_servers(server, fetchers, path):
    fetcher = fetchers(total_timeout=0.8, retries=0)
    started = time.monotonic()
    assert reject(fetcher, server.url(path)).reason == errors.FETCH_TIMEOUT
    elapsed = time.monotonic() - started
    assert 0.75 <= elapsed < 1.2, elapsed


def test_timeouts_are_retried(server, fetchers):
    fetcher = fetchers(total_timeout=0.3, retries=1)
    assert reject(fetcher, server.url("/slow-headers")).reason == errors.FETCH_TIMEOUT
    assert server.hits["/slow-headers"] == 2 and len(fetcher.sleeps) == 1


@contextlib.contextmanager
def drip_server(head, drip, tail=b"", interval=0.3, count=100):
    """A raw loopback server: per connection it reads the request, sends ``head``, then ``drip``
    every ``interval`` seconds ``count`` times (30 s by default), then ``tail``. Raw sockets,
    because the drips that matter (chunk-size lines, trailers) are below what http.server writes."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)

    def answer(conn):
        with conn:
            try:
                conn.settimeout(5)
                conn.recv(65536)
                conn.sendall(head)
                for _ in range(count):
                    if stop.wait(interval):
                        return
                    conn.sendall(drip)
                conn.sendall(tail)
                stop.wait(1)
            except OSError:
                return  # the client hung up: what a deadline does

    def accept():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (socket.timeout, BlockingIOError):
                continue
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed"
    finally:
        stop.set()
        thread.join(2)
        listener.close()


CHUNKED_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n"
DRIPS = {  # name: (head, drip, tail); every drip lasts 30 s unless cut
    "chunk-size-line": (CHUNKED_HEAD + b"1", b";", b"\r\nx\r\n0\r\n\r\n"),
    "trailers": (CHUNKED_HEAD + b"1\r\nx\r\n0\r\n", b"X-Trailer: 1\r\n", b"\r\n"),
    "one-byte-chunks": (CHUNKED_HEAD, b"1\r\nx\r\n", b"0\r\n\r\n"),
    "inside-one-chunk": (CHUNKED_HEAD + b"3e8\r\n", b"x", b""),
    "close-delimited": (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n", b"x", b""),
    "status-line": (b"HTTP/1.1 200 ", b"O", b"K\r\nContent-Length: 0\r\n\r\n"),
    "header-lines": (b"HTTP/1.1 200 OK\r\n", b"X-Pad: a\r\n", b"Content-Length: 0\r\n\r\n"),
}


@pytest.mark.parametrize("name", sorted(DRIPS))
def test_total_timeout_is_hard_against_dripped_bytes(fetchers, name):
    """A byte (or line) every 0.3 s for 30 s against a 1.5 s deadline: fetch_timeout, not 30 s."""
    head, drip, tail = DRIPS[name]
    fetcher = fetchers(total_timeout=1.5, retries=0)
    with drip_server(head, drip, tail) as url:
        started = time.monotonic()
        error = reject(fetcher, url)
        elapsed = time.monotonic() - started
    assert error.reason == errors.FETCH_TIMEOUT, error.message
    assert elapsed < 10, elapsed  # generous; without a hard deadline this takes the drip's 30 s


def test_dripped_body_that_ends_in_time_is_kept(fetchers):
    fetcher = fetchers(total_timeout=5.0, retries=0)
    head = CHUNKED_HEAD.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    with drip_server(head, b"1\r\nx\r\n", b"0\r\nX-Trailer: 1\r\n\r\n", interval=0.05, count=6) as url:
        assert fetcher.fetch(url).body == b"x" * 6
        time.sleep(0.2)
        assert fetcher.fetch(url).body == b"x" * 6  # nothing left over from the first fetch cuts the second


def test_connection_refused_is_retried_then_connection_error(fetchers):
    with raw_listener("127.0.0.1") as sock:
        port = sock.getsockname()[1]
    fetcher = fetchers(retries=1)  # the port is closed again: connecting is refused
    assert reject(fetcher, f"http://127.0.0.1:{port}/").reason == errors.CONNECTION_ERROR
    assert len(fetcher.sleeps) == 1


# --- bodies: decoding and size caps -------------------------------------------------------------

@pytest.fixture(scope="module")
def gzip_bomb():
    """200 MiB of zeros, gzip-compressed (~200 KB), built in 1 MiB steps."""
    packer, zeros = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS), bytes(MIB)
    return b"".join([packer.compress(zeros) for _ in range(200)] + [packer.flush()])


def test_gzip_bomb_is_cut_at_max_bytes_with_flat_memory(server, fetchers, gzip_bomb):
    server.bomb = gzip_bomb
    fetcher = fetchers(max_bytes=MIB)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.monotonic()
    try:
        assert reject(fetcher, server.url("/bomb")).reason == errors.TOO_LARGE
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2.0
    assert peak < 8 * MIB, peak
    rss_growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert rss_growth_kib < 64 * 1024, rss_growth_kib


@pytest.mark.parametrize("kind", ["gzip", "x-gzip", "multi-gzip", "gzip-chunked", "deflate-zlib", "deflate-raw"])
def test_compressed_bodies_are_decoded(server, fetchers, kind):
    result = fetchers().fetch(server.url(f"/encoded/{kind}"))
    assert result.body == TEXT


@pytest.mark.parametrize("kind", ["br", "corrupt"])
def test_undecodable_bodies_are_rejected(server, fetchers, kind):
    assert reject(fetchers(), server.url(f"/encoded/{kind}")).reason == errors.DECOMPRESS_ERROR


def test_declared_length_over_cap_is_refused_before_reading(server, fetchers):
    started = time.monotonic()
    assert reject(fetchers(max_bytes=MIB), server.url("/declared-big")).reason == errors.TOO_LARGE
    assert time.monotonic() - started < 0.5  # did not wait for a body that never comes


def test_undeclared_body_over_cap_is_cut(server, fetchers):
    assert reject(fetchers(max_bytes=MIB), server.url("/chunked-big")).reason == errors.TOO_LARGE


def test_body_exactly_at_cap_is_accepted(server, fetchers):
    assert fetchers(max_bytes=len(TEXT)).fetch(server.url("/encoded/gzip")).body == TEXT


# --- redirects and schemes ----------------------------------------------------------------------

def test_redirects_are_followed_up_to_the_limit(server, fetchers):
    result = fetchers(max_redirects=5).fetch(server.url("/redirect/5"))
    assert (result.body, result.url, result.attempts) == (b"arrived", server.url("/redirect/0"), 1)


def test_redirect_chain_of_six_is_too_many(server, fetchers):
    assert reject(fetchers(max_redirects=5), server.url("/redirect/6")).reason == errors.TOO_MANY_REDIRECTS
    assert server.hits["/redirect/1"] == 1 and server.hits["/redirect/0"] == 0


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/feed.xml", "file:///etc/passwd", "gopher://127.0.0.1:70/"])
def test_redirect_to_foreign_scheme_is_unsupported(server, fetchers, target):
    assert reject(fetchers(), server.url(f"/to?u={target}")).reason == errors.UNSUPPORTED_SCHEME


@pytest.mark.parametrize("url, reason", [
    ("ftp://127.0.0.1/feed.xml", errors.UNSUPPORTED_SCHEME), ("file:///etc/passwd", errors.UNSUPPORTED_SCHEME),
    ("127.0.0.1/feed.xml", errors.UNSUPPORTED_SCHEME), ("http:///nohost", errors.INVALID_URL),
])
def test_bad_urls_are_rejected_without_connecting(fetchers, url, reason):
    assert reject(fetchers(), url).reason == reason


def test_redirect_without_location_is_bad_redirect(server, fetchers):
    assert reject(fetchers(), server.url("/status/302")).reason == errors.BAD_REDIRECT


# --- the private-address guard -------------------------------------------------------------------

def test_redirect_to_disallowed_loopback_never_connects(server, fetchers):
    with raw_listener("127.0.0.2") as trap:
        target = f"http://127.0.0.2:{trap.getsockname()[1]}/"
        error = reject(fetchers(), server.url(f"/to?u={target}"))
        assert error.reason == errors.BLOCKED_ADDRESS
        assert "127.0.0.2" in error.message
        assert_never_connected(trap)
    assert server.hits["/to"] == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433", "0x7f.0.0.1", "[::ffff:127.0.0.1]"])
def test_default_policy_refuses_loopback_before_connecting(host):
    policy_ = policy(connect_timeout=1.0, total_timeout=2.0, retries=0)  # allow_networks=() default
    with raw_listener("127.0.0.1") as trap, Fetcher(policy_) as fetcher:
        error = reject(fetcher, f"http://{host}:{trap.getsockname()[1]}/feed.xml")
        assert error.reason == errors.BLOCKED_ADDRESS
        assert host.strip("[]") in error.message
        assert_never_connected(trap)


def test_only_allowed_resolved_addresses_are_dialled(server, fetchers, monkeypatch):
    """A name resolving to a disallowed and an allowed address: only the allowed one is used,
    and the Host header keeps the name (only the TCP target changes)."""
    with raw_listener("127.0.0.2") as trap:
        port = server.server_port
        answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", trap.getsockname()[1])),
                   (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo",
                            lambda host, *a, **k: answers if host == "news.example" else real(host, *a, **k))
        result = fetchers().fetch(f"http://news.example:{port}/ok")
        assert result.body == FEED
        assert server.headers_for("/ok")[0]["Host"] == f"news.example:{port}"
        assert_never_connected(trap)


def test_dns_failure_is_dns_error(fetchers, monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", fail)
    fetcher = fetchers()
    assert reject(fetcher, "http://no-such-host.example/feed").reason == errors.DNS_ERROR
    assert fetcher.sleeps == []


def test_environment_proxy_is_ignored(server, fetchers, monkeypatch):
    with raw_listener("127.0.0.2") as trap:
        proxy = f"http://127.0.0.2:{trap.getsockname()[1]}"
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        assert fetchers().fetch(server.url("/ok")).body == FEED
        assert_never_connected(trap)


@pytest.mark.parametrize("ip, public", [
    ("8.8.8.8", True), ("1.1.1.1", True), ("2001:4860:4860::8888", True), ("2606:4700:4700::1111", True),
    ("::ffff:8.8.8.8", True), ("2002:808:808::1", True), ("64:ff9b::808:808", True),
    ("127.0.0.1", False), ("127.255.255.254", False), ("10.0.0.1", False), ("172.16.0.1", False),
    ("172.31.255.255", False), ("192.168.1.1", False), ("169.254.169.254", False), ("169.254.0.1", False),
    ("100.64.0.1", False), ("100.127.255.254", False), ("0.0.0.0", False), ("0.1.2.3", False),
    ("224.0.0.1", False), ("239.255.255.250", False), ("240.0.0.1", False), ("255.255.255.255", False),
    ("192.0.2.1", False), ("198.18.0.1", False), ("198.51.100.7", False), ("203.0.113.9", False),
    ("::", False), ("::1", False), ("fc00::1", False), ("fd12:3456::1", False), ("fe80::1", False),
    ("fe80::1%eth0", False), ("ff02::1", False), ("2001:db8::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("::ffff:169.254.169.254", False),
    ("::127.0.0.1", False), ("::10.0.0.1", False), ("::ffff:0:127.0.0.1", False),
    ("2002:7f00:1::", False), ("2002:a00:1::", False), ("2002:a9fe:a9fe::1", False),
    ("64:ff9b::a9fe:a9fe", False), ("64:ff9b::7f00:1", False), ("64:ff9b::a00:1", False),
    ("64:ff9b:1::a00:1", False),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo, client 127.0.0.1
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo, client 10.0.0.1
    ("not-an-ip", False), ("", False),
])
def test_is_public_address(ip, public):
    assert is_public_address(ip) is public


def test_address_allowed_opens_only_named_networks():
    assert address_allowed("8.8.8.8", ())
    assert not address_allowed("127.0.0.1", ())
    assert address_allowed("127.0.0.1", LOOPBACK)
    assert address_allowed("::ffff:127.0.0.1", LOOPBACK)
    assert not address_allowed("127.0.0.2", LOOPBACK)
    assert address_allowed("10.1.2.3", ("10.0.0.0/8",))
    assert not address_allowed("10.1.2.3", ("192.168.0.0/16", "127.0.0.1/32"))
    assert address_allowed("fd00::5", ("fd00::/8",))


# --- politeness, policy, TLS --------------------------------------------------------------------

def test_at_most_two_concurrent_requests_per_host(server, fetchers):
    first, second = fetchers(max_per_host=2), fetchers(max_per_host=2)  # the limit is process-wide
    results, threads = [], []
    for index in range(6):
        fetcher = first if index % 2 else second
        threads.append(threading.Thread(target=lambda f=fetcher: results.append(f.fetch(server.url("/slow")))))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == 6 and all(r.body == b"slow" for r in results)
    assert server.max_active == 2
    assert time.monotonic() - started >= 0.85  # three waves of 0.3 s


@pytest.mark.parametrize("field, value", [
    ("total_timeout", 0), ("connect_timeout", -1), ("max_bytes", 0), ("retries", -1),
    ("max_per_host", 0), ("user_agent", ""), ("user_agent", "evil\r\nX: y"), ("allow_networks", ("nope",)),
])
def test_validate_policy_rejects_unworkable_settings(field, value):
    with pytest.raises(ValueError):
        validate_policy(policy(**{field: value}))
    with pytest.raises(ValueError):
        Fetcher(policy(**{field: value}))


@pytest.fixture
def tls_server(tmp_path):
    """HTTPS on 127.0.0.1 with a self-signed certificate for DNS:localhost; records SNI."""
    if not shutil.which("openssl"):
        pytest.skip("openssl CLI not available")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"], check=True, capture_output=True)
    srv, names = _Server(), []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sslsock, name, ctx: names.append(name)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    srv.cert, srv.sni = str(cert), names
    with _serving(srv):
        yield srv


def test_tls_keeps_hostname_for_sni_and_verification(tls_server, fetchers):
    fetcher = fetchers(retries=0)
    fetcher._session.verify = tls_server.cert  # trust the test CA (no API for this on purpose)
    port = tls_server.server_port
    assert fetcher.fetch(f"https://localhost:{port}/ok").body == FEED
    assert tls_server.sni == ["localhost"]
    error = reject(fetcher, f"https://127.0.0.1:{port}/ok")  # cert names localhost only
    assert error.reason == errors.TLS_ERROR
