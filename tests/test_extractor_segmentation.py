"""Sentence and clause segmentation on short articles written for these tests."""

from __future__ import annotations

from ledger import plugins
from ledger.extractors import SourceInfo

from helpers import statements

ABBREVIATIONS = (
    "Dr. Ana M. Ruiz, who leads the U.N. relief team, arrived on Nov. 4 with 12 trucks. "
    "The U.S. Army sent two helicopters. Gen. Lars T. Berg met Col. Omar Diaz at St. Mary's."
)


def test_registered_through_the_hook():
    spec = plugins.get_extractor("rules")
    assert spec.name == "rules" and spec.version
    items = list(spec.extract("First claim here. Second claim here.", SourceInfo()))
    assert [x.kind for x in items] == ["headline", "statement"] or len(items) == 2


def test_abbreviations_titles_initials_do_not_end_sentences():
    assert statements(ABBREVIATIONS) == [
        "Dr. Ana M. Ruiz, who leads the U.N. relief team, arrived on Nov. 4 with 12 trucks.",
        "The U.S. Army sent two helicopters.",
        "Gen. Lars T. Berg met Col. Omar Diaz at St. Mary's.",
    ]


def test_dotted_acronym_ends_sentence_before_an_opener():
    text = "Sanctions were imposed by the U.S. The talks collapsed."
    assert statements(text) == ["Sanctions were imposed by the U.S.", "The talks collapsed."]


def test_quotes_that_end_and_span_sentences():
    text = (
        '"We are safe," Ruiz said at a shelter on the hill. "The water is falling."\n'
        '"The roads are gone. Nobody can leave," a police officer said.'
    )
    assert statements(text, title="x") == [
        '"We are safe," Ruiz said at a shelter on the hill.',
        '"The water is falling."',
        '"The roads are gone.',
        'Nobody can leave," a police officer said.',
    ]


def test_question_inside_quote_followed_by_lowercase_is_one_sentence():
    text = 'Why now?" the mayor asked reporters on the steps of the hall.'
    assert len(statements(text, title="x")) == 1


def test_colons_parentheses_dashes_and_crlf():
    text = (
        "Local News Today\r\n\r\n"
        "She watched CSI: Miami (a TV show. Really.) at night — a rare break.\r\n"
        "The river rose 2 meters; schools closed."
    )
    got = statements(text)
    assert got[0].startswith("She watched CSI: Miami")
    assert "—" in got[0] or any("—" in g for g in got)
    assert got[-1] == "The river rose 2 meters; schools closed."
    assert all("\r" not in g and "\n" not in g for g in got)


def test_curly_quotes():
    text = "“It is over,” the coach said. “We lost.”"
    assert statements(text, title="x") == ["“It is over,” the coach said.", "“We lost.”"]


def test_compound_sentence_in_one_voice_stays_whole():
    text = "No agreement was ever reached, and both parties blame each other for the delay."
    assert statements(text, title="x") == [text]


def test_clause_split_when_attribution_differs():
    text = (
        "The bridge was closed for repairs on Monday, but transport minister Eva Holm said Tuesday "
        "that it would reopen soon."
    )
    assert statements(text, title="x") == [
        "The bridge was closed for repairs on Monday,",
        "but transport minister Eva Holm said Tuesday that it would reopen soon.",
    ]


def test_clause_split_with_as_and_reported_speech():
    text = 'The council rejected the plan in 2021, as a local paper wrote "the plan is dead" the next day.'
    assert statements(text, title="x") == [
        "The council rejected the plan in 2021,",
        'as a local paper wrote "the plan is dead" the next day.',
    ]


def test_clause_split_when_hedging_differs():
    text = "The dam held overnight; the river reportedly rose again by morning."
    assert statements(text, title="x") == ["The dam held overnight;", "the river reportedly rose again by morning."]


def test_no_split_inside_quotes_or_without_subject():
    text = '"We tried, and we failed," the captain said, and walked off the field.'
    assert statements(text, title="x") == [text]


def test_paragraphs_never_merge():
    text = "Title line\n\nfirst paragraph has no final stop\nSecond paragraph ends here."
    got = statements(text)
    assert "first paragraph has no final stop" in got
    assert "Second paragraph ends here." in got
