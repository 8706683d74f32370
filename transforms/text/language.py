"""Language: ``normalise_language`` for declared tags, ``detect_language`` for text.

Pure Python (no Beam import). Both return ISO 639-1 codes. Text goes to CLD2 (pycld2, a
compiled wheel with its tables inside) and, when CLD2 is unsure, to py3langid. The py3langid
model is built lazily, once per process, by a cached getter -- never at import time -- as a
``langid_fast.FastLanguageIdentifier`` (py3langid's scores, computed with numpy).
"""
import functools
import re
from typing import Optional

import pycld2

__all__ = ["LANGID_SAMPLE_CHARS", "cld2_language", "detect_language", "normalise_language", "py3langid_language"]

LANGID_SAMPLE_CHARS = 2000
_LANGID_MIN_WORDS = 3
_LANGID_MIN_PROB = 0.5
CLD2_MIN_CHARS = 200  # shorter samples go to py3langid first
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A "word of letters": a run of letters, or a single CJK/kana character
# (those scripts do not separate words with spaces).
_LETTER_WORD_RE = re.compile(rf"[{_CJK}]|[^\W\d_{_CJK}]+")

_ISO639_1 = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu "
    "cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he "
    "hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko "
    "kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd "
    "ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se "
    "sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty "
    "ug uk ur uz ve vi vo wa wo xh yi yo za zh zu".split()
)
# Deprecated 2-letter codes, common ISO 639-2/3 codes (incl. the 3-letter
# labels py3langid emits) and English names, mapped to ISO 639-1.
_LANGUAGE_ALIASES = {
    "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro",
    "ara": "ar", "ary": "ar", "arz": "ar", "ben": "bn", "bul": "bg", "cat": "ca",
    "ces": "cs", "cze": "cs", "chi": "zh", "zho": "zh", "cmn": "zh", "yue": "zh",
    "wuu": "zh", "dan": "da", "deu": "de", "ger": "de", "ell": "el", "gre": "el",
    "eng": "en", "est": "et", "fas": "fa", "per": "fa", "fin": "fi", "fra": "fr",
    "fre": "fr", "fuv": "ff", "gug": "gn", "heb": "he", "hin": "hi", "hrv": "hr",
    "hun": "hu", "ind": "id", "ita": "it", "jpn": "ja", "kik": "ki", "kor": "ko",
    "lav": "lv", "lit": "lt", "msa": "ms", "may": "ms", "nld": "nl", "dut": "nl",
    "nob": "nb", "nno": "nn", "nor": "no", "pol": "pl", "por": "pt", "ron": "ro",
    "rum": "ro", "rus": "ru", "sdh": "ku", "slk": "sk", "slo": "sk", "slv": "sl",
    "spa": "es", "srp": "sr", "swe": "sv", "tha": "th", "tur": "tr", "ukr": "uk",
    "urd": "ur", "uzs": "uz", "vie": "vi",
    "english": "en", "french": "fr", "german": "de", "spanish": "es",
    "italian": "it", "portuguese": "pt", "dutch": "nl", "russian": "ru",
    "chinese": "zh", "japanese": "ja", "arabic": "ar",
}
_LANG_TAG_RE = re.compile(r"[a-z]+")
_LANG_SPLIT_RE = re.compile(r"[-_,;\s]")


@functools.lru_cache(maxsize=1)
def _language_identifier():
    """The py3langid model with normalised probabilities (loaded once per process)."""
    from py3langid.langid import MODEL_FILE

    from transforms.text.langid_fast import FastLanguageIdentifier

    return FastLanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def normalise_language(value: Optional[str]) -> Optional[str]:
    """ISO 639-1 code for a declared language tag, or None.

    "en-US", "EN", "en_GB", "eng", "English" -> "en"; "zh-Hans" -> "zh";
    "iw" -> "he". Only the primary subtag of the first tag in a list
    ("en-US,en;q=0.9") is used. Unknown or malformed values -> None.
    """
    if not isinstance(value, str):
        return None
    primary = _LANG_SPLIT_RE.split(value.strip().lower(), maxsplit=1)[0]
    if not _LANG_TAG_RE.fullmatch(primary):
        return None
    if primary in _ISO639_1:
        return primary
    return _LANGUAGE_ALIASES.get(primary)


def _sample(text: Optional[str]) -> Optional[str]:
    """The first 2000 characters of ``text`` when they hold at least 3 words of letters (a CJK or
    kana character counts as a word), else None: too little to tell a language by."""
    sample = (text or "")[:LANGID_SAMPLE_CHARS]
    words = 0
    for _ in _LETTER_WORD_RE.finditer(sample):
        words += 1
        if words >= _LANGID_MIN_WORDS:
            return sample
    return None


def detect_language(text: str) -> Optional[str]:
    """ISO 639-1 code of ``text``, or None: CLD2's answer when it calls it reliable, else py3langid's.

    Only the first 2000 characters are examined; fewer than 3 words of letters give None.
    CLD2 (compiled) answers most texts in a quarter of py3langid's time; py3langid takes the
    texts CLD2 is unsure of, and goes first on samples under 200 characters, where CLD2 calls
    a few words reliable too readily (``benchmarks/language_id.py`` measures both).
    """
    sample = _sample(text)
    if sample is None:
        return None
    if len(sample) < CLD2_MIN_CHARS:  # CLD2 calls a few words "reliable" too readily ("Ich bin hier": sk)
        return _py3langid_label(sample) or _cld2_label(sample)
    return _cld2_label(sample) or _py3langid_label(sample)


def cld2_language(text: str) -> Optional[str]:
    """CLD2's reliable answer alone (for the benchmark), or None."""
    sample = _sample(text)
    return _cld2_label(sample) if sample is not None else None


def py3langid_language(text: str) -> Optional[str]:
    """py3langid's answer alone (newsbeam 0.5's detector), or None below a probability of 0.5."""
    sample = _sample(text)
    return _py3langid_label(sample) if sample is not None else None


def _cld2_label(sample: str) -> Optional[str]:
    try:
        reliable, _, details = pycld2.detect(sample.encode("utf-8", "replace"), isPlainText=True)
    except pycld2.error:
        return None
    code = details[0][1]
    return normalise_language(code) if reliable and code != "un" else None


def _py3langid_label(sample: str) -> Optional[str]:
    label, prob = _language_identifier().classify(sample)
    return normalise_language(label) if prob >= _LANGID_MIN_PROB else None
