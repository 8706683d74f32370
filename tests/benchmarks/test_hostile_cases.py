"""The hostile-input builders make what they claim (newsbeam is not run)."""
import bz2
import gzip
import json
import os
import stat

import pytest

from benchmarks import hostile


def built(tmp_path, name):
    spec = hostile.build(name, tmp_path)
    return spec, tmp_path / "input", tmp_path / "out"


def marker_count(folder):
    """MARKER occurrences in the plain regular files of ``folder`` (links, FIFOs, folders skipped)."""
    total = 0
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False):
            total += open(entry.path, "rb").read().count(hostile.MARKER.encode())
    return total


@pytest.mark.parametrize("name", sorted(hostile.CASES))
def test_every_case_has_two_good_records(tmp_path, name):
    spec, inp, _ = built(tmp_path, name)
    assert marker_count(inp) == 2 and spec["expect"] and spec["runs"] >= 1


def test_surrogates_escaped(tmp_path):
    _, inp, _ = built(tmp_path, "surrogate_jsonl")
    text = (inp / "s.jsonl").read_text()
    assert "\\ud800" in text and "\\udfff" in text and len(text.splitlines()) == 3


@pytest.mark.parametrize("name,codec", [("ebcdic_laughs", "cp037"), ("utf7_laughs", "utf-7")])
def test_laughs_decode_to_eight_levels(tmp_path, name, codec):
    _, inp, _ = built(tmp_path, name)
    data = (inp / "laughs.xml").read_bytes()
    assert b"<!" not in data  # declarations hidden from a byte-level scan
    text = data.decode(codec)
    assert text.startswith(f'<?xml version="1.0" encoding="{codec}"?>')
    assert '<!ENTITY lol8 "' + "&lol7;" * 10 + '">' in text and "<title>&lol8;</title>" in text


def test_feeds_carry_their_hostile_item(tmp_path):
    _, inp, _ = built(tmp_path / "a", "cdata_entity_mention")
    assert '<![CDATA[<p>To declare one, write <!ENTITY x "y">' in (inp / "feed.xml").read_text()
    _, inp, _ = built(tmp_path / "b", "bad_charref")
    feed = (inp / "feed.xml").read_text()
    assert feed.count("<item>") == 3 and "&#xD800;" in feed


def test_special_files(tmp_path):
    inp = built(tmp_path / "f", "fifo")[1]
    assert stat.S_ISFIFO(os.lstat(inp / "x.txt").st_mode)
    inp = built(tmp_path / "z", "devzero_symlink")[1]
    assert os.readlink(inp / "a.jsonl") == "/dev/zero"
    inp = built(tmp_path / "d", "dangling_symlink")[1]
    assert (inp / "gone.txt").is_symlink() and not (inp / "gone.txt").exists()
    inp = built(tmp_path / "t", "folder_named_txt")[1]
    assert (inp / "d.txt").is_dir()


def test_compressed_cases(tmp_path):
    inp = built(tmp_path / "g", "gzip_members")[1]
    data = (inp / "m.txt.gz").read_bytes()
    empty = gzip.compress(b"", mtime=0)
    tail = data[len(empty) * 838_860:]  # gzip.decompress of every member is quadratic: read the last one only
    assert data.startswith(empty * 838_860) and gzip.decompress(tail) == b"Real text after many empty gzip members."
    inp = built(tmp_path / "b", "bz2_jsonl_bomb")[1]
    data = (inp / "bomb.jsonl.bz2").read_bytes()
    assert len(data) < 1000 and bz2.decompress(data) == b"{}\n" * 2_000_000


def test_tiny_records(tmp_path):
    inp = built(tmp_path, "jsonl_tiny_records")[1]
    lines = (inp / "tiny.jsonl").read_text().splitlines()
    assert len(lines) == 500_002 and json.loads(lines[1]) == {"id": 0, "text": "word 0"}


def test_http_drip_spec(tmp_path):
    spec = built(tmp_path, "http_drip")[0]
    assert spec["config"] == {"fetch": {"total_timeout_s": 5}} and spec["feed"]().protocol_version == "HTTP/1.1"


def test_escaped_html_key(tmp_path):
    inp = built(tmp_path, "json_html_escaped_key")[1]
    line = (inp / "deep.jsonl").read_text().splitlines()[1]
    assert '"ht\\u006dl": ' in line
    assert json.loads(line)["html"].count("<div>") == 200_000


def test_encoded_jsonl(tmp_path):
    inp = built(tmp_path / "u", "utf16_nobom_jsonl")[1]
    data = (inp / "u16.jsonl").read_bytes()
    assert data[:2] not in (b"\xff\xfe", b"\xfe\xff") and data.decode("utf-16-le").count("\n") == 2
    inp = built(tmp_path / "c", "cr_only_jsonl")[1]
    data = (inp / "cr.jsonl").read_bytes()
    assert b"\n" not in data and data.count(b"\r") == 2


def test_corrupt_state(tmp_path):
    spec, _, out = built(tmp_path, "corrupt_state")
    assert spec["runs"] == 2
    with pytest.raises(ValueError):
        json.loads((out / "_state" / "feeds.json").read_text())
    assert (out / "articles/dt=2024-01-01/source=x/part-old-000000000000.parquet").stat().st_size == 0
