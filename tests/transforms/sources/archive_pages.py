"""A WARC of news pages on several hosts and in several languages, built with warcio's writer,
for the archive filter tests. Each page's text differs, so none is another's duplicate."""
from io import BytesIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.transforms.sources.warc_files import PAGE


def page(topic: str, lang: str = "") -> bytes:
    """PAGE about ``topic`` (its text changed), with ``<html lang>`` when ``lang`` is given."""
    body = PAGE.replace(b"ferry pier", topic.encode()).replace(b"Ferry pier", topic.capitalize().encode())
    return body.replace(b"<html>", f'<html lang="{lang}">'.encode()) if lang else body


def build_archive(pages) -> bytes:
    """A gzipped WARC of ``pages``: (url, body, Content-Language or None) as 200 HTML responses."""
    out = BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, body, language in pages:
        fields = [("Content-Type", "text/html; charset=utf-8")]
        fields += [("Content-Language", language)] if language else []
        headers = StatusAndHeaders("200 OK", fields, protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers,
                                                      warc_headers_dict={"WARC-Date": "2024-03-05T10:20:30Z"}))
    return out.getvalue()
