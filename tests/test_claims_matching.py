"""Claims across sources: corroboration, conflicts, analyst overrides, stable ids, verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.events import AssertionsLinked, AssertionsUnlinked, VerdictRecorded
from ledger.log import LogStore
from ledger.projections import build_claims, claim_id_for, trail
from helpers import _ledger, src, stmt

UNRELATED = "Astronomers at Kessler Observatory catalogued forty comets near Jupiter. The telescope mirror measures 8 metres."


def _claim_of(claims, aid):
    return next(c for c in claims if any(m.assertion_id == aid for m in c.members))


def test_corroboration_and_date_conflict(tmp_path):
    """Same fact in two sources is one claim; a different date for the same happening is a conflict."""
    claims = build_claims(_ledger(tmp_path))
    money = _claim_of(claims, "as-a2")
    assert {m.assertion_id for m in money.members} == {"as-a2", "as-b2"}
    assert money.status == "corroborated" and not money.conflicts
    bridge = _claim_of(claims, "as-a1")
    assert {m.assertion_id for m in bridge.members} == {"as-a1", "as-b1"}
    assert bridge.status == "conflict"
    (conflict,) = bridge.conflicts
    assert conflict.field == "date"
    assert "2024-03-04 (Monday" in conflict.explanation and "2024-03-03 (Sunday" in conflict.explanation
    assert "Daily Tide" in conflict.explanation and "Evening Post" in conflict.explanation
    assert claims[0].sources and len(claims[0].sources) == 2 and len(claims[-1].sources) == 1


def test_unrelated_statements_stay_single(tmp_path):
    """Statements on other subjects, even in the same ledger, are not joined to anything."""
    store = _ledger(tmp_path)
    store.append([src(UNRELATED, "src-u"), stmt(UNRELATED, "src-u", "as-u1", UNRELATED.split(". ")[0] + "."),
                  stmt(UNRELATED, "src-u", "as-u2", "The telescope mirror measures 8 metres.")])
    claims = build_claims(store)
    for aid in ("as-a3", "as-b3", "as-u1", "as-u2"):
        assert len(_claim_of(claims, aid).members) == 1


def test_qualified_numbers_are_graded(tmp_path):
    """Bounds read as intervals: overlapping values agree, disjoint ones are hard, compatible bounds soft."""
    from ledger.projections.claims.conflicts import compare_values
    from ledger.projections.claims.features import quantities_of

    def q(text):
        (found,) = [x for x in quantities_of(text) if not x.bare]
        return found

    assert compare_values(q("more than 30,000 people"), q("about 30,000 people")) == "agree"
    assert compare_values(q("fewer than 100 cars"), q("more than 200 cars")) == "hard"
    assert compare_values(q("at least 2 people"), q("five people")) == "soft"
    assert compare_values(q("more than 1,000 people"), q("more than 10,000 people")) == "soft"
    assert compare_values(q("about 3.2 kilometers"), q("about 4 km")) == "hard"
    assert compare_values(q("two miles"), q("3.2 km")) == "agree"  # units normalised
    assert compare_values(q("aged 11 to 16"), q("aged eleven to sixteen")) == "agree"


def test_analyst_unlink_and_link_override(tmp_path):
    """unlink splits an automatic pair; link joins statements the matcher left apart."""
    store = _ledger(tmp_path)
    store.append([AssertionsUnlinked(a="as-a2", b="as-b2", note="different budgets")])
    store.append([AssertionsLinked(a="as-a3", b="as-b3", note="test")])
    claims = build_claims(store)
    assert len(_claim_of(claims, "as-a2").members) == 1
    joined = _claim_of(claims, "as-a3")
    assert {m.assertion_id for m in joined.members} == {"as-a3", "as-b3"}
    assert any({x.a, x.b} == {"as-a3", "as-b3"} and x.how == "analyst" for x in joined.links)


def test_claim_id_stable_and_verdict_follows(tmp_path):
    """A claim keeps its id across unrelated appends and its verdict stays attached."""
    store = _ledger(tmp_path)
    cid = _claim_of(build_claims(store), "as-a2").claim_id
    assert cid == claim_id_for("as-a2")
    store.append([VerdictRecorded(target=cid, status="supported", note="budget papers")])
    store.append([src(UNRELATED, "src-u"), stmt(UNRELATED, "src-u", "as-u1", UNRELATED.split(". ")[0] + ".")])
    claim = _claim_of(build_claims(store), "as-a2")
    assert claim.claim_id == cid
    assert claim.verdict is not None and claim.verdict.status == "supported"
    assert "VerdictRecorded" in [e.type for e in trail(store, cid)]


def test_as_of_claims_before_second_source(tmp_path):
    """Claims as of the first source's batch join nothing."""
    store = _ledger(tmp_path)
    assert all(len(c.sources) == 1 for c in build_claims(store, as_of=4))


def test_analyst_cli_validates_and_records(tmp_path):
    """link/unlink/verdict refuse unknown ids (nothing written) and record valid decisions."""
    store = _ledger(tmp_path)
    runner = CliRunner()
    size = store.path.stat().st_size
    bad = runner.invoke(cli, ["--ledger", str(store.path), "link", "as-a1", "as-nope"])
    assert bad.exit_code == 1 and "no current assertion as-nope" in bad.output
    assert store.path.stat().st_size == size
    ok = runner.invoke(cli, ["--ledger", str(store.path), "unlink", "as-a1", "as-b1", "--note", "not the same"])
    assert ok.exit_code == 0, ok.output
    assert len(_claim_of(build_claims(store), "as-a1").members) == 1
    cid = claim_id_for("as-a2")
    v = runner.invoke(cli, ["--ledger", str(store.path), "verdict", cid, "--status", "disputed", "--note", "n"])
    assert v.exit_code == 0, v.output
    assert _claim_of(build_claims(store), "as-a2").verdict.status == "disputed"
    bad_status = runner.invoke(cli, ["--ledger", str(store.path), "verdict", cid, "--status", "maybe"])
    assert bad_status.exit_code != 0


def test_groups_do_not_chain(tmp_path):
    """A~B and B~C never put C with A: a member must be linked to its group's anchor."""
    from ledger.projections.claims.groups import display_groups

    groups = display_groups(["a", "b", "c"], [("a", "b"), ("b", "c")], [], set())
    assert groups == [["a", "b"], ["c"]]


def test_unlink_splits_without_absorbing_another_group():
    """Unlinking a member splits its group by the anchor rule among that group's members only."""
    from ledger.projections.claims.groups import display_groups

    order = ["a", "b", "c", "d", "e"]
    links = [("a", "b"), ("a", "c"), ("b", "c"), ("b", "d"), ("d", "e")]
    assert display_groups(order, links, [], set()) == [["a", "b", "c"], ["d", "e"]]
    split = display_groups(order, links, [], {frozenset(("a", "b"))})
    assert ["d", "e"] in split and ["a", "c"] in split and ["b"] in split  # b does not pull d in


MILL_A = (
    "A fire broke out at the Halden paper mill on Tuesday night. "
    "Firefighters from Halden and Rossby needed six hours to bring the blaze at the mill under control. "
    "Forty workers were evacuated from the Halden mill before the roof collapsed. "
    "The Halden mill employs 320 people and supplies paper to printers across the region. "
    "Mill owner Brannock Paper said production at the Halden mill would resume within two weeks. "
    "The Halden mill was built by the Brannock family and is the oldest paper mill in the region. "
    "Smoke from the burning mill drifted over Halden and Rossby during the night."
)
MILL_B = (
    "Fire swept through the paper mill in Halden on Tuesday evening. "
    "It took crews from Halden and Rossby six hours to control the mill blaze. "
    "About 40 employees were evacuated from the Halden mill before part of the roof fell in. "
    "Brannock Paper, which owns the Halden mill, expects paper production to restart in two weeks. "
    "The mill, one of the largest employers in Halden, has 320 staff. "
    "Workers at the Halden mill had complained about faulty wiring in the paper store last year. "
    "Brannock Paper is the largest paper maker in the region and runs two mills. "
    "Residents of Halden said the mill fire was frightening."
)
# (fact, quote, values) per source; the fact label is what each claim must be pure in.
MILL_FACTS = {
    "src-ma": [
        ("fire", "A fire broke out at the Halden paper mill on Tuesday night.", [("date", "Tuesday", "2024-05-07")]),
        ("hours", "Firefighters from Halden and Rossby needed six hours to bring the blaze at the mill under control.",
         [("quantity", "six", "6")]),
        ("evacuated", "Forty workers were evacuated from the Halden mill before the roof collapsed.", [("quantity", "Forty", "40")]),
        ("staff", "The Halden mill employs 320 people and supplies paper to printers across the region.",
         [("quantity", "320", "320")]),
        ("restart", "Mill owner Brannock Paper said production at the Halden mill would resume within two weeks.",
         [("quantity", "two", "2")]),
        ("history", "The Halden mill was built by the Brannock family and is the oldest paper mill in the region.", []),
        ("smoke", "Smoke from the burning mill drifted over Halden and Rossby during the night.", []),
    ],
    "src-mb": [
        ("fire", "Fire swept through the paper mill in Halden on Tuesday evening.", [("date", "Tuesday", "2024-05-07")]),
        ("hours", "It took crews from Halden and Rossby six hours to control the mill blaze.", [("quantity", "six", "6")]),
        ("evacuated", "About 40 employees were evacuated from the Halden mill before part of the roof fell in.",
         [("quantity", "40", "40")]),
        ("restart", "Brannock Paper, which owns the Halden mill, expects paper production to restart in two weeks.",
         [("quantity", "two", "2")]),
        ("staff", "The mill, one of the largest employers in Halden, has 320 staff.", [("quantity", "320", "320")]),
        ("wiring", "Workers at the Halden mill had complained about faulty wiring in the paper store last year.", []),
        ("company", "Brannock Paper is the largest paper maker in the region and runs two mills.", [("quantity", "two", "2")]),
        ("residents", "Residents of Halden said the mill fire was frightening.", []),
    ],
}


def _mill_ledger(tmp_path) -> tuple[LogStore, dict[str, str]]:
    store = LogStore(tmp_path / "mill.jsonl", fsync=False)
    fact_of = {}
    for sid, text, outlet in (("src-ma", MILL_A, "Daily Tide"), ("src-mb", MILL_B, "Evening Post")):
        batch = [src(text, sid, outlet=outlet)]
        for k, (fact, quote, values) in enumerate(MILL_FACTS[sid]):
            aid = f"as-{sid[-1]}{k}"
            fact_of[aid] = fact
            batch.append(stmt(text, sid, aid, quote, values))
        store.append(batch)
    return store, fact_of


def test_topic_sharing_statements_do_not_chain(tmp_path):
    """Two sources on one event: each claim holds statements of one fact only, and most facts still pair up."""
    store, fact_of = _mill_ledger(tmp_path)
    claims = build_claims(store)
    for c in claims:
        facts = {fact_of[m.assertion_id] for m in c.members}
        assert len(facts) == 1, [m.selector.exact for m in c.members]
    corroborated = {fact_of[c.members[0].assertion_id] for c in claims if len(c.sources) == 2}
    assert len(corroborated) >= 4, corroborated
    assert all(c.status == "corroborated" for c in claims if len(c.sources) == 2)


def _story_features(stories: int):
    """Two outlets per story: the story's own names and words, plus words every story uses."""
    from ledger.projections.claims import Features

    feats = []
    for k in range(stories):
        for outlet in range(2):
            lemmas = (f"name{k}", f"place{k}", "police", f"word{outlet}")
            weights = {lem: (4.0 if lem.startswith(("name", "place")) else 1.5) for lem in lemmas}
            feats.append(Features(f"as-{k}-{outlet}", f"src-{k}-{outlet}", 1, "", lemmas, weights, frozenset(),
                                  frozenset(), (), (), (), False, False))
    return feats


def test_candidates_per_statement_do_not_grow_with_stories():
    """Blocking yields the same candidates per statement for 100 and 1,000 stories: common words are not indexed."""
    from ledger.projections.claims.links import DEFAULT_LINK_CONFIG, candidate_pairs

    for stories in (100, 1000):
        feats = _story_features(stories)
        pairs = set(candidate_pairs(feats, DEFAULT_LINK_CONFIG))
        assert pairs == {(2 * k, 2 * k + 1) for k in range(stories)}, stories


def test_build_claims_restores_garbage_collector(tmp_path):
    """build_claims pauses the cyclic GC only while it runs and leaves it as it found it."""
    import gc

    store = _ledger(tmp_path)
    assert gc.isenabled()
    build_claims(store, cache=False)
    assert gc.isenabled()
    gc.disable()
    try:
        build_claims(store, cache=False)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.slow  # builds the claims in subprocesses under several hash seeds
def test_claims_do_not_depend_on_the_hash_seed(tmp_path):
    """The same log gives byte-identical claims under any PYTHONHASHSEED (no set-order float sums or ties)."""
    import importlib.util
    import os
    import subprocess
    import sys

    bench = Path(__file__).resolve().parents[1] / "bench" / "claims_bench.py"
    spec = importlib.util.spec_from_file_location("claims_bench", bench)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ledger = tmp_path / "many.jsonl"
    module.build(ledger, 300)
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "ledger", "--ledger", str(ledger), "claims", "--json", "--no-cache"],
            capture_output=True, env=env, timeout=300,
        )
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        outputs.add(done.stdout)
    assert len(outputs) == 1
