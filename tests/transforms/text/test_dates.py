"""Unit tests for transforms.text.dates (plain pytest, no Beam)."""
import sys
import time
import warnings
from datetime import datetime, timedelta, timezone

import pytest

from transforms.text.dates import RecordDate, parse_datetime_utc, parse_record_date

UTC = timezone.utc


STRING_CASES = [
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
]


@pytest.mark.parametrize("value, expected", STRING_CASES)
def test_parse_datetime_strings(value, expected):
    got = parse_datetime_utc(value)
    assert got == expected
    assert got.tzinfo is UTC


ZONE_CASES = [
    ("Thu, 03 Mar 2022 10:00:00 PST", datetime(2022, 3, 3, 18, 0, tzinfo=UTC)),
    ("Thursday, March 3, 2022 10:00 AM EST", datetime(2022, 3, 3, 15, 0, tzinfo=UTC)),
    ("03/03/2022 10:00 CEST", datetime(2022, 3, 3, 8, 0, tzinfo=UTC)),
    ("Thu, 3 Mar 22 10:00 GMT", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),
    ("3 March 2022 10:00 XYZ", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),  # unknown zone: UTC
    ("March 2022", datetime(2022, 3, 1, tzinfo=UTC)),
    ("March 3, 2022 15:30 IST", datetime(2022, 3, 3, 10, 0, tzinfo=UTC)),
    ("March 3, 2022 10:00 +0100", datetime(2022, 3, 3, 9, 0, tzinfo=UTC)),
    ("Thursday 3 March 2022, 10:00 -05:00", datetime(2022, 3, 3, 15, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize("value, expected", ZONE_CASES)
def test_parse_datetime_zone_names(value, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no dateutil UnknownTimezoneWarning
        assert parse_datetime_utc(value) == expected


def _words_printed_in_another_zone(code: str) -> list:
    """What ``code`` prints, split into words, run in a fresh interpreter whose local zone is UTC+3."""
    import subprocess

    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"TZ": "XYZ-3", "PYTHONPATH": "."},
    ).stdout.split()


def test_parse_datetime_ignores_the_machine_time_zone():
    code = (
        "from transforms.text.dates import parse_datetime_utc as p;"
        "print(p('3 March 2022 10:00 XYZ').isoformat(), p('March 3, 2022 10:00').isoformat())"
    )
    out = _words_printed_in_another_zone(code)
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


GARBAGE = [None, "", "   ", "garbage", "not a date at all", "10:00", "3", True, object(), [2022],
           "1850-01-01T00:00:00Z", float("nan"), 10**20, "2022-13-45", "Thu, 99 Foo 2022"]


@pytest.mark.parametrize("value", GARBAGE)
def test_parse_datetime_rejects_garbage(value):
    assert parse_datetime_utc(value) is None


def test_parse_datetime_rejects_far_future_but_allows_near_future():
    now = datetime.now(UTC)
    assert parse_datetime_utc((now + timedelta(days=3)).isoformat()) is None
    assert parse_datetime_utc(now + timedelta(days=30)) is None
    soon = parse_datetime_utc((now + timedelta(hours=12)).isoformat())
    assert soon is not None and soon > now


# --- parse_record_date --------------------------------------------------------

def at(*args):
    return RecordDate(datetime(*args, tzinfo=UTC), False)


UNPARSED = RecordDate(None, True)


@pytest.mark.parametrize("value", [None, "", "   ", " \n\t", b"  ", [], (), ["", None, "  "]])
def test_record_date_absent_is_not_unparsed(value):
    assert parse_record_date(value) == RecordDate(None, False)
    assert parse_record_date(value, language="fr", url="https://www.lemonde.fr/") == (None, False)


@pytest.mark.parametrize("value, expected", STRING_CASES + ZONE_CASES)
def test_record_date_keeps_parse_datetime_utc_results(value, expected):
    got = parse_record_date(value)
    assert got == RecordDate(expected, False) == RecordDate(parse_datetime_utc(value), False)
    assert got.at.tzinfo is UTC


def test_record_date_keeps_parse_datetime_utc_results_for_objects():
    st = time.strptime("2022-03-03 10:00:00", "%Y-%m-%d %H:%M:%S")
    plus_two = timezone(timedelta(hours=2))
    for value in (datetime(2022, 3, 3, 10), datetime(2022, 3, 3, 12, tzinfo=plus_two), st,
                  1646301600, 1646301600.5, datetime(2022, 3, 3).date(), "2024", "20240312"):
        assert parse_record_date(value) == RecordDate(parse_datetime_utc(value), False)
        assert parse_record_date(value).at is not None


@pytest.mark.parametrize("value", [v for v in GARBAGE if v != [2022]])  # [2022] reads as int 2022
def test_record_date_garbage_is_unparsed(value):
    expected = RecordDate(None, False) if value in (None, "", "   ") else UNPARSED
    assert parse_record_date(value) == expected


@pytest.mark.parametrize(
    "value, language, url, expected",
    [
        ("12/03/2024", "fr", None, at(2024, 3, 12)),
        ("12/03/2024", "fr-FR", None, at(2024, 3, 12)),
        ("12.03.2024 10:00", "de", None, at(2024, 3, 12, 10)),
        ("12-03-2024", "es_ES", None, at(2024, 3, 12)),
        ("12/03/2024", "en-GB", None, at(2024, 3, 12)),
        ("12/03/2024", "en", None, at(2024, 12, 3)),
        ("12/03/2024", "en-us", None, at(2024, 12, 3)),
        ("12/03/2024", None, None, at(2024, 12, 3)),  # no hint: dateutil's month-first
        ("12/03/2024", None, "https://www.lemonde.fr/politique/article.html", at(2024, 3, 12)),
        ("12.03.2024 10:00", None, "https://www.spiegel.de/x", at(2024, 3, 12, 10)),
        ("12/03/2024", None, "https://www.bbc.co.uk/news/1", at(2024, 3, 12)),
        ("12/03/2024", "en", "https://www.bbc.co.uk/news/1", at(2024, 3, 12)),
        ("12/03/2024", None, "https://www.nytimes.com/2024/x", at(2024, 12, 3)),
        ("12/03/2024", None, "https://example.us/x", at(2024, 12, 3)),
        ("12/03/2024", "en-US", "https://www.lemonde.fr/", at(2024, 12, 3)),  # language wins
        ("13/03/2024", None, None, at(2024, 3, 13)),  # unambiguous
        ("2024/03/12", "fr", None, at(2024, 3, 12)),  # year first is not flipped
        ("2024-03-12", "fr", None, at(2024, 3, 12)),
        ("12/03/2024", None, "http://[not a url", at(2024, 12, 3)),  # bad URL: no hint
    ],
)
def test_record_date_ambiguous_numeric_dates_follow_the_hint(value, language, url, expected):
    assert parse_record_date(value, language=language, url=url) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (1709251200, at(2024, 3, 1)),
        ("1709251200", at(2024, 3, 1)),
        (1709251200.25, at(2024, 3, 1, 0, 0, 0, 250000)),
        (1709251200000, at(2024, 3, 1)),
        ("1709251200000", at(2024, 3, 1)),
        (1709251200123, at(2024, 3, 1, 0, 0, 0, 123000)),
        (1709251200123456, at(2024, 3, 1, 0, 0, 0, 123456)),
        ("1709251200123456", at(2024, 3, 1, 0, 0, 0, 123456)),
    ],
)
def test_record_date_epoch_seconds_and_milliseconds(value, expected):
    assert parse_record_date(value) == expected


@pytest.mark.parametrize(
    "value", [10**20, "100000000000000000000", float("nan"), float("inf"), -10**13, "123", "99999"]
)
def test_record_date_implausible_epochs_are_unparsed(value):
    assert parse_record_date(value) == UNPARSED


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-W10", at(2024, 3, 4)),
        ("2024-W10-3", at(2024, 3, 6)),
        ("2024W103", at(2024, 3, 6)),
        ("2024w10", at(2024, 3, 4)),
        ("2021-W01-1", at(2021, 1, 4)),
    ],
)
def test_record_date_iso_week_dates(value, expected):
    assert parse_record_date(value) == expected


def test_record_date_invalid_iso_week_is_unparsed():
    assert parse_record_date("2024-W54") == UNPARSED


@pytest.mark.parametrize(
    "value, language, url, expected",
    [
        ("14 mars 2024", None, None, at(2024, 3, 14)),
        ("14 mars 2024", "fr", None, at(2024, 3, 14)),
        ("lundi 12 mars 2024 à 10h30", "fr", None, at(2024, 3, 12, 10, 30)),
        ("3. März 2024 14:30", "de", None, at(2024, 3, 3, 14, 30)),
        ("3. März 2024 14:30", None, None, at(2024, 3, 3, 14, 30)),
        ("3. März 2024", None, "https://www.spiegel.de/a", at(2024, 3, 3)),
        ("12 de marzo de 2024", None, None, at(2024, 3, 12)),
        ("12 de marzo de 2024", "es", None, at(2024, 3, 12)),
        ("14 marzo 2024", "it", None, at(2024, 3, 14)),
        ("1 Ιανουαρίου 2024", None, None, at(2024, 1, 1)),
        ("1 Ιανουαρίου 2024", "el", None, at(2024, 1, 1)),
        ("mars 2024", "fr", None, at(2024, 3, 1)),  # no day: the 1st
        ("12 mars 2024 10:00 CET", "fr", None, at(2024, 3, 12, 9)),
    ],
)
def test_record_date_month_names_in_other_languages(value, language, url, expected):
    assert parse_record_date(value, language=language, url=url) == expected


@pytest.mark.parametrize(
    "value, language",
    [("sometime soon", None), ("yesterday", None), ("yesterday", "en"), ("today", None),
     ("now", None), ("2 hours ago", None), ("hier", "fr"), ("gestern", "de"),
     ("il y a 2 heures", "fr"), ("14 mars", "fr"), ("2024 foo bar", None)],
)
def test_record_date_relative_and_garbage_strings_are_unparsed(value, language):
    assert parse_record_date(value, language=language) == UNPARSED


def test_record_date_implausible_dates_are_unparsed():
    now = datetime.now(UTC)
    assert parse_record_date((now + timedelta(days=3)).isoformat()) == UNPARSED
    assert parse_record_date(now + timedelta(days=30)) == UNPARSED
    assert parse_record_date("1 janvier 2999", language="fr") == UNPARSED
    assert parse_record_date("1850-01-01") == UNPARSED
    assert parse_record_date("14 mars 1850", language="fr") == UNPARSED
    soon = parse_record_date((now + timedelta(hours=12)).isoformat())
    assert soon.at is not None and soon.at > now and not soon.unparsed


@pytest.mark.parametrize(
    "value, language, url",
    [(object(), None, None), ({"a": 1}, None, None), (True, None, None),
     ("12/03/2024", 5, 7), ("14 mars 2024", "xx-YY", "::::"), (["", "garbage"], None, None)],
)
def test_record_date_never_raises(value, language, url):
    got = parse_record_date(value, language=language, url=url)
    assert isinstance(got, RecordDate)
    assert (got.at is None) == got.unparsed


def test_record_date_reads_the_first_item_of_a_list():
    assert parse_record_date(["", "2024-03-01T10:00:00Z"]) == at(2024, 3, 1, 10)


def test_record_date_imports_dateparser_only_when_needed_and_ignores_the_machine_zone():
    code = (
        "import sys; from transforms.text.dates import parse_record_date as p;"
        "print(p('12/03/2024', 'fr').at.isoformat(), 'dateparser' in sys.modules);"
        "print(p('14 mars 2024 10:00', 'fr').at.isoformat(), 'dateparser' in sys.modules)"
    )
    out = _words_printed_in_another_zone(code)
    assert out == ["2024-03-12T00:00:00+00:00", "False", "2024-03-14T10:00:00+00:00", "True"]
