"""Partitioned verify (ledger.ranges) across range boundaries: references, source histories
and times that a range cannot judge alone are resolved by the coordinator, so a tamper whose
dangling reference crosses a cut is found, with the report of the single-process verify.

The ranges run in this process through a stand-in for a Dask client (submit, gather,
futures as arguments, release): the logic is the coordinator's, not Dask's; a real
LocalCluster runs the same cases in test_cluster.py (slow)."""

from __future__ import annotations

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
