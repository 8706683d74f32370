"""Site lines learned as a stream's articles come, in a source's bounded memory."""
from transforms.text import stream_site_lines
from transforms.text.site_lines import SiteLineParams
from transforms.text.stream_site_lines import SourceLines, learn_and_strip

FOOTER = "Follow the Harbour Herald on social media for more local news."
PARAMS = SiteLineParams()


PLACES = ["quay", "pier", "wall", "lock", "bridge", "slipway", "marina", "beach"]
ASKS = ["parking", "buses", "noise", "fees", "lighting", "benches", "bins", "ferries"]


def article(n: int) -> dict:
    body = [f"Story about the {PLACES[n]}", f"The council met to discuss the {PLACES[n]} and its repairs.",
            f"Residents asked about {ASKS[n]} near the {PLACES[n]} and the new bus lane.", FOOTER]
    return {"id": f"a{n}", "title": f"Story {n}", "text": "\n".join(body), "source": "herald.example",
            "word_count": 40, "content_hash": f"h{n}", "simhash": n, "language": "en", "boilerplate": []}


def test_a_line_becomes_site_boilerplate_once_enough_articles_carry_it():
    memory, kept = SourceLines(), []
    for n in range(8):
        row, removed = learn_and_strip(memory, article(n), PARAMS)
        kept.append(FOOTER in row["text"])
        assert row["id"] == f"a{n}" and f"about {ASKS[n]} near" in row["text"]  # the story itself stays
    assert kept == [True] * (PARAMS.min_count - 1) + [False] * (8 - PARAMS.min_count + 1)
    assert memory.articles == 8


def test_a_source_memory_stays_bounded(monkeypatch):
    monkeypatch.setattr(stream_site_lines, "MAX_LINES", 50)
    memory = SourceLines()
    for n in range(100):
        word = "".join(chr(97 + (n >> (4 * k)) % 16) for k in range(3))  # no digits: they are folded
        memory.add(f"a line of its own: {word}\n{FOOTER}", PARAMS)
    assert len(memory.counts) <= 50 and max(memory.counts.values()) == 100  # the footer is remembered
