"""WARC files built with warcio's writer, for tests: every record kind a crawl holds."""
from io import BytesIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PAGE = ("<html><head><title>Ferry pier to close</title>"
        '<meta name="description" content="The old pier closes for a year."></head><body><article>'
        "<h1>Ferry pier to close for a year</h1>"
        + "".join(f"<p>Paragraph {n}: the harbour board says repairs to the old ferry pier will take a year, "
                  f"and ferries will leave from the north quay until the work is done.</p>" for n in range(5))
        + "</article></body></html>").encode()


def _response(writer, url, status, content_type, body, date="2024-03-05T10:20:30Z"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers,
                                                  warc_headers_dict={"WARC-Date": date}))


def build_warc(gzip: bool = True, pages=((("https://news.example/pier"), PAGE),), big: int = 0) -> bytes:
    """A WARC with warcinfo, a request, the ``pages`` as 200 HTML responses, a 301, a 404, an
    image, a metadata and a revisit record; ``big`` > 0 adds an HTML page of that many bytes."""
    out = BytesIO()
    writer = WARCWriter(out, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))
    request = StatusAndHeaders("GET /pier HTTP/1.1", [("Host", "news.example")], is_http_request=True)
    writer.write_record(writer.create_warc_record("https://news.example/pier", "request", http_headers=request))
    for url, body in pages:
        _response(writer, url, "200 OK", "text/html; charset=utf-8", body)
    _response(writer, "https://news.example/old", "301 Moved Permanently", "text/html", b"<a href=/new>moved</a>")
    _response(writer, "https://news.example/gone", "404 Not Found", "text/html", b"<p>not found</p>")
    _response(writer, "https://news.example/logo.png", "200 OK", "image/png", b"\x89PNG....")
    writer.write_record(writer.create_warc_record("https://news.example/pier", "metadata",
                                                  payload=BytesIO(b"fetchTimeMs: 12\n"),
                                                  warc_content_type="application/warc-fields"))
    writer.write_record(writer.create_revisit_record("https://news.example/pier", "sha1:AAAA",
                                                     "https://news.example/pier", "2024-03-04T10:00:00Z"))
    if big:
        _response(writer, "https://news.example/huge", "200 OK", "text/html", b"<p>" + b"x" * big + b"</p>")
    return out.getvalue()
