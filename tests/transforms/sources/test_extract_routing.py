"""Which units go through the time-limited page extractor: every HTML one, however spelled."""
import pytest

from transforms.sources.extract import needs_time_limit
from schemas.records import RawDocument


@pytest.mark.parametrize("data, fmt, expected", [
    (b"<html></html>", "html", True),
    (b'{"html": "<p>x</p>"}', "json", True),
    (b'{"ht\\u006dl": "<p>x</p>"}', "json", True),  # the same key, escaped
    (b'{"\\u0068\\u0074\\u006d\\u006c": "<p>x</p>"}', "json", True),
    (b'{"text": "caf\\u00e9"}', "json", False),  # escapes, but no html key
    (b'{"text": "plain"}', "json", False),
    (b'{"text": "\\u", broken', "json", False),  # not JSON: extracted in-process, rejected there
    (b"plain text", "txt", False),
])
def test_every_html_record_gets_the_time_limit(data, fmt, expected):
    assert needs_time_limit(RawDocument(data, "mem://x", fmt)) is expected
