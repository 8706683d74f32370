"""Feed bytes made safe for feedparser: decoded once here, checked as text, handed over as UTF-8.

feedparser decodes a feed itself (BOM, HTTP charset, XML declaration) and its XML parser
expands the entities a DOCTYPE declares. A guard on the bytes cannot see ``<!ENTITY`` in a
feed declared as cp037 (EBCDIC) or UTF-7, so the feed is decoded here first
(``decode.decode_text``: BOM, BOM-less UTF-16, the declared charset, UTF-8, a guess), every
check runs on the text, and feedparser receives UTF-8 bytes that declare UTF-8:

* an entity declaration outside CDATA sections and comments: ``feed_hostile_xml`` (a CDATA
  section that merely mentions ``<!ENTITY`` is content);
* a character reference to a character XML forbids (``&#xD800;``, ``&#0;``) becomes U+FFFD
  and raw control characters are dropped: one bad character costs itself, not the feed;
* a lone surrogate left by a decoder (UTF-7) becomes U+FFFD.

Pure functions (no Beam); bad input raises ``RejectError``.
"""
import re
from typing import Optional

from transforms.sources.decode import decode_text, html_declared_charset
from transforms.errors import FEED_HOSTILE_XML, RejectError
from transforms.text.field_values import valid_text

__all__ = ["safe_feed_bytes", "content_type_charset", "utf8_response_headers"]

_EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC (XML 1.0, appendix F)
_ENCODING_ATTR = re.compile(r"encoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)[\"']")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>\s*")
_NOT_MARKUP = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def _declared_encoding(data: bytes, http_charset: Optional[str]) -> Optional[str]:
    """The charset the HTTP header, else the XML declaration (read in EBCDIC when it is), names."""
    if http_charset:
        return http_charset
    if data.startswith(_EBCDIC_XML):
        found = _ENCODING_ATTR.search(data[:200].decode("cp037", errors="replace"))
        return found.group(1) if found else "cp037"
    return html_declared_charset(data)


def _refuse_entity_declarations(text: str) -> None:
    """Billion laughs and friends: no entity may be declared (CDATA and comments are text)."""
    if _ENTITY_DECLARATION.search(_NOT_MARKUP.sub("", text)):
        raise RejectError(FEED_HOSTILE_XML, "feed declares entities (a DOCTYPE internal subset)")


def _allowed_in_xml(code: int) -> bool:
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _character_reference(match: re.Match) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return match.group(0) if _allowed_in_xml(code) else "&#xFFFD;"


def _valid_xml_text(text: str) -> str:
    """``text`` without what makes an XML parser give up on the whole document."""
    text = _CHARACTER_REFERENCE.sub(_character_reference, text)
    return _FORBIDDEN_CHARACTERS.sub("", valid_text(text)[0])


def content_type_charset(content_type: Optional[str]) -> Optional[str]:
    """The ``charset`` parameter of a Content-Type header value, or None."""
    _, _, charset = (content_type or "").partition("charset=")
    return charset.split(";")[0].strip().strip('"') or None


def utf8_response_headers(headers: Optional[dict]) -> dict:
    """HTTP response headers (lower-case keys) as they describe the bytes ``safe_feed_bytes`` gives."""
    headers = dict(headers or {})
    if headers.get("content-type"):
        headers["content-type"] = headers["content-type"].split(";")[0].strip() + "; charset=utf-8"
    return headers


def safe_feed_bytes(data: bytes, http_charset: Optional[str] = None) -> bytes:
    """The feed as UTF-8 bytes declaring UTF-8; raises ``RejectError`` for undecodable input
    (``binary_input``, ``empty_input``) and for entity declarations (``feed_hostile_xml``)."""
    text = decode_text(data, _declared_encoding(data, http_charset))
    _refuse_entity_declarations(text)
    body = _XML_DECLARATION.sub("", _valid_xml_text(text), count=1)
    return (UTF8_DECLARATION + body).encode("utf-8")
