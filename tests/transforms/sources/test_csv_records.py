"""CSV and TSV files: a header row, then one record per row through the JSON record path.

Files are written to tmp_path and read as the read stage reads them (``records_of_file``:
format and compression from the name, then ``split_file``).
"""
import bz2
import csv
import gzip

import pytest

from schemas.records import RawDocument
from transforms.errors import CSV_INVALID, DECODE_ERROR, EMPTY_INPUT, JSON_NO_TEXT, RejectError
from transforms.sources.csv_records import csv_record
from transforms.sources.extract import needs_time_limit
from transforms.sources.files import records_of_file
from transforms.sources.formats import extract_document

MIB = 1 << 20
BODY = "The council approved the new bridge on Tuesday after a long debate about its cost."


def units_of(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return list(records_of_file(str(path), path.read_bytes(), 64 * MIB))


def text_or_reason(unit: RawDocument):
    """The extracted text, or the reason the unit is rejected."""
    try:
        return extract_document(unit).text
    except RejectError as err:
        return err.reason


def test_each_row_is_a_record_with_the_json_field_names(tmp_path):
    data = (f"id,title,text,authors,published,topics,url\n"
            f"a1,Bridge approved,{BODY},Jane Doe; John Roe,2024-03-05T08:00:00Z,\"Roads; Council\","
            f"https://news.example/bridge\n"
            f"a2,Second,Another body of text for the second row.,,,,\n").encode()
    first, second = [extract_document(unit) for unit in units_of(tmp_path, "news.csv", data)]
    assert (first.entry_id, first.title, first.text) == ("a1", "Bridge approved", BODY)
    assert first.authors == ("Jane Doe", "John Roe") and first.topics == ("Roads", "Council")
    assert first.published.isoformat() == "2024-03-05T08:00:00+00:00" and first.url == "https://news.example/bridge"
    assert first.captured_at is None and first.source_uri.endswith("news.csv") and first.extractor == "json"
    assert (second.entry_id, second.authors, second.published) == ("a2", (), None)


def test_a_unit_is_the_header_and_its_row_so_a_rejected_row_keeps_both(tmp_path):
    units = units_of(tmp_path, "news.csv", f"id,text\r\n1,{BODY}\r\n2,Short second body.\r\n".encode())
    assert [unit.data for unit in units] == [f"id,text\r\n1,{BODY}\r\n".encode(),
                                             b"id,text\r\n2,Short second body.\r\n"]
    assert {unit.fmt for unit in units} == {"csv"}


def test_tsv_rows_are_split_on_tabs(tmp_path):
    data = f"title\ttext\tsource\nBridge, approved\t{BODY}\tThe Gazette\n".encode()
    (doc,) = [extract_document(unit) for unit in units_of(tmp_path, "news.tsv", data)]
    assert (doc.title, doc.text, doc.source) == ("Bridge, approved", BODY, "The Gazette")


def test_a_quoted_field_may_hold_newlines_delimiters_and_quotes(tmp_path):
    data = b'id,text\n1,"First paragraph, with a comma.\n\nSecond paragraph: ""quoted"" words."\n2,next row\n'
    first, second = [extract_document(unit) for unit in units_of(tmp_path, "news.csv", data)]
    assert first.text == 'First paragraph, with a comma.\n\nSecond paragraph: "quoted" words.'
    assert second.text == "next row"


def test_a_row_without_text_or_html_is_rejected_like_a_json_record(tmp_path):
    units = units_of(tmp_path, "news.csv", f"id,title,text\n1,Only a title,\n2,Kept,{BODY}\n".encode())
    assert [text_or_reason(unit) for unit in units] == [JSON_NO_TEXT, BODY]
    no_column = units_of(tmp_path, "other.csv", b"id,headline\n1,Only a title\n")
    assert [text_or_reason(unit) for unit in no_column] == [JSON_NO_TEXT]


def test_an_html_column_goes_through_the_page_extractor_under_the_time_limit(tmp_path):
    page = "<html><body><article><h1>Bridge approved</h1><p>" + BODY + "</p></article></body></html>"
    with open(tmp_path / "pages.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["id", "html"], ["p1", page]])
    (unit,) = records_of_file(str(tmp_path / "pages.csv"), (tmp_path / "pages.csv").read_bytes(), MIB)
    assert needs_time_limit(unit) and not needs_time_limit(units_of(tmp_path, "t.csv", b"text\nplain\n")[0])
    doc = extract_document(unit)
    assert BODY in doc.text and doc.extractor.startswith("html:")


def test_a_byte_order_mark_does_not_stick_to_the_first_column_name(tmp_path):
    (doc,) = [extract_document(unit) for unit in units_of(tmp_path, "excel.csv", b"\xef\xbb\xbftext,id\nBody.,7\n")]
    assert (doc.text, doc.entry_id) == ("Body.", "7")


@pytest.mark.parametrize("name, pack", [("news.csv.gz", gzip.compress), ("news.tsv.bz2", bz2.compress)])
def test_compressed_files_are_read_like_the_other_formats(tmp_path, name, pack):
    sep = "\t" if ".tsv" in name else ","
    data = pack(f"id{sep}text\n1{sep}{BODY}\n2{sep}Second body.\n".encode())
    assert [extract_document(unit).text for unit in units_of(tmp_path, name, data)] == [BODY, "Second body."]


def test_a_malformed_row_is_one_rejected_row_and_the_others_still_come(tmp_path):
    data = b'id,text\n1,"closed"then more\n2,good row\n3,"good, quoted"\n'
    units = units_of(tmp_path, "news.csv", data)
    assert [text_or_reason(unit) for unit in units] == \
        [CSV_INVALID, "good row", "good, quoted"]
    assert units[0].data == b'id,text\n1,"closed"then more\n'


def test_a_quote_never_closed_is_one_rejected_row_holding_the_rest(tmp_path):
    units = units_of(tmp_path, "news.csv", b'id,text\n1,fine\n2,"never closed\n3,swallowed\n')
    assert [text_or_reason(unit) for unit in units] == ["fine", CSV_INVALID]
    assert units[1].data == b'id,text\n2,"never closed\n3,swallowed\n'


def test_bytes_that_are_not_utf8_in_a_utf8_file_reject_only_their_row(tmp_path):
    data = "id,text\n1,Café au lait\n2,broken \xff\xfe byte\n3,fine\n".encode("latin-1").replace(
        b"Caf\xe9", "Café".encode())
    units = units_of(tmp_path, "news.csv", data)
    assert [text_or_reason(unit) for unit in units] == \
        ["Café au lait", DECODE_ERROR, "fine"]
    assert units[1].data == b"id,text\n2,broken \xff\xfe byte\n"  # the original bytes, for the rejected row


def test_a_cp1252_file_is_decoded_whole(tmp_path):
    units = units_of(tmp_path, "legacy.csv", "id,text\n1,Café crème\n".encode("cp1252"))
    assert [extract_document(unit).text for unit in units] == ["Café crème"]


def test_rows_with_more_or_fewer_fields_than_the_header_are_read_as_far_as_both_go(tmp_path):
    units = units_of(tmp_path, "news.csv", b"id,title,text\n1,Short row\n2,Long row,Body text,extra,fields\n")
    assert [text_or_reason(unit) for unit in units] == \
        [JSON_NO_TEXT, "Body text"]


def test_a_field_larger_than_the_csv_module_default_is_read(tmp_path):
    big = "word " * 60_000  # 300 kB: over csv's 128 KiB default field limit
    (unit,) = units_of(tmp_path, "big.csv", f"id,text\n1,{big}\n".encode())
    csv.field_size_limit(131072)  # as in a fresh worker process: the row is read all the same
    assert extract_document(unit).text == big.strip()


@pytest.mark.parametrize("data", [b"", b"id,text\n", b"id,text\n\n\n"])
def test_a_file_without_rows_is_empty_input(tmp_path, data):
    with pytest.raises(RejectError) as caught:
        units_of(tmp_path, "empty.csv", data)
    assert caught.value.reason == EMPTY_INPUT


def test_a_unit_that_is_not_a_header_and_one_row_is_csv_invalid():
    with pytest.raises(RejectError) as caught:
        csv_record(b"id,text\n1,a\n2,b\n", "csv")
    assert caught.value.reason == CSV_INVALID


def test_only_a_header_naming_the_html_column_sends_rows_to_the_time_limited_extractor(tmp_path):
    (plain,) = units_of(tmp_path, "links.csv", b"url,text\nhttps://news.example/story.html,Body text\n")
    (page,) = units_of(tmp_path, "pages.tsv", b"url\thtml\nhttps://news.example/a\t<p>Body</p>\n")
    assert not needs_time_limit(plain) and needs_time_limit(page)
    assert needs_time_limit(plain, {"html": "url"})
