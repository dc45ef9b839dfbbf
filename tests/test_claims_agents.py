"""Rules of the claims matcher about who did what and running clocks (#10), each pinned on small
invented two-outlet articles about made-up events (a levee, a strike, a mill fire, a mine); none
of the words come from an eval set."""

from __future__ import annotations

import re

from ledger.log import LogStore
from ledger.projections import claims_view
from ledger.projections.claims.features import acts_of, running_durations, tokens_of
from ledger.projections.claims.frames import frames_of
from helpers import src, stmt, two_source_claims


def _linked(view, a: str, b: str) -> str | None:
    return next((x.relation for x in view.links if {x.a, x.b} == {a, b}), None)


def _dated(tmp_path, a: str, b: str, pub_a: str, pub_b: str):
    """Like ``two_source_claims``, with each source's published date."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    for sid, text, pub in (("src-a", a, pub_a), ("src-b", b, pub_b)):
        batch = [src(text, sid, outlet=sid, published=pub)]
        for k, sentence in enumerate(re.split(r"(?<=\.) ", text)):
            batch.append(stmt(text, sid, f"as-{sid[-1]}{k}", sentence))
        store.append(batch)
    return claims_view(store, cache=False)


def test_subject_and_verb_make_an_act():
    """``the engineers will sleep`` -> ``engineer>sleep``: the noun right before its verb, over modals."""
    assert "engineer>sleep" in acts_of(tokens_of("Until the water drops, the engineers will sleep in the hall."))
    assert "engineer>sleep" in acts_of(tokens_of("Volunteers filled sandbags so the engineers could sleep."))
    # a noun after a preposition is not the subject
    assert not any(a.startswith("engineer>") for a in acts_of(tokens_of("Sandbags for the engineers arrived.")))


def test_one_subject_doing_one_deed_links(tmp_path):
    """Two outlets telling one subject doing one plain deed link; the same subject doing another does not."""
    a = ("Until the water drops, the engineers will sleep in shifts. "
         "The engineers will inspect the Harlow spillway on Tuesday.")
    b = ("Volunteers filled sandbags so that the engineers could sleep. "
         "A Harlow bakery handed out bread.")
    view = two_source_claims(tmp_path, a, b)
    assert _linked(view, "as-a0", "as-b0") == "corroborates"
    assert _linked(view, "as-a1", "as-b0") is None


def test_start_again_is_a_resumption():
    """``would start again`` reads as ``resume`` (the lemma and the start frame), as ``resumed`` does."""
    toks = tokens_of("The vote count would start again on Monday.")
    assert "resume" in [t[1] for t in toks]
    assert "start" in {f.cls for f in frames_of(toks)}
    assert "resume" not in [t[1] for t in tokens_of("The vote count would start on Monday.")]


def test_running_duration_is_a_present_perfect_clock():
    assert running_durations("The Calloway rail strike has now gone on for 9 days.") == {9 * 86400.0}
    assert running_durations("Commuters have been stranded for 9 days.") == {9 * 86400.0}
    assert running_durations("The strike lasted for 9 days in 2019.") == frozenset()
    assert running_durations("Commuters have been stranded for more than 9 days.") == frozenset()


def test_one_running_clock_told_the_same_day_links(tmp_path):
    """The same running count of days on the same day links; on different days it does not."""
    a = "The Calloway rail strike has now gone on for 9 days. Calloway drivers met the minister."
    b = "Calloway commuters have been stranded for 9 days by the walkout. A Calloway school closed early."
    same = _dated(tmp_path / "s", a, b, "2031-03-09", "2031-03-09")
    assert _linked(same, "as-a0", "as-b0") == "corroborates"
    other = _dated(tmp_path / "o", a, b, "2031-03-09", "2031-03-14")
    assert _linked(other, "as-a0", "as-b0") is None


def test_one_deed_with_one_measure_told_alike_links(tmp_path):
    """One deed told as an action with the same bound measure (``more than six hours``) links; the
    same measure of another deed does not."""
    a = ("Two Dunmore mill workers were rescued more than six hours after the blaze began. "
         "The Dunmore road stayed closed for more than six hours.")
    b = ("Crews pulled out the pair more than six hours later. "
         "The Dunmore mill had passed an inspection in May.")
    view = two_source_claims(tmp_path, a, b)
    assert _linked(view, "as-a0", "as-b0") == "corroborates"
    assert _linked(view, "as-a1", "as-b0") is None


def test_a_deed_done_to_the_same_one_links_though_told_twice(tmp_path):
    """``tried to revive him`` / ``attempted to resuscitate him``: one frame outside the story's,
    done to the same pronoun object, links even when one outlet tells that frame twice."""
    a = ("A paramedic tried to revive him at the Pellow mine entrance. "
         "Doctors later revived two other Pellow miners in hospital.")
    b = "At the Pellow pit a fellow miner attempted to resuscitate him but could not. The Pellow shaft was sealed."
    view = two_source_claims(tmp_path, a, b)
    assert _linked(view, "as-a0", "as-b0") == "corroborates"


def test_a_tally_of_people_who_took_part_is_the_deed_s_count(tmp_path):
    """``400 volunteers had been mobilised`` and ``more than 2,000 people took part`` count the people of one
    effort (``count:participate``) and conflict though worded apart; ``three more`` is an addition."""
    a = ("Officials said 400 volunteers had been mobilised for the search. "
         "The search began near Kesselbrook.")
    b = ("More than 2,000 people took part in the operation. "
         "Three more volunteers joined the teams at Kesselbrook on Friday.")
    view = two_source_claims(tmp_path, a, b)
    link = next(x for x in view.links if {x.a, x.b} == {"as-a0", "as-b0"})
    assert link.relation == "conflicts"
    assert [s.slot for s in link.slots if s.outcome != "agree"] == ["count:participate"]
    from ledger.projections.claims.features import _headcount, quantities_of

    slots = [_headcount(q).slot for q in quantities_of("Three more volunteers joined the teams at Kesselbrook.")]
    assert slots == ["count:person"]


def test_a_gap_between_two_happenings_is_an_interval():
    from ledger.projections.claims.features import _interval_slot, quantities_of

    def slots(text):
        return [_interval_slot(q).slot for q in quantities_of(text) if q.slot in ("duration", "interval")]

    assert slots("Two workers were freed 25 minutes apart.") == ["interval"]
    assert slots("The second came out 15 minutes after that.") == ["interval"]
    assert slots("The crew has been trapped for 13 days.") == ["duration"]


def _sources(tmp_path, *texts: str):
    """The claims view of one-source articles ``src-a``, ``src-b``, ...; each sentence a statement."""
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    for n, text in enumerate(texts):
        sid = "src-" + "abcdefgh"[n]
        batch = [src(text, sid, outlet=sid)]
        for k, sentence in enumerate(re.split(r"(?<=\.) ", text)):
            batch.append(stmt(text, sid, f"as-{sid[-1]}{k}", sentence))
        store.append(batch)
    return claims_view(store, cache=False)


def test_the_gap_between_two_rescues_conflicts(tmp_path):
    """One deed every outlet tells (the story's rescue), told as an action by both with the same count
    and two gaps between its happenings: one fact whose interval disagrees (15 vs 25 minutes)."""
    a = ("Two more men, both welders on the night shift, had been freed from the collapsed storeroom, the first at "
         "4.10pm and the second 15 minutes after that. "
         "The Ostrava mill will stay shut.")
    b = ("Later that evening, as thick smoke poured from the roof, two more men were rescued 25 minutes apart. "
         "The Ostrava mill owner apologised.")
    others = ["Firefighters rescued a guard dog from the Ostrava mill.", "Crews in Ostrava rescued the night manager.",
              "Police rescued a driver near the Ostrava mill gate."]
    view = _sources(tmp_path, a, b, *others)
    link = next(x for x in view.links if {x.a, x.b} == {"as-a0", "as-b0"})
    assert link.relation == "conflicts"
    assert [s.slot for s in link.slots if s.outcome == "hard"] == ["interval"]


def test_totals_name_the_group_a_quantifier_covers():
    from ledger.projections.claims.features import totals_of

    assert totals_of(tokens_of("Every one of the miners has been brought out.")) == {"miner"}
    assert totals_of(tokens_of("All 40 miners were rescued.")) == {"miner"}
    assert totals_of(tokens_of("Forty miners were rescued.")) == frozenset()


def test_a_deed_done_to_all_of_one_group_links(tmp_path):
    """``every one of the miners ... brought safely out`` / ``all 40 miners were rescued``: the story's
    deed done to the whole group, told as done by both; a forecast (``could take days to rescue all``)
    is not the deed done."""
    a = ("Every one of the miners, and their boss as well, has now been brought safely out on the fourth day of "
         "the operation. Rhosgoch miners rescued a colleague in 2009.")
    b = ("Between 3 and 6 May, all 40 miners and their boss were rescued from the mine. "
         "Officials warned it could take days to rescue all of the miners. Rhosgoch rescuers rescued two dogs.")
    others = ["Volunteers in Rhosgoch rescued a miner's dog.", "Rhosgoch firefighters rescued two miners.",
              "A Rhosgoch crew rescued the miners' pony from the river."]
    view = _sources(tmp_path, a, b, *others)
    assert _linked(view, "as-a0", "as-b0") == "corroborates"
    assert _linked(view, "as-a0", "as-b1") is None


def test_a_rare_word_and_one_kind_of_happening_link(tmp_path):
    """``He lost consciousness`` / ``X lost consciousness while ...``: one rare plain word carrying most of
    both statements and one frame (here the story's: every outlet says the engineer died), though the rest
    of the wording differs."""
    a = ("He lost consciousness on the return journey from the third pumping station, about a mile inside the tunnel. "
         "The Brammer engineer died in hospital.")
    b = ("Officials said veteran engineer Tomas Verhagen, 51, lost consciousness while he and other crew members were "
         "on a mission to clear debris along flooded sections of the tunnel complex. Verhagen died at Brammer.")
    others = ["A Brammer engineer died on Friday.", "The engineer who died at Brammer was honoured.",
              "Verhagen died after the Brammer flood."]
    view = _sources(tmp_path, a, b, *others)
    assert _linked(view, "as-a0", "as-b0") == "corroborates"


def test_a_span_told_alike_links_across_days_and_kinds(tmp_path):
    """``missing more than a week ago have been found`` (2 May) / ``More than a week later they were found``
    (9 May): one deed with one span told alike, a running duration on one side and an interval on the
    other, reported on different days."""
    a = "All nine hikers who went missing in the Tarn hills more than a week ago have been found alive. The Tarn inn reopened."
    b = "More than a week later they were found sheltering in a shepherd's hut. Tarn police thanked the volunteers."
    view = _dated(tmp_path, a, b, "2031-05-02", "2031-05-09")
    assert _linked(view, "as-a0", "as-b0") == "corroborates"


def test_tallies_of_a_deed_on_two_days_are_two_tallies(tmp_path):
    """``10 people were arrested on Monday`` / ``4 people were arrested on Tuesday``: counts of one deed's
    people given for two days are not one fact (no conflict); on one day they conflict."""
    a = "Police said 10 people were arrested on Monday 3 March 2031. Quillfeather Street stayed closed."
    b = "Police said 4 people were arrested on Tuesday 4 March 2031. Quillfeather Street reopened later."
    view = _dated(tmp_path / "two", a, b, "2031-03-04", "2031-03-05")
    assert _linked(view, "as-a0", "as-b0") is None
    b1 = "Police said 4 people were arrested on Monday 3 March 2031. Quillfeather Street reopened later."
    view = _dated(tmp_path / "one", a, b1, "2031-03-04", "2031-03-05")
    assert _linked(view, "as-a0", "as-b0") == "conflicts"
