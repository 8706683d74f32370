"""Stable reason codes and the exception a pure function raises to reject input."""

DECODE_ERROR = "decode_error"
EMPTY_INPUT = "empty_input"
BINARY_INPUT = "binary_input"
TOO_LARGE = "too_large"
UNSUPPORTED_FORMAT = "unsupported_format"
DECOMPRESS_ERROR = "decompress_error"
JSON_INVALID = "json_invalid"
JSON_NO_TEXT = "json_no_text"
FEED_NOT_XML = "feed_not_xml"
FEED_NO_ENTRIES = "feed_no_entries"
FEED_HOSTILE_XML = "feed_hostile_xml"  # DOCTYPE declares entities (billion laughs)
HTML_EMPTY = "html_empty"
HTML_PARSE_ERROR = "html_parse_error"
TEXT_EMPTY = "text_empty"
READ_ERROR = "read_error"
INTERNAL_ERROR = "internal_error"


class RejectError(Exception):
    """Raised by pure functions for input that cannot become an article."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message
