"""People and topics: author names from bylines, and cleaned topic lists.

Pure Python (no Beam import). Both accept what inputs declare -- strings,
lists, feedparser dicts -- and return de-duplicated tuples in input order.
"""
import re
from typing import Iterator, List, Tuple

__all__ = ["split_authors", "clean_topics", "dedupe_ignoring_case"]

_BYLINE_PREFIX_RE = re.compile(
    r"^(?:(?:(?:written|reported|words|text|story)\s+)?by|von|par|por|door)\b\s*:?\s*", re.IGNORECASE
)
_LIST_SEP_RE = re.compile(r"\s*[,;|\n]\s*(?:(?:and|&)\s+)?", re.IGNORECASE)  # ", and" too
_AND_RE = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
# "und", "og", "och", "en", "et", "y", "e" join two names only between two full names
# ("Monika Bolliger und Anna Trechsel"), never inside one ("José Ortega y Gasset").
_OTHER_AND_RE = re.compile(r"\s+(?:und|og|och|en|et|y|e)\s+")
_SHORTCODE_RE = re.compile(r"\s*\((?:[a-zäöüß]{2,5}\.?)\)$")  # "Elena Oberholzer (obe)": the desk's initials
# a lower-case connector inside a name makes it an organisation, not two people:
# "Center for Drug Evaluation and Research", "Department of Health and Human Services"
_ORGANISATION_CONNECTOR_RE = re.compile(r"\s(?:of|for|the|de|du|des|der|für|on)\s")
_DASH_SEP_RE = re.compile(r"\s+[-–—]{1,2}\s+")  # "Jane Doe - Staff Writer": a dash only ever cuts a role off
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_EMAIL_THEN_NAME_RE = re.compile(rf"^\s*{_EMAIL}\s*\(([^)]*)\)\s*$")  # RSS "a@b.c (Name)"
_EMAIL_RE = re.compile(rf"\(\s*(?:mailto:)?{_EMAIL}\s*\)|<\s*{_EMAIL}\s*>|{_EMAIL}")

# Job titles and desks that bylines put after the name ("Maria Gonzalez, Staff Writer"). A part
# is a role when it has a _ROLE_NOUNS word and every word is in _ROLE_VOCABULARY, so a real name
# (with at least one word outside it) is never dropped, and "Associated Press" (no role noun) stays.
_ROLE_NOUNS = frozenset("""
    writer reporter editor correspondent contributor columnist journalist staff staffer critic
    commentator analyst photographer producer blogger author stringer intern desk newsroom team
    redakteur redakteurin korrespondent korrespondentin reporterin journalistin autor autorin
    kolumnist kolumnistin chefredakteur chefredakteurin redaktion
    rédacteur rédactrice journaliste correspondant correspondante chroniqueur chroniqueuse
    éditorialiste envoyé envoyée pigiste rédaction
    redactor redactora corresponsal periodista reportero reportera columnista enviado enviada
    editora colaborador colaboradora redacción
    giornalista corrispondente inviato inviata redattore redattrice redazione
""".split())
_ROLE_MODIFIERS = frozenset("""
    senior junior chief lead managing executive contributing associate assistant deputy special
    foreign political national international regional local metro city business financial
    economics economic sports science health technology tech culture arts entertainment legal
    investigative education environment climate diplomatic defence defense security crime
    white house world news digital online wire associated press freelance guest large general
    freier freie leitender leitende stellvertretender stellvertretende
    chef adjoint adjointe grand spécial spéciale
    especial jefe jefa internacional nacional política economía
""".split())
_ROLE_CONNECTORS = frozenset("of the for at to in on and de del des la en für der".split())
_ROLE_VOCABULARY = _ROLE_NOUNS | _ROLE_MODIFIERS | _ROLE_CONNECTORS
_CREDIT_RE = re.compile(r"special\s+(?:to|for)\s+\w", re.IGNORECASE)  # "Special to the Times"
_WORD_RE = re.compile(r"[^\W\d_]+")


def _author_names(text: str):
    """Yield the individual names in one byline string."""
    match = _EMAIL_THEN_NAME_RE.match(text)
    if match:
        text = match.group(1)
    text = _EMAIL_RE.sub(" ", text)
    for item in _LIST_SEP_RE.split(text):
        item = _without_role_pieces(item)
        parts = [item] if _ORGANISATION_CONNECTOR_RE.search(item) else _AND_RE.split(item)
        for part in (name for part in parts for name in _two_full_names(part)):
            part = _SHORTCODE_RE.sub("", _BYLINE_PREFIX_RE.sub("", part.strip()))
            part = " ".join(part.split()).strip(" .:-")
            if any(c.isalpha() for c in part):
                yield part


def _two_full_names(text: str) -> List[str]:
    """``text`` split on a non-English "and" when each side is a name of two words or more."""
    pieces = _OTHER_AND_RE.split(_BYLINE_PREFIX_RE.sub("", text.strip()))
    if len(pieces) > 1 and all(len(piece.split()) >= 2 for piece in pieces):
        return pieces
    return [text]


def _without_role_pieces(item: str) -> str:
    """``item`` without its dash-separated pieces that are job titles ("" when all are).

    A whole comma-separated part is one piece; a dash never splits names apart
    ("Omar Fenn - Harbour Editorial Team" stays whole for the HTML byline cleaner).
    """
    pieces = _DASH_SEP_RE.split(item)
    kept = [piece for piece in pieces if not _is_role(piece)]
    return item if len(kept) == len(pieces) else " - ".join(kept)


def _is_role(text: str) -> bool:
    """A job title or desk ("Staff Writer", "Editor-at-Large", "Korrespondentin"), not a name.

    Whole words, case-insensitively: a role noun and nothing outside the role vocabulary, or
    a "Special to ..." credit. Precision first: any other word makes it a name.
    """
    text = _BYLINE_PREFIX_RE.sub("", text.strip())
    if _CREDIT_RE.match(text):
        return True
    words = _WORD_RE.findall(text.casefold())
    return (any(_role_noun(word) for word in words)
            and all(word in _ROLE_VOCABULARY or _role_noun(word) for word in words))


def _role_noun(word: str) -> bool:
    """``word`` (casefolded) is a role noun or its plural ("Staff Writers")."""
    return word in _ROLE_NOUNS or (word.endswith("s") and word[:-1] in _ROLE_NOUNS)


def dedupe_ignoring_case(items) -> Tuple[str, ...]:
    """The non-empty strings of ``items`` without case-insensitive repeats, first spelling and order kept."""
    seen, out = set(), []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def split_authors(value) -> Tuple[str, ...]:
    """Author names from a byline string, a list of strings, or feedparser author dicts.

    "By Jane Doe and John Smith", "Jane Doe, John Smith" and "Jane Doe;
    John Smith" all give ("Jane Doe", "John Smith"); an organisation's name
    ("Center for Drug Evaluation and Research") is not split on its "and". A leading "By" is
    removed, e-mail addresses are dropped (RSS "jane@x.org (Jane Doe)" gives
    "Jane Doe"), dicts contribute their "name", duplicates are removed
    case-insensitively and order is kept. A part that is a job title or desk, after a
    comma, "|" or " - " ("Maria Gonzalez, Staff Writer"), is not an author: it is dropped.
    """
    return dedupe_ignoring_case(name for item in _declared_strings(value, ("name",)) for name in _author_names(item))


def clean_topics(values) -> Tuple[str, ...]:
    """Topics stripped (inner whitespace collapsed), empties dropped, case-insensitive duplicates removed.

    Accepts None, one string, or an iterable of strings or of feedparser tag dicts (their
    "term", else "label"). A string that is a keyword list (``keyword_list``: "Unfall,
    Berlin, Teltow", "a; b") gives one topic per keyword. Order is kept.
    """
    keywords = (" ".join(part.split()) for item in _declared_strings(values, ("term", "label"))
                for part in keyword_list(item))
    return dedupe_ignoring_case(topic for topic in keywords if topic)


def _declared_strings(value, dict_keys) -> Iterator[str]:
    """The strings a field declares: None, one string or dict, or an iterable of them; a dict
    (a feedparser author or tag) gives its first non-empty ``dict_keys`` value."""
    if value is None:
        return
    items = [value] if isinstance(value, (str, dict)) else value
    if not hasattr(items, "__iter__"):
        return
    for item in items:
        if hasattr(item, "get"):
            item = next((item.get(key) for key in dict_keys if item.get(key)), None)
        if isinstance(item, str):
            yield item


_KEYWORD_SEPARATOR = re.compile(r"\s*[;,]\s*")


def keyword_list(text: str) -> List[str]:
    """The keywords of a string that lists them, else the string itself.

    A list is a string with a semicolon, two or more commas, or a comma with no space after
    it ("Leichtathletik,Marathon"); one comma followed by a space is a name's own
    ("Washington, D.C.", "Dallas, Texas") and is kept whole."""
    commas = text.count(",")
    if ";" in text or commas >= 2 or re.search(r",\S", text):
        return _KEYWORD_SEPARATOR.split(text)
    return [text]
