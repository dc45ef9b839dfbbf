"""Typed links, slot conflicts and their exports, on small invented multi-outlet articles (#10).

Every article here is made up for the rule it pins (Kessling, Velt, Diaz do not exist); none of
their words come from an eval set.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from attrs import evolve
from click.testing import CliRunner

from ledger.cli import cli
from ledger.events import AssertionsLinked, AssertionsUnlinked, VerdictRecorded
from ledger.log import LogStore
from ledger.projections import build_claims, claim_id_for, claims_view
from helpers import src, stmt

A = (
    "Mara Velt, 41, was named chief of the Kessling fire brigade. "
    "Police did not arrest the driver of the lorry. "
    "At least 2 people were injured when the lorry hit the Kessling Harbour Bridge. "
    "Oren Diaz, the mayor of Kessling, opened the new ferry terminal. "
    "The ferry terminal lies two miles from the old town. "
    "The Kessling Harbour Bridge will reopen on May 4. "
    "Ilse Maren, who was reportedly 67, founded the Kessling rowing club."
)
B = (
    "The Kessling fire brigade named Mara Velt, a 42-year-old engineer, as its new chief. "
    "Police arrested the driver of the lorry on Tuesday. "
    "Five people were injured when a lorry struck the Kessling Harbour Bridge. "
    "Oren Diaz, the former mayor of Kessling, opened the ferry terminal. "
    "The new ferry terminal is 3.2 km from the old town. "
    "The port of Kessling reopened on Friday. "
    "The Kessling rowing club was founded by Ilse Maren, 68."
)
DATES = {"May 4": "2026-05-04", "Friday": "2026-04-10", "Tuesday": "2026-04-07"}


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=\.) ", text)


def _ledger(tmp_path: Path) -> LogStore:
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    for sid, text, outlet in (("src-a", A, "Kessling Post"), ("src-b", B, "Harbour Times")):
        batch = [src(text, sid, outlet=outlet)]
        for k, sentence in enumerate(_sentences(text)):
            values = [("date", w, iso) for w, iso in DATES.items() if w in sentence]
            batch.append(stmt(text, sid, f"as-{sid[-1]}{k}", sentence, values))
        store.append(batch)
    return store


def _link(view, a: str, b: str):
    return next((x for x in view.links if {x.a, x.b} == {a, b}), None)


def test_slot_conflicts_are_graded_and_explained(tmp_path):
    """Ages in two spellings, a title, a bound against a count: one line per slot, hard or soft."""
    view = claims_view(_ledger(tmp_path), cache=False)
    age = _link(view, "as-a0", "as-b0")
    assert age.relation == "conflicts" and age.grade == "hard"
    assert [(s.slot, s.a_value, s.b_value) for s in age.slots if s.outcome != "agree"] == [("age:velt", "41", "42")]
    title = _link(view, "as-a3", "as-b3")
    assert title.relation == "conflicts" and any(s.b_value == "former mayor" for s in title.slots)
    soft = _link(view, "as-a2", "as-b2")
    assert soft.relation == "conflicts" and soft.grade == "soft"  # "at least 2" allows five, as reported it differs
    claim = next(c for c in view.claims if "as-a0" in {m.assertion_id for m in c.members})
    (line,) = claim.conflicts
    assert '"41"' in line.explanation and '"42-year-old' in line.explanation
    assert "Kessling Post" in line.explanation and "Harbour Times" in line.explanation and line.grade == "hard"


def test_hedged_side_and_negation(tmp_path):
    """'reportedly 67' vs 68 marks the hedged side; 'did not arrest' vs 'arrested' is a negation conflict."""
    view = claims_view(_ledger(tmp_path), cache=False)
    hedged = _link(view, "as-a6", "as-b6")
    assert hedged.relation == "conflicts"
    (slot,) = [s for s in hedged.slots if s.outcome != "agree"]
    assert slot.hedged == "a"
    neg = _link(view, "as-a1", "as-b1")
    assert neg.relation == "conflicts" and any(s.slot == "negation" for s in neg.slots)


def test_units_normalise_and_bare_dates_never_link(tmp_path):
    """Two miles is 3.2 km (corroborates); a bridge reopening on May 4 is not a port that reopened on Friday."""
    view = claims_view(_ledger(tmp_path), cache=False)
    assert _link(view, "as-a4", "as-b4").relation == "corroborates"
    assert _link(view, "as-a5", "as-b5") is None


def test_revisions_are_compared_as_versions(tmp_path):
    """A statement a revision replaced takes part as the earlier version: the change is a revision conflict."""
    from ledger.events import AssertionWithdrawn, SourceRevised

    text1 = "The council said repairs to the Kessling Harbour Bridge will cost 4 million euros."
    text2 = "The council said repairs to the Kessling Harbour Bridge will cost 6 million euros."
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    store.append([src(text1, "src-r", uri="https://x.example/bridge"), stmt(text1, "src-r", "as-r1", text1)])
    s2 = src(text2, "src-r", uri="https://x.example/bridge")
    rev = SourceRevised(**{**s2.__dict__, "version": 2, "revision_of": 1})
    store.append([rev, evolve(stmt(text2, "src-r", "as-r2", text2), version=2),
                  AssertionWithdrawn(assertion_id="as-r1", source_id="src-r", version=2, reason="not in version 2")])
    view = claims_view(store, cache=False)
    link = _link(view, "as-r1", "as-r2")
    assert link is not None and link.revision and link.relation == "conflicts"
    claim = next(c for c in view.claims if c.anchor == "as-r1")
    assert claim.superseded == ("as-r1",) and claim.conflicts[0].revision
    assert "revision change" in claim.conflicts[0].explanation


def test_groups_follow_the_anchor_rule_and_analyst_actions_survive(tmp_path):
    """link and verdict survive re-clustering; unlink splits; ids are the anchor's."""
    store = _ledger(tmp_path)
    store.append([AssertionsLinked(a="as-a5", b="as-b5", note="same reopening")])
    store.append([VerdictRecorded(target=claim_id_for("as-a5"), status="disputed", note="dates differ")])
    claims = build_claims(store, cache=False)
    joined = next(c for c in claims if c.anchor == "as-a5")
    assert {m.assertion_id for m in joined.members} == {"as-a5", "as-b5"} and joined.verdict.status == "disputed"
    assert any(x.how == "analyst" for x in joined.links)
    store.append([AssertionsUnlinked(a="as-a0", b="as-b0")])
    claims = build_claims(store, cache=False)
    assert all({"as-a0", "as-b0"} - {m.assertion_id for m in c.members} for c in claims)
    assert next(c for c in claims if c.anchor == "as-a5").verdict.status == "disputed"


def test_cli_claims_conflicts_wide_and_json(tmp_path):
    """`claims --conflicts` lists only disputed claims with a label and one line per slot; --json carries links."""
    store = _ledger(tmp_path)
    store.append([VerdictRecorded(target=claim_id_for("as-a0"), status="disputed", note="ages differ")])
    runner = CliRunner()
    out = runner.invoke(cli, ["--ledger", str(store.path), "claims", "--conflicts", "--wide"])
    assert out.exit_code == 0, out.output
    assert "label: Mara Velt" in out.output and "CONFLICT (age, hard)" in out.output
    assert "verdict: disputed (ages differ)" in out.output
    assert "CONFLICT" in out.output and "[corroborated]" not in out.output
    data = json.loads(runner.invoke(cli, ["--ledger", str(store.path), "claims", "--json"]).output)
    velt = next(c for c in data if c["anchor"] == "as-a0")
    assert velt["verdict"]["status"] == "disputed" and velt["links"][0]["relation"] == "conflicts"


def test_exports_carry_links_verdicts_and_grades(tmp_path):
    """CSV links view, JSON-LD CiTO + ClaimReview (rating, author, date), Markdown conflict grade."""
    import rdflib

    store = _ledger(tmp_path)
    store.append([VerdictRecorded(target=claim_id_for("as-a0"), status="disputed", note="ages differ")], actor="desk@x")
    runner = CliRunner()
    csv_out = runner.invoke(cli, ["--ledger", str(store.path), "export", "csv", "--view", "links"]).output
    assert "as-a0,as-b0,conflicts,hard" in csv_out and "as-a4,as-b4,corroborates" in csv_out
    out = tmp_path / "x.jsonld"
    assert runner.invoke(cli, ["--ledger", str(store.path), "export", "jsonld", "-o", str(out)]).exit_code == 0
    g = rdflib.Dataset()
    g.parse(out, format="json-ld")
    cito, schema = rdflib.Namespace("http://purl.org/spar/cito/"), rdflib.Namespace("http://schema.org/")
    assert len(list(g.triples((None, cito.disagreesWith, None)))) >= 4
    review = next(g.subjects(rdflib.RDF.type, schema.ClaimReview))
    assert g.value(review, schema.author) is not None and g.value(review, schema.datePublished) is not None
    md = runner.invoke(cli, ["--ledger", str(store.path), "export", "markdown"]).output
    assert "Conflict (age, hard)" in md and "verdict: **disputed**" in md


def test_register_matchers_adds_a_signal(tmp_path):
    """A plugin matcher's score is added to the similarity and recorded in each link's signals."""
    from ledger import hookimpl, plugins
    from ledger.projections.claims import MatcherSpec

    class Plugin:
        @hookimpl
        def register_matchers(self, register):
            register(MatcherSpec(name="always-half", score=lambda a, b: 0.5, weight=0.1))

    plugins.register_plugin(Plugin(), "test-matcher")
    try:
        plugins._registries.pop("register_matchers", None)
        view = claims_view(_ledger(tmp_path), cache=False)
        assert view.links and all(dict(x.signals).get("always-half") == 0.5 for x in view.links if x.how == "auto")
    finally:
        plugins.unregister_plugin("test-matcher")
        plugins._registries.pop("register_matchers", None)


SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "multi"


@pytest.mark.slow
def test_appending_unrelated_controls_keeps_claim_ids_and_members(tmp_path):
    """Appending the two control articles never changes an existing claim's id or members."""
    if not SHARED.is_dir():
        pytest.skip("shared eval data missing")
    from ledger import plugins
    from ledger.ingest import Ingestor
    from ledger.sources import read_path

    gold = json.loads((SHARED / "pairs.json").read_text())
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    ing = Ingestor(store, plugins.get_extractor("rules"))
    files = sorted((SHARED / "corpus").glob("*.md"))
    for f in files:
        if f.name not in gold["unrelated"]:
            ing.append(read_path(f))
    before = {c.claim_id: {m.assertion_id for m in c.members} for c in build_claims(store, cache=False)}
    for f in files:
        if f.name in gold["unrelated"]:
            ing.append(read_path(f))
    after = {c.claim_id: {m.assertion_id for m in c.members} for c in build_claims(store, cache=False)}
    assert all(after.get(cid) == members for cid, members in before.items())


@pytest.fixture(scope="module")
def pairs_report():
    if not SHARED.is_dir():
        pytest.skip("shared eval data missing")
    from ledger.evaluation.claims import evaluate_pairs

    return evaluate_pairs(SHARED / "pairs.json", SHARED / "corpus")


@pytest.mark.slow
def test_pairs_eval_floors(pairs_report):
    """The issue's targets on the dev set, as floors (measured: 30/42 and 12/16; see docs/projections.md):
    no control link, few not-same-fact, at most one false conflict."""
    r = pairs_report
    assert r.control_links == 0
    assert r.not_same_fact_linked <= 2
    assert r.corroborations >= 30 and r.conflicts >= 12 and r.false_conflicts <= 1


@pytest.mark.slow
def test_eval_agrees_with_the_independent_scorer(pairs_report, tmp_path):
    """`factledger eval --pairs` counts what shared/eval/tools/score_claims.py counts on the JSON-LD export."""
    import os
    import subprocess
    import sys

    scorer = SHARED.parent / "tools" / "score_claims.py"
    if not scorer.exists():
        pytest.skip("scorer missing")
    pytest.importorskip("rdflib")
    fl = tmp_path / "fl"
    src_dir = Path(__file__).resolve().parents[1] / "src"
    fl.write_text(f"#!/bin/sh\nPYTHONPATH={src_dir} exec {sys.executable} -m ledger \"$@\"\n")
    fl.chmod(0o755)
    done = subprocess.run([sys.executable, str(scorer), str(SHARED / "corpus"), str(SHARED / "pairs.json")],
                          env={**os.environ, "FL": str(fl)}, capture_output=True, text=True, timeout=900)
    r = pairs_report
    expected = (f"corroborations {r.corroborations}/{len(r.corroborate)}, conflicts {r.conflicts}/{len(r.conflict)}, "
                f"false conflicts {r.false_conflicts}, not-same-fact linked {r.not_same_fact_linked}/{len(r.not_same_fact)}, "
                f"control links {r.control_links}, agree/disagree links {r.agree_links}/{r.disagree_links}")
    assert expected in done.stdout, (done.stdout, done.stderr[-500:])
