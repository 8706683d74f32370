"""Tests for transforms.sources.decode: format detection, capped decompression, charset decoding."""
import bz2
import codecs
import gzip
import random
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
import zstandard

from transforms.sources.decode import decode_text, decompress, detect_format, html_declared_charset
from transforms.errors import (
    BINARY_INPUT,
    DECOMPRESS_ERROR,
    EMPTY_INPUT,
    TOO_LARGE,
    UNSUPPORTED_FORMAT,
    RejectError,
)

INPUTS = Path(__file__).resolve().parents[2] / "fixtures" / "inputs"
MIB = 1024 * 1024

COMPRESSORS = {
    "gzip": (".gz", gzip.compress),
    "bz2": (".bz2", bz2.compress),
    "zstd": (".zst", lambda data: zstandard.ZstdCompressor().compress(data)),
}


def reason_of(call, *args):
    with pytest.raises(RejectError) as caught:
        call(*args)
    return caught.value.reason


# --------------------------------------------------------------------------- detect_format


@pytest.mark.parametrize(
    "path, expected",
    [
        ("a.txt", ("txt", None)),
        ("dir/page.HTML", ("html", None)),
        ("page.htm.gz", ("html", "gzip")),
        ("gs://bucket/day/records.jsonl.zst", ("jsonl", "zstd")),
        ("s3://b/records.NDJSON.ZSTD", ("jsonl", "zstd")),
        ("/feeds/news.xml.bz2", ("feed", "bz2")),
        ("news.rss", ("feed", None)),
        ("news.atom.gz", ("feed", "gzip")),
        ("archive.v2.txt", ("txt", None)),
    ],
)
def test_detect_format(path, expected):
    assert detect_format(path) == expected


@pytest.mark.parametrize("path", ["report.pdf", "README", "data.gz", "x.tar.gz", "image.png.zst"])
def test_detect_format_rejects_unknown_suffix(path):
    assert reason_of(detect_format, path) == UNSUPPORTED_FORMAT


# --------------------------------------------------------------------------- decompress


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_decompress_round_trips_a_fixture_copy(tmp_path, compression):
    suffix, compress = COMPRESSORS[compression]
    original = (INPUTS / "rss2-content-encoded.xml").read_bytes()
    copy = tmp_path / f"rss2-content-encoded.xml{suffix}"
    copy.write_bytes(compress(original))
    fmt, detected = detect_format(str(copy))
    assert (fmt, detected) == ("feed", compression)
    assert decompress(copy.read_bytes(), detected, MIB) == original


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_decompress_reads_every_member(compression):
    _, compress = COMPRESSORS[compression]
    assert decompress(compress(b"first ") + compress(b"second"), compression, 100) == b"first second"


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_decompress_rejects_corrupt_data(compression):
    assert reason_of(decompress, b"this is not compressed at all", compression, MIB) == DECOMPRESS_ERROR


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_decompress_rejects_truncated_stream(compression):
    _, compress = COMPRESSORS[compression]
    packed = compress(bytes(range(256)) * 400)
    assert reason_of(decompress, packed[: len(packed) // 2], compression, MIB) == DECOMPRESS_ERROR


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_decompress_rejects_output_over_the_cap(compression):
    _, compress = COMPRESSORS[compression]
    assert reason_of(decompress, compress(b"x" * 2001), compression, 2000) == TOO_LARGE
    assert decompress(compress(b"x" * 2000), compression, 2000) == b"x" * 2000


def test_decompress_without_compression_still_applies_the_cap():
    assert decompress(b"plain", None, 5) == b"plain"
    assert reason_of(decompress, b"plain!", None, 5) == TOO_LARGE


def test_decompress_unknown_compression():
    assert reason_of(decompress, b"data", "lzma", MIB) == UNSUPPORTED_FORMAT


def _zeros_bomb(compression: str, total: int) -> bytes:
    """``total`` zero bytes compressed chunk by chunk, never held whole in memory."""
    packer = {
        "gzip": lambda: zlib.compressobj(9, zlib.DEFLATED, 31),
        "bz2": bz2.BZ2Compressor,
        "zstd": lambda: zstandard.ZstdCompressor().compressobj(),
    }[compression]()
    zeros = bytes(MIB)
    parts = [packer.compress(zeros) for _ in range(total // MIB)]
    return b"".join(parts) + packer.flush()


@pytest.mark.parametrize("compression, total", [("gzip", 200 * MIB), ("zstd", 200 * MIB), ("bz2", 20 * MIB)])
def test_compression_bomb_is_cut_off_early_and_small(compression, total):
    bomb = _zeros_bomb(compression, total)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        assert reason_of(decompress, bomb, compression, MIB) == TOO_LARGE
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2.0
    assert peak < 4 * MIB


def test_a_16_mib_file_of_empty_gzip_members_is_read_in_one_pass():
    """838,860 empty members: the old loop copied the rest of the input once per member and
    ran for hours; each member's leftover is now bounded by the member, so this takes seconds."""
    empty = gzip.compress(b"", mtime=0)
    data = empty * 419_430 + gzip.compress(b"middle ") + empty * 419_430 + gzip.compress(b"end")
    assert len(data) > 16 * MIB
    assert decompress(data, "gzip", MIB) == b"middle end"


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_200_000_empty_members_streams_or_frames_decompress_to_every_byte(compression):
    _, compress = COMPRESSORS[compression]
    filler = compress(b"") * 100
    data = filler.join(compress(b"%d," % n) for n in range(2001))  # 200,000 empty members between
    assert decompress(data, compression, MIB) == b"".join(b"%d," % n for n in range(2001))


def test_zstd_skippable_frames_are_skipped():
    zstd = zstandard.ZstdCompressor()
    skippable = b"\x50\x2a\x4d\x18" + (5).to_bytes(4, "little") + b"extra"
    assert decompress(zstd.compress(b"one ") + skippable + zstd.compress(b"two"), "zstd", MIB) == b"one two"


def test_gzip_nul_padding_is_skipped_but_other_bytes_after_a_member_are_corrupt():
    one, two = gzip.compress(b"one "), gzip.compress(b"two")
    assert decompress(one + bytes(1000) + two + bytes(MIB), "gzip", MIB) == b"one two"
    assert reason_of(decompress, one + b"garbage", "gzip", MIB) == DECOMPRESS_ERROR


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_input_cut_anywhere_is_corrupt_unless_cut_between_members(compression):
    _, compress = COMPRESSORS[compression]
    parts = [bytes(range(256)) * 8, b"second member", random.Random(3).randbytes(3000)]
    members = [compress(part) for part in parts]
    whole_members = {len(b"".join(members[:k])): b"".join(parts[:k]) for k in range(1, len(parts))}
    data = b"".join(members)
    for cut in range(1, len(data)):
        if cut in whole_members:
            assert decompress(data[:cut], compression, MIB) == whole_members[cut]
        else:
            assert reason_of(decompress, data[:cut], compression, MIB) == DECOMPRESS_ERROR, cut


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_output_stops_at_the_cap_across_many_members(compression):
    _, compress = COMPRESSORS[compression]
    member = compress(b"y" * 1000)
    assert reason_of(decompress, member * 3000, compression, MIB) == TOO_LARGE
    assert decompress(member * 1000, compression, 1000 * 1000) == b"y" * 1_000_000


# --------------------------------------------------------------------------- decode_text


def test_cp1252_punctuation_comes_out_right():
    assert decode_text(b"Caf\xe9 \x93quoted\x94 \x80 5") == "Café “quoted” € 5"


def test_cp1252_fixture_file():
    text = decode_text((INPUTS / "cp1252-article.txt").read_bytes())
    assert text.startswith("Café owners in the old town say the new “pedestrian first” rules")
    assert "costs €3 — up from €2.50 last year – because" in text
    assert "The council’s résumé of the scheme" in text


def test_long_cp1252_english_is_not_misread_as_a_baltic_code_page():
    text = "The fox said “hello” to the café owner, who charged €5. " * 5
    assert decode_text(text.encode("cp1252")) == text


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Привет, как дела? Это короткий тест на кодировку.", "cp1251"),
        ("Zażółć gęślą jaźń. Źródło wiedzy o świecie.", "cp1250"),
        ("日本語のテキストです。こんにちは世界", "shift_jis"),
        ("Grüße aus München – schöne Straße", "utf-8"),
    ],
)
def test_other_charsets_are_guessed(text, encoding):
    assert decode_text(text.encode(encoding)) == text


@pytest.mark.parametrize(
    "bom, encoding",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_byte_order_marks_win_and_are_removed(bom, encoding):
    text = "Café “quoted”\nline two"
    assert decode_text(bom + text.encode(encoding), declared_charset="cp1252") == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_not_binary(encoding):
    text = "Plain words in UTF-16 without a byte order mark."
    assert decode_text(text.encode(encoding)) == text


def test_declared_charset_is_used_when_it_decodes():
    assert decode_text("Prix: 5 €".encode("iso-8859-15"), "ISO-8859-15") == "Prix: 5 €"
    assert decode_text("Привет мир".encode("koi8-r"), "koi8-r") == "Привет мир"


def test_latin1_label_means_cp1252():
    assert decode_text(b"\x93quoted\x94", "iso-8859-1") == "“quoted”"


@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252", "us-ascii", "latin9"])
def test_western_labels_yield_to_real_utf8(label):
    assert decode_text("Café “quoted”".encode("utf-8"), label) == "Café “quoted”"


@pytest.mark.parametrize("declared", ["no-such-charset", "utf-16", "", None])
def test_unusable_declared_charsets_are_ignored(declared):
    assert decode_text("Café au lait".encode("utf-8"), declared) == "Café au lait"


def test_newlines_are_normalised():
    assert decode_text(b"one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n ", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty_input(data):
    assert reason_of(decode_text, data) == EMPTY_INPUT


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        gzip.compress(b"text inside gzip"),
        b"text\x00with\x00\x00a\x00few\x00nuls and more text here" * 3,
        bytes(range(1, 32)) * 20 + b"some text",
        random.Random(1).randbytes(3000).replace(b"\x00", b"\x01"),
    ],
    ids=["png", "pdf", "zip", "gzip", "nul-bytes", "control-chars", "random-bytes"],
)
def test_binary_input(data):
    assert reason_of(decode_text, data) == BINARY_INPUT


# --------------------------------------------------------------------------- html_declared_charset


@pytest.mark.parametrize(
    "head, expected",
    [
        (b'<html><head><meta charset="windows-1251"></head>', "windows-1251"),
        (b"<meta charset=UTF-8>", "utf-8"),
        (b'<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=ISO-8859-1">', "iso-8859-1"),
        (b'<?xml version="1.0" encoding="KOI8-R"?><rss></rss>', "koi8-r"),
        (b"<?xml version='1.0' encoding='utf-8'?><feed/>", "utf-8"),
        (b'<meta charset="x-no-such-charset">', None),
        (b"<html><head><title>none</title></head></html>", None),
        (b" " * 5000 + b'<meta charset="koi8-r">', None),
    ],
)
def test_html_declared_charset(head, expected):
    assert html_declared_charset(head) == expected
