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

from transforms import jsonl_stream
from transforms.dead_letter import REJECTED
from transforms.jsonl_stream import DECOMPRESS_FAILURES, Line, jsonl_lines, open_decompressed
from transforms.read import ReadInputFiles

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
    with pytest.raises(DECOMPRESS_FAILURES):
        for line in jsonl_lines(open_decompressed(io.BytesIO(gzip.compress(records)[:-40]), "gzip"), 1000):
            given.append(line)
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
        assert_that(out[REJECTED] | beam.Map(lambda r: (r["source_uri"].rsplit("/", 1)[-1], r["reason"])),
                    equal_to([("big.txt", "too_large"), ("empty.jsonl", "empty_input")]), label="rejected")
        assert_that(out["files"] | "CountOpened" >> beam.combiners.Count.Globally(), equal_to([2]), label="opened")


def test_read_stage_keeps_lines_before_a_truncation_and_rejects_the_rest(tmp_path):
    records = b"".join(json.dumps({"id": str(n), "pad": "z" * 300}).encode() + b"\n" for n in range(20_000))
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress(records)[:-64])
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(tmp_path / "*.gz")], "t1", 1 << 20, 1 << 20)
        count = out["records"] | beam.combiners.Count.Globally()
        assert_that(count | beam.Map(lambda n: 0 < n < 20_000), equal_to([True]), label="records")
        assert_that(out[REJECTED] | beam.Map(lambda r: (r["reason"], "records)" in r["error"], r["raw"])),
                    equal_to([("decompress_error", True, b"")]), label="rejected")
