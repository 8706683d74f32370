"""Article identity: feed guid (scoped to its feed), link with fragment, record id, content."""
import hashlib

import pytest

from transforms.text.fingerprints import content_hash
from transforms.text.identity import article_id

H = content_hash("some text")
FEED = "https://podcast.example/"


def blake(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def test_a_feed_guid_wins_over_a_shared_link():
    home = "https://podcast.example/"
    one, two = (article_id(home, guid, FEED, "podcast.example", H) for guid in ("ep-1", "ep-2"))
    assert one != two and one == "g" + blake(f"{FEED}\x00ep-1")


def test_a_guid_is_scoped_to_its_feed():
    assert article_id(None, "1", "https://a.example/", "a", H) != article_id(None, "1", "https://b.example/", "a", H)
    assert article_id(None, " 1 ", " https://a.example/ ", "a", H) == article_id(None, "1", "https://a.example/", "x", H)


def test_links_that_differ_by_fragment_are_two_articles():
    first = article_id("https://notes.example/2024/03/05#note-1", None, FEED, None, H)
    second = article_id("https://notes.example/2024/03/05#note-2", None, FEED, None, H)
    assert first != second and first.startswith("u")


def test_a_link_without_fragment_keeps_the_id_schema_v1_gave():
    expected = "u" + blake("https://example.com/a")
    assert article_id("https://Example.com/a?utm_source=x", None, None, "example.com", H) == expected
    assert article_id("https://example.com/a#", None, None, "other", content_hash("other")) == expected


def test_a_record_id_comes_after_the_link_and_is_scoped_to_its_source():
    assert article_id("https://example.com/a", "rec-1", None, "example.com", H).startswith("u")
    record = article_id(None, "rec-1", None, "example.com", H)
    assert record == "e" + blake("example.com\x00rec-1")
    assert record != article_id(None, "rec-1", None, "other.org", H)


def test_the_content_comes_last():
    assert article_id(None, None, FEED, "example.com", H) == "h" + H[:24]
    assert article_id("ftp://x/y", "  ", None, None, H) == "h" + H[:24]
    with pytest.raises(ValueError):
        article_id(None, None, None, None, "")


def test_feed_entries_without_guid_or_link_are_keyed_by_feed_title_and_exact_text():
    from transforms.text.identity import feed_content_key

    keys = {feed_content_key(scope, title, text) for scope, title, text in [
        ("https://a.example/", None, "Some text"), ("https://b.example/", None, "Some text"),
        ("https://a.example/", "One", "Some text"), ("https://a.example/", None, "…"),
        ("https://a.example/", None, "¤")]}
    assert len(keys) == 5
    assert content_hash("…") == content_hash("¤")  # why the exact text, not the content hash, is the key
