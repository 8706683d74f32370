"""Counted nouns for what the CLI prints: "1 article", "2 articles", "1,204 files"."""

__all__ = ["counted"]

_IRREGULAR = {"entry": "entries", "bus": "buses"}


def counted(number: int, noun: str) -> str:
    """``number`` and ``noun``, plural unless the number is one, thousands separated."""
    word = noun if number == 1 else _IRREGULAR.get(noun, noun + "s")
    return f"{number:,} {word}"
