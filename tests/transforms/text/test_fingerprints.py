"""Unit tests for transforms.text.fingerprints (plain pytest, no Beam)."""
import sys

import pytest

from tests.transforms.text.texts import ENGLISH, FRENCH, GERMAN, SPANISH, UNRELATED
import transforms.text.fingerprints as fp


def test_normalise_text_for_hash():
    assert fp.normalise_text_for_hash("  Hello,\n\tWORLD!  ") == "hello world"
    assert fp.normalise_text_for_hash("Straße “quoted” — ﬁne") == "strasse quoted fine"
    assert fp.normalise_text_for_hash("") == ""


def test_content_hash_ignores_case_whitespace_and_punctuation():
    h = fp.content_hash("The quick brown fox.\n\nJumps over the dog.")
    assert h == fp.content_hash("the  QUICK brown fox jumps\tover the dog")
    assert h == fp.content_hash("The quick brown fox… Jumps over the dog!")
    assert h != fp.content_hash("The quick brown cat jumps over the dog")
    assert len(h) == 64 and int(h, 16) >= 0


def test_simhash_identical_texts_equal_and_stable():
    assert fp.simhash64(ENGLISH) == fp.simhash64(ENGLISH)
    assert fp.simhash64(ENGLISH) == fp.simhash64(ENGLISH.upper().replace(" ", "  "))


def test_simhash_one_word_edit_is_near():
    edited = ENGLISH.replace("bicycle", "cycle", 1)
    assert edited != ENGLISH
    d = fp.hamming_distance(fp.simhash64(ENGLISH), fp.simhash64(edited))
    assert 0 < d < 10


def test_simhash_unrelated_texts_are_far():
    assert fp.hamming_distance(fp.simhash64(ENGLISH), fp.simhash64(UNRELATED)) > 15
    assert fp.hamming_distance(fp.simhash64(FRENCH), fp.simhash64(GERMAN)) > 15


def test_simhash_fits_signed_int64_and_uses_the_sign_bit():
    values = [fp.simhash64(t) for t in (ENGLISH, FRENCH, GERMAN, SPANISH, UNRELATED)]
    values += [fp.simhash64(f"document number {i} about topic {i * 7}") for i in range(40)]
    assert all(isinstance(v, int) and -(2**63) <= v < 2**63 for v in values)
    assert any(v < 0 for v in values)  # signed: the top bit maps to negative values
    assert fp.simhash64("") == 0 and fp.simhash64("!!!") == 0
    assert fp.simhash64("two words") != 0  # fewer than 3 words: one whole-text feature


def test_simhash_is_reproducible_across_processes():
    """blake2b, not hash(): a known value pins the algorithm."""
    import subprocess

    code = "from transforms.text.fingerprints import simhash64; print(simhash64('the quick brown fox jumps'))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"PYTHONHASHSEED": "123", "PYTHONPATH": "."},
    ).stdout.strip()
    assert int(out) == fp.simhash64("the quick brown fox jumps")


def test_hamming_distance_on_signed_values():
    assert fp.hamming_distance(0, 0) == 0
    assert fp.hamming_distance(-1, 0) == 64
    assert fp.hamming_distance(-(2**63), 0) == 1
    assert fp.hamming_distance(-(2**63), 2**63 - 1) == 64
    assert fp.hamming_distance(0b1011, 0b0001) == 2


@pytest.mark.parametrize(
    "text, n",
    [("", 0), (None, 0), ("one two  three", 3), ("Zelenskyy's 2nd talk, in Kyiv.", 6),
     ("Café au lait — über straße", 5), ("中文 テスト", 2)],
)
def test_word_count(text, n):
    assert fp.word_count(text) == n
