"""FastLanguageIdentifier scores exactly as py3langid does (plain pytest)."""
import random
import threading
from pathlib import Path

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from tests.transforms.text.texts import ENGLISH, FRENCH, GERMAN, SPANISH, UNRELATED
import transforms.text.langid_fast as langid_fast
from transforms.text.langid_fast import FastLanguageIdentifier

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(scope="module")
def identifiers():
    return (LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True),
            FastLanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))


def sample_texts():
    rng = random.Random(7)
    texts = [ENGLISH, FRENCH, GERMAN, SPANISH, UNRELATED, "", "a", "ab", "Ab c", "ÄÖÜ", "日本語のテキスト",
             "Привет, как дела?", "مرحبا بالعالم", "\u0130stanbul", "x" * 5000, "1234 5678"]
    texts += [p.read_text(encoding="utf-8", errors="replace")[:2000] for p in sorted(FIXTURES.rglob("*.txt"))]
    base = ENGLISH + FRENCH + GERMAN + SPANISH
    texts += [base[rng.randrange(len(base)):][: rng.randrange(0, 300)] for _ in range(300)]
    texts += ["".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randrange(0, 60))) for _ in range(300)]
    return texts


def test_scores_are_bit_for_bit_the_same(identifiers):
    reference, fast = identifiers
    for text in sample_texts():
        assert np.array_equal(reference._decide(text), fast._decide(text)), text[:80]
        assert reference.classify(text) == fast.classify(text)


def test_a_walk_that_cannot_be_proved_takes_the_loop(identifiers, monkeypatch):
    reference, fast = identifiers
    monkeypatch.setattr(langid_fast, "ROUNDS", 1)  # too few rounds: the check fails, the loop answers
    for text in (ENGLISH, GERMAN, "ab"):
        assert fast._states(fast._encode(text)) is None or len(text) < 2
        assert np.array_equal(reference._decide(text), fast._decide(text))


def test_threads_share_one_identifier(identifiers):
    reference, fast = identifiers
    texts = sample_texts()[:120]
    expected = [reference.classify(t) for t in texts]
    failures = []

    def work():
        if [fast.classify(t) for t in texts] != expected:
            failures.append(True)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_restricting_languages_still_matches(identifiers):
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    fast = FastLanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(["en", "de", "fr"])
    fast.set_languages(["en", "de", "fr"])
    for text in (ENGLISH, GERMAN, FRENCH, SPANISH):
        assert reference.classify(text) == fast.classify(text)
