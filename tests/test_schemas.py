"""The JSON Schemas in events/ describe every event a ledger holds, checked with jsonschema (2020-12)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import orjson
from jsonschema import Draft202012Validator

from ledger.events import PAYLOAD_TYPES
from ledger.log import LogStore
from ledger.schemas import validator_for

EVENTS = Path(__file__).resolve().parents[1] / "events"


def _schema(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.schema.json").read_text(encoding="utf-8"))


def _validator(type_name: str, v: int) -> Draft202012Validator:
    return Draft202012Validator(_schema(f"{type_name}.v{v}"))


def test_one_valid_schema_per_type_and_version():
    """events/ holds the envelope and one 2020-12 schema per payload type at its version, with matching $id."""
    names = sorted(p.name for p in EVENTS.glob("*.schema.json"))
    expected = sorted(
        ["Envelope.v1.schema.json"]
        + [f"{t}.v{v}.schema.json" for t, c in PAYLOAD_TYPES.items() for v in range(1, c.VERSION + 1)]
    )  # old versions stay: old lines are still checked against them
    assert names == expected
    for name in names:
        schema = json.loads((EVENTS / name).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"https://factledger.example/events/{name}"
        assert not _keywords(schema) & {"format", "$ref", "anyOf"}, name  # patterns, inlined, type arrays


def _keywords(node) -> set[str]:
    """Every key used anywhere in a schema (property names included)."""
    if isinstance(node, dict):
        return set(node).union(*(_keywords(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_keywords(v) for v in node))
    return set()


def test_schemas_ship_in_the_package():
    """ledger.schemas finds every file of events/ (the package folder is the same folder)."""
    for name in (p.name for p in EVENTS.glob("*.schema.json")):
        type_name, v = name[: -len(".schema.json")].rsplit(".v", 1)
        assert validator_for(type_name, int(v)) is not None


def test_every_event_of_a_ledger_validates(all_types_ledger):
    """Each event of a ledger holding every type validates against its type schema and the envelope."""
    envelope = _validator("Envelope", 1)
    seen = set()
    for raw in LogStore(all_types_ledger).raw_events():
        for validator in (_validator(raw["type"], raw["v"]), envelope):
            errors = [e.message for e in validator.iter_errors(raw)]
            assert errors == [], (raw["seq"], raw["type"], errors)
        seen.add(raw["type"])
    assert seen == set(PAYLOAD_TYPES)


def test_ingested_ledger_validates(tmp_ledger, run_cli, simple_extractor, tmp_path):
    """Events written by the real append path (CLI, extractor with values and entities) validate too."""
    article = tmp_path / "story.md"
    article.write_text("# Dam Opens\n\nThe dam opened on Friday. About 3,000 people reportedly watched.\n", encoding="utf-8")
    assert run_cli("append", "--extractor", "simple-test", "--author", "Jo Li", str(article)).exit_code == 0
    raws = list(LogStore(tmp_ledger).raw_events())
    assert any(r["data"].get("values") for r in raws)
    for raw in raws:
        assert list(_validator(raw["type"], raw["v"]).iter_errors(raw)) == []


def _mutations(raw: dict):
    def m(fn):
        r = copy.deepcopy(raw)
        fn(r)
        return r

    yield "missing data field", m(lambda r: r["data"].pop("kind"))
    yield "extra data field", m(lambda r: r["data"].__setitem__("confidence", 1))
    yield "unknown kind", m(lambda r: r["data"].__setitem__("kind", "rumour"))
    yield "unknown modality", m(lambda r: r["data"].__setitem__("modality", "maybe"))
    yield "negative start", m(lambda r: r["data"]["selector"].__setitem__("start", -1))
    yield "empty quote", m(lambda r: r["data"]["selector"].__setitem__("exact", ""))
    yield "extra selector field", m(lambda r: r["data"]["selector"].__setitem__("note", "x"))
    yield "value without unit key", m(lambda r: r["data"]["values"][0].pop("unit"))
    yield "speaker not a string", m(lambda r: r["data"].__setitem__("speaker", 5))
    yield "uppercase hash", m(lambda r: r.__setitem__("hash", r["hash"].upper()))
    yield "short prev", m(lambda r: r.__setitem__("prev", "ab"))
    yield "at not UTC", m(lambda r: r.__setitem__("at", r["at"].replace("Z", "+02:00")))
    yield "seq zero", m(lambda r: r.__setitem__("seq", 0))
    yield "seq as string", m(lambda r: r.__setitem__("seq", "1"))
    yield "bad id", m(lambda r: r.__setitem__("id", "not-a-uuid"))
    yield "empty actor", m(lambda r: r.__setitem__("actor", ""))
    yield "extra envelope field", m(lambda r: r.__setitem__("sig", "x"))
    yield "wrong v", m(lambda r: r.__setitem__("v", r["v"] + 1))


def test_broken_events_fail_in_both_validators(all_types_ledger):
    """Each kind of broken AssertionRecorded fails jsonschema and the jsonschema-rs validator verify uses."""
    raw = next(r for r in LogStore(all_types_ledger).raw_events() if r["type"] == "AssertionRecorded" and r["data"]["values"])
    full = _validator("AssertionRecorded", raw["v"])
    fast = validator_for("AssertionRecorded", raw["v"])
    assert list(full.iter_errors(raw)) == [] and fast(raw) is None
    for label, broken in _mutations(raw):
        assert list(full.iter_errors(broken)), label
        assert fast(orjson.loads(orjson.dumps(broken))) is not None, label


def test_envelope_accepts_unknown_types_but_not_broken_envelopes():
    """The envelope schema takes any type's data but still checks the envelope fields."""
    envelope = _validator("Envelope", 1)
    raw = {"seq": 3, "id": "0190a5b2-0000-7000-8000-000000000003", "type": "FutureThing", "v": 4,
           "at": "2026-03-18T10:00:00Z", "actor": "a@b", "prev": "0" * 64, "hash": "a" * 64, "data": {"anything": [1]}}
    assert list(envelope.iter_errors(raw)) == []
    assert list(envelope.iter_errors({**raw, "data": []}))
    assert list(envelope.iter_errors({k: v for k, v in raw.items() if k != "actor"}))


def test_enums_match_the_code():
    """Schema enums are exactly the vocabularies ledger.events declares (verdicts, kinds, modalities)."""
    from ledger.events import ASSERTION_KINDS, MODALITIES, VERDICT_STATUSES

    def enum(type_name, field):
        return tuple(_schema(f"{type_name}.v1")["properties"]["data"]["properties"][field]["enum"])

    assert enum("VerdictRecorded", "status") == VERDICT_STATUSES
    assert enum("AssertionRecorded", "kind") == ASSERTION_KINDS
    assert enum("AssertionRecorded", "modality") == MODALITIES
    v2 = _schema("AssertionRecorded.v2")["properties"]["data"]["properties"]
    assert v2["kind"]["enum"] == list(ASSERTION_KINDS) and v2["modality"]["enum"] == list(MODALITIES)


def test_schema_problem_names_the_path_on_one_line(all_types_ledger):
    """A failing event's problem is one line naming the schema and the JSON path of the bad member."""
    raw = next(r for r in LogStore(all_types_ledger).raw_events() if r["type"] == "AssertionRecorded")
    validate = validator_for("AssertionRecorded", raw["v"])
    broken = copy.deepcopy(raw)
    broken["data"]["kind"] = "rumour"
    problem = validate(broken)
    assert problem is not None and "\n" not in problem
    assert problem.startswith(f"does not match the AssertionRecorded v{raw['v']} schema: at /data/kind: ") and "rumour" in problem
    broken = copy.deepcopy(raw)
    broken["data"]["values"] = [{"type": "quantity"}]
    assert "at /data/values/0: " in validate(broken)
