"""Archive filters: which pages are dropped before extraction, and why (pure)."""
from io import BytesIO

import pytest

from schemas.records import RawDocument
from tests.transforms.sources.archive_pages import build_archive, page
from transforms.sources.page_filters import (FILTERED_HOST, FILTERED_LANGUAGE, FILTERED_URL, ArchiveFilters,
                                             PageFilter, check_host, check_language, check_pattern, html_lang)
from transforms.sources.warc import Skipped, warc_units


def decide(url, content_language=None, head=b"", **settings):
    filters = {key: tuple(value) for key, value in settings.items()}
    return PageFilter(ArchiveFilters(**filters)).decide(url, content_language, head)


def test_no_filters_keep_every_page():
    assert not ArchiveFilters().active
    assert decide("https://anything.example/x", "zz") == (True, "")
    assert decide(None) == (True, "")


@pytest.mark.parametrize("url, kept", [
    ("https://example.com/a", True),
    ("https://news.example.com/a", True),
    ("https://a.b.example.com:8443/a", True),
    ("https://NEWS.Example.COM./a", True),  # case and a trailing dot do not matter
    ("https://user@example.com/a", True),
    ("https://badexample.com/a", False),  # whole labels only
    ("https://example.com.evil.org/a", False),
    ("https://example.org/a", False),
    ("not a url", False),
])
def test_an_allow_list_matches_host_suffixes_on_whole_labels(url, kept):
    assert decide(url, hosts_allow=["example.com"]) == ((True, "") if kept else (False, FILTERED_HOST))


def test_a_deny_list_matches_suffixes_and_wins_over_the_allow_list():
    settings = dict(hosts_allow=["example.com"], hosts_deny=["ads.example.com"])
    assert decide("https://ads.example.com/a", **settings) == (False, FILTERED_HOST)
    assert decide("https://x.ads.example.com/a", **settings) == (False, FILTERED_HOST)
    assert decide("https://news.example.com/a", **settings) == (True, "")
    assert decide("https://example.com/a", hosts_allow=["example.com"], hosts_deny=["example.com"])[0] is False
    assert decide("https://elsewhere.org/a", hosts_deny=[".ads.example.com"]) == (True, "")  # deny only: others pass


def test_configured_hosts_are_normalized_and_international_names_compare_as_idna():
    assert decide("https://News.Example.com/a", hosts_allow=[".EXAMPLE.com"]) == (True, "")
    assert decide("https://xn--bcher-kva.de/a", hosts_allow=["bücher.de"]) == (True, "")
    assert decide("https://www.bücher.de/a", hosts_allow=["xn--bcher-kva.de"]) == (True, "")


def test_url_patterns_are_searched_and_deny_wins():
    settings = dict(url_allow=[r"/20\d\d/", r"/news/"], url_deny=[r"\?page=\d+", r"/video/"])
    assert decide("https://a.example/2024/03/story", **settings) == (True, "")
    assert decide("https://a.example/news/story", **settings) == (True, "")
    assert decide("https://a.example/about", **settings) == (False, FILTERED_URL)
    assert decide("https://a.example/news/video/clip", **settings) == (False, FILTERED_URL)
    assert decide("https://a.example/news/?page=2", **settings) == (False, FILTERED_URL)


def test_the_host_is_judged_before_the_url_and_the_url_before_the_language():
    settings = dict(hosts_deny=["spam.example"], url_deny=["/tag/"], languages=["en"])
    assert decide("https://spam.example/tag/x", "fr", **settings) == (False, FILTERED_HOST)
    assert decide("https://ok.example/tag/x", "fr", **settings) == (False, FILTERED_URL)
    assert decide("https://ok.example/story", "fr", **settings) == (False, FILTERED_LANGUAGE)


@pytest.mark.parametrize("header, kept", [
    ("en", True),
    ("en-GB", True),  # a region of a listed language
    ("EN_us", True),
    ("de, en", True),  # any listed language of several
    ("fr", False),
    ("english", False),
    ("eng", False),  # a prefix of the tag, not of its first subtag
    (None, True),  # no hint: kept
    ("", True),
    ("*", True),  # not a tag: no hint
])
def test_a_content_language_naming_no_listed_language_is_filtered(header, kept):
    expected = (True, "") if kept else (False, FILTERED_LANGUAGE)
    assert decide("https://a.example/x", header, languages=["en", "de"]) == expected


def test_a_listed_region_takes_only_that_region():
    assert decide("https://a.example/x", "pt-BR", languages=["pt-BR"]) == (True, "")
    assert decide("https://a.example/x", "pt-PT", languages=["pt-br"]) == (False, FILTERED_LANGUAGE)


def test_without_a_header_the_html_lang_of_the_first_bytes_is_the_hint():
    assert html_lang(b'<!doctype html>\n<HTML class="x" LANG=\'fr-CA\'><head>') == "fr-ca"
    assert html_lang(b"<html><head><title>lang=en</title>") is None
    assert html_lang(b" " * 5000 + b'<html lang="fr">') is None  # only the first bytes are looked at
    assert decide("https://a.example/x", None, b'<html lang="fr">', languages=["en"]) == (False, FILTERED_LANGUAGE)
    assert decide("https://a.example/x", "en", b'<html lang="fr">', languages=["en"]) == (True, "")  # header first
    assert decide("https://a.example/x", None, b"<html><p>", languages=["en"]) == (True, "")


@pytest.mark.parametrize("check, value, ok", [
    (check_host, "example.com", True),
    (check_host, ".example.com", True),
    (check_host, "https://example.com", False),
    (check_host, "example.com/news", False),
    (check_host, ".", False),
    (check_pattern, r"/20\d\d/", True),
    (check_pattern, "([a-z]+", False),
    (check_language, "en", True),
    (check_language, "pt_BR", True),
    (check_language, "en-", False),
    (check_language, "english language", False),
])
def test_settings_are_checked(check, value, ok):
    assert (check(value) is None) == ok


def test_a_warc_page_the_filters_drop_is_a_skipped_kind_never_a_unit():
    archive = build_archive([("https://news.example.com/a", page("harbour wall"), "en"),
                             ("https://ads.example.com/b", page("tram line"), "en"),
                             ("https://news.example.com/video/c", page("bus depot"), None),
                             ("https://news.example.com/d", page("canal lock"), "de"),
                             ("https://news.example.com/e", page("river ford", lang="en-GB"), None)])
    filters = PageFilter(ArchiveFilters(hosts_deny=("ads.example.com",), url_deny=("/video/",), languages=("en",)))
    found = list(warc_units(BytesIO(archive), "crawl.warc.gz", 1 << 20, filters))
    assert sorted(u.kind for u in found if isinstance(u, Skipped)) == [FILTERED_HOST, FILTERED_LANGUAGE, FILTERED_URL]
    assert [u.url for u in found if isinstance(u, RawDocument)] == ["https://news.example.com/a",
                                                                    "https://news.example.com/e"]


def test_a_filtered_page_over_the_record_limit_is_filtered_not_rejected():
    archive = build_archive([("https://ads.example.com/big", b"<p>" + b"x" * 5000 + b"</p>", None)])
    filters = PageFilter(ArchiveFilters(hosts_deny=("ads.example.com",)))
    assert list(warc_units(BytesIO(archive), "crawl.warc.gz", 1000, filters)) == [Skipped(FILTERED_HOST)]
