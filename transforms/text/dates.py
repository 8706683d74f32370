"""Dates: ``parse_datetime_utc`` turns any declared date into an aware UTC datetime.

Pure Python (no Beam import). ISO 8601 first, then RFC 822/2822, then dateutil
for free-form dates; zone abbreviations come from a fixed table, never from the
machine's local zone, so every worker reads a date the same way.

``parse_record_date`` reads a date from a record (JSONL field, feed string) with
a language/URL hint and says whether a non-empty value could not be read
(``RecordDate(at, unparsed)``). On top of ``parse_datetime_utc`` (same results,
except ambiguous numeric dates) it reads epoch seconds/milliseconds/microseconds,
ISO week dates, day-first "12/03/2024" when the hint's locale writes the day
first, and month names in other languages through ``dateparser`` (imported
lazily, called only when the cheap parsers failed, only for strings with a
4-digit year, absolute dates only: "yesterday" or "2 hours ago" are unparsed).
"""
import calendar
import email.utils
import functools
import re
import time
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple, Optional
from urllib.parse import urlsplit

from dateutil import parser as _dateutil_parser

__all__ = ["RecordDate", "parse_datetime_utc", "parse_record_date"]

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

# --- parse_record_date -------------------------------------------------------
# Epoch digit strings: 9+ digits (shorter ones are years, ids or page numbers).
_EPOCH_TEXT_RE = re.compile(r"[+-]?\d{9,}(?:\.\d+)?")
# |number| below 1e11 is seconds (up to year 5138), below 1e14 milliseconds,
# below 1e17 microseconds; anything larger is absurd.
_EPOCH_SECONDS_BOUND = 1e11
_EPOCH_SUBSECOND_UNITS = ((1e14, 1_000), (1e17, 1))  # (bound, microseconds per unit)
_ISO_WEEK_RE = re.compile(r"(\d{4})-?W(\d{2})(?:-?([1-7]))?", re.IGNORECASE)
# Day/month first, then a 4-digit year: "12/03/2024", "12.03.2024 10:00".
_AMBIGUOUS_NUMERIC_RE = re.compile(r"(?<![\d./-])\d{1,2}([./-])\d{1,2}\1\d{4}(?!\d)")
# "fr", "fr-FR", "en_us", "zh-Hant-TW": language, optional script, optional region.
_LANGUAGE_RE = re.compile(
    r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z]{4})?(?:[-_]([A-Za-z]{2}|\d{3}))?(?![A-Za-z])"
)
_LANGUAGE_ALIASES = {"no": "nb", "iw": "he", "in": "id"}  # old/macro codes -> dateparser's
_MONTH_FIRST_ENGLISH = frozenset({"", "US", "PH"})  # "en" without region reads as US
# Country-code TLD -> dateparser language (None: several languages); all day-first.
_DAY_FIRST_TLDS = {
    "fr": "fr", "de": "de", "at": "de", "es": "es", "mx": "es", "ar": "es", "it": "it",
    "pt": "pt", "br": "pt", "nl": "nl", "ru": "ru", "pl": "pl", "gr": "el", "se": "sv",
    "dk": "da", "no": "nb", "fi": "fi", "cz": "cs", "tr": "tr", "ro": "ro", "hu": "hu",
    "ua": "uk", "uk": "en", "ie": "en", "au": "en", "nz": "en", "za": "en",
    "be": None, "ch": None, "lu": None, "in": None,
}
# Without a language hint dateparser only tries these (all 200+ is slow and misreads).
_DATEPARSER_LANGUAGES = (
    "en", "fr", "de", "es", "it", "pt", "nl", "ru", "pl", "el",
    "sv", "da", "nb", "fi", "cs", "tr", "ro", "hu", "uk",
)
_DATEPARSER_SETTINGS = {
    "RETURN_AS_TIMEZONE_AWARE": True, "TIMEZONE": "UTC", "TO_TIMEZONE": "UTC",
    "PREFER_DAY_OF_MONTH": "first", "PARSERS": ["absolute-time"],  # no "yesterday"/"2 hours ago"
    "RELATIVE_BASE": _DATEUTIL_DEFAULT,  # missing parts never come from the clock
}


class RecordDate(NamedTuple):
    """``at``: aware UTC or None; ``unparsed``: a non-empty value could not be read."""

    at: Optional[datetime]
    unparsed: bool


class _Hint(NamedTuple):
    """Reading hint: dateparser language (None: try the common ones), day-first (None: unknown)."""

    language: Optional[str]
    day_first: Optional[bool]


_NO_HINT = _Hint(None, None)


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


def _parse_rfc822(text: str) -> Optional[datetime]:
    """email.utils' RFC 822/2822 reading of ``text``, or None."""
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_date_string(value: str, dayfirst: bool = False) -> Optional[datetime]:
    """ISO 8601, then RFC 822/2822, then dateutil (only if a 4-digit year is present).

    email.utils returns a naive value both for "-0000" and for zone names it
    does not know ("CET"), so a naive RFC 822 result is re-read by dateutil,
    which resolves the abbreviations above, and kept only if that fails.
    ``dayfirst`` is passed to dateutil ("12/03/2024" => 12 March).
    """
    text = " ".join(value.split())
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    rfc822 = _parse_rfc822(text)
    if (rfc822 is not None and rfc822.tzinfo is not None) or not _YEAR_RE.search(text):
        return rfc822
    try:
        return _dateutil_parser.parse(
            text, default=_DATEUTIL_DEFAULT, tzinfos=_dateutil_tzinfo, dayfirst=dayfirst
        )
    except (ValueError, OverflowError):
        return rfc822


def _as_utc_datetime(value) -> Optional[datetime]:
    """``value`` as an aware UTC datetime by its type, or None; may raise on absurd input."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _to_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if isinstance(value, time.struct_time):
        return _EPOCH + timedelta(seconds=calendar.timegm(value))
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if isinstance(value, (bytes, str)):
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        parsed = _parse_date_string(value)
        return _to_utc(parsed) if parsed is not None else None
    return None


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
        return _plausible(_as_utc_datetime(value))
    except Exception:  # noqa: BLE001 -- contract: never raises on bad input
        return None


def _url_hint(url: Optional[str]) -> _Hint:
    """Hint from the URL's country-code TLD (".fr", ".co.uk", ".us"); generic TLDs give none."""
    if not isinstance(url, str):
        return _NO_HINT
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:  # e.g. "http://[bad"
        return _NO_HINT
    tld = host.rstrip(".").rpartition(".")[2]
    if tld == "us":
        return _Hint("en", False)
    return _Hint(_DAY_FIRST_TLDS[tld], True) if tld in _DAY_FIRST_TLDS else _NO_HINT


def _date_hint(language: Optional[str], url: Optional[str]) -> _Hint:
    """Hint from ``language`` ("fr", "en-GB", "en_us"), else from the URL.

    Every language but English writes the day first; English does too except
    in the US/Philippines, and a bare "en" follows an English ccTLD (".co.uk")
    or else reads month first.
    """
    match = _LANGUAGE_RE.match(language) if isinstance(language, str) else None
    if match is None:
        return _url_hint(url)
    code, region = match.group(1).lower(), (match.group(2) or "").upper()
    if code != "en":
        return _Hint(_LANGUAGE_ALIASES.get(code, code), True)
    url_hint = _url_hint(url)
    if not region and url_hint.language == "en":
        return url_hint
    return _Hint("en", region not in _MONTH_FIRST_ENGLISH)


def _is_list(value) -> bool:
    """A JSON array (list or plain tuple; not a struct_time or other named tuple)."""
    return isinstance(value, list) or type(value) is tuple


def _is_absent(value) -> bool:
    """None, a blank string/bytes, or a list/tuple of such (an empty one included)."""
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        return not value.strip()
    if _is_list(value):
        return all(_is_absent(item) for item in value)
    return False


def _from_epoch(number) -> Optional[datetime]:
    """Epoch seconds, or milliseconds/microseconds when too large to be seconds; None if absurd."""
    if abs(number) < _EPOCH_SECONDS_BOUND:
        return datetime.fromtimestamp(number, tz=timezone.utc)
    for bound, micros_per_unit in _EPOCH_SUBSECOND_UNITS:
        if abs(number) < bound:
            return _EPOCH + timedelta(microseconds=number * micros_per_unit)
    return None  # also NaN and infinities


def _from_iso_week(match: "re.Match[str]") -> datetime:
    """Midnight UTC of an ISO week date (Monday when no weekday is given); may raise."""
    year, week, weekday = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    day = date.fromisocalendar(year, week, weekday)
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


@functools.lru_cache(maxsize=64)
def _dateparser_for(hint: _Hint):
    """A dateparser ``DateDataParser`` for ``hint`` (dateparser is slow to import: done here)."""
    from dateparser.data.languages_info import language_order
    from dateparser.date import DateDataParser

    known = hint.language in language_order
    languages = [hint.language] if known else list(_DATEPARSER_LANGUAGES)
    settings = dict(_DATEPARSER_SETTINGS)
    if hint.day_first is not None:
        settings["DATE_ORDER"] = "DMY" if hint.day_first else "MDY"
    return DateDataParser(languages=languages, settings=settings)


def _parse_with_dateparser(text: str, hint: _Hint) -> Optional[datetime]:
    """dateparser's absolute reading of ``text`` ("14 mars 2024") as UTC, or None."""
    found = _dateparser_for(hint).get_date_data(text).date_obj
    return None if found is None else _to_utc(found)


def _read_record_text(text: str, hint: _Hint) -> Optional[datetime]:
    """``text`` as UTC, or None (not plausibility-checked).

    ISO week date, then ``parse_datetime_utc``'s parsers (day-first per ``hint``),
    then epoch digits if those gave nothing plausible, then dateparser if they
    gave nothing at all and a 4-digit year is present.
    """
    week = _ISO_WEEK_RE.fullmatch(text)
    if week:
        return _from_iso_week(week)
    dayfirst = bool(hint.day_first) and _AMBIGUOUS_NUMERIC_RE.search(text) is not None
    parsed = _parse_date_string(text, dayfirst=dayfirst)
    parsed = None if parsed is None else _to_utc(parsed)
    if _plausible(parsed) is None and _EPOCH_TEXT_RE.fullmatch(text):
        return _from_epoch(float(text) if "." in text else int(text))
    if parsed is None and _YEAR_RE.search(text):
        return _parse_with_dateparser(text, hint)
    return parsed


def _read_record_value(value, hint: _Hint) -> Optional[datetime]:
    """``value`` (not absent) as an aware UTC datetime, or None; may raise on absurd input."""
    if _is_list(value):
        return _read_record_value(next(item for item in value if not _is_absent(item)), hint)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_epoch(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        return _read_record_text(" ".join(value.split()), hint)
    return _as_utc_datetime(value)


def parse_record_date(
    value, language: Optional[str] = None, url: Optional[str] = None
) -> RecordDate:
    """Read a record's date with a language/URL hint; ``unparsed`` reports unreadable values.

    Absent values (None, blank strings, empty lists) give ``RecordDate(None, False)``;
    a list gives its first non-blank item. Reads everything ``parse_datetime_utc``
    reads, with the same result, plus epoch s/ms/us (numbers and 9+ digit strings),
    ISO week dates ("2024-W10-3") and month names in other languages. An ambiguous
    "12/03/2024" is day-first when ``language`` (else the URL's ccTLD) writes the day
    first, month-first for US English and, as dateutil does, when there is no hint.
    Unreadable or implausible values (year < 1900, > now + 2 days) give
    ``RecordDate(None, True)``. Never raises.
    """
    try:
        if _is_absent(value):
            return RecordDate(None, False)
        at = _plausible(_read_record_value(value, _date_hint(language, url)))
    except Exception:  # noqa: BLE001 -- contract: never raises on bad input
        at = None
    return RecordDate(at, at is None)
