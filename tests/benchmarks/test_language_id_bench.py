"""benchmarks/language_id.py: the labelled set it builds and its scoring (plain pytest)."""
from benchmarks.language_id import accuracy, chunks, labelled_texts
from transforms.text.language import detect_language


def test_labelled_set_holds_many_languages_from_the_gold():
    pairs = labelled_texts()
    languages = {language for language, _ in pairs}
    assert len(pairs) >= 100 and {"de", "en", "fr", "es", "ja"} <= languages
    assert all(text.strip() for _, text in pairs)


def test_chunks_cut_at_word_boundaries():
    text = " ".join(f"word{n}" for n in range(100))
    pieces = chunks(text, 50)
    assert all(len(piece) >= 50 for piece in pieces)
    assert " ".join(pieces) in text and all(piece.split()[0].startswith("word") for piece in pieces)


def test_accuracy_counts_only_exact_codes():
    pairs = [("de", "Die Bundesregierung hat am Dienstag ein neues Paket vorgestellt."), ("fr", "x y")]
    assert accuracy(detect_language, pairs) == 0.5
    assert accuracy(lambda text: None, pairs) == 0.0
