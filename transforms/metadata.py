"""Article metadata helpers: dates, language, hashes, URLs, sources, ids.

Pure Python (no Beam import) so every function is unit-testable and cheap to
call from any DoFn. Regexes are compiled once at import; the heavy objects
(the py3langid model, the tldextract extractor) are built lazily, once per
process, by cached getters -- never at import time.

Everything here is deterministic across processes and machines (no ``hash()``,
no network): ids and fingerprints computed on one worker match another's.
"""
import calendar
import email.utils
import functools
import hashlib
import re
import time
import unicodedata
from datetime import date, datetime, timedelta, timezone
from typing import Optional, Tuple
from urllib.parse import unquote, urlsplit, urlunsplit

from dateutil import parser as _dateutil_parser

__all__ = [
    "parse_datetime_utc",
    "detect_language",
    "normalise_language",
    "normalise_text_for_hash",
    "content_hash",
    "simhash64",
    "hamming_distance",
    "word_count",
    "canonical_url",
    "source_from_url",
    "source_slug",
    "article_id",
    "split_authors",
    "clean_topics",
]

# --------------------------------------------------------------------------- dates

_MIN_YEAR = 1900
_MAX_FUTURE = timedelta(days=2)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# dateutil fallback only: the string must carry a plausible 4-digit year, so
# "10:00" or "3" are not silently read as "today".
_YEAR_RE = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
# Zone abbreviations for free-form strings (dateutil knows none by itself and
# would otherwise consult the machine's local zone). Unknown names => UTC.
_TZ_OFFSETS = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "IST": 5.5,  # India, not Irish
    "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
    "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
}
_DATEUTIL_DEFAULT = datetime(2000, 1, 1)  # missing month/day -> 1st, missing time -> 00:00


def _dateutil_tzinfo(name, offset):
    """dateutil ``tzinfos`` callback: numeric offset, else a known abbreviation, else None (UTC)."""
    if offset is not None:
        return timezone(timedelta(seconds=offset))
    hours = _TZ_OFFSETS.get((name or "").upper())
    return None if hours is None else timezone(timedelta(hours=hours))


def _to_utc(dt: datetime) -> datetime:
    """Aware UTC copy of ``dt``; a naive value is taken to already be UTC."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _plausible(dt: Optional[datetime]) -> Optional[datetime]:
    """``dt`` if it is between 1900-01-01 and now + 2 days, else None."""
    if dt is None or dt.year < _MIN_YEAR:
        return None
    if dt > datetime.now(timezone.utc) + _MAX_FUTURE:
        return None
    return dt


def _parse_date_string(value: str) -> Optional[datetime]:
    """ISO 8601, then RFC 822/2822, then dateutil (only if a 4-digit year is present).

    email.utils returns a naive value both for "-0000" and for zone names it
    does not know ("CET"), so a naive RFC 822 result is re-read by dateutil,
    which resolves the abbreviations above, and kept only if that fails.
    """
    text = " ".join(value.split())
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    rfc822 = None
    try:
        rfc822 = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    if rfc822 is not None and rfc822.tzinfo is not None:
        return rfc822
    if not _YEAR_RE.search(text):
        return rfc822
    try:
        return _dateutil_parser.parse(text, default=_DATEUTIL_DEFAULT, tzinfos=_dateutil_tzinfo)
    except (ValueError, OverflowError):
        return rfc822


def parse_datetime_utc(value) -> Optional[datetime]:
    """Parse ``value`` into an aware UTC datetime (microsecond precision), or None.

    Accepts a ``datetime`` (naive => UTC), a ``date`` (midnight UTC), a
    ``time.struct_time`` (feedparser's ``*_parsed`` fields, already UTC),
    int/float epoch seconds, bytes/str in ISO 8601, RFC 822/2822 (numeric
    offsets, GMT/UT/Z and US zone names) or common free-form dates such as
    "March 3, 2022". Returns None for empty, unparseable or absurd values
    (year < 1900 or more than 2 days in the future). Never raises.
    """
    try:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, datetime):
            dt = _to_utc(value)
        elif isinstance(value, date):
            dt = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
        elif isinstance(value, time.struct_time):
            dt = _EPOCH + timedelta(seconds=calendar.timegm(value))
        elif isinstance(value, (int, float)):
            dt = datetime.fromtimestamp(value, tz=timezone.utc)
        elif isinstance(value, (bytes, str)):
            if isinstance(value, bytes):
                value = value.decode("utf-8", errors="replace")
            parsed = _parse_date_string(value)
            dt = _to_utc(parsed) if parsed is not None else None
        else:
            return None
        return _plausible(dt)
    except Exception:  # noqa: BLE001 -- contract: never raises on bad input
        return None


# --------------------------------------------------------------------------- language

_LANGID_SAMPLE_CHARS = 2000
_LANGID_MIN_WORDS = 3
_LANGID_MIN_PROB = 0.5
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A "word of letters": a run of letters, or a single CJK/kana character
# (those scripts do not separate words with spaces).
_LETTER_WORD_RE = re.compile(rf"[{_CJK}]|[^\W\d_{_CJK}]+")

_ISO639_1 = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu "
    "cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he "
    "hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko "
    "kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd "
    "ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se "
    "sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty "
    "ug uk ur uz ve vi vo wa wo xh yi yo za zh zu".split()
)
# Deprecated 2-letter codes, common ISO 639-2/3 codes (incl. the 3-letter
# labels py3langid emits) and English names, mapped to ISO 639-1.
_LANGUAGE_ALIASES = {
    "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro",
    "ara": "ar", "ary": "ar", "arz": "ar", "ben": "bn", "bul": "bg", "cat": "ca",
    "ces": "cs", "cze": "cs", "chi": "zh", "zho": "zh", "cmn": "zh", "yue": "zh",
    "wuu": "zh", "dan": "da", "deu": "de", "ger": "de", "ell": "el", "gre": "el",
    "eng": "en", "est": "et", "fas": "fa", "per": "fa", "fin": "fi", "fra": "fr",
    "fre": "fr", "fuv": "ff", "gug": "gn", "heb": "he", "hin": "hi", "hrv": "hr",
    "hun": "hu", "ind": "id", "ita": "it", "jpn": "ja", "kik": "ki", "kor": "ko",
    "lav": "lv", "lit": "lt", "msa": "ms", "may": "ms", "nld": "nl", "dut": "nl",
    "nob": "nb", "nno": "nn", "nor": "no", "pol": "pl", "por": "pt", "ron": "ro",
    "rum": "ro", "rus": "ru", "sdh": "ku", "slk": "sk", "slo": "sk", "slv": "sl",
    "spa": "es", "srp": "sr", "swe": "sv", "tha": "th", "tur": "tr", "ukr": "uk",
    "urd": "ur", "uzs": "uz", "vie": "vi",
    "english": "en", "french": "fr", "german": "de", "spanish": "es",
    "italian": "it", "portuguese": "pt", "dutch": "nl", "russian": "ru",
    "chinese": "zh", "japanese": "ja", "arabic": "ar",
}
_LANG_TAG_RE = re.compile(r"[a-z]+")
_LANG_SPLIT_RE = re.compile(r"[-_,;\s]")


@functools.lru_cache(maxsize=1)
def _language_identifier():
    """The py3langid model with normalised probabilities (loaded once per process)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def normalise_language(value: Optional[str]) -> Optional[str]:
    """ISO 639-1 code for a declared language tag, or None.

    "en-US", "EN", "en_GB", "eng", "English" -> "en"; "zh-Hans" -> "zh";
    "iw" -> "he". Only the primary subtag of the first tag in a list
    ("en-US,en;q=0.9") is used. Unknown or malformed values -> None.
    """
    if not isinstance(value, str):
        return None
    primary = _LANG_SPLIT_RE.split(value.strip().lower(), maxsplit=1)[0]
    if not _LANG_TAG_RE.fullmatch(primary):
        return None
    if primary in _ISO639_1:
        return primary
    return _LANGUAGE_ALIASES.get(primary)


def detect_language(text: str) -> Optional[str]:
    """ISO 639-1 code of ``text`` detected by py3langid, or None.

    Only the first 2000 characters are examined. Returns None when the
    sample has fewer than 3 words of letters, when the top normalised
    probability is below 0.5, or when the label has no ISO 639-1 code.
    """
    if not text:
        return None
    sample = text[:_LANGID_SAMPLE_CHARS]
    words = 0
    for _ in _LETTER_WORD_RE.finditer(sample):
        words += 1
        if words >= _LANGID_MIN_WORDS:
            break
    else:
        return None
    label, prob = _language_identifier().classify(sample)
    if prob < _LANGID_MIN_PROB:
        return None
    return normalise_language(label)


# --------------------------------------------------------------------------- hashing

_WORD_RE = re.compile(r"\w+")
_MASK64 = (1 << 64) - 1
_SIGN64 = 1 << 63


def normalise_text_for_hash(text: str) -> str:
    """The text reduced to its words: NFKC, casefolded, ``\\w+`` tokens joined by one space.

    Case, whitespace and punctuation-only differences (quotes, dashes,
    ellipses, trailing full stops) therefore vanish; word order is kept.
    """
    if not text:
        return ""
    return _normalised(text)


@functools.lru_cache(maxsize=16)
def _normalised(text: str) -> str:
    """Memoised body of normalise_text_for_hash: content_hash and simhash64 of one text share it."""
    return " ".join(_WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold()))


def content_hash(text: str) -> str:
    """Hex SHA-256 of ``normalise_text_for_hash(text)``."""
    return hashlib.sha256(normalise_text_for_hash(text).encode("utf-8")).hexdigest()


def _to_int64(unsigned: int) -> int:
    """Reinterpret a 64-bit unsigned value as a signed int64."""
    return unsigned - (1 << 64) if unsigned & _SIGN64 else unsigned


def _majority_bits(blob: bytes, count: int) -> int:
    """Bits set in more than half of the ``count`` big-endian 8-byte words packed in ``blob``.

    Column sums without a per-bit loop per word: byte position ``pos`` of
    every word is gathered (``blob[pos::8]``) into one big int, and bit
    ``b`` of all those bytes is counted at once with a mask that has bit
    ``b`` set in every byte, then ``int.bit_count``. 64 big-int ANDs in all.
    """
    ones = int.from_bytes(b"\x01" * count, "big")
    masks = [(ones << bit, 1 << bit) for bit in range(8)]
    half = count / 2
    result = 0
    for pos in range(8):
        column = int.from_bytes(blob[pos::8], "big")
        byte = 0
        for mask, flag in masks:
            if (column & mask).bit_count() > half:
                byte |= flag
        result |= byte << ((7 - pos) * 8)
    return result


def simhash64(text: str) -> int:
    """64-bit SimHash of ``text`` as a signed int64 (0 for text without words).

    Features are word 3-shingles of ``normalise_text_for_hash(text)`` (the
    whole text is one feature when it has fewer than 3 words), each hashed
    with blake2b (8-byte digest read big-endian; stable across processes),
    all weighted 1. Bit i of the result is set when more than half of the
    features have bit i set.
    """
    words = normalise_text_for_hash(text).encode("utf-8").split()
    if not words:
        return 0
    if len(words) < 3:
        shingles = [b" ".join(words)]
    else:
        shingles = list(map(b" ".join, zip(words, words[1:], words[2:])))
    blake = hashlib.blake2b
    blob = b"".join([blake(s, digest_size=8).digest() for s in shingles])
    return _to_int64(_majority_bits(blob, len(shingles)))


def hamming_distance(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints (signed or unsigned)."""
    return ((a ^ b) & _MASK64).bit_count()


def word_count(text: str) -> int:
    """Number of unicode ``\\w+`` tokens in ``text``."""
    if not text:
        return 0
    return len(_WORD_RE.findall(text))


# --------------------------------------------------------------------------- urls

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid"}
)


def _is_tracking_param(segment: str) -> bool:
    """True for a ``key[=value]`` query segment whose key is a tracking parameter."""
    key = unquote(segment.split("=", 1)[0]).strip().lower()
    return key.startswith("utm_") or key in _TRACKING_PARAMS


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
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    query = "&".join(
        seg for seg in parts.query.split("&") if seg and not _is_tracking_param(seg)
    )
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


# --------------------------------------------------------------------------- people and topics

_BYLINE_PREFIX_RE = re.compile(
    r"^(?:(?:written|reported|words|text|story)\s+)?by\b\s*:?\s*", re.IGNORECASE
)
_AUTHOR_SEP_RE = re.compile(r"\s*[,;|\n]\s*|\s+(?:and|&)\s+", re.IGNORECASE)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_EMAIL_THEN_NAME_RE = re.compile(rf"^\s*{_EMAIL}\s*\(([^)]*)\)\s*$")  # RSS "a@b.c (Name)"
_EMAIL_RE = re.compile(rf"\(\s*(?:mailto:)?{_EMAIL}\s*\)|<\s*{_EMAIL}\s*>|{_EMAIL}")


def _author_names(text: str):
    """Yield the individual names in one byline string."""
    match = _EMAIL_THEN_NAME_RE.match(text)
    if match:
        text = match.group(1)
    text = _EMAIL_RE.sub(" ", text)
    for part in _AUTHOR_SEP_RE.split(text):
        part = " ".join(_BYLINE_PREFIX_RE.sub("", part.strip()).split()).strip(" .:-")
        if any(c.isalpha() for c in part):
            yield part


def _dedupe(items) -> Tuple[str, ...]:
    """``items`` without case-insensitive duplicates, first spelling and order kept."""
    seen, out = set(), []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def split_authors(value) -> Tuple[str, ...]:
    """Author names from a byline string, a list of strings, or feedparser author dicts.

    "By Jane Doe and John Smith", "Jane Doe, John Smith" and "Jane Doe;
    John Smith" all give ("Jane Doe", "John Smith"). A leading "By" is
    removed, e-mail addresses are dropped (RSS "jane@x.org (Jane Doe)" gives
    "Jane Doe"), dicts contribute their "name", duplicates are removed
    case-insensitively and order is kept.
    """
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, dict)) else value
    if not hasattr(items, "__iter__"):
        return ()
    names = []
    for item in items:
        if hasattr(item, "get"):
            item = item.get("name")
        if isinstance(item, str):
            names.extend(_author_names(item))
    return _dedupe(names)


def clean_topics(values) -> Tuple[str, ...]:
    """Topics stripped (inner whitespace collapsed), empties dropped, case-insensitive duplicates removed.

    Accepts None, one string (a single topic), or an iterable of strings or
    of feedparser tag dicts (their "term", else "label"). Order is kept.
    """
    if values is None:
        return ()
    items = [values] if isinstance(values, (str, dict)) else values
    if not hasattr(items, "__iter__"):
        return ()
    topics = []
    for item in items:
        if hasattr(item, "get"):
            item = item.get("term") or item.get("label")
        if isinstance(item, str):
            topic = " ".join(item.split())
            if topic:
                topics.append(topic)
    return _dedupe(topics)
