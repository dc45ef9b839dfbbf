"""Entities: people, organisations, places and the variants one article uses for one entity."""

from __future__ import annotations

from helpers import run

ARTICLE = (
    "Border Talks Resume\n"
    "The World Health Organization (WHO) sent a team to Lima on Monday. "
    "Col. Ana M. Ruiz, a spokeswoman for the European Space Agency, said the launch was delayed. "
    "The ES Agency will try again, and ESA engineers are confident. "
    "Ruiz said the rocket was safe. Officials in Norway agreed. The WHO team met villagers near Cusco."
)


def mentions():
    out = []
    for _q, x in run(ARTICLE):
        out.extend((m.text, m.type, m.entity) for m in x.entities)
    return out


def test_people_orgs_places():
    got = mentions()
    assert ("World Health Organization", "org", "World Health Organization") in got
    assert ("Lima", "place", "Lima") in got
    assert ("Ana M. Ruiz", "person", "Ana M. Ruiz") in got
    assert ("Norway", "place", "Norway") in got
    assert ("Cusco", "place", "Cusco") in got


def test_variants_resolve_to_one_entity():
    got = mentions()
    assert ("WHO", "org", "World Health Organization") in got
    assert ("ES Agency", "org", "European Space Agency") in got
    assert ("ESA", "org", "European Space Agency") in got
    assert ("Ruiz", "person", "Ana M. Ruiz") in got


def test_no_function_words_or_dates_as_entities():
    texts = [m[0] for m in mentions()]
    assert not any(t in ("The", "Monday", "Officials", "The ES Agency") for t in texts)


def test_mention_spans_are_exact():
    for _q, x in run(ARTICLE):
        for m in x.entities:
            assert ARTICLE[m.start : m.end] == m.text
