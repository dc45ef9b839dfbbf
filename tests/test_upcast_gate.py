"""Every reader of parsed lines goes through the one raw-or-upcast gate (ledger.events.current_data).

The ledger of every payload type is rewritten as if each type had since moved to a new version:
its lines keep their version but carry the "old shape" (the data wrapped as ``{"legacy": data}``),
except the last batch, written in the new version's shape. With each type's ``VERSION`` bumped
and an upcaster that unwraps, every reader must answer exactly as on the original ledger. A
reader that reads ``raw["data"]`` without the gate finds no ids in the wrapped lines and answers
differently.
"""

from __future__ import annotations

import hashlib

import orjson
import pytest
from click.testing import CliRunner
from conftest import (
    ALL_TYPES_TEXT,
    ALL_TYPES_URI,
    AS_PLAIN,
    AS_REV,
    AS_RICH,
    SRC_GATE,
    all_types_payloads,
)

from ledger import events, serialization
from ledger import log as log_module
from ledger.events import (
    PAYLOAD_TYPES,
    AssertionRecorded,
    BatchStarted,
    SourceMetadataCorrected,
    VerdictRecorded,
    as_current,
    current_data,
)
from ledger.extractors import anchor
from ledger.log import LogStore
from ledger.projections import diff as diff_module
from ledger.projections.records import claim_id_for
from ledger.projections.snapshot import Snapshot
from ledger.projections.views import iter_assertions, source_trail, trail
from ledger.serialization import converter

CORRECTED_PUBLISHED = "2026-03-20"


def _build(path):
    """The all-types ledger, plus a published-date correction (the views re-date against the text)
    and a re-recording that supersedes an earlier one (what re-extraction writes)."""
    store = LogStore(path, fsync=False)
    for batch in all_types_payloads():
        store.append(batch, actor="tester@example")
    store.append([SourceMetadataCorrected(source_id=SRC_GATE, published=CORRECTED_PUBLISHED, reason="wrong date")])
    first = next(r for r in store.raw_events() if r["type"] == "AssertionRecorded" and r["data"]["assertion_id"] == AS_PLAIN)
    redone = AssertionRecorded(
        assertion_id=AS_PLAIN, source_id=SRC_GATE, version=1, selector=anchor(ALL_TYPES_TEXT, 0, 32), kind="statement",
        speaker=None, speaker_cue=None, modality="asserted", modality_cue=None, values=(), entities=(),
        extractor="hand", extractor_version="2", supersedes=first["seq"],
    )
    store.append([redone, VerdictRecorded(target=AS_RICH, status="disputed", note="a batch of two, in the new shape")])
    return store


def _as_legacy(src, dst):
    """``src`` rewritten: the data of every line before the last batch wrapped in the old shape
    (same ``v``), the last batch's lines at ``v + 1`` unchanged; the chain hashed again.
    Returns ``{new hash: old hash}``."""
    lines = [orjson.loads(line) for line in src.read_bytes().splitlines()]
    last_batch = max(i for i, r in enumerate(lines) if r["type"] == BatchStarted.TYPE)
    prev, renamed, out = events.GENESIS, {}, []
    for i, raw in enumerate(lines):
        old_hash = raw.pop("hash")
        if raw["type"] != BatchStarted.TYPE:
            if i < last_batch:
                raw["data"] = {"legacy": raw["data"]}
            else:
                raw["v"] += 1
        raw["prev"] = prev
        raw["hash"] = prev = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
        renamed[prev] = old_hash
        out.append(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n")
    dst.write_bytes(b"".join(out))
    return renamed


def _readers(path, simple_extractor):
    """What every raw reader answers about the ledger at ``path``, as plain JSON."""
    from ledger import reextract, report
    from ledger.audit import verify
    from ledger.ingest import SourceIndex
    from ledger.proofs import select

    store = LogStore(path, fsync=False)
    head = store.head()
    index = SourceIndex()
    index.catch_up(store)
    state = reextract._State()
    state.fold(store)
    with Snapshot(store) as snap:
        stored = list(snap.assertions(head.seq))
    out = {
        "diff.resolve": diff_module.resolve(store, ALL_TYPES_URI),
        "diff.history": diff_module.history(store, SRC_GATE),
        "diff.diff": diff_module.diff(store, SRC_GATE),
        "SourceIndex": {sid: (k.version, k.raw_sha256, sorted(k.assertion_ids)) for sid, k in index.sources.items()},
        "trail": {i: [(e.seq, e.type, e.data) for e in trail(store, i, cache=False)]
                  for i in (AS_PLAIN, AS_RICH, AS_REV, claim_id_for(AS_PLAIN))},
        "source_trail": [(e.seq, e.type, e.data) for e in source_trail(store, SRC_GATE)],
        "views (re-dated)": list(iter_assertions(store, cache=False)),
        "projection store": stored,
        "reextract fold": (state.sources, state.latest, state.withdrawn, sorted(state.retracted)),
        "reextract.history": reextract.history(store),
        "reextract dry run": reextract.reextract(store, simple_extractor, dry_run=True),
        "proofs.select": {q: [raw["seq"] for _line, raw in select(store, None, head.size, q, head.seq)]
                          for q in (AS_PLAIN, AS_RICH, SRC_GATE)},
        "verify (no schemas: the old shape is pretend)": (lambda r: (r.ok, r.reason, r.events))(verify(store, schemas=False)),
        "report": {k: v for k, v in report.build(store).items() if k != "ledger"},
    }
    return {k: converter.unstructure(v) for k, v in out.items()}


def _retract(path, assertion_id):
    from ledger.cli.main import cli

    result = CliRunner().invoke(cli, ["--ledger", str(path), "retract", assertion_id, "--reason", "test"])
    return result.exit_code, result.output.replace(str(path), "LEDGER")


@pytest.fixture
def legacy(tmp_path, monkeypatch):
    """(original ledger, legacy ledger, new hash -> old hash), with every type's VERSION bumped."""
    original = tmp_path / "original.jsonl"
    _build(original)
    legacy = tmp_path / "legacy.jsonl"
    renamed = _as_legacy(original, legacy)
    return original, legacy, renamed


def _bump_versions(monkeypatch):
    monkeypatch.setattr(events, "UPCASTERS", dict(events.UPCASTERS))
    for name, cls in PAYLOAD_TYPES.items():
        if cls is BatchStarted:
            continue
        events.upcaster(name, cls.VERSION)(lambda d: d["legacy"])
        monkeypatch.setattr(cls, "VERSION", cls.VERSION + 1)
    monkeypatch.setattr(serialization, "_READERS", {})  # cached per class at first read
    # The old shape here is pretend (no schema file describes it): schemas are not under test.
    monkeypatch.setattr(log_module, "_schema_valid", lambda raw: True)


def test_every_raw_reader_upcasts_old_lines(legacy, monkeypatch, simple_extractor):
    original, path, renamed = legacy
    expected = _readers(original, simple_extractor)
    assert expected["SourceIndex"] and expected["trail"][AS_PLAIN] and expected["reextract.history"]
    assert any(v["type"] == "date" for row in expected["views (re-dated)"] for v in row["values"])
    _bump_versions(monkeypatch)
    assert b'"legacy"' in path.read_bytes()  # the old lines really are in the old shape
    got = _readers(path, simple_extractor)
    text = orjson.dumps(got).decode()
    for new, old in renamed.items():
        text = text.replace(new, old)
    got = orjson.loads(text)
    for reader in expected:
        assert got[reader] == expected[reader], reader


def test_retract_finds_old_lines(legacy, monkeypatch):
    original, path, _renamed = legacy
    expected = [_retract(original, AS_REV), _retract(original, AS_RICH)]
    assert expected[0][0] == 1 and "already retracted" in expected[0][1] and expected[1][0] == 0
    _bump_versions(monkeypatch)
    assert [_retract(path, AS_REV), _retract(path, AS_RICH)] == expected


def test_the_gate():
    """Current lines pass as they are (no copy); older ones are upcast; newer ones are left out."""
    data = converter.unstructure(all_types_payloads()[0][1])
    raw = {"seq": 1, "type": "AssertionRecorded", "v": AssertionRecorded.VERSION, "data": data}
    assert current_data(raw) is data and as_current(raw) is raw
    old = {**raw, "v": 1, "data": {k: v for k, v in data.items() if k not in ("quotation", "speaker_antecedent", "supersedes")}}
    assert current_data(old) == {**old["data"], "quotation": None, "speaker_antecedent": None, "supersedes": None}
    assert as_current(old) == {**old, "v": AssertionRecorded.VERSION, "data": current_data(old)}
    newer = {**raw, "v": AssertionRecorded.VERSION + 1}
    assert current_data(newer) is None and as_current(newer) is None
    unknown = {**raw, "type": "FromTheFuture"}
    assert current_data(unknown) is data and as_current(unknown) is unknown
