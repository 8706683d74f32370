"""A reproducible news-like JSONL corpus for the throughput benchmark.

``write_corpus(folder, docs, seed)`` writes ``docs`` unique articles (~6.5 KB of
text each, 88% English, 4% each German, French and Spanish) as JSONL shards of
at most ``DOCS_PER_FILE`` records (~13 MB, well under ``limits.max_file_mb``).
Every text carries the boilerplate newsbeam is built to remove: "Advert"
markers between paragraphs, a newsletter pitch, an image credit, a donation
appeal and a "Topics:" footer. The same seed always gives the same bytes.
"""
import json
import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Tuple

__all__ = ["DOCS_PER_FILE", "Corpus", "write_corpus"]

DOCS_PER_FILE = 2000
TARGET_CHARS = 6500

# Made-up publishers (a dozen, so a run writes a dozen source= partitions).
SITES = ("dailyherald-news.com", "citywire-post.org", "northpost-daily.net", "thecourier-online.co.uk",
         "metrotimes-news.com", "valleynews-today.org", "harbourgazette.com", "eveningstar-news.net",
         "tagesblatt-online.de", "journal-local.fr", "diario-sur-noticias.es", "weeklyledger-news.com")
SECTIONS = ("news", "politics", "business", "world", "science", "health", "sport", "culture")
TOPICS = ("Politics", "Economy", "Climate", "Health", "Education", "Transport", "Housing",
          "Energy", "Technology", "Crime", "Elections", "Budget", "Football", "Culture",
          "World News", "Local News", "Science", "Trade", "Farming", "Water")
NAMES = ("Jane Doe", "John Smith", "Amira Haddad", "Luca Bianchi", "Mei Chen", "Tom Walsh",
         "Sara Novak", "Owen Price", "Priya Nair", "Jonas Berg", "Claire Dubois", "Diego Ruiz")

# Word pools: function words are repeated so they come up as often as in real prose.
_EN = ("the the the the of of of and and and to to to a a in in in is was that for on with "
       "as by at from it its has have had be been were are will would said says not but "
       "council government minister city officials police report budget plan residents "
       "school hospital road water energy prices workers company market bank rates "
       "election voters party leader campaign court judge case investigation study "
       "scientists data climate weather storm flooding river bridge housing rent families "
       "children teachers patients doctors nurses farmers trade exports jobs wages "
       "spokesperson statement meeting week month year morning evening night district region "
       "county village town community project funding million billion percent increase "
       "decrease announced confirmed warned expected reported approved rejected proposed "
       "published released agreed opened closed started finished continued described "
       "local national international public private new old major small large early late "
       "first second third last next several many some most few other same recent former "
       "during after before while because although however also still already again "
       "more less about over under between against across around within without "
       "people members team players fans season match club coach stadium final league "
       "festival museum artists exhibition audience theatre music film book author").split()
_DE = ("der die das und in zu den von mit ist nicht sich des auf für im dem ein eine als "
       "auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem "
       "über einen so zum war haben nur oder aber vor zur bis mehr durch man sein wurde "
       "Stadt Rat Regierung Polizei Bericht Schule Wasser Energie Preise Wahl Gericht "
       "Bürger Millionen Prozent Woche Jahr Projekt Gemeinde Kinder Familien Arbeit").split()
_FR = ("le la les de des et en un une du est que pour dans qui pas sur au par plus avec "
       "ne se il elle ce sont a été ont mais comme aux ou son sa leurs cette entre après "
       "ville conseil gouvernement police rapport école eau énergie prix élection tribunal "
       "habitants millions pour cent semaine année projet commune enfants familles travail").split()
_ES = ("el la los las de del y en un una que por para con no se es su al lo como más pero "
       "sus le ya fue este ha sobre entre cuando muy sin también desde son dos hasta donde "
       "ciudad consejo gobierno policía informe escuela agua energía precios elección "
       "tribunal vecinos millones por ciento semana año proyecto familias trabajo").split()
LANGUAGES = (("en", _EN, 88), ("de", _DE, 4), ("fr", _FR, 4), ("es", _ES, 4))

_BOILERPLATE = {
    "en": {"advert": ("Advert", "Advertisement", "ADVERTISEMENT", "- Advertisement -",
                      "Story continues below advertisement"),
           "newsletter": ("Sign up for our weekly {topic} newsletter and get the best stories delivered to your inbox.",
                          "Subscribe to our daily {topic} briefing for the latest news.",
                          "Enter your email address to get our morning newsletter."),
           "credit": ("Photograph: {name}/Reuters", "Image credit: {name}", "(Photo by {name}/AFP via Getty Images)"),
           "appeal": ("If you would like to support our work, click here to make a donation.",
                      "Support independent local journalism. Every contribution, however big or small, helps.",
                      "Follow us on Facebook and Twitter for the latest {topic} news."),
           "topics": "Topics: {items}"},
    "de": {"advert": ("Anzeige", "- Anzeige -", "WERBUNG"),
           "newsletter": ("Melden Sie sich für unseren Newsletter an.",),
           "credit": ("Foto: {name}/dpa",),
           "appeal": ("Unterstützen Sie unseren Journalismus.",),
           "topics": "Themen: {items}"},
    "fr": {"advert": ("Publicité", "PUBLICITÉ"),
           "newsletter": ("Inscrivez-vous à notre newsletter.",),
           "credit": ("Photo : {name}/AFP",),
           "appeal": ("Soutenez notre journalisme indépendant.",),
           "topics": "Sujets : {items}"},
    "es": {"advert": ("Publicidad", "PUBLICIDAD"),
           "newsletter": ("Suscríbete a nuestro boletín.",),
           "credit": ("Foto: {name}/EFE",),
           "appeal": ("Apoya nuestro periodismo independiente.",),
           "topics": "Temas: {items}"},
}


@dataclass(frozen=True)
class Corpus:
    """What ``write_corpus`` wrote: the files, and how many documents and bytes."""

    files: Tuple[str, ...]
    docs: int
    bytes: int
    text_bytes: int


def _sentence(rng: random.Random, words: List[str]) -> str:
    picked = rng.choices(words, k=rng.randint(12, 26))
    if rng.random() < 0.5:  # a figure, as news has: also keeps every text unique
        picked.insert(rng.randrange(len(picked)), f"{rng.randint(2, 99999):,}")
    return picked[0].capitalize() + " " + " ".join(picked[1:]) + "."


def _paragraph(rng: random.Random, words: List[str]) -> str:
    return " ".join(_sentence(rng, words) for _ in range(rng.randint(2, 4)))


def _text(rng: random.Random, language: str, words: List[str], topics: List[str]) -> str:
    lines, size = [], 0
    chars = rng.gauss(TARGET_CHARS, 900)
    while size < chars:
        lines.append(_paragraph(rng, words))
        size += len(lines[-1]) + 1
    noise = _BOILERPLATE[language]
    name = rng.choice(NAMES)
    for _ in range(rng.randint(1, 3)):
        lines.insert(rng.randrange(1, len(lines)), rng.choice(noise["advert"]))
    lines.insert(rng.randrange(1, len(lines)), rng.choice(noise["credit"]).format(name=name))
    lines.insert(rng.randrange(2, len(lines)), rng.choice(noise["newsletter"]).format(topic=topics[0].lower()))
    lines.append(rng.choice(noise["appeal"]).format(topic=topics[0].lower()))
    lines.append(noise["topics"].format(items=", ".join(topics)))
    return "\n".join(lines)


def _record(rng: random.Random, number: int, start: datetime) -> dict:
    language, words = rng.choices([(l, w) for l, w, _ in LANGUAGES], weights=[p for *_, p in LANGUAGES])[0]
    site = rng.choice(SITES)
    topics = rng.sample(TOPICS, rng.randint(2, 5))
    title = " ".join(rng.choices(words, k=rng.randint(6, 12))).capitalize()
    published = start + timedelta(minutes=7 * number + rng.randint(0, 6))
    slug = "-".join(title.lower().split()[:6])
    return {
        "id": f"bench-{number:08d}",
        "url": f"https://www.{site}/{rng.choice(SECTIONS)}/{published:%Y/%m}/{slug}-{number}",
        "title": title,
        "authors": rng.sample(NAMES, rng.randint(1, 2)),
        "published_at": published.isoformat(),
        "text": _text(rng, language, words, topics),
    }


def write_corpus(folder: str, docs: int, seed: int = 7, docs_per_file: int = DOCS_PER_FILE) -> Corpus:
    """Write ``docs`` records into ``folder/shard-NNNNN.jsonl``; the same seed gives the same bytes."""
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    files, total, text_bytes = [], 0, 0
    for first in range(0, docs, docs_per_file):
        path = os.path.join(folder, f"shard-{first // docs_per_file:05d}.jsonl")
        with open(path, "wb") as handle:
            for number in range(first, min(first + docs_per_file, docs)):
                record = _record(rng, number, start)
                line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
                handle.write(line)
                total += len(line)
                text_bytes += len(record["text"].encode("utf-8"))
        files.append(path)
    return Corpus(tuple(files), docs, total, text_bytes)
