"""Issue #16: quotation structure, a speaker model with state, hedges with a reason.

Every article here is invented for the tests (a flood in a mountain town, a mine rescue,
a hospital study); each test pins one class of rule, not a sentence.
"""

from __future__ import annotations

from helpers import find

MINE = (
    "Miners Reached After Four Days\n"
    "Five miners trapped in a flooded shaft near Dolna were reached by rescuers on Tuesday.\n"
    "Col. Petra Lind, the commander of the regional rescue brigade, spoke to reporters at the pit head. "
    '"We pumped all night to lower the water. It took six hours to reach the second level," she said.\n'
    "The commander went on: \"Our divers are tired. Morale is good. We will finish this.\"\n"
    "Tomas Berg, the mine's owner, said nothing about the cause of the flood.\n"
    "The Mining Safety Agency said the shaft had been inspected in May. It added that the pumps had been replaced.\n"
    "In their own statement, the Dolna Miners Union said the men \"never gave up. They are heroes.\"\n"
    "The union continued: \"We ask for a full inquiry.\"\n"
    "Deputy mayor Ana Kovac, the former head of the town council, said the road had reopened. "
    "She added that the school would stay closed.\n"
)


def test_colon_introduces_a_quotation_and_every_sentence_of_it_is_the_speakers():
    for needle in ("Our divers are tired", "Morale is good", "We will finish this"):
        x = find(MINE, needle)
        assert x.speaker == "Petra Lind", needle


def test_a_pronoun_resolves_to_a_person_introduced_as_speaking():
    """``X spoke to reporters`` quotes nothing itself but makes X the one ``she said`` means."""
    assert find(MINE, "spoke to reporters").speaker is None
    assert find(MINE, "We pumped all night").speaker == "Petra Lind"
    assert find(MINE, "It took six hours").speaker == "Petra Lind"


def test_said_nothing_names_no_speaker():
    assert find(MINE, "said nothing about the cause").speaker is None


def test_it_resolves_to_the_last_organisation_not_the_last_person():
    assert find(MINE, "shaft had been inspected").speaker == "Mining Safety Agency"
    assert find(MINE, "pumps had been replaced").speaker == "Mining Safety Agency"


def test_an_organisation_noun_resolves_to_the_last_organisation_speaker():
    x = find(MINE, "We ask for a full inquiry")
    assert x.speaker == "Dolna Miners Union"
    assert find(MINE, "They are heroes").speaker == "Dolna Miners Union"


def test_appositive_name_wins_over_the_role_and_the_pronoun_follows_it():
    assert find(MINE, "road had reopened").speaker == "Ana Kovac"
    assert find(MINE, "school would stay closed").speaker == "Ana Kovac"


STUDY = (
    "Hospital Waits Grew, Study Finds\n"
    "Waiting times at city hospitals grew by a third last year.\n"
    "The study found that staff shortages were the main cause. It also found that two wards had closed.\n"
    "A post on the Riverside Clinic Facebook page read: \"All patients are safe. We thank the nurses.\"\n"
    "Later another post went up: \"The east wing is open again.\"\n"
    "Local residents have challenged the figures, saying the true waits are longer.\n"
    "The health board honoured the retiring director, calling her \"a tireless leader\".\n"
    "The deputy governor of Marlow province said the beds would be added.\n"
    "Injuries reported: minor cuts, bruises.\n"
    "'Nobody was turned away'\n"
    "Speaking on Monday, hospital chief Lena Ruiz said no patient had been turned away.\n"
)


def test_documents_and_organisations_speak():
    assert find(STUDY, "staff shortages").speaker == "study"
    assert find(STUDY, "two wards had closed").speaker == "study"
    assert find(STUDY, "All patients are safe").speaker == "Riverside Clinic Facebook page"
    assert find(STUDY, "We thank the nurses").speaker == "Riverside Clinic Facebook page"
    assert find(STUDY, "east wing is open").speaker == "Riverside Clinic Facebook page"


def test_participle_reporting_names_the_clause_subject():
    assert find(STUDY, "challenged the figures").speaker == "Local residents"
    assert find(STUDY, "honoured the retiring director").speaker == "health board"


def test_a_role_phrase_is_kept_whole_when_no_name_is_given():
    assert find(STUDY, "beds would be added").speaker == "deputy governor of Marlow province"


def test_a_label_and_a_list_is_not_speech():
    assert find(STUDY, "Injuries reported").speaker is None


def test_a_pull_quote_is_the_next_paragraphs_speaker():
    assert find(STUDY, "Nobody was turned away").speaker == "Lena Ruiz"


HEDGES = (
    "Storm Nears the Coast\n"
    "The storm is expected to reach the coast on Friday.\n"
    "Ferries were halted so that crews could secure the harbour.\n"
    "A fisherman tried to reach his boat but could not.\n"
    "Sirens could be heard across the bay.\n"
    "The water rose more quickly than expected.\n"
    "It is not known how many boats were lost.\n"
    "Officials said the port was closed and that it might stay shut for days.\n"
    "The mayor said the ferry was running, and that the pier, which may be older than the town, was safe.\n"
    "Port chief Jan Ek said the quay, which is thought to date from 1890, was undamaged.\n"
)


def test_forecasts_and_unknowns_are_hedged_with_their_cue():
    x = find(HEDGES, "expected to reach")
    assert (x.modality, x.modality_cue) == ("hedged", "expected")
    assert find(HEDGES, "It is not known").modality == "hedged"


def test_purpose_ability_perception_and_than_expected_are_not_hedges():
    for needle in ("so that crews could", "but could not", "could be heard", "than expected"):
        assert find(HEDGES, needle).modality != "hedged", needle


def test_a_hedge_governs_only_its_clause():
    """``X said A and that B might C``: B is hedged and still X's; A is not hedged."""
    a = find(HEDGES, "the port was closed")
    b = find(HEDGES, "and that it might stay shut")
    assert (a.modality, a.speaker) == ("asserted", "Officials")
    assert (b.modality, b.modality_cue, b.speaker) == ("hedged", "might", "Officials")


def test_a_hedged_relative_clause_inside_reported_speech_is_scoped():
    """``X said A, and that B, which may ..., C``: A is not hedged; B's relative clause is."""
    a = find(HEDGES, "the ferry was running")
    assert (a.modality, a.speaker) == ("asserted", "mayor")
    rel = find(HEDGES, "which may be older")
    assert (rel.modality, rel.speaker) == ("hedged", "mayor")
    assert (find(HEDGES, "was safe").modality, find(HEDGES, "was safe").speaker) == ("asserted", "mayor")


def test_a_hedged_relative_clause_is_split_off_and_keeps_the_speaker():
    rel = find(HEDGES, "which is thought to date")
    assert (rel.modality, rel.speaker) == ("hedged", "Jan Ek")
    tail = find(HEDGES, "was undamaged")
    assert (tail.modality, tail.speaker) == ("asserted", "Jan Ek")
    assert rel == find(HEDGES, "Port chief Jan Ek said the quay")  # the relative clause stays with its head
