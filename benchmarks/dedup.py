"""Near-duplicate linking quality: false links between unrelated articles, and
recall on lightly edited copies, per simhash threshold.

    python benchmarks/dedup.py [--shared ../shared]

Unrelated articles: the gold texts of the AEB and WCXB benchmarks (different
pages, so any link between two of them is a false link). Edited copies: each
text with one word changed, with a figure-like token changed, and with one
sentence added. Uses the pipeline's own functions (boilerplate stripping,
simhash64, band_buckets, near_links), so what is measured is what runs.
"""
import argparse
import glob
import json
import os
import random
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from transforms.text.boilerplate import load_rules, strip_boilerplate  # noqa: E402
from transforms.dedup.rules import CURRENT, band_buckets, near_links, order_key  # noqa: E402
from transforms.text.fingerprints import simhash64, word_count  # noqa: E402

THRESHOLDS = (3, 4, 5, 6, 7, 8)
MIN_WORDS = 50


def gold_texts(shared):
    truth = json.load(open(os.path.join(shared, "benchmarks", "aeb", "ground-truth.json")))
    texts = [v["articleBody"] for v in truth.values()]
    for path in sorted(glob.glob(os.path.join(shared, "benchmarks", "wcxb-dev-articles", "ground-truth", "*.json"))):
        texts.append(json.load(open(path)).get("ground_truth", {}).get("main_content") or "")
    return texts


def edits(text, rng):
    words = text.split()
    one = list(words)
    one[rng.randrange(len(one))] = "altered"
    return {"one word changed": " ".join(one),
            "figure changed": text.replace(words[len(words) // 2], "1,234", 1),
            "sentence added": text + "\nThe company declined to comment further when contacted on Monday."}


def links_at(hashes, threshold):
    """Ids linked to an earlier id, via the pipeline's band buckets."""
    buckets = defaultdict(list)
    for index, value in enumerate(hashes):
        member = (order_key(CURRENT, None, f"{index:06d}"), f"{index:06d}", value)
        for bucket in band_buckets(value, threshold):
            buckets[bucket].append(member)
    linked = set()
    for members in buckets.values():
        linked.update(article_id for article_id, _ in near_links(members, threshold))
    return linked, sum(len(m) * (len(m) - 1) // 2 for m in buckets.values())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    args = parser.parse_args(argv)
    rules = load_rules(["default", "de", "fr", "es"])
    cleaned = [strip_boilerplate(t, rules).text for t in gold_texts(args.shared)]
    originals = [t for t in cleaned if word_count(t) >= MIN_WORDS]
    hashes = [simhash64(t) for t in originals]
    rng = random.Random(42)
    variants = defaultdict(list)
    for text in originals:
        for kind, edited in edits(text, rng).items():
            variants[kind].append(simhash64(strip_boilerplate(edited, rules).text))
    n = len(originals)
    print(f"{n} unrelated articles (>= {MIN_WORDS} words), {n * (n - 1) // 2} pairs\n")
    print(f"{'threshold':>9} | {'false links':>11} | {'compared':>9} | " + " | ".join(f"{k:>16}" for k in variants))
    print("-" * (40 + 19 * len(variants)))
    for threshold in THRESHOLDS:
        linked, compared = links_at(hashes, threshold)
        recall = [sum(1 for a, b in zip(hashes, v) if bin((a ^ b) & (2**64 - 1)).count("1") <= threshold) / n
                  for v in variants.values()]
        print(f"{threshold:>9} | {len(linked):>11} | {compared:>9} | " + " | ".join(f"{r:>16.1%}" for r in recall))


if __name__ == "__main__":
    main()
