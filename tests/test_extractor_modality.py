"""Modality: asserted, hedged, negated, on sentences written here."""

from __future__ import annotations

import pytest

from ledger.extractors.rules.modality import modality
from ledger.extractors.rules.segment import mask_quotes, quote_spans

from helpers import find


def mod(sentence):
    return modality(sentence, mask_quotes(sentence, quote_spans(sentence)))


@pytest.mark.parametrize(
    "sentence, cue",
    [
        ("The minister reportedly resigned on Friday.", "reportedly"),
        ("Allegedly, the funds were moved abroad.", "Allegedly"),
        ("The leader is believed to be in the capital.", "believed to"),
        ("One truck appears to cross the line.", "appears to"),
        ("The vote may be delayed.", "may"),
        ("The strike could spread to other ports.", "could"),
        ("He is said to be furious.", "is said to"),
        ("The fire was possibly set on purpose.", "possibly"),
        ("The minister, who took office in 2019, appears to have support.", "appears to"),
    ],
)
def test_hedged(sentence, cue):
    assert mod(sentence) == ("hedged", cue)


@pytest.mark.parametrize(
    "sentence, cue",
    [
        ("Their actions didn't violate the agreement.", "didn't"),
        ("No such deal was ever signed.", "No"),
        ("The company never paid the fine.", "never"),
        ("The mayor denied that the money was missing.", "denied"),
        ("The report was not published.", "not"),
    ],
)
def test_negated(sentence, cue):
    assert mod(sentence) == ("negated", cue)


@pytest.mark.parametrize(
    "sentence",
    [
        "There was heavy reported gunfire in the north.",
        "The May 5 deadline passed quietly.",
        "Not only the roads but also the rail lines reopened.",
        "The crew found rats in the cellar, possibly from the old drains.",
        "The team won its first title in 1999.",
    ],
)
def test_asserted(sentence):
    assert mod(sentence)[0] == "asserted"


def test_hedged_wins_over_negated():
    assert mod("The prisoner reportedly did not eat.") == ("hedged", "reportedly")


def test_modality_in_an_article():
    text = "Ship Runs Aground\nThe ship reportedly ran aground at dawn. The crew was not hurt."
    assert find(text, "ran aground").modality == "hedged"
    assert find(text, "crew was not hurt").modality == "negated"
    assert find(text, "crew was not hurt").modality_cue == "not"
