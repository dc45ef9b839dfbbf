"""Projection machinery and the plain views: folds, as-of replay, cache, current assertions."""

from __future__ import annotations

import os

import pytest

from conftest import AS_PLAIN, AS_REV, AS_RICH

from ledger.events import AssertionRecorded, AssertionRetracted, SourceAppended, Value
from ledger.extractors import anchor
from ledger.log import LedgerError, LogStore
from ledger.projections import (
    build_claims,
    catalog,
    fold,
    iter_assertions,
    iter_entities,
    iter_sources,
    iter_timeline,
    resolve_as_of,
    trail,
)
from ledger.projections.machinery import cache_dir
from ledger.testing import SRC_A
from helpers import src, stmt


def test_all_types_current_assertions(all_types_ledger):
    """Retracted and withdrawn assertions are gone; the rest stay, in log order."""
    ids = [r.assertion_id for r in iter_assertions(LogStore(all_types_ledger))]
    assert ids == [AS_PLAIN]  # as-rich withdrawn in v2, as-rev retracted


def test_as_of_rebuilds_the_past(all_types_ledger):
    """--as-of SEQ shows the assertions as they stood then."""
    store = LogStore(all_types_ledger)
    # seq 1 and 5 are the two source batches' BatchStarted: seq 4 ends the first batch, 8 the second
    assert [r.assertion_id for r in iter_assertions(store, 4)] == [AS_PLAIN, AS_RICH]
    assert {r.assertion_id for r in iter_assertions(store, 8)} == {AS_PLAIN, AS_REV}


def test_sources_counts_and_versions(all_types_ledger):
    """The sources view shows the current version, the number of versions and live counts."""
    (row,) = iter_sources(LogStore(all_types_ledger))
    assert (row.version, row.versions, row.counts) == (2, 2, {"statement": 1})
    (old,) = iter_sources(LogStore(all_types_ledger), 4)
    assert (old.version, old.counts) == (1, {"statement": 2})


def test_resolve_as_of(all_types_ledger):
    """Seq strings, timestamps and bad values resolve or fail with one line."""
    store = LogStore(all_types_ledger)
    assert resolve_as_of(store, None) is None
    assert resolve_as_of(store, "4") == 4
    assert resolve_as_of(store, "2000-01-01T00:00:00Z") == 0
    assert resolve_as_of(store, "2999-01-01T00:00:00Z") == store.head().seq
    with pytest.raises(LedgerError, match="beyond the last event"):
        resolve_as_of(store, "999")
    with pytest.raises(LedgerError, match="RFC 3339"):
        resolve_as_of(store, "yesterday")


def _views(store, cache):
    """Every view's output, plain, for comparing."""
    from ledger.serialization import converter

    return converter.unstructure([
        list(iter_sources(store, cache=cache)), list(iter_assertions(store, cache=cache)),
        list(iter_entities(store, cache=cache)), list(iter_timeline(store, cache=cache)),
        build_claims(store, cache=cache),
    ])


def test_cache_gives_identical_results_and_folds_only_new(all_types_ledger):
    """Results with and without the cache are equal, and a warm cache folds only new events."""
    store = LogStore(all_types_ledger, fsync=False)
    cold = _views(store, cache=False)
    assert _views(store, cache=True) == cold  # writes the cache
    assert (cache_dir(store) / "catalog.json").exists()
    assert _views(store, cache=True) == cold  # reads it
    before = store.head().seq
    text = "Harbour Gate closed again on Friday."
    store.append([src(text, "src-extra"), stmt(text, "src-extra", "as-extra", text)])
    result = fold(store, "catalog")
    assert result.from_cache == before and result.seq == before + 3  # the batch and its BatchStarted
    assert _views(store, cache=True) == _views(store, cache=False)


def test_cache_of_another_log_is_discarded(tmp_path):
    """A cache whose key does not match the log's prefix is ignored, never trusted."""
    a, b = LogStore(tmp_path / "x.jsonl", fsync=False), None
    t1, t2 = "Alpha happened.", "Beta happened."
    a.append([src(t1, "src-a"), stmt(t1, "src-a", "as-a", t1)])
    assert [r.assertion_id for r in iter_assertions(a)] == ["as-a"]
    os.replace(tmp_path / "x.jsonl", tmp_path / "old.jsonl")
    b = LogStore(tmp_path / "x.jsonl", fsync=False)  # same path, same cache dir, different log
    b.append([src(t2, "src-b"), stmt(t2, "src-b", "as-b", t2)])
    assert fold(b, "catalog").from_cache == 0
    assert [r.assertion_id for r in iter_assertions(b)] == ["as-b"]


def test_unwritable_cache_never_fails(tmp_path):
    """A cache folder that cannot be created does not fail the view."""
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    t = "Gamma happened."
    store.append([src(t, "src-g"), stmt(t, "src-g", "as-g", t)])
    cache_dir(store).write_text("not a folder")
    assert [r.assertion_id for r in iter_assertions(store)] == ["as-g"]


def test_timeline_orders_by_date_spoken_of(tmp_path):
    """Timeline rows come in the order of the dates they speak of, not of recording."""
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    t = "The bridge opened on 2020-05-01. The tunnel opened on 1999-03-02."
    store.append([
        src(t, "src-t", outlet="Gazette"),
        stmt(t, "src-t", "as-1", "The bridge opened on 2020-05-01.", [("date", "2020-05-01", "2020-05-01")]),
        stmt(t, "src-t", "as-2", "The tunnel opened on 1999-03-02.", [("date", "1999-03-02", "1999-03-02")]),
    ])
    rows = list(iter_timeline(store))
    assert [(r.date, r.assertion_id, r.outlet) for r in rows] == [("1999-03-02", "as-2", "Gazette"), ("2020-05-01", "as-1", "Gazette")]


def test_trail_lists_every_event(all_types_ledger):
    """show's trail holds the source version, recording, links and verdicts naming the assertion."""
    events = trail(LogStore(all_types_ledger), AS_PLAIN)
    assert [e.type for e in events] == ["SourceAppended", "AssertionRecorded", "AssertionsLinked", "AssertionsUnlinked", "VerdictRecorded"]
    with pytest.raises(LookupError):
        trail(LogStore(all_types_ledger), "as-nope")


def test_retraction_after_recording(tmp_path):
    """A retraction recorded later removes the assertion from every view from then on."""
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    t = "Delta happened."
    store.append([src(t, "src-d"), stmt(t, "src-d", "as-d", t)])
    store.append([AssertionRetracted(assertion_id="as-d", reason="not a claim")])
    assert list(iter_assertions(store)) == []
    assert [r.assertion_id for r in iter_assertions(store, 3)] == ["as-d"]
    assert "as-d" in catalog(store).retracted


# -- raw fast paths (issues #4/#5 follow-up): same results as the typed path -------------


def _typed_reference(store, as_of=None, **filters):
    """Catalog, rows and counts computed the slow way: every line structured (no raw fast path)."""
    from collections import Counter, defaultdict

    from attrs import evolve

    from ledger.projections.catalog import CATALOG
    from ledger.projections.views import _matches, _row
    from ledger.serialization import structure_event

    cat = fold(store, evolve(CATALOG, name="catalog-typed", raw={}), as_of, cache=False).state
    rows, counts = [], defaultdict(Counter)
    for _off, _line, raw in store.lines():
        if as_of is not None and raw["seq"] > as_of:
            break
        event = structure_event(raw)
        if isinstance(event.data, AssertionRecorded) and cat.is_current(event.data):
            row = _row(event.data, raw)
            counts[row.source_id][row.kind] += 1
            if _matches(row, filters.get("source"), filters.get("speaker"), filters.get("kind"), filters.get("entity")):
                rows.append(row)
    return cat, rows, {sid: dict(sorted(c.items())) for sid, c in counts.items()}


@pytest.mark.parametrize("as_of", [None, 4, 7])
def test_raw_fast_paths_equal_the_typed_path(all_types_ledger, tmp_path, as_of):
    """Catalog, current rows (filtered or not) and counts from raw lines equal those from typed events."""
    from ledger.projections.views import count_current, current_assertions
    from ledger.serialization import converter
    from ledger.testing import build_sample_ledger

    for path in (all_types_ledger, build_sample_ledger(tmp_path / "sample.jsonl")):
        store = LogStore(path, fsync=False)
        ref_cat, ref_rows, ref_counts = _typed_reference(store, as_of)
        cat = catalog(store, as_of, cache=False)
        assert converter.unstructure(cat) == converter.unstructure(ref_cat)
        assert list(current_assertions(store, cat, as_of)) == ref_rows
        assert ref_rows  # the comparison is not vacuous
        assert count_current(store, cat, as_of) == ref_counts
        for filters in ({"source": SRC_A, "kind": "statement"}, {"speaker": "INES OKAFOR"},
                        {"entity": "harbour gate"}, {"entity": "Marlow"}, {"kind": "headline"}):
            assert list(current_assertions(store, cat, as_of, **filters)) == _typed_reference(store, as_of, **filters)[1]


def _write_raw_lines(path, datas: list[tuple[str, int, dict]]):
    """Append hand-made events (type, v, data) with a valid hash chain, as an older writer would have."""
    from ledger.serialization import canonical, event_hash

    head = LogStore(path).head()
    seq, prev, lines = head.seq, head.hash, []
    for type_name, v, data in datas:
        seq += 1
        raw = {"seq": seq, "id": f"0190f000-0000-7000-8000-{seq:012x}", "type": type_name, "v": v,
               "at": "2026-01-01T00:00:00.000000Z", "actor": "old@factledger", "prev": prev, "data": data}
        raw["hash"] = prev = event_hash(raw)
        lines.append(canonical(raw) + b"\n")
    with open(path, "ab") as f:
        f.writelines(lines)


def test_older_payload_version_is_upcast_not_read_raw(tmp_path, monkeypatch):
    """Lines written at an older AssertionRecorded version go through the upcaster in every view."""
    from ledger import events
    from ledger.serialization import converter

    def v1_to_v2(data):
        # pretend v1 had no "version" (always 1) and called "kind" "category"
        data = {k: v for k, v in data.items() if k != "category"}
        return {**data, "version": 1, "kind": "caption" if data.get("legacy_caption") else "statement"}

    from ledger import serialization

    from ledger import log as log_module

    monkeypatch.setattr(AssertionRecorded, "VERSION", 2)
    monkeypatch.setitem(events.UPCASTERS, ("AssertionRecorded", 1), v1_to_v2)
    # The pretend v1 shape below has no schema file (events/ ships the real v1): readers' schema
    # check is not what this test is about.
    monkeypatch.setattr(log_module, "_schema_valid", lambda raw: True)
    if hasattr(serialization, "_READERS"):  # structure_event may cache each class's VERSION at first read
        monkeypatch.setattr(serialization, "_READERS", {})
    path = tmp_path / "l.jsonl"
    t = "Old words here. New words there."
    store = LogStore(path, fsync=False)
    store.append([src(t, "src-o")])
    old = converter.unstructure(stmt(t, "src-o", "as-old", "Old words here."))
    del old["version"], old["kind"]
    old["category"] = "statement"
    old_caption = {**converter.unstructure(stmt(t, "src-o", "as-cap", "words")), "legacy_caption": True}
    del old_caption["version"], old_caption["kind"]
    _write_raw_lines(path, [("AssertionRecorded", 1, old), ("AssertionRecorded", 1, old_caption)])
    store.append([stmt(t, "src-o", "as-new", "New words there.")])  # written at v2: the raw fast path
    assert orjson_lines(path)[-1]["v"] == 2

    rows = list(iter_assertions(store, cache=False))
    assert [(r.assertion_id, r.version, r.kind) for r in rows] == [
        ("as-old", 1, "statement"), ("as-cap", 1, "caption"), ("as-new", 1, "statement")]
    assert [r.assertion_id for r in iter_assertions(store, kind="caption", cache=False)] == ["as-cap"]
    (row,) = iter_sources(store, cache=False)
    assert row.counts == {"caption": 1, "statement": 2}
    assert catalog(store, cache=False).assertion_events == 3
    store.append([AssertionRetracted(assertion_id="as-old", reason="test")])
    assert [r.assertion_id for r in iter_assertions(store)] == ["as-cap", "as-new"]


def orjson_lines(path):
    """Every line of a ledger, parsed."""
    import orjson

    return [orjson.loads(line) for line in path.read_bytes().splitlines()]
