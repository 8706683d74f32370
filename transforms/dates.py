"""Dates: ``parse_datetime_utc`` turns any declared date into an aware UTC datetime.

Pure Python (no Beam import). ISO 8601 first, then RFC 822/2822, then dateutil
for free-form dates; zone abbreviations come from a fixed table, never from the
machine's local zone, so every worker reads a date the same way.
"""
import calendar
import email.utils
import re
import time
from datetime import date, datetime, timedelta, timezone
from typing import Optional

from dateutil import parser as _dateutil_parser

__all__ = ["parse_datetime_utc"]

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


def _parse_rfc822(text: str) -> Optional[datetime]:
    """email.utils' RFC 822/2822 reading of ``text``, or None."""
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


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
    rfc822 = _parse_rfc822(text)
    if (rfc822 is not None and rfc822.tzinfo is not None) or not _YEAR_RE.search(text):
        return rfc822
    try:
        return _dateutil_parser.parse(text, default=_DATEUTIL_DEFAULT, tzinfos=_dateutil_tzinfo)
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
