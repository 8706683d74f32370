"""JSONL streamed line by line: codecs, long lines, blanks, truncation (plain pytest), and the read stage."""
import bz2
import gzip
import io
import json

import apache_beam as beam
import pytest
import zstandard
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

import transforms.sources.jsonl_stream as jsonl_stream
from transforms.errors import DECOMPRESS_ERROR, TOO_LARGE, RejectError
from transforms.sources.jsonl_stream import Line, jsonl_lines, open_decompressed
from transforms.sources.read import ReadInputFiles, all_rejected

TEXT = b'\xef\xbb\xbf{"a": 1}\r\n\n   {"b": 2}  \n{"c": "' + b"x" * 60 + b'"}\n \t \n{"d": 4}'
EXPECTED = [Line(b'{"a": 1}'), Line(b'{"b": 2}'), Line(b'{"c": "' + b"x" * 13, too_long=True), Line(b'{"d": 4}')]
COMPRESS = {None: bytes, "gzip": gzip.compress, "bz2": bz2.compress, "zstd": zstandard.ZstdCompressor().compress}


def lines(blob, compression, max_bytes=20):
    return list(jsonl_lines(open_decompressed(io.BytesIO(blob), compression), max_bytes))


@pytest.mark.parametrize("compression", list(COMPRESS))
def test_every_codec_gives_the_same_lines(compression):
    assert lines(COMPRESS[compression](TEXT), compression) == EXPECTED


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_lines_do_not_depend_on_where_chunks_end(monkeypatch, chunk):
    monkeypatch.setattr(jsonl_stream, "CHUNK_BYTES", chunk)
    assert lines(TEXT, None) == EXPECTED
    assert lines(b" " * 50 + b'{"z": 1}', None) == [Line(b'{"z": 1}')]  # leading blanks do not count


def test_multi_member_gzip_with_zero_padding_and_concatenated_zstd_frames():
    members = gzip.compress(b'{"a": 1}\n') + gzip.compress(b'{"b": 2}\n') + b"\x00" * 16
    assert lines(members, "gzip") == [Line(b'{"a": 1}'), Line(b'{"b": 2}')]
    zstd = zstandard.ZstdCompressor()
    assert lines(zstd.compress(b'{"a": 1}\n{"b"') + zstd.compress(b': 2}\n'), "zstd") == [Line(b'{"a": 1}'),
                                                                                      Line(b'{"b": 2}')]


def test_truncated_gzip_gives_the_lines_before_then_fails(monkeypatch):
    monkeypatch.setattr(jsonl_stream, "CHUNK_BYTES", 4096)
    records = b"".join(json.dumps({"n": n, "pad": "y" * 200}).encode() + b"\n" for n in range(2000))
    given = []
    with pytest.raises(RejectError) as caught:
        for line in jsonl_lines(open_decompressed(io.BytesIO(gzip.compress(records)[:-40]), "gzip"), 1000):
            given.append(line)
    assert caught.value.reason == DECOMPRESS_ERROR
    assert 1000 < len(given) < 2000 and all(json.loads(line.data)["n"] == n for n, line in enumerate(given))


def test_memory_is_bounded_by_the_line_limit_not_the_file(monkeypatch):
    monkeypatch.setattr(jsonl_stream, "CHUNK_BYTES", 1 << 16)
    cutter = jsonl_stream._LineCutter(100)
    out = list(cutter.feed(b"z" * (1 << 16)))
    assert out == [Line(b"z" * 100, too_long=True)] and len(cutter._pending) == 0
    assert list(cutter.feed(b"z" * 10 + b"\n" + b'{"ok": 1}\n')) == [Line(b'{"ok": 1}')]


def test_read_stage_streams_jsonl_past_the_file_limit(tmp_path):
    records = [json.dumps({"id": str(n), "text": "word " * 40}).encode() for n in range(300)]
    (tmp_path / "dump.jsonl.gz").write_bytes(gzip.compress(b"\n".join(records)))  # ~60 KB decompressed
    (tmp_path / "big.txt").write_bytes(b"word " * 4000)  # 20 KB, read whole: over the 10 KB limit
    (tmp_path / "empty.jsonl").write_bytes(b"\n \n")
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(tmp_path / "*")], "t1", 10_000, 1_000)
        assert_that(out["records"] | "CountRecords" >> beam.combiners.Count.Globally(), equal_to([300]),
                    label="records")
        assert_that(all_rejected(out) | beam.Map(lambda r: (r["source_uri"].rsplit("/", 1)[-1], r["reason"])),
                    equal_to([("big.txt", "too_large"), ("empty.jsonl", "empty_input")]), label="rejected")
        assert_that(out["files"] | "CountOpened" >> beam.combiners.Count.Globally(), equal_to([2]), label="opened")


def test_read_stage_keeps_lines_before_a_truncation_and_rejects_the_rest(tmp_path):
    records = b"".join(json.dumps({"id": str(n), "pad": "z" * 300}).encode() + b"\n" for n in range(20_000))
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress(records)[:-64])
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(tmp_path / "*.gz")], "t1", 1 << 20, 1 << 20)
        count = out["records"] | beam.combiners.Count.Globally()
        assert_that(count | beam.Map(lambda n: 0 < n < 20_000), equal_to([True]), label="records")
        assert_that(all_rejected(out) | beam.Map(lambda r: (r["reason"], "records)" in r["error"], r["raw"])),
                    equal_to([("decompress_error", True, b"")]), label="rejected")


# --------------------------------------------------------------------------- hostile streams

CR_TEXT = b'{"a": 1}\r{"b": 2}\r\n{"c": 3}\n\r\r{"d": 4}\r'
CR_EXPECTED = [Line(b'{"a": 1}'), Line(b'{"b": 2}'), Line(b'{"c": 3}'), Line(b'{"d": 4}')]


@pytest.mark.parametrize("compression", list(COMPRESS))
def test_cr_only_and_crlf_line_ends_split_records(compression):
    assert lines(COMPRESS[compression](CR_TEXT), compression) == CR_EXPECTED


@pytest.mark.parametrize("chunk", [1, 2, 9])
def test_cr_line_ends_do_not_depend_on_where_chunks_end(monkeypatch, chunk):
    monkeypatch.setattr(jsonl_stream, "CHUNK_BYTES", chunk)
    assert lines(CR_TEXT, None) == CR_EXPECTED
    assert lines(b'{"long": "' + b"z" * 40 + b'"}\r{"e": 5}', None) == [Line(b'{"long": "' + b"z" * 10, too_long=True),
                                                                         Line(b'{"e": 5}')]


@pytest.mark.parametrize("compression", ["gzip", "bz2", "zstd"])
def test_200_000_empty_members_stream_to_the_right_lines(monkeypatch, compression):
    """Streamed through small read blocks too, so members straddle them."""
    monkeypatch.setattr(jsonl_stream, "CHUNK_BYTES", 4096)
    compress = COMPRESS[compression]
    blob = (compress(b"") * 100).join(compress(b'{"n": %d}\n' % n) for n in range(2001))
    assert lines(blob, compression) == [Line(b'{"n": %d}' % n) for n in range(2001)]


def test_a_stream_past_max_stream_bytes_is_too_large_after_the_lines_before(monkeypatch):
    monkeypatch.setattr(jsonl_stream, "CHUNK_BYTES", 4096)
    records = b"".join(b'{"n": %d}\n' % n for n in range(20_000))  # 218,890 bytes
    for compression in (None, "gzip"):
        given = []
        with pytest.raises(RejectError) as caught:
            blob = io.BytesIO(COMPRESS[compression](records))
            reader = open_decompressed(blob, compression, max_stream_bytes=100_000)
            given.extend(jsonl_lines(reader, 1000))
        assert caught.value.reason == TOO_LARGE
        assert 0 < len(given) < 20_000 and given[:2] == [Line(b'{"n": 0}'), Line(b'{"n": 1}')]


def test_a_compression_bomb_stops_at_the_ratio_guard_not_the_size_cap():
    bomb = bz2.compress(b"\n" * (8 << 20)) * 16  # 128 MiB of blank lines from about 1 KB
    reader = open_decompressed(io.BytesIO(bomb), "bz2", ratio_floor=4 << 20)
    with pytest.raises(RejectError) as caught:
        list(jsonl_lines(reader, 1000))
    assert caught.value.reason == TOO_LARGE and "compression bomb" in caught.value.message
    assert reader._given < 16 << 20  # stopped within the first streams, not at the end
    text = b"".join(json.dumps({"n": n, "text": "word " * 30}).encode() + b"\n" for n in range(40_000))
    reader = open_decompressed(io.BytesIO(bz2.compress(text)), "bz2", ratio_floor=1 << 20)
    assert len(list(jsonl_lines(reader, 1000))) == 40_000  # compressible, but far from 1000:1


def test_check_ratio_needs_both_the_floor_and_the_ratio():
    jsonl_stream.check_ratio(10_000, 1, max_ratio=1000, floor=10_000)  # at the floor: allowed
    jsonl_stream.check_ratio(1_000_000, 1000, max_ratio=1000, floor=10_000)  # at the ratio: allowed
    with pytest.raises(RejectError):
        jsonl_stream.check_ratio(1_000_001, 1000, max_ratio=1000, floor=10_000)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(encoding):
    assert jsonl_stream.is_utf16_or_32('{"a": "é"}\n{"b": 2}\n'.encode(encoding))
    assert jsonl_stream.is_utf16_or_32(b"\xff\xfe" + '{"a": 1}'.encode("utf-16-le"))
    assert jsonl_stream.is_utf16_or_32('{"t": "x一"}\n'.encode(encoding))  # 00 bytes side by side, unaligned
    assert not jsonl_stream.is_utf16_or_32('{"a": "é"}\n'.encode("utf-8"))
    assert not jsonl_stream.is_utf16_or_32(b'{"a": 1}\n' + bytes(100))  # NUL runs are binary


@pytest.mark.parametrize("encoding, compression", [("utf-16-le", None), ("utf-16-be", "gzip"), ("utf-16-le", "zstd")])
def test_read_stage_reads_utf16_jsonl_without_a_bom(tmp_path, encoding, compression):
    text = '{"id": "1", "text": "Grüße"}\r\n{"id": "2", "text": "naïve"}\r{"id": "3", "text": "日本"}\n'
    suffix = {None: "", "gzip": ".gz", "zstd": ".zst"}[compression]
    (tmp_path / f"u16.jsonl{suffix}").write_bytes(COMPRESS[compression](text.encode(encoding)))
    (tmp_path / "plain.jsonl").write_bytes(b'{"id": "4", "text": "x"}\n')
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(tmp_path / "*")], "t1", 1 << 20, 1 << 20)
        assert_that(out["records"] | beam.Map(lambda r: json.loads(r.data)["id"]), equal_to(["1", "2", "3", "4"]),
                    label="records")
        assert_that(all_rejected(out) | beam.Map(lambda r: r["reason"]), equal_to([]), label="rejected")


def test_read_stage_stops_a_bz2_bomb_and_reads_the_files_around_it(tmp_path):
    """The tester's case: 22 KB of bz2 streams of zeros (27 GiB) took 142 s; the ratio guard
    stops it after 1 GiB. Lines before the bomb in the same file are kept."""
    head = bz2.compress(b'{"id": "a", "text": "before"}\n')
    (tmp_path / "bomb.jsonl.bz2").write_bytes(head + bz2.compress(bytes(64 << 20)) * 24)  # 1.5 GiB
    (tmp_path / "good.jsonl").write_bytes(b'{"id": "b", "text": "beside"}\n')
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(tmp_path / "*")], "t1", 1 << 20, 1 << 20)
        assert_that(out["records"] | beam.Map(lambda r: json.loads(r.data)["id"]), equal_to(["a", "b"]),
                    label="records")
        assert_that(all_rejected(out) | beam.Map(lambda r: (r["reason"], "compression bomb" in r["error"])),
                    equal_to([("too_large", True), ("too_large", False)]), label="rejected")


def test_read_rest_raises_a_failure_the_last_read_put_off():
    packed = gzip.compress('{"a": 1}\n'.encode("utf-16-le") * 5000)
    reader = open_decompressed(io.BytesIO(packed[:-100]), "gzip")
    head = reader.read(4096)
    with pytest.raises(RejectError) as caught:
        reader.read_rest(1 << 20)
    assert len(head) == 4096 and caught.value.reason == DECOMPRESS_ERROR
    whole = open_decompressed(io.BytesIO(packed), "gzip")
    assert whole.read_rest(1 << 20) == '{"a": 1}\n'.encode("utf-16-le") * 5000
    assert open_decompressed(io.BytesIO(packed), "gzip").read_rest(1000) is None
