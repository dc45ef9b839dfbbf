"""Default ``verify`` on a multi-core machine: whole byte ranges checked side by side by forked
worker processes and this one (:func:`ledger.ranges.verify_local`), every check of the replay in
each range, the links between them here; on any failure the single-process replay answers.

``partition_min_bytes`` lowers the file size from which ``verify`` partitions, so a ledger of
a few lines is cut into ranges at its batches; the reports must be those of ``--jobs 1``.
"""

from __future__ import annotations

import warnings
from collections import Counter

import orjson
import pytest
from conftest import assertion_payload, source_payload
from helpers import _ALL, MATRIX, TAMPER, _rehash_from

from ledger import ranges
from ledger.audit import verify
from ledger.events import AssertionRetracted, VerdictRecorded
from ledger.log import LogStore


def _report(path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a torn tail warns; both runs see the same file
        r = verify(LogStore(path), **options)
    return r, (r.ok, r.bad_seq, r.reason, r.events, r.head_seq, r.head_hash, dict(r.unknown_types), r.interrupted)


def _same_as_one_process(path):
    """The local partitioned verify's report (every field the CLI prints) equals --jobs 1's; returns it."""
    one, want = _report(path, jobs=1)
    local, got = _report(path, jobs=2, partition_min_bytes=1)
    assert got == want
    assert one.ranges == 0
    return local


@pytest.mark.parametrize("case", list(TAMPER))
def test_tamper_cases_through_the_local_ranges(case, all_types_ledger):
    """Each tamper case of test_tamper (the cluster test's list and more): the same first failing
    seq, reason and head as one process; an intact ledger is answered by its ranges alone."""
    lines = all_types_ledger.read_bytes().splitlines(keepends=True)
    all_types_ledger.write_bytes(b"".join(TAMPER[case](list(lines))))
    report = _same_as_one_process(all_types_ledger)
    if case in ("intact", "unknown type (envelope only)"):
        assert report.ok and report.ranges >= 2  # cut at its batches, no fallback
    else:
        assert report.ranges == 0  # a failure (or the torn tail): the replay gave the answer


@pytest.mark.parametrize("case", list(MATRIX))
def test_tamper_matrix_through_the_local_ranges(case, all_types_ledger):
    """Every case of the tamper matrix gives one process's report through the local ranges."""
    damage = MATRIX[case][0]
    lines = all_types_ledger.read_bytes().splitlines(keepends=True)
    _ALL[0] = lines
    all_types_ledger.write_bytes(b"".join(damage(lines)))
    report = _same_as_one_process(all_types_ledger)
    assert report.ok == (MATRIX[case][1] is None)


TEXTS = (
    "The bridge closed. The council met. The bridge closed. Repairs cost 40 euros.",
    "Ferries ran late. The mayor spoke. Ferries ran late. Buses replaced them.",
)


def _sentences(text):
    """(start, end) of each sentence (split at ". ")."""
    spans, at = [], 0
    for part in text.split(". "):
        end = at + len(part) + (0 if part.endswith(".") else 1)
        spans.append((at, end))
        at += len(part) + 2
    return spans


def _shared_sources_ledger(path, batches=6, per_batch=8):
    """Two sources in a batch each, then ``batches`` batches of assertions quoting them (each
    quote recorded many times, its occurrence counted across the whole log), and a retraction
    and a verdict on assertions of the first of those batches: ranges after the first borrow
    the source texts from it and cannot count the earlier recordings of a quote alone."""
    store = LogStore(path, fsync=False)
    sources = [source_payload(t, uri=f"https://example.org/{k}") for k, t in enumerate(TEXTS)]
    for src in sources:
        store.append([src], actor="tester@example")
    seen: Counter = Counter()
    first = []
    for b in range(batches):
        batch = []
        for i in range(per_batch):
            src, text = sources[(b + i) % 2], TEXTS[(b + i) % 2]
            start, end = _sentences(text)[i % 4]
            key = (src.source_id, text[start:end])
            batch.append(assertion_payload(text, start, end, source_id=src.source_id, occurrence=seen[key]))
            seen[key] += 1
        store.append(batch, actor="tester@example")
        first = first or batch
    store.append([AssertionRetracted(assertion_id=first[0].assertion_id, reason="wrong"),
                  VerdictRecorded(target=first[1].assertion_id, status="supported", note=None)], actor="tester@example")
    return path.read_bytes().splitlines(keepends=True)


def _cuts(path):
    return ranges.split(str(path), path.stat().st_size, 64, 1)


def test_ranges_borrow_earlier_texts_and_count_quotes_across_the_cuts(tmp_ledger):
    """Intact, the ledger whose assertions quote sources of an earlier range verifies from its
    ranges alone (texts borrowed, occurrences counted across ranges): one process's head, events."""
    _shared_sources_ledger(tmp_ledger)
    lines = tmp_ledger.read_bytes().splitlines()
    assert len(_cuts(tmp_ledger)) == 9  # each batch its own range
    summaries = [ranges._check(str(tmp_ledger), a, b, tree=False, sources=ranges.source_offsets(str(tmp_ledger), a))[0]
                 for a, b in _cuts(tmp_ledger)]
    assert all(s[0] for s in summaries)
    assert all(s[13] and s[14] for s in summaries[2:-1])  # every assertion range borrowed texts and waits on counts
    report = _same_as_one_process(tmp_ledger)
    assert report.ok and report.ranges >= 5 and report.events == len(lines) == 2 + 6 * 9 + 3  # one-event batches have no marker


def _derived_edit(lines, index, occurrence=None, quote=None):
    """Change the assertion at ``index`` (its occurrence and/or quote), its id derived again, and
    rehash from it: what a forger with the tools does."""
    from ledger.checks import assertion_id_for

    raw = orjson.loads(lines[index])
    d = raw["data"]
    if quote is not None:
        d["selector"]["exact"] = quote
    if occurrence is not None:
        d["assertion_id"] = assertion_id_for(d["source_id"], d["selector"]["exact"], occurrence)
    lines[index] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"
    return _rehash_from(lines, index)


def _occurrence_of(lines, index):
    """The occurrence number ingest gave the assertion at ``index``."""
    raw = orjson.loads(lines[index])["data"]
    before = [orjson.loads(x)["data"] for x in lines[:index] if b'"AssertionRecorded"' in x]
    return sum(1 for d in before if d["source_id"] == raw["source_id"] and d["selector"]["exact"] == raw["selector"]["exact"])


@pytest.mark.parametrize("change", ["occurrence reused", "occurrence skipped", "occurrence one too few", "quote edited"])
def test_a_forgery_across_ranges_gives_one_process_report(tmp_ledger, change):
    """In a late range, an assertion whose id derives from an occurrence already used (a second
    recording of that quote as if the first), one skipped, or a quote edited (its borrowed text
    then differs): the local ranges fail, and the report is that of one process."""
    lines = _shared_sources_ledger(tmp_ledger)
    index = len(lines) - 6  # an assertion in the last batch of assertions
    n = _occurrence_of(lines, index)
    assert n >= 2
    if change == "occurrence reused":
        lines = _derived_edit(lines, index, occurrence=0)
    elif change == "occurrence skipped":
        lines = _derived_edit(lines, index, occurrence=n + 1)
    elif change == "occurrence one too few":
        lines = _derived_edit(lines, index, occurrence=n - 1)
    else:
        lines = _derived_edit(lines, index, quote="The bridge cl0sed.", occurrence=0)
    tmp_ledger.write_bytes(b"".join(lines))
    report = _same_as_one_process(tmp_ledger)
    assert not report.ok and report.bad_seq == index + 1 and report.ranges == 0


def test_the_default_verify_partitions_a_big_enough_file_only(tmp_ledger):
    """``jobs`` > 1 cuts a file of ``partition_min_bytes`` or more into ranges; a smaller one, and
    ``jobs=1``, are replayed in one process (same report)."""
    _shared_sources_ledger(tmp_ledger)
    size = tmp_ledger.stat().st_size
    big, _ = _report(tmp_ledger, jobs=2, partition_min_bytes=size)
    small, _ = _report(tmp_ledger, jobs=2, partition_min_bytes=size + 1)
    one, _ = _report(tmp_ledger, jobs=1, partition_min_bytes=1)
    assert big.ranges == 2 and small.ranges == 0 and one.ranges == 0
    assert big.head_hash == small.head_hash == one.head_hash and big.events == one.events


def test_progress_is_reported_from_the_ranges(tmp_ledger):
    """``progress`` hears of the events of the ranges finished so far, in order, never more than all."""
    _shared_sources_ledger(tmp_ledger)
    heard: list[int] = []
    r = verify(LogStore(tmp_ledger), jobs=2, partition_min_bytes=1, progress=heard.append)
    assert r.ranges >= 5 and heard and heard == sorted(heard) and heard[-1] <= r.events


@pytest.mark.parametrize("block", [64, 1000, 1 << 20])
def test_source_offsets_find_every_source_event_whatever_the_block(tmp_ledger, monkeypatch, block):
    """The hint ranges borrow texts by: every source event before ``end`` at its byte offset, also
    when a block cuts a line (or a line is longer than a block)."""
    lines = _shared_sources_ledger(tmp_ledger)
    monkeypatch.setattr(ranges, "LOCAL_MAX_RANGE", block)
    offsets, at = {}, 0
    for line in lines:
        raw = orjson.loads(line)
        if raw["type"] in ("SourceAppended", "SourceRevised"):
            offsets[(raw["data"]["source_id"], raw["data"]["version"])] = at
        at += len(line)
    assert len(offsets) == 2
    assert ranges.source_offsets(str(tmp_ledger), at) == offsets
    assert ranges.source_offsets(str(tmp_ledger), len(lines[0])) == dict(list(offsets.items())[:1])


def test_a_worker_that_dies_leaves_the_answer_to_the_replay(tmp_ledger, monkeypatch):
    """A worker process killed in the middle of a range (as by the OOM killer): verify still gives
    one process's report, from the replay, and leaves no process behind."""
    import multiprocessing
    import os

    _shared_sources_ledger(tmp_ledger)
    parent, real = os.getpid(), ranges._check

    def dies_in_a_worker(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)
        return real(*args, **kwargs)

    monkeypatch.setattr(ranges, "_check", dies_in_a_worker)  # the forked workers inherit it
    one, want = _report(tmp_ledger, jobs=1)
    local, got = _report(tmp_ledger, jobs=2, partition_min_bytes=1)
    assert got == want and one.ok and local.ranges == 0
    assert not multiprocessing.active_children()
