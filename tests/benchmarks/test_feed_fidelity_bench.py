"""Tests for the feed fidelity benchmark's pure comparison, on three small in-memory feeds."""
from benchmarks.feed_fidelity import compare, feed_stats

RSS = b"""<rss version="2.0"><channel>
<item><title>One &amp; <b>only</b></title><link>http://example.com/1</link><description>Body one</description></item>
<item><title>Two</title><description>&lt;p&gt;&lt;/p&gt;</description></item>
<item><title>Three</title><description>Body three</description></item>
</channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>A</title><content type="html">&lt;p&gt;Text&lt;/p&gt;</content></entry>
<entry><title>B</title><summary>Summary</summary></entry>
</feed>"""
EMPTY = b"<rss version='2.0'><channel><title>No items</title></channel></rss>"


def article(title, text="text", url="http://example.com/", title_only=False):
    return {"title": title, "text": text, "url": url, "title_only": title_only}


def test_feed_stats_counts_entries_with_text_after_stripping_tags():
    stats = feed_stats(RSS)
    assert (stats["entries"], stats["with_text"], stats["titled_or_linked"]) == (3, 2, 3)
    assert stats["titles"] == ["One & only", "Two", "Three"]


def test_compare_counts_duplicates_as_kept_and_finds_no_loss():
    result = compare(feed_stats(RSS), [article("One &  only"), article("Two", "", "/two", True)],
                     [{"reason": "same_id"}], [])
    assert (result["articles"], result["title_only"], result["duplicates"]) == (2, 1, 1)
    assert result["lost_with_text"] == 0
    assert (result["titles_matching"], result["relative_urls"]) == (2, 1)


def test_compare_strict_counts_a_duplicate_of_a_title_only_article_as_lost():
    result = compare(feed_stats(ATOM), [article("A")], [{"reason": "duplicate_id", "kept_title_only": True}], [])
    assert (result["lost_with_text"], result["lost_strict"]) == (0, 1)


def test_compare_counts_lost_entries_and_mojibake():
    result = compare(feed_stats(ATOM), [article("A", "caf\u00c3\u00a9")], [], [])
    assert result["lost_with_text"] == 1
    assert result["mojibake"] == 1 and result["titles_matching"] == 1


def test_compare_keeps_reject_reasons_of_a_feed_without_entries():
    result = compare(feed_stats(EMPTY), [], [], [{"reason": "feed_no_entries"}])
    assert result["entries"] == 0 and result["lost_with_text"] == 0
    assert result["reject_reasons"] == {"feed_no_entries": 1}
