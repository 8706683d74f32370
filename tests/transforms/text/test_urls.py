"""Unit tests for transforms.text.urls (plain pytest, no Beam)."""
import socket
import sys

import pytest

import transforms.text.urls as urls
from transforms.text import public_suffixes


@pytest.mark.parametrize(
    "url, expected",
    [
        ("HTTPS://WWW.Example.COM:443/Path/To?b=2&utm_source=x&a=1#frag",
         "https://www.example.com/Path/To?b=2&a=1"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com:80/x", "https://example.com:80/x"),
        ("https://example.com/a?fbclid=1&gclid=2&UTM_Medium=3&id=7&q=a%20b",
         "https://example.com/a?id=7&q=a%20b"),
        ("https://example.com/a?utm_source=x", "https://example.com/a"),
        ("https://example.com./a?x&&y=", "https://example.com/a?x&y="),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"),
        ("https://user:secret@Example.com/x", "https://example.com/x"),
        ("ftp://example.com/file", None),
        ("mailto:someone@example.com", None),
        ("www.example.com/news", None),
        ("http://", None),
        ("http://example.com:99999/", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_url(url, expected):
    assert urls.canonical_url(url) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        # campaign keys courlan does not know + courlan's tracker list
        ("https://edition.cnn.com/2024/01/01/x/index.html?cmpid=rss",
         "https://edition.cnn.com/2024/01/01/x/index.html"),
        ("https://www.theguardian.com/world/x?CMP=share_btn_tw&page=2",
         "https://www.theguardian.com/world/x?page=2"),
        ("https://www.lemonde.fr/a_1.html?at_medium=rss&at_campaign=feed&xtor=RSS-3208",
         "https://www.lemonde.fr/a_1.html"),
        ("https://example.com/a?ref=rss&ref_src=twsrc&mc_cid=1&mc_eid=2&itm_source=s",
         "https://example.com/a"),
        ("https://example.com/a?utm%5Fsource=x&Utm_Campaign=y&sessionid=9&_ga=1&b=2",
         "https://example.com/a?b=2"),
        # content keys survive, in order and verbatim (case, encoding, blank values)
        ("https://example.com/a?z=1&utm_source=x&id=A&p=123&article=Foo%2FBar&story_fbid=42&x",
         "https://example.com/a?z=1&id=A&p=123&article=Foo%2FBar&story_fbid=42&x"),
        ("https://example.com/a?id=a", "https://example.com/a?id=a"),
        ("https://example.com/a?id=A", "https://example.com/a?id=A"),
        ("https://example.com/a?gallery=3&game_id=4&global=1&refresh=1&reference=7&q=a+b",
         "https://example.com/a?gallery=3&game_id=4&global=1&refresh=1&reference=7&q=a+b"),
        # path kept exactly: case, encoding, "+", ";", "//", "..", www.
        ("https://www.Example.com/News//A+B;v=1/../C%20D/?fbclid=x",
         "https://www.example.com/News//A+B;v=1/../C%20D/"),
        ("https://example.com/A#utm_source=x", "https://example.com/A"),
        # IDNs: host lowercased only (no punycode conversion either way)
        ("https://Bücher.Example/Ä?x=1", "https://bücher.example/Ä?x=1"),
        ("http://xn--bcher-kva.example/x", "http://xn--bcher-kva.example/x"),
        ("https://[2001:db8::1]:8443/x?Id=a", "https://[2001:db8::1]:8443/x?Id=a"),
        ("https://[2001:db8::1]:443/", "https://[2001:db8::1]/"),
        ("https://u@example.com:443?x=1", "https://example.com/?x=1"),
        ("javascript:alert(1)", None),
        ("http://[::1", None),
        ("https://example.com:abc/", None),
        ("https://example.com:-1/", None),
    ],
)
def test_canonical_url_tracking_and_fidelity(url, expected):
    assert urls.canonical_url(url) == expected


def test_canonical_url_uses_courlan_tracker_list():
    """The tracker regex comes from courlan, but matched whole-word only."""
    from courlan.clean import TRACKERS_RE

    assert urls._trackers_re().pattern.find(TRACKERS_RE.pattern) >= 0
    # courlan alone would strip these prefix matches; they identify content
    for key in ["gallery", "game_id", "glossary", "reference"]:
        assert TRACKERS_RE.search(key)
        assert not urls._is_tracking_key(key)
    for key in ["at_medium", "at_campaign", "xtor", "ref", "twclid", "partnerid", "affiliate"]:
        assert urls._is_tracking_key(key)


def test_canonical_url_is_an_idempotent_fixed_point():
    for url in ["https://www.theguardian.com/x?CMP=a&id=B", "http://[::1]:8000/a?p=1#f"]:
        once = urls.canonical_url(url)
        assert urls.canonical_url(once) == once


def test_canonical_url_never_raises_on_odd_input():
    odd = ["http://[", "https://%", "https://a b/c", "https://\u0000/", "https://x.com/?&&=&=x",
           "http://.", "https://ex\u00e4mple.com:443/%zz?%zz=1", 12, b"https://x.com", "https://"
           + "a" * 300 + ".com/?" + "&".join(f"k{i}=v" for i in range(200))]
    for value in odd:
        result = urls.canonical_url(value)
        assert result is None or result.startswith("http")


# --------------------------------------------------------------------------- links

FEED = "https://example.org/blog/feed.xml"


@pytest.mark.parametrize(
    "link, bases, expected",
    [
        ("/2024/post", (FEED,), "https://example.org/2024/post"),
        ("post.html", (FEED,), "https://example.org/blog/post.html"),
        ("#frag", (FEED,), "https://example.org/blog/feed.xml#frag"),
        ("../up/x?id=A#f", (FEED,), "https://example.org/up/x?id=A#f"),
        ("//cdn.example/x", (FEED,), "https://cdn.example/x"),
        ("//cdn.example/x", ("http://example.org/",), "http://cdn.example/x"),
        ("  https://Other.example/A?utm_source=x#f  ", (FEED,),
         "https://Other.example/A?utm_source=x#f"),
        ("HTTP://a.example/x", (), "HTTP://a.example/x"),
        # first *absolute http(s)* base wins: None/blank/relative/non-http skipped
        ("post.html", (None, "  ", "sub/", "ftp://ftp.example/", " https://a.example/x/ ", FEED),
         "https://a.example/x/post.html"),
        ("post.html", ("https://a.example/x/", FEED), "https://a.example/x/post.html"),
        # no usable base: link unchanged (stripped)
        (" post.html ", (), "post.html"),
        ("post.html", (None, "rel/", "mailto:x@y"), "post.html"),
        ("//cdn.example/x", (), "//cdn.example/x"),
        ("//[::1/x", (FEED,), "//[::1/x"),  # urljoin raises -> unchanged
        ("post.html", ("https://[::1/",), "post.html"),  # malformed base skipped
        (None, (FEED,), None),
        ("   ", (FEED,), None),
        ("", (FEED,), None),
    ],
)
def test_resolve_link(link, bases, expected):
    assert urls.resolve_link(link, *bases) == expected


def test_resolve_link_nested_xml_bases():
    """xml:base nesting: resolve the inner base against the outer one first."""
    feed_base = urls.resolve_link("/blog/", "https://example.org/feed.xml")
    entry_base = urls.resolve_link("2024/", feed_base)
    assert entry_base == "https://example.org/blog/2024/"
    assert urls.resolve_link("post.html", entry_base, feed_base) == (
        "https://example.org/blog/2024/post.html"
    )
    # an unresolved relative inner base is skipped in favour of the next one
    assert urls.resolve_link("post.html", "2024/", feed_base) == "https://example.org/blog/post.html"


def test_resolve_link_never_raises():
    for link in ["http://[", "%", "\x00", "a" * 5000, "javascript:void(0)"]:
        for bases in [(), ("http://[",), (FEED,), (12,)]:
            result = urls.resolve_link(link, *bases)
            assert result is None or isinstance(result, str)
    assert urls.resolve_link(42, FEED) is None


@pytest.mark.parametrize(
    "link, expected",
    [
        ("https://Example.com/page?utm_source=x&id=A#item-2", "https://example.com/page?id=A#item-2"),
        ("https://example.com/page#Item-2", "https://example.com/page#Item-2"),
        ("https://example.com/page?id=A", "https://example.com/page?id=A"),
        ("https://example.com/page#", "https://example.com/page"),
        ("http://example.com:80", "http://example.com/"),
        ("/relative#x", None),
        ("ftp://example.com/a#x", None),
        (None, None),
        ("", None),
    ],
)
def test_link_identity(link, expected):
    assert urls.link_identity(link) == expected


def test_link_identity_distinguishes_fragments_canonical_url_does_not():
    a, b = "https://example.com/p#one", "https://example.com/p#two"
    assert urls.canonical_url(a) == urls.canonical_url(b)
    assert urls.link_identity(a) != urls.link_identity(b)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.bbc.co.uk/news/x", "bbc.co.uk"),
        ("www.bbc.co.uk/news/x", "bbc.co.uk"),
        ("http://News.Example.COM:8080/a", "example.com"),
        ("https://www.theguardian.com/world", "theguardian.com"),
        ("https://edition.cnn.com", "cnn.com"),
        ("https://www.lemonde.fr/a.html", "lemonde.fr"),
        ("https://jane.blogspot.com/2022/03/post.html", "jane.blogspot.com"),
        ("http://192.168.1.20/feed.xml", "192.168.1.20"),
        ("http://127.0.0.1:8000/", "127.0.0.1"),
        ("http://localhost:8000/feed", "localhost"),
        ("http://[::1]:8000/feed", "::1"),
        ("", None),
        (None, None),
        ("https:///nohost", None),
    ],
)
def test_source_from_url(url, expected):
    assert urls.source_from_url(url) == expected


def test_source_from_url_never_touches_the_network(monkeypatch, tmp_path):
    """Guard: the suffix rules parsed afresh (an empty start-up cache) with sockets disabled."""
    import tldextract  # noqa: F401 -- import requests/ssl before socket is patched

    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setenv("NEWSBEAM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(public_suffixes, "_RULES", None)
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert urls.source_from_url("https://www.bbc.co.uk/news/x") == "bbc.co.uk"
    assert urls.source_from_url("https://www.abc.net.au/news") == "abc.net.au"


def test_heavy_objects_are_lazy_and_cached():
    """Importing the pure metadata modules loads neither model nor Beam; each getter builds once."""
    import subprocess

    code = (
        "import sys, transforms.text.urls as u, transforms.text.language as lang;"
        "import transforms.text.dates, transforms.text.fingerprints, transforms.text.metadata;"
        "assert 'tldextract' not in sys.modules and 'py3langid' not in sys.modules;"
        "assert 'courlan' not in sys.modules;"
        "assert u.source_from_url('https://www.bbc.co.uk/') == 'bbc.co.uk';"
        "assert u._trackers_re() is u._trackers_re() is not None;"
        "assert lang._language_identifier() is lang._language_identifier();"
        "assert 'apache_beam' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": "."})


@pytest.mark.parametrize(
    "name, expected",
    [
        ("The Guardian", "the-guardian"),
        ("BBC.co.uk", "bbc.co.uk"),
        ("  Le Monde / Économie  ", "le-monde-economie"),
        ("Süddeutsche Zeitung", "suddeutsche-zeitung"),
        ("a__b--c", "a__b-c"),
        ("...hidden.", "hidden"),
        ("source=x/../y", "source-x-..-y"),
        ("12345", "s-12345"),
        ("2022", "s-2022"),
        ("", "unknown"),
        (None, "unknown"),
        ("!!!", "unknown"),
        ("..", "unknown"),
    ],
)
def test_source_slug(name, expected):
    assert urls.source_slug(name) == expected


def test_source_slug_length_and_charset():
    long = urls.source_slug("word " * 60)
    assert len(long) <= 100 and not long.endswith("-")
    assert len(urls.source_slug("9" * 150)) <= 100
    assert urls.source_slug("9" * 150).startswith("s-")
    for name in ["Ünïcödé News™", "新华社 Xinhua", "a b\tc\nd", "../../etc/passwd"]:
        slug = urls.source_slug(name)
        assert slug and set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        assert slug[0] not in "-." and slug[-1] not in "-."




# --------------------------------------------------------------------------- ids
