"""The fast paths of transforms.text.fingerprints give what the plain definitions give (plain pytest)."""
import hashlib
import random
import re
import unicodedata

from tests.transforms.text.texts import ENGLISH, FRENCH, GERMAN, SPANISH, UNRELATED
import transforms.text.fingerprints as fp
import transforms.text.shingle_hash as shingle_hash
from transforms.text.shingle_hash import BASE

WORD = re.compile(r"\w+")


def reference_normalised(text: str) -> str:
    return " ".join(WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


M64 = (1 << 64) - 1


def blake64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def splitmix_finaliser(value: int) -> int:
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & M64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & M64
    return value ^ (value >> 31)


def polynomial64(data: bytes) -> int:
    return sum(byte * pow(BASE, j, 1 << 64) for j, byte in enumerate(data)) & M64


def reference_simhash(text: str) -> int:
    """The documented definition, in plain integers."""
    words = reference_normalised(text).encode("utf-8").split()
    if not words:
        return 0
    if len(words) < 3:
        features = [blake64(b" ".join(words))]
    else:
        features = [splitmix_finaliser(polynomial64(b" ".join(shingle))) for shingle in zip(words, words[1:], words[2:])]
    counts = [0] * 64
    for value in features:
        for bit in range(64):
            counts[bit] += (value >> bit) & 1
    result = sum(1 << bit for bit in range(64) if counts[bit] > len(features) / 2)
    return result - (1 << 64) if result >> 63 else result


def texts():
    rng = random.Random(3)
    alphabet = list("abc XYZ_09,.;'\n\t") + list(fp.SEPARATORS) + ["İ", "ß", "ﬁ", "½", "™", "é", "e\u0301",
                                                                    "\u0345", "①", "٣", "日本", "ς", "_"]
    found = [ENGLISH, FRENCH, GERMAN, SPANISH, UNRELATED, "", "!!!", "two words", "a_b c-d"]
    found += [ENGLISH.replace("'", "\u2019").replace(" - ", " \u2014 ") + " \u201cquoted\u201d \u2026"]
    found += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80))) for _ in range(3000)]
    return found


def test_separators_never_change_a_token():
    """Each separator is not a word character, stays one after NFKC, and composes with no ASCII neighbour."""
    for char in fp.SEPARATORS:
        assert not WORD.search(char) and not WORD.search(unicodedata.normalize("NFKC", char)), repr(char)
        for neighbour in map(chr, range(32, 127)):
            assert unicodedata.normalize("NFKC", neighbour + char) == neighbour + unicodedata.normalize("NFKC", char)
            assert unicodedata.normalize("NFKC", char + neighbour) == unicodedata.normalize("NFKC", char) + neighbour


def test_fast_paths_match_the_definitions():
    for text in texts():
        assert fp.normalise_text_for_hash(text) == reference_normalised(text), repr(text)
        assert fp.content_hash(text) == hashlib.sha256(reference_normalised(text).encode()).hexdigest()
        assert fp.word_count(text) == len(WORD.findall(text)), repr(text)
        assert fp.simhash64(text) == reference_simhash(text), repr(text)


def test_shingle_hashes_of_long_texts_use_fresh_power_tables(monkeypatch):
    monkeypatch.setattr(shingle_hash, "_CACHED_POWERS", 64)
    text = " ".join(f"w{n % 7}" for n in range(60)).encode()
    expected = [splitmix_finaliser(polynomial64(b" ".join(s))) for s in zip(*(text.split()[i:] for i in range(3)))]
    assert shingle_hash.shingle_hashes(text).tolist() == expected
    assert shingle_hash.shingle_hashes(b"one two").tolist() == []
