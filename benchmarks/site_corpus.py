"""Synthetic sources with their own repeated lines and precision traps (pure; no newsbeam).

Each source has site lines only it uses (a sign-off, a dated footer, a desk note, a series
blurb, a corrections address), each carried by a share of its articles after the first two
paragraphs. The traps: a quote a few articles of one source repeat, a recurring fact, wire
paragraphs every source carries, a heading many articles share, and a brief whose only text
is a site line. Every line is labelled, so a run's output can be scored line by line.
"""
import json
import random
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

_WORDS = ("harbour council budget school river market police storm festival ferry bridge museum library "
          "tram clinic farmer teacher nurse court mayor tenant landlord bakery factory union strike vote "
          "election county village parish coast island tide rain drought harvest orchard vineyard brewery "
          "stadium league coach player season ticket concert theatre gallery painter author novel garden "
          "park forest trail cyclist driver airport runway pilot engineer budget deficit tax levy grant "
          "charity volunteer shelter winter summer spring autumn morning evening quarter district").split()
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
WIRE = ("The national statistics office said inflation eased to 2.1 percent in the year to October, "
        "its lowest level since the spring of 2021.",
        "The central bank left its main interest rate unchanged on Thursday and said it would watch wages closely.",
        "Forecasters expect heavy rain across the north of the country over the weekend, with flood warnings in place.")
SITE, CONTENT, WIRE_LINE, QUOTE, FACT, HEADING = "site", "content", "wire", "quote", "fact", "heading"
ONLY = "only_text"  # a site line that is a brief's only text: kept


@dataclass
class Article:
    source: str
    url: str
    title: str
    lines: List[Tuple[str, str]] = field(default_factory=list)  # (label, text)

    def record(self) -> str:
        return json.dumps({"url": self.url, "title": self.title, "source": self.source,
                           "text": "\n\n".join(text for _, text in self.lines)})


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def site_lines(name: str, rng: random.Random) -> List[Tuple[float, callable]]:
    """(share of articles, line maker) of one source's own boilerplate."""
    slug = name.lower().replace(" ", "")
    day = lambda: (f"{rng.choice(_WEEKDAYS)} {rng.randint(1, 28)} {rng.choice(_MONTHS)} 2026 at "
                   f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}")
    return [
        (0.9, lambda: f"Thanks for reading the {name}. Our reporting depends on readers like you, so consider "
                      f"becoming a member today."),
        (0.6, lambda: f"This story was last updated on {day()} by the {name} web desk."),
        (0.5, lambda: f"Pictures by the {name} staff team unless stated otherwise"),
        (0.35, lambda: f"{name} Weekend is our series about the people who keep the town running; every part "
                       f"is on our site."),
        (0.45, lambda: f"Spotted a mistake? Write to corrections@{slug}.example and our standards editor will reply."),
    ]


def make_source(name: str, articles: int, seed: int, start: int = 0) -> List[Article]:
    """``articles`` articles of one source (numbered from ``start``), labelled line by line."""
    rng = random.Random(f"{name}-{seed}")
    makers = site_lines(name, rng)
    quote = f"“We will not close the {rng.choice(_WORDS)} this winter,” the {name} mayor said on Tuesday."
    fact = f"The {name} district handles about {rng.randint(20, 60)} percent of the region's freight."
    slug = name.lower().replace(" ", "")
    out = []
    for n in range(start, start + articles):
        article = Article(name, f"https://{slug}.example/news/{n}", f"{_sentence(rng, 6)[:-1]} ({n})")
        body = [(CONTENT, _sentence(rng, rng.randint(14, 30))) for _ in range(rng.randint(4, 9))]
        extras = [(SITE, make()) for share, make in makers if rng.random() < share]
        extras += [(WIRE_LINE, wire) for wire in WIRE if rng.random() < 0.35]
        extras += [(QUOTE, quote)] if n % 13 == 0 else []
        extras += [(FACT, fact)] if n % 9 == 4 else []
        extras += [(HEADING, "What Happens Next")] if n % 3 == 0 else []
        for extra in extras:
            body.insert(rng.randint(2, len(body)), extra)
        article.lines = body
        out.append(article)
    brief = Article(name, f"https://{slug}.example/brief/{seed}-{start}", f"Brief {seed}-{start}",
                    [(ONLY, makers[1][1]())])
    return out + [brief]


def make_batch(sources: int, per_source: int, seed: int, start: int = 0) -> List[Article]:
    names = [f"Harbour Ledger {chr(65 + k)}" for k in range(sources)]
    return [article for name in names for article in make_source(name, per_source, seed, start)]


def score(articles: List[Article], written: Dict[str, dict]) -> Dict[str, Tuple[int, int]]:
    """label -> (lines present in the output, lines in the input); plus ``recorded``: site
    lines whose removal is recorded as ``site_repeated`` / site lines removed."""
    totals: Dict[str, List[int]] = {}
    recorded = [0, 0]
    for article in articles:
        row = written.get(article.url)
        kept = set((row or {}).get("text", "").split("\n\n"))
        logged = {item["text"] for item in (row or {}).get("boilerplate") or () if item["rule"] == "site_repeated"}
        for label, text in article.lines:
            present, total = totals.setdefault(label, [0, 0]), None
            present[0] += text in kept
            present[1] += 1
            if label == SITE and row is not None and text not in kept:
                recorded[1] += 1
                recorded[0] += text in logged
    return {**{label: tuple(v) for label, v in totals.items()}, "recorded": tuple(recorded)}
