"""URLs and the names built from them: canonical URL, publisher domain, source slug, article id.

Pure Python (no Beam import), no network: the tldextract extractor uses its
bundled suffix list only and is built lazily, once per process, by a cached
getter. Ids are deterministic across processes and machines (no ``hash()``).
"""
import functools
import hashlib
import re
import unicodedata
from typing import Optional
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["canonical_url", "source_from_url", "source_slug", "article_id"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid"}
)


def _is_tracking_param(segment: str) -> bool:
    """True for a ``key[=value]`` query segment whose key is a tracking parameter."""
    key = unquote(segment.split("=", 1)[0]).strip().lower()
    return key.startswith("utm_") or key in _TRACKING_PARAMS


def _netloc(host: str, port: Optional[int], default_port: int) -> str:
    """``host`` (IPv6 in brackets) plus ``:port`` unless the port is absent or the default."""
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != default_port:
        netloc = f"{netloc}:{port}"
    return netloc


def _without_tracking_params(query: str) -> str:
    """The query string without empty segments and tracking parameters, the rest verbatim and in order."""
    return "&".join(seg for seg in query.split("&") if seg and not _is_tracking_param(seg))


def canonical_url(url: Optional[str]) -> Optional[str]:
    """Canonical form of an http(s) URL, or None for empty / non-http(s) / malformed values.

    Lowercases scheme and host (dropping a trailing dot on the host), drops
    user info (credentials), the default port and the fragment, uses "/" for
    an empty path, removes ``utm_*`` and click-id parameters (fbclid, gclid,
    gclsrc, dclid, msclkid, yclid, igshid, mc_cid, mc_eid) and keeps the
    other query parameters verbatim and in order. The path is untouched.
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


@functools.lru_cache(maxsize=1)
def _tld_extractor():
    """A tldextract extractor using only the bundled suffix-list snapshot (no network, no disk cache)."""
    import tldextract

    return tldextract.TLDExtract(
        suffix_list_urls=(),
        cache_dir=None,
        fallback_to_snapshot=True,
        include_psl_private_domains=True,
    )


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

    The scheme is optional. Uses tldextract's bundled Public Suffix List
    snapshot only (nothing is downloaded), private suffixes included, so
    "jane.blogspot.com" stays "jane.blogspot.com". A host without a
    registered domain (an IP address, "localhost") is returned as is;
    None when there is no host at all.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    host = _url_host(url)
    if not host:
        return None
    return _tld_extractor().extract_str(host).top_domain_under_public_suffix or host


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


def _blake24(text: str) -> str:
    """24 hex characters: blake2b with a 12-byte digest of UTF-8 ``text``."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def article_id(
    url: Optional[str], source: Optional[str], entry_id: Optional[str], content_hash: str
) -> str:
    """Stable article id: a one-letter scheme prefix + 24 hex characters.

    * ``"u" + blake2b12(canonical_url(url))`` when the URL canonicalises;
    * else ``"e" + blake2b12(f"{source}\\x00{entry_id}")`` when ``entry_id`` is
      non-blank (source None counts as ""; entry_id is stripped);
    * else ``"h" + content_hash[:24]`` (the hex SHA-256 of the normalised text).

    ``blake2b12`` is ``hashlib.blake2b(utf8, digest_size=12).hexdigest()``.
    Raises ValueError if it has to fall back to an empty ``content_hash``.
    """
    canon = canonical_url(url)
    if canon:
        return "u" + _blake24(canon)
    entry = entry_id.strip() if isinstance(entry_id, str) else ""
    if entry:
        return "e" + _blake24(f"{source or ''}\x00{entry}")
    if not content_hash:
        raise ValueError("article_id: no url, no entry_id and an empty content_hash")
    return "h" + content_hash[:24].lower()
