"""URLs and the names built from them: canonical URL, link resolution, publisher domain, source slug.

* ``canonical_url`` -- the normalised http(s) URL an article id is derived
  from. Tracking parameters are recognised with courlan's tracker list
  (``courlan.clean.TRACKERS_RE``, matched whole-word, see below) plus a few
  keys courlan does not know (``cmpid``, ``CMP``) and the historic click-id
  list; everything else in the URL is kept as close to the original as
  possible (courlan's own ``normalize_url`` is *not* used: it sorts and
  re-encodes the query, percent-encodes the path and decodes punycode, which
  would change ids of existing articles).
* ``resolve_link`` / ``link_identity`` -- absolutise a feed/page link against
  base URLs, and the canonical URL of a link with its fragment kept (feed
  entry identity).
* ``source_from_url`` / ``source_slug``. Article ids are built in ``transforms.text.identity``.

Pure Python (no Beam import), no network: registered domains come from the
Public Suffix List snapshot tldextract bundles (``transforms.text.public_suffixes``)
and courlan's tracker regex is imported; both are loaded lazily, once per process.
Ids are deterministic across processes and machines (no ``hash()``).
"""
import functools
import re
import unicodedata
from typing import Optional, Pattern
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from transforms.text.public_suffixes import registered_domain

__all__ = [
    "canonical_url",
    "resolve_link",
    "link_identity",
    "source_from_url",
    "source_slug",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Historic hand-kept click ids (kept so nothing stripped before is kept now, and
# used alone if courlan cannot be imported).
_CLICK_ID_PARAMS = frozenset(
    {"fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid"}
)
# Campaign keys courlan 1.4 does not know: cmpid (CNN, ...), CMP (The Guardian).
_EXTRA_TRACKING_PARAMS = frozenset({"cmpid", "cmp"})
# Keys that identify content: never stripped, whatever the tracker regex says.
_CONTENT_PARAMS = frozenset(
    {
        "p", "id", "aid", "pid", "article", "article_id", "articleid", "story", "story_id",
        "storyid", "story_fbid", "post", "postid", "page", "page_id", "itemid", "objectid",
    }
)


@functools.lru_cache(maxsize=1)
def _trackers_re() -> Optional[Pattern[str]]:
    """courlan's tracker regex, tightened to whole words; None if courlan cannot be imported.

    ``courlan.clean.TRACKERS_RE`` matches words such as ``ga``, ``gl``, ``ref``,
    ``source``, ``session``, ``campaign`` as *prefixes*, so on its own it also
    strips ``gallery``, ``game_id``, ``global``, ``glossary``, ``refresh``,
    ``reference``, ``affair`` ... A match is therefore accepted only when it
    ends with "_" (``utm_``, ``mc_`` ...) or is not followed by a letter.
    """
    try:
        from courlan.clean import TRACKERS_RE
    except Exception:  # pragma: no cover - courlan is a trafilatura dependency
        return None
    return re.compile(rf"(?:{TRACKERS_RE.pattern})(?:(?<=_)|(?=(?:id)?(?![a-z])))", TRACKERS_RE.flags)


@functools.lru_cache(maxsize=4096)
def _is_tracking_key(raw_key: str) -> bool:
    """True when the (still percent-encoded) query key ``raw_key`` is a tracking parameter."""
    key = unquote(raw_key).strip().lower()
    if not key or key in _CONTENT_PARAMS:
        return False
    if key.startswith("utm_") or key in _CLICK_ID_PARAMS or key in _EXTRA_TRACKING_PARAMS:
        return True
    trackers = _trackers_re()
    return trackers is not None and trackers.search(key) is not None


def _netloc(host: str, port: Optional[int], default_port: int) -> str:
    """``host`` (IPv6 in brackets) plus ``:port`` unless the port is absent or the default."""
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != default_port:
        netloc = f"{netloc}:{port}"
    return netloc


def _without_tracking_params(query: str) -> str:
    """The query string without empty segments and tracking parameters, the rest verbatim and in order."""
    if not query:
        return ""
    return "&".join(
        seg for seg in query.split("&") if seg and not _is_tracking_key(seg.partition("=")[0])
    )


def canonical_url(url: Optional[str]) -> Optional[str]:
    """Canonical form of an http(s) URL, or None for empty / non-http(s) / malformed values.

    Lowercases scheme and host (dropping a trailing dot on the host), drops
    user info (credentials), the default port and the fragment, uses "/" for
    an empty path and removes empty query segments and tracking parameters:
    ``utm_*``, the click ids (fbclid, gclid, gclsrc, dclid, msclkid, yclid,
    igshid, mc_cid, mc_eid), ``cmpid``/``CMP`` and whatever courlan's tracker
    list recognises as a whole word (``at_medium``, ``at_campaign``, ``xtor``,
    ``ref``, ``ref_src``, ``cid``, ``mc_*``, ``itm_*`` ...; keys compared
    percent-decoded and case-insensitively). Content keys such as ``p``,
    ``id``, ``article``, ``story_fbid`` are always kept. The other query
    parameters are kept verbatim (case and encoding) and in order; the path
    is untouched (no lowercasing, re-encoding or slash collapsing), ``www.``
    is kept and IDN hosts are only lowercased (no punycode conversion).
    """
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        if scheme not in _DEFAULT_PORTS or not host:
            return None
        port = parts.port
    except ValueError:
        return None
    netloc = _netloc(host, port, _DEFAULT_PORTS[scheme])
    query = _without_tracking_params(parts.query)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _absolute_http(url: str) -> bool:
    """True when ``url`` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)
    except ValueError:
        return False


def resolve_link(link: Optional[str], *bases: Optional[str]) -> Optional[str]:
    """``link`` made absolute against the first base that is an absolute http(s) URL.

    Returns ``link`` stripped when it already is absolute http(s); otherwise
    ``urljoin(base, link)`` with the first absolute http(s) base (bases are
    tried in order, e.g. entry xml:base, feed xml:base, feed URL; None/blank/
    relative/non-http bases are skipped). "/2024/post" with base
    "https://example.org/blog/feed.xml" -> "https://example.org/2024/post";
    "//cdn.example/x" takes the base's scheme. Fragments are kept. None for a
    None/blank link; the stripped link unchanged when no base is usable or
    joining fails. Never raises.
    """
    if not isinstance(link, str):
        return None
    text = link.strip()
    if not text:
        return None
    if _absolute_http(text):
        return text
    for base in bases:
        if not isinstance(base, str):
            continue
        base = base.strip()
        if base and _absolute_http(base):
            try:
                return urljoin(base, text)
            except ValueError:
                return text
    return text


def link_identity(link: Optional[str]) -> Optional[str]:
    """``canonical_url(link)`` plus ``"#" + fragment`` when ``link`` has a non-empty fragment.

    Identity of feed entries whose links differ only by fragment
    ("page#item-1", "page#item-2"). None when ``canonical_url`` is None.
    """
    canon = canonical_url(link)
    if canon is None:
        return None
    fragment = urlsplit(link.strip()).fragment
    return f"{canon}#{fragment}" if fragment else canon


def _url_host(url: str) -> str:
    """Lowercased host of ``url`` (scheme optional), without port or trailing dot."""
    text = url.strip()
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".")


def source_from_url(url: Optional[str]) -> Optional[str]:
    """Registered domain of ``url``: "https://www.bbc.co.uk/news/x" -> "bbc.co.uk".

    The scheme is optional. Uses the Public Suffix List snapshot bundled
    with tldextract only (nothing is downloaded), private suffixes included, so
    "jane.blogspot.com" stays "jane.blogspot.com". A host without a
    registered domain (an IP address, "localhost") is returned as is;
    None when there is no host at all.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    host = _url_host(url)
    if not host:
        return None
    return registered_domain(host) or host


_SLUG_BAD_RE = re.compile(r"[^a-z0-9._-]+")
_SLUG_DASHES_RE = re.compile(r"-{2,}")
_SLUG_MAX = 100


def source_slug(name: Optional[str]) -> str:
    """A path-safe partition value for a source name.

    Accents are folded (NFKD, combining marks dropped), the result is
    lowercased, characters outside ``[a-z0-9._-]`` become "-", runs of "-"
    collapse, leading/trailing "-" and "." are stripped and the slug is cut
    to 100 characters. Empty results become "unknown"; all-digit results
    get an "s-" prefix. "The Guardian" -> "the-guardian".
    """
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    slug = _SLUG_DASHES_RE.sub("-", _SLUG_BAD_RE.sub("-", text)).strip("-.")
    slug = slug[:_SLUG_MAX].strip("-.")
    if not slug:
        return "unknown"
    if slug.isdigit():
        slug = ("s-" + slug)[:_SLUG_MAX]
    return slug
