"""Unit tests for transforms.text.metadata: authors and topics (plain pytest, no Beam)."""
import pytest

import transforms.text.metadata as md


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, ()),
        ("", ()),
        ("By Jane Doe and John Smith", ("Jane Doe", "John Smith")),
        ("Jane Doe, John Smith", ("Jane Doe", "John Smith")),
        ("Jane Doe; John Smith", ("Jane Doe", "John Smith")),
        ("BY: Jane Doe & John Smith", ("Jane Doe", "John Smith")),
        ("Jane Doe (jane@example.com)", ("Jane Doe",)),
        ("jane@example.com (Jane Doe)", ("Jane Doe",)),
        ("Byron Andrews and Sandra Bland", ("Byron Andrews", "Sandra Bland")),
        ("Jane Doe, jane doe, Jane  Doe", ("Jane Doe",)),
        (["By Jane Doe", "John Smith", "Jane Doe"], ("Jane Doe", "John Smith")),
        ([{"name": "Jane Doe", "email": "jane@example.com"}, {"name": "John Smith"}, {"email": "x@y.z"}],
         ("Jane Doe", "John Smith")),
        ({"name": "Jane Doe"}, ("Jane Doe",)),
        ("Written by Jane Doe", ("Jane Doe",)),
        ("Office of Parks and Recreation", ("Office of Parks and Recreation",)),
        ("Jane Doe, Centre for Shed Studies and Repairs", ("Jane Doe", "Centre for Shed Studies and Repairs")),
        ("Ana Lima & Sam Kim", ("Ana Lima", "Sam Kim")),
        (42, ()),
    ],
)
def test_split_authors(value, expected):
    assert md.split_authors(value) == expected


@pytest.mark.parametrize(
    "byline, expected",
    [
        # a feed's dc:creator with the job title after a comma, "|" or " - "
        ("Maria Gonzalez, Staff Writer", ("Maria Gonzalez",)),
        ("Maria Gonzalez | Senior Reporter", ("Maria Gonzalez",)),
        ("Maria Gonzalez - Correspondent", ("Maria Gonzalez",)),
        ("Maria Gonzalez – Political Editor", ("Maria Gonzalez",)),
        ("By Maria Gonzalez, Contributor", ("Maria Gonzalez",)),
        ("Maria Gonzalez, Staff", ("Maria Gonzalez",)),
        ("Maria Gonzalez, Associated Press Writer", ("Maria Gonzalez",)),
        ("Maria Gonzalez, Special to the Times", ("Maria Gonzalez",)),
        ("Maria Gonzalez, FOREIGN CORRESPONDENT", ("Maria Gonzalez",)),
        ("Maria Gonzalez, Editor-at-Large", ("Maria Gonzalez",)),
        ("Maria Gonzalez, White House Correspondent", ("Maria Gonzalez",)),
        ("Maria Gonzalez, Political and Foreign Correspondent", ("Maria Gonzalez",)),
        ("Ana Ruiz, Senior Editor, and Ben Ode, Staff Writer", ("Ana Ruiz", "Ben Ode")),
        ("Jane Doe and John Smith, Staff Writers", ("Jane Doe", "John Smith")),
        ("Staff Writer, Maria Gonzalez", ("Maria Gonzalez",)),
        ("By Staff Writer", ()),
        # other languages
        ("Anna Schmidt, Redakteurin", ("Anna Schmidt",)),
        ("Jonas Weber | Korrespondent", ("Jonas Weber",)),
        ("Lena Vogt, Freie Journalistin", ("Lena Vogt",)),
        ("Jean Dupont, rédacteur en chef", ("Jean Dupont",)),
        ("Claire Martin - Envoyée spéciale", ("Claire Martin",)),
        ("Ana López, corresponsal", ("Ana López",)),
        ("Luis Pérez, Redactor Jefe", ("Luis Pérez",)),
        ("Giulia Rossi, inviata", ("Giulia Rossi",)),
    ],
)
def test_split_authors_drops_job_titles(byline, expected):
    assert md.split_authors(byline) == expected


@pytest.mark.parametrize(
    "byline, expected",
    [
        # a part with any word outside the role vocabulary is a name or an organisation
        ("Jane Doe, John Smith", ("Jane Doe", "John Smith")),
        ("Associated Press", ("Associated Press",)),
        ("By The Associated Press", ("The Associated Press",)),
        ("Jane Doe, Associated Press", ("Jane Doe", "Associated Press")),
        ("Emma Writer, Tom Press", ("Emma Writer", "Tom Press")),  # role words as surnames
        ("Harbour Travel Editor, KTL", ("Harbour Travel Editor", "KTL")),
        ("Omar Fenn - Harbour Editorial Team", ("Omar Fenn - Harbour Editorial Team",)),  # a dash never splits
        ("Mary-Jane Doe-Smith - Staff Writer", ("Mary-Jane Doe-Smith",)),
        ("Les Writer", ("Les Writer",)),
        ("Guest Williams, Chef Ramsey", ("Guest Williams", "Chef Ramsey")),
        ("Special K", ("Special K",)),
        ("Doe, Jane", ("Doe", "Jane")),  # unchanged: a "Last, First" byline is not recognised
    ],
)
def test_split_authors_keeps_names(byline, expected):
    assert md.split_authors(byline) == expected


@pytest.mark.parametrize(
    "byline, expected",
    [
        ("Monika Bolliger und Anna Trechsel", ("Monika Bolliger", "Anna Trechsel")),
        ("Von Kari Nordmann og Ola Nordmann", ("Kari Nordmann", "Ola Nordmann")),
        ("Juan Pérez y María López", ("Juan Pérez", "María López")),
        ("Par Marie Dupont et Jean Martin", ("Marie Dupont", "Jean Martin")),
        ("Anna Svensson och Erik Lund", ("Anna Svensson", "Erik Lund")),
        ("Jan de Vries en Piet Jansen", ("Jan de Vries", "Piet Jansen")),
        ("José Ortega y Gasset", ("José Ortega y Gasset",)),  # one person: "y" inside a name
        ("von David Straub", ("David Straub",)),
        ("Elena Oberholzer (obe), Corina Gall (cog.)", ("Elena Oberholzer", "Corina Gall")),
        ("Jane Doe (AP)", ("Jane Doe (AP)",)),  # only a desk's lower-case initials go
    ],
)
def test_split_authors_in_other_languages(byline, expected):
    assert md.split_authors(byline) == expected


@pytest.mark.parametrize(
    "values, expected",
    [
        (None, ()),
        ([], ()),
        (["  Politics ", "", "  ", "politics", "Economy", "POLITICS", "economy "], ("Politics", "Economy")),
        ("World  news", ("World news",)),
        (("b", "a", "B"), ("b", "a")),
        ([{"term": "Tech", "scheme": None}, {"term": "tech"}, {"label": "Science"}], ("Tech", "Science")),
        ([None, 3, "ok"], ("ok",)),
        # keyword lists in one string (a page's keywords meta): one topic per keyword
        ("Unfall,Rettungswesen, Katastrophenschutz,Berlin", ("Unfall", "Rettungswesen", "Katastrophenschutz", "Berlin")),
        (["Sport", "Leichtathletik,Marathon,Sport"], ("Sport", "Leichtathletik", "Marathon")),
        ("Kauza Dozimetr, Michal Redl, Korupce", ("Kauza Dozimetr", "Michal Redl", "Korupce")),
        ("vogue-ausgabe; cover ;print;", ("vogue-ausgabe", "cover", "print")),
        ("Meteorit, Elmshorn ,Wissenschaft", ("Meteorit", "Elmshorn", "Wissenschaft")),
        # one comma and a space is part of a name, not a list
        ("Washington, D.C.", ("Washington, D.C.",)),
        (["Dallas, Texas", "Fußball"], ("Dallas, Texas", "Fußball")),
    ],
)
def test_clean_topics(values, expected):
    assert md.clean_topics(values) == expected
