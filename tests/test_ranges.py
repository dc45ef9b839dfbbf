"""Partitioned verify (ledger.ranges) across range boundaries: references, source histories
and times that a range cannot judge alone are resolved by the coordinator, so a tamper whose
dangling reference crosses a cut is found, with the report of the single-process verify.

The ranges run in this process through a stand-in for a Dask client (submit, gather,
futures as arguments, release): the logic is the coordinator's, not Dask's; a real
LocalCluster runs the same cases in test_cluster.py (slow)."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
from conftest import all_types_payloads

from ledger import ranges
from ledger.audit import verify
from ledger.log import LogStore

from helpers import _rehash_from


class _Done:
    def __init__(self, value):
        self.value, self.released = value, False

    def result(self):
        return self.value

    def release(self):
        self.released = True


class InProcessClient:
    """What ranges.partitioned uses of a ``distributed.Client``, run here."""

    def __init__(self):
        self.futures: list[_Done] = []
        self.lookups = 0
        self.pool = ThreadPoolExecutor(2)

    def submit(self, fn, *args, pure=True):
        if fn is ranges._lookup:
            self.lookups += 1
        done = _Done(fn(*(a.value if isinstance(a, _Done) else a for a in args)))
        self.futures.append(done)
        return done

    def gather(self, futures):
        return [f.value for f in futures]

    def get_executor(self, pure=True):
        return self.pool


@pytest.fixture
def cut_everywhere(monkeypatch):
    """Ranges of any size; counts the single-process replays (the fallback on a failure)."""
    monkeypatch.setattr(ranges, "MIN_RANGE", 1)
    seen = {"sequential": 0, "ranges": []}
    real_verify, real_split = ranges.verify, ranges.split

    def sequential(*a, **k):
        seen["sequential"] += 1
        return real_verify(*a, **k)

    def split(*a):
        seen["ranges"].append(real_split(*a))
        return seen["ranges"][-1]

    monkeypatch.setattr(ranges, "verify", sequential)
    monkeypatch.setattr(ranges, "split", split)
    return seen


def _lines(path):
    return path.read_bytes().splitlines(keepends=True)


def _edit(lines, kind, change):
    """The first line of type ``kind`` changed by ``change(data)``, the chain recomputed after it."""
    i = next(k for k, x in enumerate(lines) if orjson.loads(x)["type"] == kind)
    raw = orjson.loads(lines[i])
    change(raw["data"])
    lines[i] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"
    return _rehash_from(lines, i), i + 1


def _compare(path, seen):
    client = InProcessClient()
    one = verify(LogStore(path), jobs=1)
    got, root = ranges.partitioned(LogStore(path), client, 2)
    assert len(seen["ranges"][-1]) >= 2  # really cut
    assert all(f.released for f in client.futures if isinstance(f.value, tuple) and len(f.value) == 2)
    return one, got, root, client


def test_references_into_earlier_ranges_resolve_without_the_single_process_replay(all_types_ledger, cut_everywhere):
    """The all-types ledger cuts at its two batch markers: the withdrawal of an assertion of
    version 1, the link and the verdict in range 2 point into range 1. They resolve on the
    coordinator (one lookup of the ids they name), with no fallback to one process."""
    summaries = [ranges.check_range(str(all_types_ledger), a, b) for a, b in ranges.split(str(all_types_ledger), all_types_ledger.stat().st_size, 8)]
    assert len(summaries) == 2 and summaries[0][10] == []
    kinds = sorted({d[0] for d in summaries[1][10]})
    assert kinds == ["ref", "withdraw"]  # the range alone could not judge them
    one, got, root, client = _compare(all_types_ledger, cut_everywhere)
    assert one.ok and got.ok and got.head_hash == one.head_hash and root is not None
    assert cut_everywhere["sequential"] == 0 and client.lookups == 1


def _retarget(field, value):
    def change(d):
        d[field] = value
    return change


@pytest.mark.parametrize(
    "kind,change,reason",
    [
        ("AssertionsLinked", _retarget("a", "as-0000000000000000"), "links assertion as-0000000000000000, which is not recorded before it"),
        ("VerdictRecorded", _retarget("target", "cl-0000000000000000"), "verdict on cl-0000000000000000"),
        ("AssertionWithdrawn", _retarget("version", 3), "which is not recorded before it"),
        ("AssertionWithdrawn", _retarget("assertion_id", "as-00000000000000ff"), "withdraws assertion as-00000000000000ff, which is not recorded"),
        ("AssertionRetracted", _retarget("assertion_id", "as-000000000000abcd"), "retracts assertion as-000000000000abcd, which is not recorded"),
    ],
    ids=["dangling link", "dangling verdict", "withdrawal of an unrecorded version", "dangling withdrawal", "dangling retraction"],
)
def test_a_dangling_reference_across_a_cut_gives_the_single_process_report(all_types_ledger, cut_everywhere, kind, change, reason):
    """Before the coordinator resolved them, these passed the ranges: the range holding the
    reference does not hold its target's range, so it let the reference through."""
    lines, seq = _edit(_lines(all_types_ledger), kind, change)
    all_types_ledger.write_bytes(b"".join(lines))
    one, got, root, _ = _compare(all_types_ledger, cut_everywhere)
    assert not one.ok and one.bad_seq == seq and reason in one.reason
    assert (got.ok, got.bad_seq, got.reason) == (one.ok, one.bad_seq, one.reason) and root is None
    assert cut_everywhere["sequential"] == 1


def test_a_retraction_of_an_assertion_in_an_earlier_range_passes(all_types_ledger, cut_everywhere):
    """Retargeted at an assertion of range 1 (recorded, so valid), the ranges alone answer OK."""
    from conftest import AS_RICH

    lines, _ = _edit(_lines(all_types_ledger), "AssertionRetracted", _retarget("assertion_id", AS_RICH))
    all_types_ledger.write_bytes(b"".join(lines))
    one, got, root, _ = _compare(all_types_ledger, cut_everywhere)
    assert one.ok and got.ok and got.head_hash == one.head_hash and cut_everywhere["sequential"] == 0


def test_a_source_appended_again_in_a_later_range_is_found(all_types_ledger, cut_everywhere):
    """The first batch appended again (a new batch marker: its own range) is a second
    SourceAppended of a source the log already has."""
    LogStore(all_types_ledger, fsync=False).append(all_types_payloads()[0], actor="tester@example")
    one, got, root, _ = _compare(all_types_ledger, cut_everywhere)
    assert not one.ok and "is appended again" in one.reason
    assert (got.ok, got.bad_seq, got.reason) == (one.ok, one.bad_seq, one.reason)
    assert len(cut_everywhere["ranges"][-1]) == 3 and cut_everywhere["sequential"] == 1


def test_time_moving_back_at_a_cut_is_found(all_types_ledger, cut_everywhere):
    """Every line of range 2 dated before range 1 (rehashed): within each range time is
    monotone, across the cut it moves back."""
    lines = _lines(all_types_ledger)
    first_of_two = next(k for k, x in enumerate(lines) if k and orjson.loads(x)["type"] == "BatchStarted")
    for k in range(first_of_two, len(lines)):
        raw = orjson.loads(lines[k])
        raw["at"] = "2000-01-01T00:00:00.000000Z"
        lines[k] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"
    all_types_ledger.write_bytes(b"".join(_rehash_from(lines, first_of_two)))
    one, got, root, _ = _compare(all_types_ledger, cut_everywhere)
    assert not one.ok and one.bad_seq == first_of_two + 1 and "time moved back" in one.reason
    assert (got.ok, got.bad_seq, got.reason) == (one.ok, one.bad_seq, one.reason)
    assert cut_everywhere["sequential"] == 1


# -- ids that must be unique across the log: each range sends 8-byte digests of its ids ------


def test_an_event_id_used_again_in_a_later_range_is_found(all_types_ledger, cut_everywhere):
    """An event of range 2 given the id of an event of range 1 (rehashed): each range alone
    has unique ids; the digests the ranges return share one, so the single-process replay
    answers, naming the id and its seq."""
    lines = _lines(all_types_ledger)
    first_of_two = next(k for k, x in enumerate(lines) if k and orjson.loads(x)["type"] == "BatchStarted")
    target = first_of_two + 2
    raw = orjson.loads(lines[target])
    raw["id"] = orjson.loads(lines[1])["id"]
    lines[target] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"
    all_types_ledger.write_bytes(b"".join(_rehash_from(lines, target)))
    summaries = [ranges.check_range(str(all_types_ledger), a, b) for a, b in ranges.split(str(all_types_ledger), all_types_ledger.stat().st_size, 8)]
    assert len(summaries) == 2 and all(s[0] for s in summaries)  # each range passes alone
    one, got, root, _ = _compare(all_types_ledger, cut_everywhere)
    assert not one.ok and one.bad_seq == target + 1 and "is used again" in one.reason
    assert (got.ok, got.bad_seq, got.reason) == (one.ok, one.bad_seq, one.reason) and root is None
    assert cut_everywhere["sequential"] == 1


def _revised_ledger(path, second_source_aid=None):
    """Source A, then (a batch of its own, so a range of its own) A's version 2 recording its
    first sentence again: the same assertion id, legitimately, in two ranges. With
    ``second_source_aid``: then a source B whose assertion carries that id."""
    from conftest import assertion_payload, source_payload

    from ledger.events import SourceRevised

    text = "The bridge reopened on Monday. Officials said it is safe."
    revised = "The bridge reopened on Monday. Officials now say it is safe."
    a = source_payload(text, uri="https://example.org/a")
    rev = SourceRevised(**{**{k: getattr(source_payload(revised, uri=a.uri), k) for k in (
        "source_id", "uri", "title", "outlet", "authors", "published", "retrieved", "media_type", "raw_sha256",
        "text_sha256", "text")}, "version": 2, "revision_of": 1})
    store = LogStore(path, fsync=False)
    store.append([a, assertion_payload(text, 0, 30, source_id=a.source_id)], actor="t@example")
    store.append([rev, assertion_payload(revised, 0, 30, source_id=a.source_id, version=2)], actor="t@example")
    if second_source_aid is not None:
        other = "Ferries kept running all week."
        b = source_payload(other, uri="https://example.org/b")
        forged = assertion_payload(other, 0, 7, source_id=b.source_id, assertion_id=second_source_aid)
        store.append([b, forged], actor="t@example")
    return orjson.loads(path.read_bytes().splitlines()[2])["data"]["assertion_id"]


def test_an_assertion_recorded_again_by_a_revision_in_a_later_range_passes_on_the_ranges(tmp_ledger, cut_everywhere):
    """The shared digest is looked up (one _owners task per range holding it): the same
    source in both ranges, so the ranges' answer stands, with no single-process replay."""
    aid = _revised_ledger(tmp_ledger)
    lines = _lines(tmp_ledger)
    assert sum(orjson.loads(x)["data"].get("assertion_id") == aid for x in lines) == 2
    client = InProcessClient()
    owners_calls = []
    real_owners = ranges._owners
    try:
        ranges._owners = lambda state, wanted: owners_calls.append(set(wanted)) or real_owners(state, wanted)
        one = verify(LogStore(tmp_ledger), jobs=1)
        got, _root = ranges.partitioned(LogStore(tmp_ledger), client, 2)
    finally:
        ranges._owners = real_owners
    assert len(cut_everywhere["ranges"][-1]) == 2
    assert one.ok and got.ok and got.head_hash == one.head_hash and cut_everywhere["sequential"] == 0
    assert owners_calls == [{int.from_bytes(bytes.fromhex(aid[3:]), sys.byteorder)}] * 2  # both ranges, that id only


def test_an_assertion_id_of_another_source_in_a_later_range_is_found(tmp_ledger, cut_everywhere, monkeypatch):
    """Source B records an assertion under an id that A's range records. With derived ids the
    range of B would refuse it itself; a forger who found a 64-bit collision of the derivation
    would not be refused there, as the ranges run here without the derivation check: only the
    digests shared across the ranges, looked up with their sources, find it."""
    from ledger.checks import Rules

    monkeypatch.setattr(ranges, "Rules", lambda **k: Rules(**{**k, "derived_ids": False}))
    _revised_ledger(tmp_ledger)
    aid = orjson.loads(_lines(tmp_ledger)[2])["data"]["assertion_id"]
    tmp_ledger.unlink()
    _revised_ledger(tmp_ledger, second_source_aid=aid)
    one, got, root, _ = _compare(tmp_ledger, cut_everywhere)
    assert not one.ok and f"assertion id {aid} already belongs to source" in one.reason
    assert (got.ok, got.bad_seq, got.reason) == (one.ok, one.bad_seq, one.reason) and root is None
    assert len(cut_everywhere["ranges"][-1]) == 3 and cut_everywhere["sequential"] == 1


def test_digests_of_ids_in_the_usual_form_and_any_other_agree():
    """The packed digests equal the one-by-one digest of each id, for UUIDs and anything else
    (schemas off: ids of any form), so equal ids always have equal digests across ranges."""
    ids = ["0190c7a2-3b4c-7d5e-8f60-718293a4b5c6", "0190c7a2-3b4c-7d5e-bf60-718293a4b5c7"]
    odd = ["not-a-uuid", "0190c7a2-3b4c-7d5e-8f60-718293a4b5cZ", "é" * 36, "0190c7a2-3b4c-7d5e-8f60-718293a4 5c6"]
    spec = ranges._EVENT_ID
    assert ranges.digests(ids, *spec) == b"".join(ranges.digest(i, *spec) for i in ids) == bytes.fromhex("8f60718293a4b5c6bf60718293a4b5c7")
    mixed = ids + odd
    assert ranges.digests(mixed, *spec) == b"".join(ranges.digest(i, *spec) for i in mixed)
    assert len(set(ranges.digests(mixed, *spec)[k : k + 8] for k in range(0, 8 * len(mixed), 8))) == len(mixed)
    shared = ranges._shared([ranges.digests(ids, *spec), ranges.digests(odd + ids[1:], *spec), b""])
    d = int.from_bytes(ranges.digest(ids[1], *spec), sys.byteorder)
    assert shared == [{d}, {d}, set()]
