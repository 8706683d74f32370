"""CSV and TSV files: a header row, then one record per row, read like a JSON record.

``split_csv`` cuts a decompressed file into units, one per data row (blank lines skipped).
A unit's bytes are the header line and the row's own lines, as UTF-8: a small CSV file of
its own, which ``csv_record`` reads back into ``{column: value}`` for the record path
(``formats``), and which a rejected row keeps as its raw input. A row is cut by the csv
module, so a quoted field may hold newlines, delimiters and quotes. A malformed row (a
``csv.Error``: text after a closing quote, a quote never closed) or bytes that are not
UTF-8 in an otherwise UTF-8 file leave as that row's unit and are rejected when it is
read (``csv_invalid``, ``decode_error``); the other rows still come. A row with more or
fewer fields than the header is read as far as both go. A file in a legacy charset
(cp1252 exports) or UTF-16/32 is decoded whole first. Pure (no Beam).
"""
import csv
import io
import re
from typing import Iterator, List, NamedTuple, Optional

from schemas.records import RawDocument
from transforms.errors import CSV_INVALID, DECODE_ERROR, EMPTY_INPUT, RejectError
from transforms.sources.decode import SNIFF_BYTES, decode_text
from transforms.sources.jsonl_stream import is_utf16_or_32

__all__ = ["split_csv", "csv_record", "header_bytes", "CSV_FORMATS"]

CSV_FORMATS = {"csv": csv.excel, "tsv": csv.excel_tab}  # unit format -> dialect (quotes as Excel writes them)
_UTF8_BOM = b"\xef\xbb\xbf"
_LARGEST_FIELD = 2**31 - 1  # csv.field_size_limit takes a C long (32 bits on some platforms)
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes surrogateescape kept
_DECODED_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")


def split_csv(data: bytes, source_uri: str, fmt: str, source_type: str = "file") -> Iterator[RawDocument]:
    """One ``fmt`` unit per data row of a CSV (``csv``) or TSV (``tsv``) file with a header row."""
    lines = list(io.StringIO(_csv_text(data), newline=""))  # lines end at \n, \r\n or \r, kept
    rows = _rows(lines, CSV_FORMATS[fmt])
    header = next(rows, None)
    if header is None:
        raise RejectError(EMPTY_INPUT, f"{fmt.upper()} file has no header row")
    if header.error:
        raise RejectError(CSV_INVALID, f"{fmt.upper()} header row is malformed: {header.error}")
    units = [RawDocument(header.data + row.data, source_uri, fmt, source_type) for row in rows]
    if not units:
        raise RejectError(EMPTY_INPUT, f"{fmt.upper()} file has a header and no rows")
    return iter(units)


def csv_record(data: bytes, fmt: str) -> dict:
    """``{column: value}`` of a unit ``split_csv`` made (header line + one row)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RejectError(DECODE_ERROR, f"{fmt.upper()} row is not valid UTF-8 text: {err}") from None
    _allow_fields_up_to(len(text))
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), CSV_FORMATS[fmt], strict=True) if row]
    except csv.Error as err:
        raise RejectError(CSV_INVALID, f"malformed {fmt.upper()} row: {err}") from None
    if len(rows) != 2:
        raise RejectError(CSV_INVALID, f"expected a header and one {fmt.upper()} row, got {len(rows)} rows")
    header, row = rows
    return dict(zip((name.strip() for name in header), row))


def header_bytes(data: bytes) -> bytes:
    """The header line of a unit ``split_csv`` made; the whole unit when a quoted column name
    spans lines (an odd number of quotes on the first line) or lines end in a lone CR."""
    line = data.split(b"\n", 1)[0]
    return line if line.count(b'"') % 2 == 0 else data


def _csv_text(data: bytes) -> str:
    """The file as text: UTF-8 (a BOM dropped) with its undecodable bytes kept as surrogates, for
    the rows that hold them to be rejected; decoded whole by its charset when it is not UTF-8 at
    all (a cp1252 export), UTF-16/32, or binary (``decode_text`` rejects it)."""
    head = data[:SNIFF_BYTES]
    if is_utf16_or_32(head) or b"\x00" in head:
        return decode_text(data)
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM):].decode("utf-8", "surrogateescape")
    text = data.decode("utf-8", "surrogateescape")
    if _UNDECODABLE.search(text) and not _DECODED_NON_ASCII.search(text):
        return decode_text(data)  # not one UTF-8 character anywhere: a legacy charset
    return text


class _Row(NamedTuple):
    data: bytes  # the row's lines, as UTF-8 (undecodable bytes restored), ending in a newline
    error: Optional[str]  # the csv.Error it raised, if any


def _rows(lines: List[str], dialect) -> Iterator[_Row]:
    """Each non-blank row, header first; a malformed one too, with its error (the reader goes on
    at the next line)."""
    _allow_fields_up_to(sum(map(len, lines)))
    reader = csv.reader(iter(lines), dialect, strict=True)
    while True:
        start = reader.line_num
        try:
            fields, error = next(reader), None
        except StopIteration:
            return
        except csv.Error as err:
            fields, error = [], str(err)
        if reader.line_num == start:
            return  # nothing read: the end
        if fields or error:  # a blank line is no row
            yield _Row(_row_bytes("".join(lines[start:reader.line_num])), error)


def _row_bytes(text: str) -> bytes:
    return (text if text.endswith(("\n", "\r")) else text + "\n").encode("utf-8", "surrogateescape")


def _allow_fields_up_to(size: int) -> None:
    """Let the csv module read a field as long as ``size`` characters (its default stops at
    128 KiB); the record limit bounds a row afterwards (``too_large``). Only ever raised."""
    size = min(size, _LARGEST_FIELD)
    if size > csv.field_size_limit():
        csv.field_size_limit(size)
