"""Tests for the benchmark metrics (AEB shingles, WCXB words and snippets, metadata matches)."""
import pytest

from benchmarks.datasets import HELD_OUT, TUNING, wcxb_half
from benchmarks.metrics import (
    aeb_summary, author_matches, date_matches, exact_match, shingle_scores, snippet_share,
    title_matches, word_f1,
)


def test_shingle_scores_are_normalised_per_page():
    assert shingle_scores("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = shingle_scores("a b c d e", "a b c d x")
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert shingle_scores("", "") == (0.0, 0.0, 0.0)


def test_aeb_summary_averages_precision_and_recall_over_pages():
    summary = aeb_summary([(1.0, 0.0, 0.0), (0.5, 0.5, 0.0)])
    assert summary["precision"] == pytest.approx(0.75)
    assert summary["recall"] == pytest.approx(1.0)
    assert summary["f1"] == pytest.approx(2 * 0.75 / 1.75)


def test_exact_match_compares_token_sequences():
    assert exact_match("Hello,  world!", "hello world".replace("h", "H"))
    assert not exact_match("Hello world", "world Hello")


def test_word_f1_is_a_bag_of_lowercase_words():
    assert word_f1("The cat sat", "the CAT sat") == 1.0
    assert word_f1("a b", "a c") == pytest.approx(0.5)
    assert word_f1("", "") == 1.0 and word_f1("a", "") == 0.0


def test_snippet_share_ignores_case_and_whitespace():
    assert snippet_share(["Sign  up NOW", "missing", ""], "please sign up\nnow") == (1, 2)


@pytest.mark.parametrize("gold, predicted, expected", [
    ("How to prune roses", "How to prune roses", True),
    ("How to prune roses", "how to prune roses.", True),
    ("Don't panic", "Don’t panic", True),
    ("How to prune roses", "How to prune roses | Garden Weekly", False),
    ("How to prune roses", None, False),
])
def test_title_matches(gold, predicted, expected):
    assert title_matches(gold, predicted) is expected


@pytest.mark.parametrize("gold, predicted, expected", [
    ("Jane Doe", ["Jane Doe"], True),
    ("Jane Doe, MD and John Smith", ["Jane Doe", "John Smith"], True),
    ("Jane Doe and John Smith", ["Jane Doe"], False),
    ("Jane Doe", ["Example News"], False),
    ("Jane Doe", [], False),
])
def test_author_matches(gold, predicted, expected):
    assert author_matches(gold, predicted) is expected


@pytest.mark.parametrize("predicted, expected", [
    ("2020-04-12", True),
    ("2020-04-13", False),
    ("2020-04-13T01:00:00+00:00", True),  # 18:00 on the 12th at UTC-7
    ("2020-04-11T10:00:00+00:00", True),  # 00:00 on the 12th at UTC+14
    ("2020-04-11T09:59:00+00:00", False),
    ("2020-04-14T01:00:00+00:00", False),
    (None, False),
])
def test_date_matches(predicted, expected):
    assert date_matches("2020-04-12", predicted) is expected


def test_wcxb_split_is_deterministic_and_covers_both_halves():
    halves = [wcxb_half(f"{n:04d}") for n in range(200)]
    assert halves == [wcxb_half(f"{n:04d}") for n in range(200)]
    assert 60 < halves.count(TUNING) < 140 and halves.count(TUNING) + halves.count(HELD_OUT) == 200
