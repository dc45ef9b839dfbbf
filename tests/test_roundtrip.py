"""Every event type survives unstructure -> canonical bytes -> structure; unknown types and fields are kept."""

from __future__ import annotations

import hashlib
import warnings

import orjson
import pytest
from attrs import frozen
from conftest import AS_PLAIN, all_types_payloads
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import events as ev
from ledger import serialization
from ledger.audit import verify
from ledger.events import PAYLOAD_TYPES, UnknownPayload
from ledger.log import now_rfc3339, LogStore
from ledger.serialization import canonical, converter, event_hash, structure_event, unstructure_event


def _every_payload():
    """The fixture's payloads with the BatchStarted the store writes before each batch of two or more."""
    return [p for batch in all_types_payloads() for p in ([ev.BatchStarted(events=len(batch))] if len(batch) > 1 else []) + batch]


def test_test_data_covers_every_payload_type():
    """The fixture batches (with the store's batch markers) hold at least one payload of every registered type."""
    assert {type(p) for p in _every_payload()} == set(PAYLOAD_TYPES.values())


@pytest.mark.parametrize("payload", _every_payload(), ids=lambda p: type(p).__name__)
def test_payload_roundtrip_through_canonical_bytes(payload):
    """unstructure -> canonical bytes -> parse -> structure gives back an equal payload."""
    data = orjson.loads(canonical(converter.unstructure(payload)))
    assert converter.structure(data, type(payload)) == payload


def test_ledger_roundtrip_every_event(all_types_ledger):
    """Events read from a ledger equal the payloads appended and unstructure back to their exact lines."""
    store = LogStore(all_types_ledger)
    events = list(store.events())
    assert [e.data for e in events] == _every_payload()
    for event, (_off, line, _raw) in zip(events, store.lines()):
        assert canonical(unstructure_event(event)) + b"\n" == line


def _append_raw(path, data_by_type: list[tuple[str, int, dict]]):
    """Append hand-made events (as a newer factledger would write them) with a correct chain."""
    store = LogStore(path, fsync=False)
    head = store.head()
    seq, prev = head.seq, head.hash
    with open(path, "ab") as f:
        for type_name, v, data in data_by_type:
            seq += 1
            raw = {"seq": seq, "id": "0190a5b2-0000-7000-8000-00000000%04x" % seq, "type": type_name, "v": v,
                   "at": now_rfc3339(), "actor": "future@host", "prev": prev, "data": data}
            raw["hash"] = prev = event_hash(raw)
            f.write(canonical(raw) + b"\n")


def test_unknown_type_kept_reported_and_verified(all_types_ledger, run_cli):
    """An event type this version does not know is read as UnknownPayload, verified on its envelope, and noted."""
    data = {"assertion_id": AS_PLAIN, "score": 3, "tags": ["a", "b"]}
    _append_raw(all_types_ledger, [("AssertionScored", 1, data)])
    store = LogStore(all_types_ledger)
    last = list(store.events())[-1]
    assert isinstance(last.data, UnknownPayload)
    assert (last.data.type, last.data.v, last.data.data) == ("AssertionScored", 1, data)
    assert canonical(unstructure_event(last)) + b"\n" == all_types_ledger.read_bytes().splitlines(keepends=True)[-1]
    report = verify(store)
    assert report.ok, report.reason
    assert report.unknown_types == {"AssertionScored": 1}
    res = run_cli("verify")
    assert res.exit_code == 0 and "AssertionScored" in res.stdout


def test_newer_version_of_known_type_is_kept_whole(all_types_ledger):
    """A v2 event of a known v1 type is kept as UnknownPayload rather than mis-read as v1."""
    data = {"target": AS_PLAIN, "status": "supported", "note": None, "confidence": "high"}
    _append_raw(all_types_ledger, [("VerdictRecorded", 2, data)])
    store = LogStore(all_types_ledger)
    last = list(store.events())[-1]
    assert isinstance(last.data, UnknownPayload) and last.data.data == data and last.v == 2
    assert verify(store).ok


def test_unknown_field_kept_and_hash_verifies(all_types_ledger):
    """An extra data field on a known type is kept in Event.unknown, written back identically, and its hash holds.

    The v1 schemas are strict (a writer adding a field must bump v), so full verify flags it.
    """
    _append_raw(all_types_ledger, [("AssertionRetracted", 1, {"assertion_id": AS_PLAIN, "reason": "dup", "ticket": "T-9"})])
    store = LogStore(all_types_ledger)
    last = list(store.events())[-1]
    assert last.data == ev.AssertionRetracted(assertion_id=AS_PLAIN, reason="dup")
    assert last.unknown == {"ticket": "T-9"}
    raw = unstructure_event(last)
    assert raw["data"]["ticket"] == "T-9" and event_hash(raw) == last.hash
    assert verify(store, schemas=False).ok
    strict = verify(store)
    assert not strict.ok and "AssertionRetracted v1 schema" in strict.reason


@frozen
class Noted(ev.Payload):
    """A stand-in payload at v2 whose v1 called ``text`` ``note`` and had no ``lang``."""

    TYPE = "Noted"
    VERSION = 2

    assertion_id: str
    text: str
    lang: str


def test_upcaster_applied_on_read(tmp_ledger, monkeypatch):
    """A v1 line is upgraded on read by the registered upcaster; the line itself is never rewritten."""
    monkeypatch.setitem(PAYLOAD_TYPES, "Noted", Noted)
    monkeypatch.setitem(serialization._FIELDS, Noted, frozenset({"assertion_id", "text", "lang"}))
    monkeypatch.setattr(ev, "UPCASTERS", dict(ev.UPCASTERS))
    ev.upcaster("Noted", 1)(lambda d: {"assertion_id": d["assertion_id"], "text": d["note"], "lang": "und"})
    _append_raw(tmp_ledger, [("Noted", 1, {"assertion_id": "as-1", "note": "checked"})])
    before = tmp_ledger.read_bytes()
    (event,) = LogStore(tmp_ledger).events()
    assert event.data == Noted(assertion_id="as-1", text="checked", lang="und")
    assert event.v == 1 and event.unknown == {}
    assert tmp_ledger.read_bytes() == before


def test_structure_event_rejects_nothing_it_can_keep():
    """structure_event on a raw line of an unknown type never raises, whatever its data holds."""
    raw = {"seq": 1, "id": "x", "type": "Zzz", "v": 7, "at": "t", "actor": "a", "prev": "0" * 64,
           "hash": hashlib.sha256(b"").hexdigest(), "data": {"nested": {"deep": [1, {"x": None}]}}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        event = structure_event(raw)
    assert unstructure_event(event) == raw


def test_missing_defaulted_fields_and_unknown_keys_on_read(tmp_ledger):
    """A line without a field that has a default gets the default (parts and payloads), and extra keys land in unknown."""
    text = "Harbour Gate reopened on Monday."
    src = ev.SourceAppended(source_id="src-1", version=1, uri=None, title=None, outlet=None, authors=(), published=None,
                            retrieved=None, media_type="text/plain", raw_sha256="0" * 64,
                            text_sha256=hashlib.sha256(text.encode()).hexdigest(), text=text)
    LogStore(tmp_ledger, fsync=False).append([src], actor="t@h")
    recorded = {"assertion_id": "as-1", "source_id": "src-1", "version": 1,
                "selector": {"start": 0, "end": 12, "exact": "Harbour Gate"}, "kind": "statement", "speaker": None,
                "speaker_cue": None, "modality": "asserted", "modality_cue": None,
                "values": [{"type": "quantity", "text": "1", "start": 0, "end": 1, "value": "1"}],
                "entities": [], "extractor": "hand", "extractor_version": "1", "lang": "en"}
    _append_raw(tmp_ledger, [("AssertionRecorded", 1, recorded), ("VerdictRecorded", 1, {"target": "as-1", "status": "supported", "by": "x"})])
    _, assertion, verdict = LogStore(tmp_ledger).events()
    assert assertion.data.selector == ev.Selector(start=0, end=12, exact="Harbour Gate", prefix="", suffix="")
    assert assertion.data.values == (ev.Value(type="quantity", text="1", start=0, end=1, value="1"),)
    assert assertion.unknown == {"lang": "en"}
    assert verdict.data == ev.VerdictRecorded(target="as-1", status="supported", note=None) and verdict.unknown == {"by": "x"}


def test_replay_refuses_a_wrong_type_and_verify_names_the_field(tmp_ledger):
    """Replay never coerces a JSON value (no silent ``str(5)`` -> ``"5"``) nor passes a wrong type on to a
    view (issue #15 item 4): the read stops with one line naming the seq and 'factledger verify', whose
    JSON Schema pass names the field."""
    from ledger.log import SchemaBreakError

    _append_raw(tmp_ledger, [("AssertionRetracted", 1, {"assertion_id": 5, "reason": "typo"})])
    with pytest.raises(SchemaBreakError, match=r"AssertionRetracted event at seq 1 .*factledger verify"):
        list(LogStore(tmp_ledger).events())
    report = verify(LogStore(tmp_ledger))
    assert not report.ok and report.bad_seq == 1 and "/data/assertion_id" in report.reason


def test_positional_hooks_agree_with_cattrs_generic_ones():
    """The lean hooks registered on the converter give what cattrs' own generated hooks give."""
    from cattrs.preconf.orjson import make_converter

    plain = make_converter()
    for payload in _every_payload():
        data = orjson.loads(canonical(converter.unstructure(payload)))
        assert converter.structure(data, type(payload)) == plain.structure(data, type(payload)) == payload


_text = st.text()
_opt = st.none() | _text
_assertions = st.builds(
    ev.AssertionRecorded, assertion_id=_text, source_id=_text, version=st.integers(1, 2**40),
    selector=st.builds(ev.Selector, start=st.integers(0, 2**40), end=st.integers(1, 2**40), exact=_text, prefix=_text, suffix=_text),
    kind=_text, speaker=_opt, speaker_cue=_opt, modality=_text, modality_cue=_opt,
    values=st.lists(st.builds(ev.Value, type=_text, text=_text, start=st.integers(0, 9), end=st.integers(1, 9), value=_text,
                              unit=_opt, qualifier=_opt), max_size=3).map(tuple),
    entities=st.lists(st.builds(ev.Mention, text=_text, start=st.integers(0, 9), end=st.integers(1, 9), type=_text, entity=_text),
                      max_size=3).map(tuple),
    extractor=_text, extractor_version=_text,
)


@pytest.mark.slow  # 200 examples
@settings(max_examples=200, deadline=None)
@given(payload=_assertions | st.sampled_from(_every_payload()))
def test_payload_bytes_for_append_are_the_converters(payload):
    """The bytes append writes for a payload's data are canonical(converter.unstructure(payload)),
    whatever its strings hold and however many values and mentions it has."""
    assert serialization.payload_json_fn(type(payload))(payload) == canonical(converter.unstructure(payload))


def test_a_class_that_could_hide_state_in_its_dict_goes_through_the_converter():
    """A payload class with a cached_property is not written from its __dict__ (the cached value
    would leak into the line): the converter's hook writes it, without the cached value."""
    import functools

    @frozen(slots=False)
    class Cached(ev.Payload):
        TYPE = "Cached"
        note: str

        @functools.cached_property
        def shout(self) -> str:
            return self.note.upper()

    payload = Cached(note="quiet")
    assert payload.shout == "QUIET" and "shout" in payload.__dict__
    assert not serialization._plain(Cached)
    assert serialization.payload_json_fn(Cached)(payload) == b'{"note":"quiet"}'


def test_replayed_events_structure_their_payload_on_first_read(all_types_ledger):
    """LogStore.events() defers each payload (issue #12: typed events only when a caller reads them):
    nothing is structured before ``data``/``unknown`` is read, and then every event equals the eager
    structure_event of its line, also for an older version (upcast), an unknown type and extra fields."""
    _append_raw(all_types_ledger, [
        ("AssertionRecorded", 1, {"assertion_id": "as-9", "source_id": "src-1", "version": 1,
                                  "selector": {"start": 0, "end": 4, "exact": "Harb", "prefix": "", "suffix": "our"},
                                  "kind": "statement", "speaker": None, "speaker_cue": None, "modality": "asserted",
                                  "modality_cue": None, "values": [], "entities": [], "extractor": "hand",
                                  "extractor_version": "1", "lang": "en"}),
        ("FutureThing", 1, {"x": 1}),
    ])
    store = LogStore(all_types_ledger)
    lazy = list(store.events())
    assert all("data" not in vars(e) and "unknown" not in vars(e) for e in lazy)
    eager = [structure_event(raw) for raw in store.raw_events()]
    assert [e.seq for e in lazy] == [e.seq for e in eager] and [e.type for e in lazy] == [e.type for e in eager]
    assert lazy == eager  # attrs' __eq__ reads data and unknown: each is structured here
    assert all("_pending" not in vars(e) for e in lazy)
    assert lazy[-2].unknown == {"lang": "en"} and lazy[-2].data.quotation is None
    assert isinstance(lazy[-1].data, UnknownPayload) and lazy[-1].data.data == {"x": 1}
    with pytest.raises(AttributeError):
        lazy[0].no_such_field
