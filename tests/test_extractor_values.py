"""Values: numbers with unit and qualifier, ordinals, and ISO dates, on text written here."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.extractors.rules.values import find_values

PUB = dt.date(2024, 3, 15)  # a Friday


def vals(text, published=PUB):
    return [(v.type, v.text, v.value, v.unit, v.qualifier) for v in find_values(text, published)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("She had at least seven stitches.", ("quantity", "at least seven", "7", "stitches", "at least")),
        ("More than 12,500 fans came.", ("quantity", "More than 12,500", "12500", "fans", "more than")),
        ("about 640 did so.", ("quantity", "about 640", "640", None, "about")),
        ("Prices rose 4.2 percent.", ("percent", "4.2 percent", "4.2", "percent", None)),
        ("Prices rose 4.2% in May.", ("percent", "4.2%", "4.2", "percent", None)),
        ("a 31-year-old nurse", ("age", "31-year-old", "31", "years", None)),
        ("a 1.5-mile-long tunnel", ("quantity", "1.5-mile-long", "1.5", "mile", None)),
        ("in nearly two decades of war", ("quantity", "nearly two", "2", "decades", "nearly")),
        ("a budget of $3.5 million", ("quantity", "$3.5 million", "3500000", "USD", None)),
        ("twenty-five boats sank", ("quantity", "twenty-five", "25", "boats", None)),
        ("the fourth attempt", ("ordinal", "fourth", "4", None, None)),
        ("the 21st century", ("ordinal", "21st", "21", None, None)),
    ],
)
def test_quantities(text, expected):
    assert expected in vals(text)


@pytest.mark.parametrize(
    "text, value",
    [
        ("It happened on March 2.", "2024-03-02"),
        ("It happened on Mar. 2.", "2024-03-02"),
        ("It happened on 2 March 2019.", "2019-03-02"),
        ("It happened on March 2, 2019.", "2019-03-02"),
        ("It happened on Dec. 30.", "2023-12-30"),  # a month-day weeks after publication is last year's
        ("It happened on March 20.", "2024-03-20"),  # within two weeks: this year
        ("The panel met Friday.", "2024-03-15"),  # the same weekday is the publication day
        ("The panel met on Wednesday.", "2024-03-13"),
        ("The panel met last Friday.", "2024-03-08"),
        ("The panel meets next Monday.", "2024-03-18"),
        ("The panel met yesterday.", "2024-03-14"),
        ("It is due 2024-04-01.", "2024-04-01"),
        ("It fell in June 2020.", "2020-06"),
    ],
)
def test_dates(text, value):
    got = [v for v in vals(text) if v[0] == "date"]
    assert got and got[0][2] == value, got


def test_years_and_ranges():
    got = vals("After the 1914-18 war and the 1939–1945 war, the 1953 treaty held until 2013 and this year.")
    assert ("daterange", "1914-18", "1914/1918", None, None) in got
    assert ("daterange", "1939–1945", "1939/1945", None, None) in got
    assert ("year", "1953", "1953", None, None) in got
    assert ("year", "2013", "2013", None, None) in got
    assert ("year", "this year", "2024", None, None) in got


def test_counts_that_look_like_years_and_hyphenated_codes():
    got = vals("About 2000 troops and 1999 volunteers used AK-47 rifles.")
    assert ("quantity", "About 2000", "2000", "troops", "about") in got
    assert not any(v[1] == "47" for v in got)


def test_one_only_when_it_counts():
    assert not vals("One appears to cross the line.")
    assert not vals("one crossed over to the south.")
    assert ("quantity", "one", "1", "point", None) in vals("at one point it stopped")


def test_relative_dates_need_a_published_date():
    assert vals("The panel met Friday and on March 2 this year.", published=None) == []
    assert vals("It happened on March 2, 2019.", published=None)[0][2] == "2019-03-02"


def test_spans_are_exact():
    text = "On Nov. 3, about 1,200 people (3.5 percent) fled."
    for v in find_values(text, PUB):
        assert text[v.start : v.end] == v.text


def test_find_values_asked_again_answers_the_same_with_a_list_of_its_own():
    """find_values keeps its last answer (ingest asks again for the text just extracted, to
    find its relative dates): the same question gets an equal answer, a list the caller may
    change without changing the next answer; another reference day, span or text is computed."""
    import datetime as dt

    from ledger.extractors.rules.values import _find_values, find_values

    text = "On Wednesday 1,200 people crossed; by March 3, 2024 about 40 more had."
    first = find_values(text, None)
    first.clear()
    again = find_values(text, None)
    assert again == _find_values(text, None) and again
    day = dt.date(2024, 3, 1)
    assert find_values(text, day) == _find_values(text, day) != again  # the weekday resolves only with a day
    assert find_values(text, None, 0, 20) == _find_values(text, None, 0, 20)
    copy = "".join(list(text))  # an equal text, another object
    assert find_values(copy, None) == again
