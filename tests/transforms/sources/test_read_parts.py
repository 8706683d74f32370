"""The read stage on large JSONL files read in parts: the records and rejected rows of a whole read."""
import gzip
import json

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.sources.read import ARCHIVE_SKIPPED, ReadInputFiles, all_rejected, file_parts

RANGE = 2_000  # bytes: the files below are read in several parts
BIG = 1 << 40  # no file is read in parts


def records(count: int):
    return [json.dumps({"id": str(n), "text": f"line {n} " + "word " * (n % 17)}).encode() for n in range(count)]


def jsonl(lines) -> bytes:
    """Lines with every line end, blank lines, a byte-order mark and one line over the limit."""
    ends = [b"\n", b"\r\n", b"\r", b"\n \n"]
    body = b"".join(line + ends[n % 4] for n, line in enumerate(lines))
    return b"\xef\xbb\xbf" + body + b'{"long": "' + b"x" * 600 + b'"}\n'


@pytest.mark.parametrize("name,pack", [("dump.jsonl", bytes), ("dump.jsonl.gz", gzip.compress)])
def test_a_file_read_in_parts_gives_every_line_once(tmp_path, name, pack):
    lines = records(400)
    path = tmp_path / name
    path.write_bytes(pack(jsonl(lines)))
    assert len(file_parts(str(path), RANGE, BIG)) > 1
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(path)], "t1", 1_000_000, 500, range_bytes=RANGE)
        assert_that(out["records"] | beam.Map(lambda r: (r.source_uri, r.data)),
                    equal_to([(str(path), line) for line in lines]), label="records")
        assert_that(all_rejected(out) | beam.Map(lambda r: (r["source_uri"], r["reason"], len(r["raw"]))),
                    equal_to([(str(path), "too_large", 500)]), label="rejected")
        assert_that(out["files"] | beam.combiners.Count.Globally(), equal_to([1]), label="opened")


def test_a_truncated_compressed_file_read_in_shares_is_one_rejected_row(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl(records(3000)))[:-200])
    assert len(file_parts(str(path), RANGE, BIG)) > 1
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(path)], "t1", 1_000_000, 500, range_bytes=RANGE)
        assert_that(all_rejected(out) | beam.Map(lambda r: r["reason"]), equal_to(["decompress_error"]))
        assert_that(out["records"] | beam.combiners.Count.Globally()
                    | beam.Map(lambda n: 2000 < n < 3000), equal_to([True]), label="lines before")


def test_a_blank_file_read_in_parts_is_one_empty_input_row(tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_bytes(b" \n\r\n\t" * 2000)
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(path)], "t1", 1_000_000, 500, range_bytes=RANGE)
        assert_that(all_rejected(out) | beam.Map(lambda r: r["reason"]), equal_to(["empty_input"]))


def test_a_file_with_lines_only_after_its_first_range_is_not_empty(tmp_path):
    path = tmp_path / "late.jsonl"
    path.write_bytes(b"\n" * 5000 + b'{"id": "1", "text": "late"}\n')
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(path)], "t1", 1_000_000, 500, range_bytes=RANGE)
        assert_that(out["records"] | beam.Map(lambda r: r.data), equal_to([b'{"id": "1", "text": "late"}']))
        assert_that(all_rejected(out), equal_to([]), label="no rejects")


def test_a_utf16_file_is_read_whole_by_its_first_part(tmp_path):
    lines = records(100)
    path = tmp_path / "wide.jsonl"
    path.write_bytes(b"\n".join(lines).decode().encode("utf-16"))
    assert len(file_parts(str(path), RANGE, BIG)) > 1
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(path)], "t1", 1_000_000, 500, range_bytes=RANGE)
        assert_that(out["records"] | beam.combiners.Count.Globally(), equal_to([100]))
        assert_that(all_rejected(out), equal_to([]), label="no rejects")


@pytest.mark.parametrize("gzip_members", [True, False])
def test_a_large_archive_is_read_in_shares_with_every_record_once(tmp_path, gzip_members):
    from tests.transforms.sources.warc_files import PAGE, build_warc
    pages = [(f"https://news.example/p{n}", PAGE + b" " * n) for n in range(30)]
    path = tmp_path / ("crawl.warc.gz" if gzip_members else "crawl.warc")
    path.write_bytes(build_warc(gzip=gzip_members, pages=pages, big=40_000))
    assert len(file_parts(str(path), 8_000, BIG)) > 1
    with TestPipeline() as p:
        out = p | ReadInputFiles([str(path)], "t1", 1_000_000, 30_000, range_bytes=8_000)
        assert_that(out["records"] | beam.Map(lambda r: r.url), equal_to([url for url, _ in pages]), label="pages")
        assert_that(all_rejected(out) | beam.Map(lambda r: r["reason"]), equal_to(["too_large"]), label="rejected")
        assert_that(out[ARCHIVE_SKIPPED] | "Skipped" >> beam.combiners.Count.Globally(), equal_to([7]),
                    label="skipped")
        assert_that(out["files"] | "Opened" >> beam.combiners.Count.Globally(), equal_to([1]), label="opened")
