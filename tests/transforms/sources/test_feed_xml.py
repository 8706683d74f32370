"""Feeds are decoded before they are checked: no encoding hides an entity declaration."""
import codecs

import pytest

from transforms.errors import FEED_HOSTILE_XML, RejectError
from transforms.sources.feed_xml import safe_feed_bytes
from transforms.sources.feeds import extract_feed, split_feed

LAUGHS = ('<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
          '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
          "<rss version='2.0'><channel><item><title>&b;</title><description>&a;</description></item></channel></rss>")
ITEM = "<item><title>{title}</title><link>https://x.example/{n}</link><description>{text}</description></item>"


def feed(items: str, declaration: str = "") -> str:
    return f"{declaration}<rss version='2.0'><channel><title>T</title>{items}</channel></rss>"


def entries(data: bytes, headers=None) -> list:
    return [extract_feed(unit) for unit in split_feed(data, "mem://f.xml", "file", headers)]


@pytest.mark.parametrize("encoding", ["utf-8", "cp037", "cp500", "utf-7", "utf-16-le", "utf-16"])
def test_entity_declarations_are_refused_whatever_the_encoding(encoding):
    data = (f'<?xml version="1.0" encoding="{encoding}"?>' + LAUGHS).encode(encoding)
    with pytest.raises(RejectError) as caught:
        safe_feed_bytes(data)
    assert caught.value.reason == FEED_HOSTILE_XML


def test_an_http_charset_is_how_the_body_is_read():
    data = LAUGHS.encode("cp037")
    with pytest.raises(RejectError) as caught:
        split_feed(data, "http://x.example/f", "feed", {"content-type": "application/rss+xml; charset=cp037"})
    assert caught.value.reason == FEED_HOSTILE_XML


@pytest.mark.parametrize("encoding", ["cp037", "utf-7", "iso-8859-15"])
def test_a_feed_in_a_rare_encoding_is_read(encoding):
    items = ITEM.format(title="Café crème", n=1, text="Le café est servi à partir de sept heures.")
    data = feed(items, f'<?xml version="1.0" encoding="{encoding}"?>').encode(encoding)
    (entry,) = entries(data)
    assert entry["title"] == "Café crème" and "servi à partir" in entry["text"]


def test_a_cdata_mention_of_an_entity_declaration_is_content():
    text = "<![CDATA[<p>To declare one, write <code><!ENTITY name \"value\"></code> in the DTD.</p>]]>"
    (entry,) = entries(feed(ITEM.format(title="XML tips", n=1, text=text)).encode())
    assert "<!ENTITY name" in entry["text"]


def test_a_bad_character_reference_costs_only_itself():
    items = (ITEM.format(title="Bad &#xD800; ref", n=1, text="One &#0; two &#x110000; three.")
             + ITEM.format(title="Good", n=2, text="Fine text."))
    first, second = entries(feed(items).encode())
    assert first["title"] == "Bad \ufffd ref" and first["text"] == "One \ufffd two \ufffd three."
    assert second["title"] == "Good"


def test_raw_control_characters_do_not_lose_the_feed():
    items = ITEM.format(title="Form\x0cfeed", n=1, text="Bell\x07 text") + ITEM.format(title="Next", n=2, text="x")
    assert [e["title"] for e in entries(feed(items).encode())] == ["Formfeed", "Next"]


RSS = ('<?xml version="1.0" encoding="UTF-16"?>\n<rss version="2.0"><channel><title>Feed</title>\n'
       "<item><title>Café über</title><link>https://example.com/1</link></item>\n"
       "<item><title>Ωμέγα – 5 €</title><link>https://example.com/2</link></item>\n"
       "</channel></rss>\n")
RSS_TITLES = ["Café über", "Ωμέγα – 5 €"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("document", [
    RSS, RSS.replace('"UTF-16"', "'utf-16le'"), RSS.split("\n", 1)[1], RSS.replace(' encoding="UTF-16"', ""),
    "\n  " + RSS,
], ids=["declared", "single-quoted", "no-declaration", "no-encoding", "after-whitespace"])
def test_utf16_without_bom_is_read(encoding, document):
    assert [e["title"] for e in entries(document.encode(encoding))] == RSS_TITLES


@pytest.mark.parametrize("data", [
    RSS.replace("UTF-16", "utf-8").encode("utf-8"),
    codecs.BOM_UTF8 + RSS.replace("UTF-16", "utf-8").encode("utf-8"),
    RSS.encode("utf-16"),
    codecs.BOM_UTF16_BE + RSS.encode("utf-16-be"),
    RSS.replace("UTF-16", "utf-32").encode("utf-32"),
    RSS.replace("UTF-16", "windows-1252").replace("Ωμέγα", "“x”").encode("cp1252"),
], ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-be-bom", "utf-32-bom", "cp1252"])
def test_declared_and_marked_encodings_are_read(data):
    titles = [e["title"] for e in entries(data)]
    assert titles[0] == "Café über" and len(titles) == 2
