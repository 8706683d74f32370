"""A real HTTP server on 127.0.0.1 serving canned feed responses to the tests.

Each route maps a path to a function ``(handler) -> (status, headers, body)``;
the server records every request's path and headers so tests can check
what the client sent (conditional GET validators, user agent).
"""
import http.server
import threading
import time
from contextlib import contextmanager


class FeedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.requests = []  # (path, headers dict)
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def hits(self, path) -> int:
        with self.lock:
            return sum(1 for p, _ in self.requests if p == path)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        with self.server.lock:
            self.server.requests.append((self.path, dict(self.headers)))
        route = self.server.routes.get(self.path)
        status, headers, body = route(self) if route else (404, {}, b"no such path")
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@contextmanager
def serving(routes):
    server = FeedServer(routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def fixed(status, body, **headers):
    """A route that always answers the same."""
    return lambda handler: (status, {k.replace("_", "-"): v for k, v in headers.items()}, body)


def slow(seconds, body):
    def route(handler):
        time.sleep(seconds)
        return 200, {"Content-Type": "application/rss+xml"}, body
    return route


def with_etag(etag, body):
    """200 with an ETag, or 304 when the client sends it back."""
    def route(handler):
        if handler.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"ETag": etag, "Last-Modified": "Thu, 03 Mar 2022 10:00:00 GMT",
                     "Content-Type": "application/rss+xml; charset=utf-8"}, body
    return route


def rate_limited_once(body):
    """429 with Retry-After: 1 on the first request, then 200."""
    state = {"calls": 0}

    def route(handler):
        state["calls"] += 1
        if state["calls"] == 1:
            return 429, {"Retry-After": "1"}, b"slow down"
        return 200, {"Content-Type": "application/rss+xml"}, body
    return route
