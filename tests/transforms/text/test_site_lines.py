"""Site boilerplate, the pure part: normalising, counting, deciding, stripping."""
from transforms.text.site_lines import (SiteLineParams, countable_lines, is_headline_like, is_site_line,
                                        line_fingerprint, normalise_line, strip_site_lines)

PARAMS = SiteLineParams()
SIGN_OFF = "Thanks for reading the Harbour Ledger, updated on Tuesday 3 March 2026 at 10:42."


def test_a_footer_with_the_days_date_matches_itself():
    other_day = "Thanks for reading the  harbour ledger — updated on Friday 27 November 2026 at 09:05!"
    assert normalise_line(SIGN_OFF) == normalise_line(other_day)
    assert line_fingerprint(SIGN_OFF) == line_fingerprint(other_day)
    assert line_fingerprint("Mis à jour le 3 mars 2026") == line_fingerprint("Mis à jour le 14 juin 2025")


def test_different_lines_differ():
    assert line_fingerprint("The council met on Tuesday.") != line_fingerprint("The council met on Tuesday night.")


def test_an_article_counts_a_line_once_and_skips_long_lines():
    long_line = " ".join(["word"] * 61) + "."
    text = f"First paragraph here.\n\n{SIGN_OFF}\n\n{long_line}\n\n{SIGN_OFF}\n\n  \n\n---"
    lines = list(countable_lines(text, max_line_words=60))
    assert [line.text for line in lines] == ["First paragraph here.", SIGN_OFF]


def test_a_site_line_needs_count_share_and_one_source():
    assert is_site_line(10, 40, 1, PARAMS)
    assert not is_site_line(3, 4, 1, PARAMS)  # too few articles, whatever the share
    assert not is_site_line(5, 40, 1, PARAMS)  # a quote in 5 of 40 articles
    assert not is_site_line(30, 40, 2, PARAMS)  # carried by two sources: a wire paragraph
    assert not is_site_line(4, 0, 1, PARAMS)


def test_headline_like_lines():
    assert is_headline_like("What Happens Next", None)
    assert is_headline_like("Ferry pier to close", "Ferry pier to close!")
    assert not is_headline_like("Pictures by our staff team unless stated otherwise", None)
    assert not is_headline_like("What We Don't Like:", None)
    assert not is_headline_like(SIGN_OFF, None)


def _article(*lines):
    return "\n\n".join(lines)


def test_strip_removes_learned_lines_and_records_their_count():
    learned = {line_fingerprint(SIGN_OFF): 37}
    text = _article("Lead paragraph.", "Second paragraph.", "Third paragraph.", SIGN_OFF)
    stripped, removed = strip_site_lines(text, "A title", learned, PARAMS)
    assert stripped == _article("Lead paragraph.", "Second paragraph.", "Third paragraph.")
    assert removed == [(SIGN_OFF, 37)]


def test_strip_protects_first_lines_title_and_headings():
    heading, title = "What Happens Next", "Council budget passes"
    learned = {line_fingerprint(line): 9 for line in (SIGN_OFF, heading, title)}
    text = _article(SIGN_OFF, "Second paragraph.", title, heading, "Body.")
    assert strip_site_lines(text, title, learned, PARAMS) == (text, [])


def test_strip_never_empties_an_article():
    learned = {line_fingerprint(SIGN_OFF): 9, line_fingerprint("Another site line here."): 9}
    params = SiteLineParams(protect_first_lines=0)
    text = _article(SIGN_OFF, "Another site line here.")
    assert strip_site_lines(text, None, learned, params) == (text, [])


def test_quoted_statements_are_protected():
    from transforms.text.site_lines import is_quoted_speech

    assert is_quoted_speech("“We will not close the harbour this winter,” the mayor said.")
    assert is_quoted_speech('Die Ministerin sagte: „Wir werden den Hafen nicht schließen.“')
    assert is_quoted_speech("« Nous ne fermerons pas le port cet hiver », a déclaré le maire.")
    assert not is_quoted_speech("Read our “Weekend” series every Saturday.")
    quote = "“We will not close the harbour this winter,” the mayor said."
    learned = {line_fingerprint(quote): 30}
    text = _article("Lead paragraph.", "Second paragraph.", quote, "Body.")
    assert strip_site_lines(text, None, learned, PARAMS) == (text, [])


def _normalise_line_by_whole_line_regex(line: str) -> str:
    """The definition normalise_line keeps: date words replaced by a \\b-bounded search of the whole line."""
    import re
    import unicodedata

    from transforms.text import site_lines

    date_word = re.compile(rf"\b(?:{site_lines._MONTHS_AND_DAYS})\b")
    folded = unicodedata.normalize("NFKC", line).casefold()
    folded = date_word.sub(" 0 ", site_lines._DIGITS.sub("0", folded))
    return " ".join(site_lines._NOT_WORD.sub(" ", folded).split())


def test_normalise_line_word_by_word_equals_the_whole_line_regex():
    import random

    from transforms.text.site_lines import normalise_line

    pool = ["January", "janvier", "Jan.", "jan.5", "Sept.", "mar.", "Mai", "MÄRZ", "Ｍａｙ", "miércoles", "Donnerstag",
            "septiembre", "e-mail", "de_Mai", "12:30", "2024", "mayor", "marché", "dec.3", "the", "news", "ﬁnancial",
            "İstanbul", "Straße", "sun", "sunny", "mon-tue", "…", "“quoted”", "x_y", "٣", "二〇二四年", "_jan_", "Sábado"]
    separators = [" ", ", ", ". ", "-", "/", "", "  ", "\t", ".", ":", "'", "’"]
    generator = random.Random(5)
    for _ in range(20_000):
        line = "".join(generator.choice(pool) + generator.choice(separators) for _ in range(generator.randint(1, 8)))
        assert normalise_line(line) == _normalise_line_by_whole_line_regex(line), line
