"""Speakers and attribution cues, on articles written here."""

from __future__ import annotations

from ledger.extractors import SourceInfo
from ledger.extractors.rules import extract
from ledger.extractors.rules.speakers import Names

from helpers import find

BUDGET = (
    "Ministers Clash Over Budget\n"
    '"We will not raise taxes," said Finance Minister Maria Lopez. "Not this year, and not next year."\n'
    "Lopez, 52, later added that spending would fall by 3 percent. She said the cuts were fair.\n"
    '"This is a disaster for schools," opposition leader Karl Svensson said on Tuesday, the BBC reported. '
    "Svensson also warned that 2,000 jobs may go.\n"
    "The plan was approved by parliament on March 3, the ministry said in a statement.\n"
    "Police made no arrests, the Daily Post reports, and no protest was planned.\n"
    "Tax revenue fell by a fifth, according to the national statistics office.\n"
    "A government spokeswoman said the figures were provisional.\n"
    "Dr. Ines Berg, an economist at Lund University, told reporters the plan was sound. "
    "The chief economist of the bank, Pavel Novak, said growth would slow. "
    'He added, "Nothing is certain."\n'
    "The budget passed easily. It includes 400 new posts."
)


def test_inverted_quote_attribution_strips_role_words():
    x = find(BUDGET, "We will not raise taxes")
    assert (x.speaker, x.speaker_cue) == ("Maria Lopez", "said")


def test_quote_continuation_inherits_the_speaker():
    assert find(BUDGET, "Not this year").speaker == "Maria Lopez"


def test_short_name_and_pronoun_resolve_to_full_name():
    assert find(BUDGET, "spending would fall").speaker == "Maria Lopez"
    assert find(BUDGET, "the cuts were fair").speaker == "Maria Lopez"
    assert find(BUDGET, "2,000 jobs").speaker == "Karl Svensson"


def test_nested_attribution_prefers_the_quoted_person():
    x = find(BUDGET, "disaster for schools")
    assert (x.speaker, x.speaker_cue) == ("Karl Svensson", "said")


def test_trailing_outlet_and_descriptive_speakers():
    assert find(BUDGET, "approved by parliament").speaker == "ministry"
    assert find(BUDGET, "no arrests").speaker == "Daily Post"
    assert find(BUDGET, "no arrests").speaker_cue == "reports"
    x = find(BUDGET, "fell by a fifth")
    assert (x.speaker, x.speaker_cue) == ("national statistics office", "according to")
    assert find(BUDGET, "figures were provisional").speaker == "government spokeswoman"


def test_appositives_pick_the_name():
    x = find(BUDGET, "plan was sound")
    assert (x.speaker, x.speaker_cue) == ("Ines Berg", "told reporters")
    assert find(BUDGET, "growth would slow").speaker == "Pavel Novak"
    assert find(BUDGET, "Nothing is certain").speaker == "Pavel Novak"


def test_article_voice_has_no_speaker():
    assert find(BUDGET, "The budget passed easily").speaker is None
    assert find(BUDGET, "400 new posts").speaker is None


def test_not_attributions():
    text = (
        "Talks Resume\nThe envoy was told the offer had expired. There was no reported damage. "
        "It is hard to say what happens next."
    )
    for needle in ("was told", "no reported damage", "hard to say"):
        assert find(text, needle).speaker is None, needle


def test_fullest_form_seen_so_far():
    text = (
        "Fire Chief Speaks\nPaul Ode said the fire was out. Capt. Paul J. Ode, the fire chief, said no one was hurt. "
        "Ode said crews would stay."
    )
    assert find(text, "the fire was out").speaker == "Paul Ode"
    assert find(text, "no one was hurt").speaker == "Paul J. Ode"
    assert find(text, "crews would stay").speaker == "Paul J. Ode"


def test_names_registry():
    names = Names()
    names.add("Chad Carroll")
    assert names.resolve("Carroll") == "Chad Carroll"
    names.add("Chad G. Carroll")
    assert names.resolve("Carroll") == "Chad G. Carroll"
    assert names.resolve("Chad Carroll") == "Chad G. Carroll"
    assert names.resolve("Brooks") == "Brooks"


def test_names_registry_recomputes_a_cached_resolution_after_a_fuller_form():
    """A short name resolved (and cached) before a fuller form appears resolves to it afterwards, by first or last name."""
    names = Names()
    assert names.resolve("Kim") == "Kim"
    assert names.resolve("Un") == "Un"
    names.add("Kim Jong Un")
    assert names.resolve("Kim") == "Kim Jong Un"
    assert names.resolve("Un") == "Kim Jong Un"
    names.add("Lee Sang-hoon")  # files under other tokens: Kim's resolution stands
    assert names.resolve("Kim") == "Kim Jong Un"
    assert names.resolve("Lee") == "Lee Sang-hoon"


def test_direct_call_without_published_date():
    items = extract('"Fine," she said.', SourceInfo())
    assert items and all(x.speaker is None for x in items)
