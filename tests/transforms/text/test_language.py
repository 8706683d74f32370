"""Unit tests for transforms.text.language (plain pytest, no Beam)."""
import pytest

from tests.transforms.text.texts import ENGLISH, FRENCH, GERMAN, SPANISH
import transforms.text.language as language


@pytest.mark.parametrize(
    "text, expected", [(ENGLISH, "en"), (FRENCH, "fr"), (GERMAN, "de"), (SPANISH, "es")]
)
def test_detect_language(text, expected):
    assert language.detect_language(text) == expected


@pytest.mark.parametrize("text", ["", None, "123 456", "Hello world", "... --- !!!", "2022 03 03 10"])
def test_detect_language_none_for_too_little_text(text):
    assert language.detect_language(text) is None


@pytest.mark.parametrize("text", ["the cat sat", "Home News Sport", "Bitcoin Ethereum Solana"])
def test_detect_language_none_for_low_confidence(text):
    """Three words pass the length gate; py3langid's top probability is < 0.5 for these."""
    label, prob = language._language_identifier().classify(text)
    assert prob < 0.5 and language.normalise_language(label) is not None
    assert language.detect_language(text) is None


@pytest.mark.parametrize("text, expected", [("bonjour mon ami", "fr"), ("hola amigo mío", "es")])
def test_cld2_answers_where_py3langid_is_unsure(text, expected):
    assert language.py3langid_language(text) is None
    assert language.cld2_language(text) == language.detect_language(text) == expected


def test_py3langid_goes_first_on_a_few_words():
    text = "Ich bin hier"  # CLD2 calls this Slovak, and reliable
    assert language.cld2_language(text) == "sk"
    assert language.detect_language(text) == language.py3langid_language(text) == "de"


def test_cld2_answers_a_few_words_py3langid_is_unsure_of():
    assert language.py3langid_language("Ciao a tutti") is None
    assert language.detect_language("Ciao a tutti") == "it"


@pytest.mark.parametrize("text", ["Das ist ein \ud800 deutscher Satz über die Steuern der Bundesregierung.",
                                  "Das ist ein \x00\x0b deutscher Satz über die Steuern der Bundesregierung."])
def test_detect_language_survives_lone_surrogates_and_control_characters(text):
    assert language.detect_language(text) == "de"


def test_detect_language_only_reads_the_first_2000_chars():
    text = ENGLISH * 3 + " " + FRENCH * 100  # mostly French, English for well over 2000 chars
    assert len(ENGLISH * 3) > 2000
    assert language.detect_language(text[2000:]) == "fr"
    assert language.detect_language(text) == "en"


@pytest.mark.parametrize(
    "value, expected",
    [("en-US", "en"), ("EN", "en"), ("en_GB", "en"), ("eng", "en"), ("fre", "fr"),
     ("deu", "de"), ("zh-Hans-CN", "zh"), ("iw", "he"), ("English", "en"),
     ("en-US,en;q=0.9", "en"), (" fr ", "fr"), ("pt-BR", "pt"),
     ("xx", None), ("garbage", None), ("", None), (None, None), ("*", None),
     ("x-default", None), ("e1", None), (42, None)],
)
def test_normalise_language(value, expected):
    assert language.normalise_language(value) == expected


def test_random_multi_script_text_never_crashes_the_process():
    """CLD2 is C++ (crashes reading past a buffer are reported for it): a crash would kill a worker,
    so random text of every script, control characters and private-use planes included, is run in a
    child process that must exit cleanly."""
    import subprocess
    import sys

    script = (
        "import random\n"
        "from transforms.text.language import detect_language\n"
        "rng = random.Random(11)\n"
        "spans = [(0, 0x7e), (0x80, 0x52f), (0x590, 0xeff), (0x3040, 0x9fff), (0xac00, 0xd7a3), (0xfe00, 0xffff),\n"
        "         (0x10000, 0x1faff), (0xe0000, 0x10ffff)]\n"
        "for _ in range(3000):\n"
        "    text = ''.join(''.join(chr(rng.randint(*rng.choice(spans))) for _ in range(rng.randint(1, 12))) + ' '\n"
        "                   for _ in range(rng.randint(1, 80)))\n"
        "    detect_language(text)\n"
        "print('done')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == b"done", result.stderr[-2000:]
