"""Stable reason codes and the exception a pure function raises to reject input."""

DECODE_ERROR = "decode_error"
EMPTY_INPUT = "empty_input"
BINARY_INPUT = "binary_input"
TOO_LARGE = "too_large"
UNSUPPORTED_FORMAT = "unsupported_format"
DECOMPRESS_ERROR = "decompress_error"
JSON_INVALID = "json_invalid"
JSON_NO_TEXT = "json_no_text"  # a record (JSON object, CSV/TSV row) with neither text nor html
CSV_INVALID = "csv_invalid"  # a CSV/TSV row (or header) the csv module cannot read
FEED_NOT_XML = "feed_not_xml"
FEED_NO_ENTRIES = "feed_no_entries"
FEED_HOSTILE_XML = "feed_hostile_xml"  # DOCTYPE declares entities (billion laughs)
HTML_EMPTY = "html_empty"
HTML_PARSE_ERROR = "html_parse_error"
TEXT_EMPTY = "text_empty"
EXTRACT_TIMEOUT = "extract_timeout"  # extraction ran past the per-document time limit
EXTRACT_ERROR = "extract_error"  # the extractor raised or its process died
READ_ERROR = "read_error"
NOT_A_REGULAR_FILE = "not_a_regular_file"  # a folder, FIFO, device or socket (a link to one too) named by an input glob
INTERNAL_ERROR = "internal_error"
# HTTP fetching (transforms/web/http_client.py, transforms/web/address_guard.py)
UNSUPPORTED_SCHEME = "unsupported_scheme"  # not http/https, also on a redirect target
INVALID_URL = "invalid_url"  # no host, or a URL requests/urllib3 cannot parse
BLOCKED_ADDRESS = "blocked_address"  # resolves only to private/reserved addresses, or a proxy
DNS_ERROR = "dns_error"
TOO_MANY_REDIRECTS = "too_many_redirects"
BAD_REDIRECT = "bad_redirect"  # 3xx without a usable Location, or a non-followable 3xx
FETCH_TIMEOUT = "fetch_timeout"
CONNECTION_ERROR = "connection_error"
TLS_ERROR = "tls_error"  # handshake or certificate verification failed (not retried)
HTTP_RATE_LIMITED = "http_rate_limited"  # 429 after the last retry
HTTP_SERVER_ERROR = "http_server_error"  # 5xx
HTTP_NOT_FOUND = "http_not_found"  # 404
HTTP_GONE = "http_gone"  # 410
HTTP_CLIENT_ERROR = "http_client_error"  # other 4xx


class RejectError(Exception):
    """Raised by pure functions for input that cannot become an article."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message
