"""Scores for extracted text and metadata, as the two benchmarks define them.

AEB (Scrapinghub article-extraction benchmark): ``\\w+`` tokens, 4-token shingles, per
page tp/fp/fn normalised to sum 1; precision and recall are averaged over pages and F1
is computed from the two averages; accuracy is an exact token-sequence match.
WCXB: per-page bag-of-words F1 over lowercase ``\\w+`` tokens; ``with`` / ``without``
snippets found by case-insensitive substring (whitespace collapsed on both sides).
fundus-dev: WCXB's word F1 for the body, plus whether the lead is kept (``lead_present``).
Metadata: titles compared normalised-exact, authors by name tokens (a gold list as a set of
names), dates by calendar day, topics by Jaccard over case-folded topic sets.
"""
import re
import unicodedata
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Optional, Sequence, Tuple, Union

__all__ = [
    "shingle_counts", "shingle_scores", "aeb_summary", "exact_match", "word_f1",
    "snippet_share", "lead_present", "normalise_title", "title_matches", "author_matches", "date_matches",
    "topic_jaccard",
]

SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\w+", re.UNICODE)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-"})
_EDGE_PUNCTUATION = " \t\n\"'.:;,!?-|·•"
_NOT_NAMES = frozenset(
    "by and the ph d phd md do rd rdn ms msc ma mba mph bsc ba rn np cpt cscs fand ld lcsw psyd dvm jd esq e ryt 200 500 "
    "jr sr".split()
)

TpFpFn = Tuple[float, float, float]
_EARLIEST_OFFSET = timedelta(hours=14)  # UTC+14: the local day starts 14 h before it does in UTC
_LATEST_OFFSET = timedelta(hours=12)  # UTC-12: it ends 12 h after
LEAD_RECALL = 0.8  # share of the lead's words the text must hold for the lead to count as kept


# --------------------------------------------------------------------------- AEB text


def _tokens(text: Optional[str]) -> list:
    return _TOKEN.findall(text or "")


def shingle_counts(text: Optional[str], size: int = SHINGLE_SIZE) -> Counter:
    """Counts of the ``size``-token shingles of ``text`` (a shorter text is one shingle)."""
    tokens = _tokens(text)
    return Counter(tuple(tokens[i:i + size]) for i in range(max(1, len(tokens) - size + 1)) if tokens)


def shingle_scores(gold: str, predicted: str) -> TpFpFn:
    """(tp, fp, fn) over shingles, normalised to sum 1 (all zero when both are empty)."""
    true, pred = shingle_counts(gold), shingle_counts(predicted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def aeb_summary(scores: Sequence[TpFpFn]) -> dict:
    """Precision and recall averaged over pages (as the benchmark skips undefined ones), F1 of the two."""
    precisions = [_precision(*s) for s in scores if s[0] + s[1] > 0]
    recalls = [_recall(*s) for s in scores if s[0] + s[2] > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def exact_match(gold: str, predicted: str) -> bool:
    """The benchmark's accuracy: the same token sequence."""
    return _tokens(gold) == _tokens(predicted)


# --------------------------------------------------------------------------- WCXB text


def word_f1(gold: str, predicted: str) -> float:
    """Bag-of-words F1 over lowercase ``\\w+`` tokens (1.0 when both are empty)."""
    true, pred = Counter(_tokens((gold or "").lower())), Counter(_tokens((predicted or "").lower()))
    if not true and not pred:
        return 1.0
    overlap = sum((true & pred).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(true.values())
    return 2 * precision * recall / (precision + recall)


def _squeeze(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def snippet_share(snippets: Iterable[str], text: str) -> Tuple[int, int]:
    """(found, total): how many snippets occur in ``text`` (case-insensitive, whitespace collapsed)."""
    haystack = _squeeze(text)
    needles = [_squeeze(s) for s in snippets if s and s.strip()]
    return sum(1 for needle in needles if needle in haystack), len(needles)


def lead_present(lead: str, predicted: str, threshold: float = LEAD_RECALL) -> bool:
    """The lead's lowercase ``\\w+`` tokens are in the text, as a bag, at a recall of at least ``threshold``.

    Recall over the whole text, not position: what is asked is whether an extractor drops
    the lead (a common fault: it sits outside the body container), not where it puts it.
    0.8 rather than 1.0 so that a lead re-punctuated or with a trailing "(dpa)" still counts.
    """
    gold = Counter(_tokens((lead or "").lower()))
    if not gold:
        return False
    found = sum((gold & Counter(_tokens((predicted or "").lower()))).values())
    return found / sum(gold.values()) >= threshold


# --------------------------------------------------------------------------- metadata


def normalise_title(title: Optional[str]) -> str:
    """NFKC, casefolded, typographic quotes and dashes made plain, whitespace and edge punctuation trimmed."""
    text = unicodedata.normalize("NFKC", title or "").translate(_QUOTES)
    return " ".join(text.split()).casefold().strip(_EDGE_PUNCTUATION)


def title_matches(gold: Optional[str], predicted: Optional[str]) -> bool:
    """Normalised exact match: a " | Site" suffix or a truncated title is a miss."""
    return bool(gold) and normalise_title(gold) == normalise_title(predicted)


def _name_tokens(text: str) -> frozenset:
    """Casefolded name tokens, without connecting words and academic or professional credentials."""
    tokens = _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())
    return frozenset(t for t in tokens if t not in _NOT_NAMES)


def author_matches(gold: Union[None, str, Sequence[str]], predicted: Sequence[str]) -> bool:
    """The predicted names are the gold ones: no one missing, no one extra.

    A gold byline string (WCXB) is compared as name tokens of all names together, since
    where it splits between people is not given: "Jane Doe, MD and John Smith" matches
    ("Jane Doe", "John Smith"). A gold list (fundus-dev) already names each person, so it
    is compared as a set of names, each a set of name tokens. A site name instead of a
    person does not match either way.
    """
    if not gold:
        return False
    if not isinstance(gold, str):
        names = _name_set(gold)
        return bool(names) and names == _name_set(predicted)
    pred = _name_tokens(" ".join(predicted or ()))
    return bool(pred) and pred == _name_tokens(gold)


def _name_set(names: Iterable[str]) -> set:
    return {tokens for tokens in map(_name_tokens, names or ()) if tokens}


def _topic_set(topics: Iterable[str]) -> set:
    return {" ".join(t.split()).casefold() for t in topics or () if t and t.strip()}


def topic_jaccard(gold: Iterable[str], predicted: Iterable[str]) -> float:
    """|gold & predicted| / |gold | predicted| over case-folded, whitespace-collapsed topics.

    Each topic is compared whole: a comma-joined "a, b" is one topic, not two, as a
    consumer filtering on a topic would see it. 1.0 when both are empty.
    """
    true, pred = _topic_set(gold), _topic_set(predicted)
    union = true | pred
    return len(true & pred) / len(union) if union else 1.0


def date_matches(gold: Optional[str], predicted: Optional[str]) -> bool:
    """The predicted publication date is the gold ``YYYY-MM-DD`` day.

    A bare day must be that day. An instant with a UTC offset (newsbeam stores UTC) must
    fall on that day in some time zone, UTC-12 to UTC+14: the gold day is the one the
    page shows in its own zone, which the instant alone does not name.
    """
    if not gold or not predicted:
        return False
    try:
        day = date.fromisoformat(gold[:10])
        instant = datetime.fromisoformat(predicted)
    except ValueError:
        return str(predicted)[:10] == gold[:10]
    if instant.tzinfo is None or len(predicted) <= 10:
        return instant.date() == day
    start = datetime.combine(day, time(0), tzinfo=timezone.utc)
    return start - _EARLIEST_OFFSET <= instant < start + timedelta(days=1) + _LATEST_OFFSET
