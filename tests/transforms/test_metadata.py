"""Unit tests for transforms.metadata: authors and topics (plain pytest, no Beam)."""
import pytest

from transforms import metadata as md


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
    "values, expected",
    [
        (None, ()),
        ([], ()),
        (["  Politics ", "", "  ", "politics", "Economy", "POLITICS", "economy "], ("Politics", "Economy")),
        ("World  news", ("World news",)),
        (("b", "a", "B"), ("b", "a")),
        ([{"term": "Tech", "scheme": None}, {"term": "tech"}, {"label": "Science"}], ("Tech", "Science")),
        ([None, 3, "ok"], ("ok",)),
    ],
)
def test_clean_topics(values, expected):
    assert md.clean_topics(values) == expected
