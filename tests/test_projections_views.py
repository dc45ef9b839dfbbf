"""Projection machinery and the plain views: folds, as-of replay, cache, current assertions."""

from __future__ import annotations

import hashlib
import os

import pytest

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


def src(text: str, sid: str, **meta) -> SourceAppended:
    """A SourceAppended with consistent hashes."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    fields = dict(source_id=sid, version=1, uri=None, title=None, outlet=None, authors=(), published=None,
                  retrieved=None, media_type="text/plain", raw_sha256=digest, text_sha256=digest, text=text)
    fields.update(meta)
    return SourceAppended(**fields)


def stmt(text: str, sid: str, aid: str, quote: str, values=(), kind="statement") -> AssertionRecorded:
    """An AssertionRecorded for ``quote`` in ``text`` (values as (type, text, value))."""
    start = text.index(quote)
    vals = tuple(Value(type=t, text=w, start=text.index(w), end=text.index(w) + len(w), value=v) for t, w, v in values)
    return AssertionRecorded(assertion_id=aid, source_id=sid, version=1, selector=anchor(text, start, start + len(quote)),
                             kind=kind, speaker=None, speaker_cue=None, modality="asserted", modality_cue=None,
                             values=vals, entities=(), extractor="hand", extractor_version="1")


def test_all_types_current_assertions(all_types_ledger):
    """Retracted and withdrawn assertions are gone; the rest stay, in log order."""
    ids = [r.assertion_id for r in iter_assertions(LogStore(all_types_ledger))]
    assert ids == ["as-plain"]  # as-rich withdrawn in v2, as-rev retracted


def test_as_of_rebuilds_the_past(all_types_ledger):
    """--as-of SEQ shows the assertions as they stood then."""
    store = LogStore(all_types_ledger)
    assert [r.assertion_id for r in iter_assertions(store, 3)] == ["as-plain", "as-rich"]
    assert {r.assertion_id for r in iter_assertions(store, 6)} == {"as-plain", "as-rev"}


def test_sources_counts_and_versions(all_types_ledger):
    """The sources view shows the current version, the number of versions and live counts."""
    (row,) = iter_sources(LogStore(all_types_ledger))
    assert (row.version, row.versions, row.counts) == (2, 2, {"statement": 1})
    (old,) = iter_sources(LogStore(all_types_ledger), 3)
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
    assert result.from_cache == before and result.seq == before + 2
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
    events = trail(LogStore(all_types_ledger), "as-plain")
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
    assert [r.assertion_id for r in iter_assertions(store, 2)] == ["as-d"]
    assert "as-d" in catalog(store).retracted
