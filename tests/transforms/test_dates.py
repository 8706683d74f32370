"""Unit tests for transforms.dates (plain pytest, no Beam)."""
import sys
import time
import warnings
from datetime import datetime, timedelta, timezone

import pytest

from transforms.dates import parse_datetime_utc

UTC = timezone.utc


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2022-03-03T10:00:00+01:00", datetime(2022, 3, 3, 9, 0, tzinfo=UTC)),
        ("2022-03-03T10:00:00-05:00", datetime(2022, 3, 3, 15, 0, tzinfo=UTC)),
        ("2022-03-03T10:00:00Z", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),
        ("2022-03-03T10:00:00.123456789Z", datetime(2022, 3, 3, 10, 0, 0, 123456, tzinfo=UTC)),
        ("Thu, 03 Mar 2022 10:00:00 +0100", datetime(2022, 3, 3, 9, 0, tzinfo=UTC)),
        ("Thu, 03 Mar 2022 10:00:00 GMT", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),
        ("Thu, 03 Mar 2022 10:00:00 EST", datetime(2022, 3, 3, 15, 0, tzinfo=UTC)),
        ("Thu, 03 Mar 2022 10:00:00 -0000", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),
        ("March 3, 2022", datetime(2022, 3, 3, tzinfo=UTC)),
        ("3 March 2022 10:00 CET", datetime(2022, 3, 3, 9, 0, tzinfo=UTC)),
        ("2022-03-03", datetime(2022, 3, 3, tzinfo=UTC)),
        ("  2022-03-03T10:00:00Z \n", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),
        (b"2022-03-03T10:00:00Z", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),
    ],
)
def test_parse_datetime_strings(value, expected):
    got = parse_datetime_utc(value)
    assert got == expected
    assert got.tzinfo is UTC


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Thu, 03 Mar 2022 10:00:00 PST", datetime(2022, 3, 3, 18, 0, tzinfo=UTC)),
        ("Thursday, March 3, 2022 10:00 AM EST", datetime(2022, 3, 3, 15, 0, tzinfo=UTC)),
        ("03/03/2022 10:00 CEST", datetime(2022, 3, 3, 8, 0, tzinfo=UTC)),
        ("Thu, 3 Mar 22 10:00 GMT", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),
        ("3 March 2022 10:00 XYZ", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),  # unknown zone: UTC
        ("March 2022", datetime(2022, 3, 1, tzinfo=UTC)),
        ("March 3, 2022 15:30 IST", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),
        ("March 3, 2022 10:00 +0100", datetime(2022, 3, 3, 9, 0, tzinfo=UTC)),
        ("Thursday 3 March 2022, 10:00 -05:00", datetime(2022, 3, 3, 15, 0, tzinfo=UTC)),
    ],
)
def test_parse_datetime_zone_names(value, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no dateutil UnknownTimezoneWarning
        assert parse_datetime_utc(value) == expected


def test_parse_datetime_ignores_the_machine_time_zone():
    import subprocess

    code = (
        "from transforms.dates import parse_datetime_utc as p;"
        "print(p('3 March 2022 10:00 XYZ').isoformat(), p('March 3, 2022 10:00').isoformat())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"TZ": "XYZ-3", "PYTHONPATH": "."},
    ).stdout.split()
    assert out == ["2022-03-03T10:00:00+00:00", "2022-03-03T10:00:00+00:00"]


def test_parse_datetime_naive_and_aware_datetimes():
    assert parse_datetime_utc(datetime(2022, 3, 3, 10, 0)) == datetime(2022, 3, 3, 10, tzinfo=UTC)
    plus_two = timezone(timedelta(hours=2))
    got = parse_datetime_utc(datetime(2022, 3, 3, 10, 0, tzinfo=plus_two))
    assert got == datetime(2022, 3, 3, 8, 0, tzinfo=UTC) and got.tzinfo is UTC


def test_parse_datetime_struct_time_is_utc():
    st = time.strptime("2022-03-03 10:00:00", "%Y-%m-%d %H:%M:%S")  # as feedparser's *_parsed
    assert parse_datetime_utc(st) == datetime(2022, 3, 3, 10, 0, tzinfo=UTC)


def test_parse_datetime_epoch_seconds():
    assert parse_datetime_utc(1646301600) == datetime(2022, 3, 3, 10, 0, tzinfo=UTC)
    assert parse_datetime_utc(1646301600.5) == datetime(2022, 3, 3, 10, 0, 0, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "garbage", "not a date at all", "10:00", "3", True, object(), [2022],
     "1850-01-01T00:00:00Z", float("nan"), 10**20, "2022-13-45", "Thu, 99 Foo 2022"],
)
def test_parse_datetime_rejects_garbage(value):
    assert parse_datetime_utc(value) is None


def test_parse_datetime_rejects_far_future_but_allows_near_future():
    now = datetime.now(UTC)
    assert parse_datetime_utc((now + timedelta(days=3)).isoformat()) is None
    assert parse_datetime_utc(now + timedelta(days=30)) is None
    soon = parse_datetime_utc((now + timedelta(hours=12)).isoformat())
    assert soon is not None and soon > now
