"""Slot and evidence rules added for #10 (typed years, day-month dates, clock times, speakers),
each pinned on small invented articles (Brennick, Tovar, Lisca, Kessling do not exist) and on the
README quick-start samples; none of the words come from an eval set.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from ledger.cli import cli
from ledger.log import LogStore
from ledger.projections import claims_view
from ledger.projections.claims.conflicts import compare_values, dates_agree, dates_differ
from ledger.projections.claims.features import features, quantities_of, tokens_of
from ledger.projections.claims.frames import frames_of
from helpers import src, stmt, two_source_claims

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


_view = two_source_claims


def _link(view, a: str, b: str):
    return next((x for x in view.links if {x.a, x.b} == {a, b}), None)


def test_year_of_an_event_is_a_slot():
    """``opened in 1968`` is the year of the opening (compared); a year with no event stays bare."""
    qs = quantities_of("The Brennick mill opened in 1968 and was repaired in 2019.")
    assert {(q.slot, q.value) for q in qs} == {("year:open", 1968.0), ("year:repair", 2019.0)}
    assert [q.slot for q in quantities_of("In 1968, 40 people lived in Brennick.") if q.value == 1968] == ["year"]


def test_different_years_of_one_opening_conflict(tmp_path):
    """Two facts in one sentence: the repair agrees, the opening year is a hard conflict between
    those parts (the claim is disputed, one line for the year)."""
    view = _view(tmp_path, "The Brennick ferry terminal opened in 1968 and was last repaired in 2019.",
                 "The Brennick ferry terminal opened in 1971 and was last repaired in 2019.")
    link = _link(view, "as-a0", "as-b0")
    assert link is not None and link.grade == "hard"
    assert [(s.a_value, s.b_value, s.outcome) for s in link.slots if s.slot.startswith("year:")] == [
        ("1968", "1971", "hard"), ("2019", "2019", "agree")]
    claim = next(c for c in view.claims if c.anchor == "as-a0")
    assert claim.status == "conflict" and [c.field for c in claim.conflicts] == ["year"]


def test_one_sentence_two_facts_is_a_corroboration_with_a_disputed_part(tmp_path):
    """Told alike in rare words, two statements corroborate the happening; a side measure that
    differs (a distance) conflicts between those parts only: the JSON-LD has agreesWith between
    the assertions and disagreesWith between their two parts, never between the assertions (a
    disagreement on who, how many or how much still makes the whole statements conflict: see
    test_claims_links)."""
    a = "Volunteer cavers found the missing Lisca hikers alive on a narrow limestone ledge about 3.2 km from the gorge mouth."
    b = "Volunteer cavers found the missing Lisca hikers alive on a narrow limestone ledge about 4 km from the gorge mouth."
    view = _view(tmp_path, a, b)
    found = _link(view, "as-a0", "as-b0")
    assert found.relation == "corroborates" and found.grade == "hard"
    assert [(s.slot, s.outcome) for s in found.slots if s.outcome != "agree"] == [("distance", "hard")]
    claim = next(c for c in view.claims if c.anchor == "as-a0")
    assert claim.status == "conflict" and [c.field for c in claim.conflicts] == ["distance"]

    from ledger.exporters.jsonld import Iris, link_nodes

    iris = Iris("https://ledger.example/")
    nodes = list(link_nodes(found, iris))
    agree = [n for n in nodes if "cito:agreesWith" in n]
    disagree = [n for n in nodes if "cito:disagreesWith" in n]
    assert [(n["@id"], n["cito:agreesWith"]) for n in agree] == [(iris.assertion("as-a0"), iris.assertion("as-b0"))]
    assert [(n["@id"], n["cito:disagreesWith"]) for n in disagree] == [
        (iris.assertion("as-a0") + "/part/distance", iris.assertion("as-b0") + "/part/distance")]
    parts = {n["@id"]: n for n in nodes if n.get("@type") == "fl:ClaimPart"}
    assert parts[iris.assertion("as-a0") + "/part/distance"]["schema:text"] in a
    assert parts[iris.assertion("as-b0") + "/part/distance"]["schema:isPartOf"] == iris.assertion("as-b0")


def _feats(text: str, published: str | None = None, **row):
    """Features of ``text`` recorded as one statement (``row`` overrides recorded fields)."""
    from types import SimpleNamespace

    from attrs import evolve

    from ledger.projections.views import _row

    a = evolve(stmt(text, "src-a", "as-a0", text), **row)
    raw = {"seq": 1, "hash": "h", "at": "2026-01-01T00:00:00Z", "actor": "t"}
    return features(_row(a, raw), SimpleNamespace(published=published))


def test_day_month_dates_without_a_year_agree_with_that_day():
    """``23 June`` in an undated page agrees with ``June 23rd`` in a dated one, not with ``24 June``."""
    undated = _feats("The Lisca hikers went into the gorge on 23 June.")
    dated = _feats("The Lisca hikers went into the gorge on June 23rd.", published="2026-06-30")
    other = _feats("The Lisca hikers went into the gorge on 24 June.")
    assert [q.bound for q in undated.quantities if q.slot == "date"] == ["noyear"]
    assert [q.bound for q in dated.quantities if q.slot == "date"] == ["exact"]
    assert dates_agree(undated, dated) and not dates_differ(undated, dated)
    assert dates_differ(other, dated) and not dates_agree(other, dated)


def test_clock_times_have_no_rounding_slack_and_bare_clocks_match_either_half():
    [x] = quantities_of("The ferry left at 7:50 p.m.")
    [y] = quantities_of("The second ferry left at about 9 p.m.")
    assert compare_values(x, y) == "hard"  # 3 % of minutes since midnight once made these agree
    [bare] = quantities_of("and the last one left at around 7:50.")
    assert bare.bound == "ampm" and compare_values(bare, x) == "agree"
    [morning] = quantities_of("The first ferry left at 8:10 a.m.")
    assert compare_values(bare, morning) == "hard"


def test_fact_after_a_mid_sentence_attribution_is_kept():
    """``..., he said, and the fourth at 7:50``: the fact goes on after the attribution."""
    text = "The first ferry left at 5:40 p.m., he said, and the fourth at around 7:50."
    row = _feats(text, speaker="he", speaker_cue="said")
    assert "fourth at around 7:50" in row.core
    assert {q.text for q in row.quantities} >= {"5:40 p.m.", "7:50"}


def test_multiword_verb_with_an_adverb_or_pronoun_inside():
    assert "rescue" in {f.cls for f in frames_of(tokens_of("Every hiker was brought safely out of the gorge."))}
    assert "revive" in {f.cls for f in frames_of(tokens_of("A fellow warden tried to bring him round."))}
    assert "revive" not in {f.cls for f in frames_of(tokens_of("A fellow warden brought the round table."))}


def test_quotes_of_one_titled_speaker_are_not_one_fact(tmp_path):
    """Two different quotes by ``Mayor X`` agree on the title only: no link; the title is not the core."""
    a = 'Mayor Oren Diaz told reporters the ferry would not sail "until the engineers are satisfied".'
    b = '"We are not taking any chances with public safety," Mayor Oren Diaz said on Tuesday.'
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    from attrs import evolve

    for sid, text, aid in (("src-a", a, "as-a0"), ("src-b", b, "as-b0")):
        cue = "told reporters" if sid == "src-a" else "said"
        store.append([src(text, sid, outlet=sid),
                      evolve(stmt(text, sid, aid, text), speaker="Oren Diaz", speaker_cue=cue)])
    view = claims_view(store, cache=False)
    assert _link(view, "as-a0", "as-b0") is None
    claim = next(c for c in view.claims if c.anchor == "as-b0")
    assert "Mayor" not in claim.label and claim.label.startswith('"We are not taking')


def test_readme_samples(tmp_path, monkeypatch):
    """The quick start: 1968 vs 1971 is a conflict on the year of the opening, and the mayor's two
    different quotes are not one claim."""
    monkeypatch.setenv("FACTLEDGER_LEDGER", str(tmp_path / "l.jsonl"))
    runner = CliRunner()
    assert runner.invoke(cli, ["append", str(EXAMPLES)]).exit_code == 0
    out = runner.invoke(cli, ["claims", "--wide"]).output
    blocks = out.split("\n\n")
    opened = next(b for b in blocks if "opened in 1968" in b)
    assert "[conflict]" in opened and "opened in 1971" in opened and "year of open" in opened
    assert not any("not taking any chances" in b and "would not reopen" in b for b in blocks)


def _quoted(tmp_path: Path, pairs: list[tuple[str, str, str]]):
    """One statement per source: (text, speaker, cue)."""
    from attrs import evolve

    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    for k, (text, speaker, cue) in enumerate(pairs):
        sid = f"src-{k}"
        store.append([src(text, sid, outlet=sid), evolve(stmt(text, sid, f"as-{k}", text), speaker=speaker, speaker_cue=cue)])
    return claims_view(store, cache=False)


def test_one_named_speaker_telling_one_deed_with_one_value(tmp_path):
    """Two outlets quoting one named person on one deed with the same count link, even in other
    words; only a named speaker pins the words down (``officials``, ``police`` do not)."""
    view = _quoted(tmp_path, [("The 14, Tovar said, were being evacuated by boat from the flooded Lisca quarry.", "Ana Tovar", "said"),
                              ("Ana Tovar said the 14 were now in the process of being evacuated.", "Ana Tovar", "said")])
    assert _link(view, "as-0", "as-1") is not None
    assert _feats("Ana Tovar said it rained.", speaker="Ana Tovar", speaker_cue="said").speaker == "tovar"
    for generic in ("Officials", "Police", "the unit", "He"):
        assert _feats(f"{generic} said it rained.", speaker=generic, speaker_cue="said").speaker == "", generic
