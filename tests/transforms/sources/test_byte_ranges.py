"""A JSONL file read in parts gives exactly the lines of the file read whole (plain pytest)."""
import random

import pytest

from transforms.sources.byte_ranges import (MAX_SHARES, RANGE_BYTES, ByteRange, Share, has_content, is_first_part,
                                            owned_bytes, plan_parts, range_bytes_setting)
from transforms.sources.jsonl_stream import Line, lines_of_chunks

# pieces that make line ends of every kind, blanks, byte-order marks and lines over the limit
PIECES = [b'{"a": 1}', b"b", b" ", b"\t", b"\n", b"\r", b"\r\n", b"\xef\xbb\xbf", b"c" * 30]


def whole(data: bytes, max_bytes: int = 20):
    return list(lines_of_chunks([data], max_bytes))


def read_part(data: bytes, part, chunk: int, max_bytes: int = 20):
    """The lines of ``part`` as the read stage gets them: a range seeks to the byte before it."""
    position = max(part.start - 1, 0) if isinstance(part, ByteRange) else 0
    rest = data[position:]
    chunks = [rest[i : i + chunk] for i in range(0, len(rest), chunk)]
    return list(lines_of_chunks(owned_bytes(chunks, part, position), max_bytes, file_start=part.first))


def random_file(rng: random.Random) -> bytes:
    return b"".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 120)))


def test_small_files_are_read_whole_and_large_ones_in_ranges_that_cover_them():
    assert plan_parts(RANGE_BYTES, compressed=False) == [None]
    ranges = plan_parts(100, compressed=False, range_bytes=30)
    assert ranges == [ByteRange(0, 25), ByteRange(25, 50), ByteRange(50, 75), ByteRange(75, 100)]
    assert [is_first_part(r) for r in ranges] == [True, False, False, False] and is_first_part(None)
    assert plan_parts(100, compressed=False, range_bytes=30, max_stream_bytes=99) == [None]  # its cap: read whole


def test_compressed_files_are_read_in_a_few_shares():
    assert plan_parts(1000, compressed=True, range_bytes=4000) == [None]  # about one range decompressed
    assert plan_parts(1000, compressed=True, range_bytes=2000) == [Share(0, 2), Share(1, 2)]
    assert len(plan_parts(10**9, compressed=True, range_bytes=1000)) == MAX_SHARES


def test_a_share_owns_every_count_th_block():
    share = Share(1, 3, block=10)
    assert share.owner(0) == (False, 10) and share.owner(15) == (True, 20) and share.owner(25) == (False, 40)


@pytest.mark.parametrize("seed", range(4))
def test_ranges_give_the_lines_of_the_whole_file_once_in_order(seed):
    rng = random.Random(seed)
    for _ in range(500):
        data = random_file(rng)
        ranges = [ByteRange(a, b) for a, b in _random_cuts(rng, len(data))]
        chunk = rng.randrange(1, 12)
        assert [line for part in ranges for line in read_part(data, part, chunk)] == whole(data)


@pytest.mark.parametrize("seed", range(4))
def test_shares_give_the_lines_of_the_whole_file_once(seed):
    rng = random.Random(seed)
    for _ in range(500):
        data = random_file(rng)
        count, block, chunk = rng.randrange(2, 5), rng.randrange(1, 40), rng.randrange(1, 12)
        lines = [line for index in range(count) for line in read_part(data, Share(index, count, block), chunk)]
        assert sorted(lines, key=repr) == sorted(whole(data), key=repr)


def test_a_range_reads_through_the_line_crossing_its_end_and_no_further():
    data = b'{"a": 1}\n{"b": 2}\n' + b"x" * 1000
    chunks = [data[i : i + 4] for i in range(0, len(data), 4)]
    taken = []
    source = (taken.append(c) or c for c in chunks)
    assert list(lines_of_chunks(owned_bytes(source, ByteRange(0, 12)), 100)) == [Line(b'{"a": 1}'), Line(b'{"b": 2}')]
    assert len(taken) <= 6  # stopped after the line end at byte 17, not at the end of the file


def test_a_line_longer_than_the_limit_is_one_too_long_line_in_the_range_it_starts_in():
    data = b'{"a": 1}\n' + b"z" * 100 + b'\n{"b": 2}\n'
    parts = [read_part(data, ByteRange(a, b), 7) for a, b in ((0, 30), (30, 60), (60, len(data)))]
    assert parts == [[Line(b'{"a": 1}'), Line(b"z" * 20, too_long=True)], [], [Line(b'{"b": 2}')]]


def test_a_bom_is_dropped_at_the_start_of_the_file_only():
    data = b'\xef\xbb\xbf{"a": 1}\n\xef\xbb\xbf{"b": 2}\n'
    assert read_part(data, ByteRange(0, 5), 3) == [Line(b'{"a": 1}')]
    assert read_part(data, ByteRange(5, len(data)), 3) == [Line(b'\xef\xbb\xbf{"b": 2}')]


def test_content_and_the_range_size_setting():
    assert not has_content([b" \n", b"\r\t"]) and has_content([b" \n", b" x"])
    assert range_bytes_setting({}) == RANGE_BYTES
    assert range_bytes_setting({"NEWSBEAM_READ_RANGE_BYTES": "4096"}) == 4096
    assert range_bytes_setting({"NEWSBEAM_READ_RANGE_BYTES": "lots"}) == RANGE_BYTES


def _random_cuts(rng: random.Random, size: int):
    inner = sorted(rng.sample(range(1, size), min(size - 1, rng.randrange(0, 6)))) if size > 1 else []
    bounds = [0, *inner, size]
    return list(zip(bounds, bounds[1:]))
