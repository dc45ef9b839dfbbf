"""Paraphrase rules of the claims matcher, each pinned on small invented two-outlet articles (#10).

The places and people (Brennick, Tovar, Lisca) are made up for the rule they pin; none of the
words come from an eval set.
"""

from __future__ import annotations


from ledger.log import LogStore
from ledger.projections import claims_view
from ledger.projections.claims.features import quantities_of, tokens_of
from ledger.projections.claims.frames import frames_of
from helpers import src, stmt, two_source_claims


_view = two_source_claims


def _linked(view, a: str, b: str) -> str | None:
    return next((x.relation for x in view.links if {x.a, x.b} == {a, b}), None)


def test_to_safety_is_a_rescue():
    """``pulled to safety`` / ``dragged to safety`` read as the rescue frame, like ``rescuing``."""
    for phrase in ("pulled to safety", "was dragged to safety", "were carried to safety"):
        assert "rescue" in {f.cls for f in frames_of(tokens_of(f"The hiker {phrase} by wardens."))}, phrase
    assert "rescue" not in {f.cls for f in frames_of(tokens_of("The wardens walked to the hut for safety."))}


def test_infinitive_reads_as_verb():
    """After ``to`` or a modal an event word is a verb whatever its noun reading (``appears to cross``)."""
    assert "flee" in {f.cls for f in frames_of(tokens_of("One guard appears to cross the canal."))}
    assert "flee" not in {f.cls for f in frames_of(tokens_of("A cross stands on the hill."))}


def test_a_number_after_a_skipped_one_is_read():
    """``the Jan. 9 crash left three workers hurt``: the date's number must not swallow ``three``."""
    qs = quantities_of("Footage of the Jan. 9 crash showed three Tovar workers trapped")
    assert [(q.slot, q.value) for q in qs if q.slot.startswith("count:")] == [("count:person", 3.0)]


def test_same_happening_with_a_small_count_links(tmp_path):
    """One rescue told with the same small count links; the same count of another happening does not."""
    a = ("The driver was later dragged to safety by three Brennick firefighters. "
         "Three Brennick firefighters attended a training course in March.")
    b = ("Footage of the January 9 crash showed three Brennick firefighters rescuing the injured driver. "
         "The Brennick council bought a new ladder truck.")
    view = _view(tmp_path, a, b)
    assert _linked(view, "as-a0", "as-b0") == "corroborates"
    assert _linked(view, "as-a1", "as-b0") is None


def test_same_happening_to_the_same_thing_links(tmp_path):
    """``appears to cross the canal`` and ``one crossed the canal``: one frame, one object word."""
    a = "One guard appears to cross the Lisca canal briefly before turning back. The guard later returned to barracks."
    b = ("The guards fired across the Lisca canal and one crossed over in pursuit of the runaway. "
         "A new depot opened beside the Lisca canal.")
    view = _view(tmp_path, a, b)
    assert _linked(view, "as-a0", "as-b0") == "corroborates"
    assert _linked(view, "as-a0", "as-b1") is None  # the same canal, another happening
    assert _linked(view, "as-a1", "as-b0") is None


def test_news_synonyms_fold():
    """General newswire synonym classes fold to one lemma, so the pair shares the word's weight."""
    from ledger.projections.claims.features import content

    a = content(tokens_of("The chopper landed beside the lorry."))
    b = content(tokens_of("The helicopter landed beside the truck."))
    assert set(a) == set(b)


def test_story_deed_on_the_same_day_links(tmp_path):
    """A deed every outlet reports (here: died, in five outlets) told as an action on the same day
    by two outlets links; the same deed on another day does not."""
    texts = {
        "a": "The former foreman died on Friday after the Dorvan quarry wall gave way.",
        "b": "A retired member of the Dorvan quarry crew died on Friday while helping with the search.",
        "c": "A second quarry worker died on Monday in a Dorvan hospital.",
        "d": "A Dorvan driver died on Monday in a crash at the quarry gate.",
        "e": "The oldest resident of Dorvan, a quarry owner, died on Sunday.",
    }
    days = {"Friday": "2026-04-10", "Sunday": "2026-04-12", "Monday": "2026-04-13"}
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    for k, text in texts.items():
        values = [("date", w, iso) for w, iso in days.items() if w in text]
        store.append([src(text, f"src-{k}", outlet=k), stmt(text, f"src-{k}", f"as-{k}", text, values)])
    view = claims_view(store, cache=False)
    assert _linked(view, "as-a", "as-b") == "corroborates"
    assert all(_linked(view, x, y) is None for x in ("as-a", "as-b") for y in ("as-c", "as-d", "as-e"))


def test_one_unit_under_a_bound_is_a_value():
    """``more than a week``, ``about an hour``, ``nearly a mile``: one unit, under the bound."""
    got = {q.text: (q.slot, q.bound, round(q.value)) for q in quantities_of(
        "It took more than a week; the walk lasted about an hour and ended nearly a mile from the gate.")}
    assert got == {"more than a week": ("duration", "above", 604800), "about an hour": ("duration", "about", 3600),
                   "nearly a mile": ("distance", "near-below", 1609)}
    assert not [q for q in quantities_of("A guard and a dog were seen.") if q.slot in ("duration", "distance")]
