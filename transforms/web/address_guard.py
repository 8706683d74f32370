"""Connection-time guards for outbound HTTP: private-address blocking and a response deadline.

The private-address check runs inside urllib3's ``_new_conn``: the host is resolved once
with ``socket.getaddrinfo``, every address that is not allowed is dropped, and the TCP
connection goes straight to an allowed IP. No packet is ever sent to a dropped address,
and DNS rebinding cannot slip in between the check and the connect. TLS still uses the
hostname for SNI and certificate verification; only the TCP target changes.

Pure Python (no Beam). Failures raise ``RejectError`` (``blocked_address``, ``dns_error``).
"""
import contextlib
import functools
import ipaddress
import socket
import sys
import threading
import time
from typing import Iterable, Optional, Tuple

from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from transforms.errors import BLOCKED_ADDRESS, DNS_ERROR, RejectError

__all__ = [
    "is_public_address",
    "address_allowed",
    "parse_networks",
    "resolve_allowed",
    "deadline_scope",
    "GuardedAdapter",
]

_NETWORK = ipaddress.ip_network
_BLOCKED_V4 = tuple(_NETWORK(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
))
_BLOCKED_V6 = tuple(_NETWORK(n) for n in (
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
    "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
_MAPPED = _NETWORK("::ffff:0:0/96")       # IPv4-mapped ::ffff:a.b.c.d
_TRANSLATED = _NETWORK("::ffff:0:0:0/96")  # SIIT IPv4-translated ::ffff:0:a.b.c.d
_COMPATIBLE = _NETWORK("::/96")            # deprecated IPv4-compatible ::a.b.c.d
_NAT64 = _NETWORK("64:ff9b::/96")
_SIX_TO_FOUR = _NETWORK("2002::/16")
_TEREDO = _NETWORK("2001::/32")
_LOW32 = 0xFFFFFFFF

_DEADLINE = threading.local()


def _parse_ip(ip: str):
    """``ipaddress`` object for ``ip`` (brackets and zone id tolerated), or None."""
    try:
        return ipaddress.ip_address(str(ip).strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def embedded_ipv4(addr: ipaddress.IPv6Address) -> Optional[Tuple[ipaddress.IPv4Address, ...]]:
    """IPv4 addresses hidden in an IPv6 form (mapped, compatible, NAT64, 6to4, Teredo), or None."""
    low = ipaddress.IPv4Address(int(addr) & _LOW32)
    if addr in _MAPPED or addr in _TRANSLATED or addr in _COMPATIBLE or addr in _NAT64:
        return (low,)
    if addr in _SIX_TO_FOUR:
        return (addr.sixtofour,)
    if addr in _TEREDO:
        return addr.teredo  # (server, client), the client already de-obfuscated
    return None


def _ipv4_public(addr: ipaddress.IPv4Address) -> bool:
    """True for a globally routable IPv4 address."""
    return addr.is_global and not any(addr in net for net in _BLOCKED_V4)


def _ipv6_public(addr: ipaddress.IPv6Address) -> bool:
    """True for a globally routable IPv6 address; embedded IPv4 forms are judged by the IPv4."""
    hidden = embedded_ipv4(addr)
    if hidden is not None:
        return all(_ipv4_public(v4) for v4 in hidden)
    bad = addr.is_multicast or addr.is_reserved or addr.is_unspecified or addr.is_loopback
    return addr.is_global and not bad and not any(addr in net for net in _BLOCKED_V6)


def is_public_address(ip: str) -> bool:
    """True if ``ip`` is a globally routable unicast address (anything unparsable is not)."""
    addr = _parse_ip(ip)
    if addr is None:
        return False
    return _ipv4_public(addr) if addr.version == 4 else _ipv6_public(addr)


@functools.lru_cache(maxsize=64)
def _networks(cidrs: Tuple[str, ...]):
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def parse_networks(allow_networks: Iterable) -> tuple:
    """CIDR strings (or network objects) to a tuple of ``ip_network``; ValueError if invalid."""
    return _networks(tuple(str(n).strip() for n in allow_networks or ()))


def address_allowed(ip: str, allow_networks=()) -> bool:
    """True if ``ip`` is public, or it (or the IPv4 it maps to) lies in ``allow_networks``."""
    if is_public_address(ip):
        return True
    addr = _parse_ip(ip)
    if addr is None:
        return False
    candidates = [addr] if addr.version == 4 or addr.ipv4_mapped is None else [addr, addr.ipv4_mapped]
    nets = parse_networks(allow_networks)
    return any(c.version == n.version and c in n for c in candidates for n in nets)


def resolve_allowed(host: str, port: int, allow_networks=()) -> list:
    """``getaddrinfo`` results for ``host`` whose address is allowed; RejectError if none is."""
    host = host.strip("[]")
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RejectError(DNS_ERROR, f"cannot resolve {host!r}: {exc}") from None
    allowed = [info for info in infos if address_allowed(info[4][0], allow_networks)]
    if not allowed:
        ips = ", ".join(sorted({str(info[4][0]) for info in infos}))
        raise RejectError(BLOCKED_ADDRESS, f"host {host!r} resolves only to disallowed addresses: {ips}")
    return allowed


def _open_socket(info, timeout, source_address, socket_options) -> socket.socket:
    """Connect one TCP socket to the already-vetted sockaddr in ``info``."""
    family, socktype, proto, _, sockaddr = info
    sock = socket.socket(family, socktype, proto)
    try:
        for option in socket_options or ():
            sock.setsockopt(*option)
        sock.settimeout(timeout if isinstance(timeout, (int, float)) else socket.getdefaulttimeout())
        if source_address:
            sock.bind(source_address)
        sock.connect(sockaddr)
        return sock
    except BaseException:
        sock.close()
        raise


@contextlib.contextmanager
def deadline_scope(deadline: Optional[float]):
    """Within this block, response headers on this thread must arrive by ``deadline`` (monotonic)."""
    previous = getattr(_DEADLINE, "value", None)
    _DEADLINE.value = deadline
    try:
        yield
    finally:
        _DEADLINE.value = previous


class _GuardMixin:
    """urllib3 connection that only connects to allowed addresses and honours the thread deadline."""

    def __init__(self, *args, allow_networks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_networks = allow_networks

    def _new_conn(self) -> socket.socket:
        """Resolve, drop disallowed addresses, connect to the first allowed one that answers."""
        error = None
        for info in resolve_allowed(self._dns_host, self.port, self.allow_networks):
            try:
                sock = _open_socket(info, self.timeout, self.source_address, self.socket_options)
            except socket.timeout as exc:
                error = ConnectTimeoutError(self, f"Connection to {self.host} timed out. ({exc})")
            except OSError as exc:
                error = NewConnectionError(self, f"Failed to establish a new connection: {exc}")
            else:
                sys.audit("http.client.connect", self, self.host, self.port)
                return sock
        raise error

    def _cut(self, fired: threading.Event) -> None:
        """Watchdog action: the deadline passed while waiting for headers; kill the socket."""
        fired.set()
        with contextlib.suppress(OSError, AttributeError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def getresponse(self, *args, **kwargs):
        """Read status and headers, cut off at the thread's deadline even if the server drips."""
        deadline = getattr(_DEADLINE, "value", None)
        if deadline is None:
            return super().getresponse(*args, **kwargs)
        fired = threading.Event()
        timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._cut, (fired,))
        timer.daemon = True
        timer.start()
        try:
            response = super().getresponse(*args, **kwargs)
        except Exception:
            if fired.is_set():
                raise TimeoutError("total deadline passed while reading response headers") from None
            raise
        finally:
            timer.cancel()
        if fired.is_set():
            raise TimeoutError("total deadline passed while reading response headers")
        return response


class GuardedHTTPConnection(_GuardMixin, HTTPConnection):
    """Plain-HTTP connection with the address guard."""


class GuardedHTTPSConnection(_GuardMixin, HTTPSConnection):
    """TLS connection with the address guard (SNI and verification keep the hostname)."""


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class _GuardedPoolManager(PoolManager):
    """PoolManager whose pools build guarded connections carrying ``allow_networks``."""

    def __init__(self, *args, allow_networks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
        self._allow_networks = allow_networks

    def _new_pool(self, scheme, host, port, request_context=None):
        context = dict(self.connection_pool_kw if request_context is None else request_context)
        context["allow_networks"] = self._allow_networks
        return super()._new_pool(scheme, host, port, context)


class GuardedAdapter(HTTPAdapter):
    """requests adapter: every connection passes the address guard; proxies are refused."""

    __attrs__ = HTTPAdapter.__attrs__ + ["_allow_networks"]

    def __init__(self, allow_networks=(), **kwargs):
        self._allow_networks = parse_networks(allow_networks)
        super().__init__(**kwargs)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        """Same as HTTPAdapter's, but with the guarded PoolManager."""
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = _GuardedPoolManager(num_pools=connections, maxsize=maxsize, block=block,
                                               allow_networks=self._allow_networks, **pool_kwargs)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        """A proxy would hide the real peer from the guard, so none is ever used."""
        raise RejectError(BLOCKED_ADDRESS, f"proxies are disabled (asked for {proxy!r})")
