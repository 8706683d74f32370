"""Linked pages: when the page's text replaces a feed entry's, and when it only fills metadata."""
from datetime import datetime, timezone

from transforms.web.linked_pages import containment, merge_entry_and_page, needs_page, page_is_fuller, same_story
from schemas.records import ExtractedDocument

ENTRY_TEXT = ("The council approved the harbour wall repairs on Monday after a storm in January left "
              "a gap of twelve metres near the lifeboat station. Work starts in April and should last "
              "six weeks, the harbour master said, and the slipway stays open throughout.")
STORY = ENTRY_TEXT + " " + " ".join(
    ["Engineers found that the old stone core had shifted by half a metre during the storm surge."] * 6)
UNRELATED = " ".join(["The chess club meets every Thursday in the library annex to play rapid games."] * 12)
WHEN = datetime(2024, 3, 5, tzinfo=timezone.utc)


def entry(text=ENTRY_TEXT, title="Harbour wall repairs approved"):
    return ExtractedDocument(text=text, extractor="feed", source_uri="http://feed.example/rss", source_type="feed",
                             url="https://gazette.example/harbour", title=title, topics=("Harbour",),
                             id_scope="http://feed.example/rss")


def page(text, title="Harbour wall repairs approved | Gazette"):
    return ExtractedDocument(text=text, extractor="html:trafilatura", source_uri="https://gazette.example/harbour",
                             source_type="web", title=title, authors=("Ann Lee",), published=WHEN,
                             topics=("Council",))


def test_a_one_line_page_never_replaces_a_full_entry():
    merged = merge_entry_and_page(entry(), page("Subscribe to our newsletter for more."))
    assert merged.text == ENTRY_TEXT and merged.extractor == "feed"
    assert merged.authors == ("Ann Lee",) and merged.published == WHEN  # the page still fills metadata
    assert merged.topics == ("Harbour",)


def test_an_unrelated_longer_page_never_replaces_the_entry():
    merged = merge_entry_and_page(entry(), page(UNRELATED, title="Chess club"))
    assert merged.text == ENTRY_TEXT and containment(ENTRY_TEXT, UNRELATED) == 0


def test_a_page_that_is_the_entry_plus_chrome_may_be_used():
    chrome = "Home News Sport Weather\n\n" + ENTRY_TEXT + "\n\nShare this story\n\nCopyright Gazette"
    assert page_is_fuller(entry(), page(chrome, title="Gazette"))  # contains it, not 3x longer


def test_the_full_story_replaces_a_teaser_or_an_excerpt():
    teaser = entry(text="Repairs to start in April.")
    assert merge_entry_and_page(teaser, page(STORY)).text == STORY  # same story, much longer
    excerpt = entry(text=ENTRY_TEXT[:120])
    merged = merge_entry_and_page(excerpt, page(STORY))
    assert merged.text == STORY and merged.summary == ENTRY_TEXT[:120]
    assert merged.topics == ("Harbour", "Council") and merged.extractor == "html:trafilatura"


def test_a_listing_page_holding_many_entries_is_not_any_ones_story():
    listing = " ".join([ENTRY_TEXT] + [UNRELATED] * 3)
    assert containment(ENTRY_TEXT, listing) == 1.0
    assert not page_is_fuller(entry(title="Episode 12: the harbour wall"), page(listing, title="The Podcast"))


def test_an_entry_without_text_takes_a_page_about_its_story_only():
    empty = entry(text="")
    assert merge_entry_and_page(empty, page(STORY)).text == STORY
    assert merge_entry_and_page(empty, page(UNRELATED, title="Chess club")).text == ""
    assert merge_entry_and_page(entry(text="", title=None), page(UNRELATED)).text == UNRELATED
    assert same_story(empty, page(STORY, title="")) is True  # the title is at the start of the text


def test_entries_without_text_need_their_page_when_fetched_over_http():
    assert needs_page(entry(text=""), "auto", 150) and needs_page(entry(), "auto", 150)
    assert not needs_page(entry(), "auto", 10) and not needs_page(entry(text=""), "never", 150)
