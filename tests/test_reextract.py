"""`factledger reextract` (issue #16): an older extractor's conclusions are brought up to
date as events, and the views then equal a fresh append with the new extractor."""

from __future__ import annotations

import json

import attrs

from ledger.extractors import ExtractorSpec
from ledger.extractors.rules import SPEC as RULES
from ledger.extractors.rules import VERSION as RULES_VERSION
from ledger.extractors.rules import extract as rules_extract
from ledger.ingest import Ingestor
from ledger.log import LogStore
from ledger.projections import iter_assertions, iter_sources
from ledger.reextract import history, reextract
from ledger.sources import document_from_bytes
from ledger.audit import verify

ARTICLE = (
    "Valley Flood Recedes\n\n"
    "The river fell by a metre overnight in Arnsby.\n\n"
    '"The worst is over," said district chief Mara Volk. "Schools open on Monday."\n\n'
    "She added that the bridge may stay closed for a week.\n\n"
    "About 300 homes were flooded, officials said.\n"
)


def old_extract(text, info):
    """An 'older version': no speakers, no hedges, one sentence missed, one spurious span."""
    out = []
    for x in rules_extract(text, info):
        if "homes were flooded" in text[x.start : x.end]:
            continue
        out.append(attrs.evolve(x, speaker=None, speaker_cue=None, quotation=None, antecedent=None,
                                modality="asserted" if x.modality == "hedged" else x.modality,
                                modality_cue=None if x.modality == "hedged" else x.modality_cue))
    fell = text.index("The river fell")
    out.append(attrs.evolve(out[1], start=fell, end=fell + 9, values=(), entities=()))
    return out


OLD = ExtractorSpec(name="rules", version="0.9.0", extract=old_extract)


def _ledger(path, spec):
    store = LogStore(path, fsync=False)
    Ingestor(store, spec, actor="t@h").append(document_from_bytes(ARTICLE.encode(), "flood.txt", uri="https://x.example/flood"))
    return store


def _view(store):
    keep = ("assertion_id", "kind", "speaker", "speaker_cue", "modality", "modality_cue", "quotation")
    rows = []
    for r in iter_assertions(store, cache=False):
        d = attrs.asdict(r, recurse=False)
        rows.append(tuple(d.get(k) for k in keep) + (r.selector.exact, tuple(v.value for v in r.values)))
    return sorted(rows)


def test_reextract_records_the_difference_and_replays_to_a_fresh_append(tmp_path):
    old = _ledger(tmp_path / "old.jsonl", OLD)
    fresh = _ledger(tmp_path / "fresh.jsonl", RULES)
    assert _view(old) != _view(fresh)
    (done,) = reextract(old, RULES, actor="t@h")
    assert done.count("added") == 1 and done.count("withdrawn") == 1
    changed = {c.exact: dict((n, (a, b)) for n, a, b in c.fields) for c in done.changes if c.what == "changed"}
    said = next(v for k, v in changed.items() if "bridge may stay closed" in k)
    assert said["speaker"] == (None, "Mara Volk") and said["modality"] == ("asserted", "hedged")
    assert said["quotation"] == (None, "reported")
    assert _view(old) == _view(fresh)
    assert [s.counts for s in iter_sources(old, cache=False)] == [s.counts for s in iter_sources(fresh, cache=False)]
    assert verify(old).ok
    # the log says what changed and why; a second run finds nothing to record
    log = history(old)
    assert any(what == "changed" and f"rules {RULES_VERSION}" in detail and "Mara Volk" in detail for _s, what, _a, detail in log)
    assert any(what == "withdrawn" for _s, what, _a, _d in log)
    size = old.path.stat().st_size
    (again,) = reextract(old, RULES, actor="t@h")
    assert again.changes == () and old.path.stat().st_size == size


def test_cli_dry_run_writes_nothing_and_log_lists_changes(tmp_path, run_cli):
    path = tmp_path / "old.jsonl"
    _ledger(path, OLD)
    before = path.read_bytes()
    r = run_cli("reextract", "--dry-run", ledger=path)
    assert r.exit_code == 0, r.output
    assert "1 added, 1 withdrawn" in r.output and "speaker: None -> 'Mara Volk'" in r.output
    assert path.read_bytes() == before
    r = run_cli("reextract", "--source", "src-nope", ledger=path)
    assert r.exit_code == 1 and "no source src-nope" in r.output and path.read_bytes() == before
    assert run_cli("reextract", ledger=path).exit_code == 0
    fresh = tmp_path / "fresh.jsonl"
    _ledger(fresh, RULES)

    def shown(ledger):  # the command's answer (projection store or fold), twice: cold and warm
        out = [run_cli("assertions", "--json", ledger=ledger).output for _ in range(2)]
        assert out[0] == out[1]
        return sorted((r["assertion_id"], r["speaker"], r["modality"]) for r in json.loads(out[0]))

    assert shown(path) == shown(fresh)
    r = run_cli("reextract", "--log", ledger=path)
    assert r.exit_code == 0 and "changed" in r.output and "withdrawn" in r.output


def test_claims_read_a_reextracted_assertion_once_in_its_new_reading(tmp_path):
    """A re-extraction records an assertion again with ``supersedes``: the claims matcher must see
    only the new reading (its speaker, hedge, values), as the assertions view does, in the order
    of the assertion's first recording."""
    from ledger.projections.claims import claim_rows
    from ledger.projections.views import catalog

    def readings(store):
        rows = [r for r, _superseded in claim_rows(store, catalog(store, None, cache=False))]
        return [(r.assertion_id, r.speaker, r.modality, r.selector.exact) for r in rows]

    def first_seen(store):
        first: dict[str, int] = {}
        list(claim_rows(store, catalog(store, None, cache=False), None, first))
        return first

    old = _ledger(tmp_path / "old.jsonl", OLD)
    fresh = _ledger(tmp_path / "fresh.jsonl", RULES)
    before = first_seen(old)
    reextract(old, RULES, actor="t@h")
    got, want = readings(old), readings(fresh)
    assert len(got) == len({aid for aid, *_rest in got})  # each assertion once
    assert sorted(got) == sorted(want)
    after = first_seen(old)  # a re-recorded assertion keeps the seq of its first recording
    assert {aid: after[aid] for aid in before} == before and len(after) > len(before)
