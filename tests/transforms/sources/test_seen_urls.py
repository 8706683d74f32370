"""Pages already in the dataset, by URL: the ids of earlier articles say which links were written."""
from transforms.sources.seen_urls import SeenUrls, url_prefix
from transforms.text.identity import article_id


def test_a_link_an_earlier_article_has_is_seen_and_others_are_not():
    earlier = [article_id("https://news.example/pier?utm_source=x", None, None, "news.example", "ab" * 32),
               article_id(None, "rec-1", None, "dump", "cd" * 32),  # a record id, not a link
               article_id(None, None, None, "local", "ef" * 32)]  # a content id
    seen = SeenUrls(earlier)
    assert len(seen) == 1
    assert seen.seen("https://news.example/pier")  # the same canonical link
    assert not seen.seen("https://news.example/pier#update-2")  # a fragment is another article
    assert not seen.seen("https://news.example/other") and not seen.seen(None) and not seen.seen("")


def test_prefixes_only_for_url_ids():
    assert url_prefix("u" + "f" * 24) == (1 << 63) - 1 and url_prefix("u" + "0" * 24) == -(1 << 63)
    assert url_prefix("h" + "0" * 24) is None and url_prefix("u12") is None and url_prefix("uzz" + "0" * 22) is None
    assert not SeenUrls([]).seen("https://news.example/pier")
