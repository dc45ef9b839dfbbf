"""Group commit: sources share an fsync, none is reported before it, and a group is all or nothing."""

from __future__ import annotations

import os

import orjson
import pytest

from ledger import ingest, log
from ledger.ingest import Encoded, Ingestor, ReadOptions, decode, encode, prepare
from ledger.log import LedgerError, LogStore
from ledger.sources.collect import Input

from helpers import article, make_folder, stable


def _inputs(n, start=0, prefix=""):
    return [Input(f"<stdin {i}>", "stdin", data=(prefix + article(i)).encode()) for i in range(start, start + n)]


@pytest.fixture
def synced(monkeypatch):
    """Every fsync of the test, as the ledger size at that moment."""
    sizes: list[int] = []
    real = os.fsync

    def spy(fd):
        real(fd)
        sizes.append(os.fstat(fd).st_size)

    monkeypatch.setattr(log.os, "fsync", spy)
    return sizes


def test_sources_share_fsyncs_and_are_reported_only_after_theirs(tmp_ledger, simple_extractor, synced, monkeypatch):
    """20 sources, all ready at once: fewer fsyncs than sources, and each outcome yielded
    only once the bytes of its batch were covered by an fsync."""
    monkeypatch.setattr(ingest, "GROUP_WINDOW", 60.0)
    monkeypatch.setattr(ingest, "GROUP_MAX", 8)
    ing = Ingestor(LogStore(tmp_ledger), simple_extractor)
    outcomes = []
    for outcome in ing.append_many(_inputs(20), ReadOptions()):
        # the whole file up to this source's last line is durable when it is reported
        lines = tmp_ledger.read_bytes().splitlines(keepends=True)
        end = sum(len(x) for x in lines[: outcome.last_seq])
        assert synced and synced[-1] >= end
        outcomes.append(outcome)
    assert [o.status for o in outcomes] == ["appended"] * 20
    assert len(synced) == 3  # groups of 8, 8 and 4


@pytest.mark.parametrize("fsync", [True, False], ids=["fsync", "no-fsync"])
def test_a_group_starts_the_write_back_of_its_bytes_before_its_fsync(tmp_ledger, simple_extractor, synced, monkeypatch, fsync):
    """Within a group, every WRITEBACK_BYTES written are handed to write-back at once (the
    fsync at the group's end then waits for less); the ranges are contiguous and each lies
    before the fsync that makes it durable. With --no-fsync nothing is asked of the disk.
    (The group's lines go out in writev calls of up to IOV_MAX buffers, here 16: several
    per group, each followed by its write-back.)"""
    monkeypatch.setattr(ingest, "GROUP_WINDOW", 60.0)
    monkeypatch.setattr(ingest, "GROUP_MAX", 10)
    monkeypatch.setattr(log, "WRITEBACK_BYTES", 1)
    monkeypatch.setattr(log, "_IOV_MAX", 16)
    asked: list[tuple[int, int, int]] = []
    real = log._start_writeback
    monkeypatch.setattr(log, "_start_writeback", lambda fd, off, n: asked.append((off, n, len(synced))) or real(fd, off, n))
    ing = Ingestor(LogStore(tmp_ledger, fsync=fsync), simple_extractor)
    assert len(list(ing.append_many(_inputs(20), ReadOptions()))) == 20
    if not fsync:
        assert asked == [] and synced == []
        return
    assert len(synced) == 2
    first, second = [a for a in asked if a[2] == 0], [a for a in asked if a[2] == 1]  # before the 1st, the 2nd fsync
    assert len(first) > 1 and len(second) > 1 and len(asked) == len(first) + len(second)  # after each writev
    for group, start, end in ((first, 0, synced[0]), (second, synced[0], synced[1])):
        assert group[0][0] == start and all(a[0] + a[1] == b[0] for a, b in zip(group, group[1:]))
        assert group[-1][0] + group[-1][1] == end  # the whole group, and only it


def test_no_fsync_flag_still_groups_and_never_syncs(tmp_ledger, simple_extractor, synced):
    ing = Ingestor(LogStore(tmp_ledger, fsync=False), simple_extractor)
    assert len(list(ing.append_many(_inputs(5), ReadOptions()))) == 5
    assert synced == []


def test_a_failure_part_way_leaves_nothing_of_the_group(tmp_ledger, simple_extractor, monkeypatch):
    """The third write of a group fails: the file is cut back to before the group (the two
    batches already written do not stay), every source of the group is reported as not
    recorded, and the next append works."""
    ing = Ingestor(LogStore(tmp_ledger), simple_extractor)
    list(ing.append_many(_inputs(2), ReadOptions()))
    before = tmp_ledger.read_bytes()
    real = log._write_all
    calls = 0

    def flaky(fd, chunks, size_before, path, *total):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise LedgerError(f"{path}: append failed (disk full); the ledger is unchanged")
        return real(fd, chunks, size_before, path, *total)

    monkeypatch.setattr(log, "_write_all", flaky)
    monkeypatch.setattr(ingest, "GROUP_WINDOW", 60.0)
    monkeypatch.setattr(log, "_IOV_MAX", 1)  # each batch's lines are written when the next one's come (one writev each)
    outcomes = list(ing.append_many(_inputs(5, start=2), ReadOptions()))
    assert calls == 3
    assert [type(o).__name__ for o in outcomes] == ["Failed"] * 5
    assert all("not recorded" in o.message and "disk full" in o.message for o in outcomes)
    assert tmp_ledger.read_bytes() == before
    monkeypatch.setattr(log, "_write_all", real)
    again = list(Ingestor(LogStore(tmp_ledger), simple_extractor).append_many(_inputs(5, start=2), ReadOptions()))
    assert [o.status for o in again] == ["appended"] * 5
    assert list(ing.append_many(_inputs(1, start=2), ReadOptions()))[0].status == "unchanged"  # its index was rebuilt


def test_encoded_bytes_are_the_batch_as_written(tmp_path, simple_extractor):
    """A worker's bytes hold the canonical data of each event of a new source's batch, so the
    ledger written from them equals one written from the payload objects."""
    item = _inputs(1)[0]
    prepared = prepare(item, ReadOptions(), simple_extractor)
    blob = encode(prepared)
    assert isinstance(blob, bytes)
    enc = decode(blob)
    assert isinstance(enc, Encoded) and enc.source_id == prepared.source_id
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    Ingestor(LogStore(a), simple_extractor).record_group([prepared])
    Ingestor(LogStore(b), simple_extractor).record_group([enc])
    assert stable(a) == stable(b)
    events = [orjson.loads(x) for x in a.read_bytes().splitlines()]
    assert events[0]["type"] == "BatchStarted" and events[0]["data"] == {"events": len(events) - 1}
    assert [e["data"] for e in events[1:]] == [orjson.loads(x) for x in blob.split(b"\n")[1:]]


def test_encoded_lines_are_cut_by_the_header_lengths_and_old_headers_still_read(tmp_path, simple_extractor):
    """The sequencer cuts a worker's bytes at the lengths its header gives (no newline scan)
    and takes the derived source id from it; a header without them (a worker of an earlier
    version) is read by scanning and parsing, to the same ledger."""
    prepared = prepare(_inputs(1)[0], ReadOptions(), simple_extractor)
    blob = encode(prepared)
    header, *lines = blob.split(b"\n")
    meta = orjson.loads(header)
    assert meta["lengths"] == [len(x) for x in lines] and meta["derived_id"] == prepared.source_id
    enc = decode(blob)
    assert [body for _cls, body in enc.bodies()] == lines
    old_header = {k: v for k, v in meta.items() if k not in ("lengths", "derived_id")}
    old = decode(b"\n".join([orjson.dumps(old_header), *lines]))
    assert old.lengths is None and old.derived_id is None and old.bodies() == enc.bodies()
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    Ingestor(LogStore(a), simple_extractor).record_group([enc])
    Ingestor(LogStore(b), simple_extractor).record_group([old])
    assert stable(a) == stable(b)
    # a header whose derived id differs from the id the batch is recorded under is a
    # --source-id naming no source there: refused, nothing written
    wrong = Encoded(enc.blob, enc.origin, enc.source_id, enc.raw_sha256, enc.assertion_ids, enc.counts,
                    derived_id="src-0000000000000000", lengths=enc.lengths)
    c = tmp_path / "c.jsonl"
    with pytest.raises(Exception, match="no such source"):
        Ingestor(LogStore(c), simple_extractor).record_group([wrong])
    assert not c.exists() or c.read_bytes() == b""


@pytest.mark.parametrize("where", ["alone", "inside"])
def test_append_encoded_refuses_a_batch_marker_it_was_given(tmp_ledger, where):
    """BatchStarted is the store's own: given one (alone, or after the first body) the append
    is refused and nothing is written."""
    from ledger.events import AssertionRecorded, BatchStarted

    store = LogStore(tmp_ledger, fsync=False)
    bodies = [(BatchStarted, b'{"events":1}')]
    if where == "inside":
        bodies = [(AssertionRecorded, b'{}'), *bodies]
    with store.writer() as w:
        with pytest.raises(LedgerError, match="BatchStarted is written by the store itself"):
            w.append_encoded(bodies, sync=False)
    assert not tmp_ledger.exists() or tmp_ledger.read_bytes() == b""


def test_revisions_through_workers_match_one_process(tmp_path, run_cli, simple_extractor):
    """A changed file re-appended with --jobs 2 gives the same SourceRevised, renumbered
    assertions and withdrawals as --jobs 1 (planned on the sequencer from the worker's bytes)."""
    folder = make_folder(tmp_path / "in", n=6)
    for i in (1, 4):  # Markdown with a url in its front matter: the same source across versions
        md = folder / f"part1/a{i:02d}.md"
        md.write_text(md.read_text().replace("---\ntitle:", f"---\nurl: https://news.example/{i}\ntitle:", 1))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    for ledger in (one, two):
        assert run_cli("append", str(folder), "--extractor", "simple-test", ledger=ledger).exit_code == 0
    md = folder / "part1/a04.md"
    md.write_text(md.read_text().replace("Analysts reportedly expect calmer weeks ahead.", "A new line."))
    r1 = run_cli("append", str(folder), "--jobs", "1", "--extractor", "simple-test", ledger=one)
    r2 = run_cli("append", str(folder), "--jobs", "2", "--extractor", "simple-test", ledger=two)
    assert r1.exit_code == 0 and r1.stdout == r2.stdout
    assert "revised" in r1.stdout and "withdrawn" in r1.stdout
    assert stable(one) == stable(two)
    assert run_cli("verify", ledger=two).exit_code == 0


def test_a_worker_sends_the_assertion_ids_packed_and_the_index_holds_them(tmp_path, simple_extractor):
    """A worker's header carries the assertion ids as their hex digits packed (what the
    sequencer's source index keeps, 8 bytes each); the index after recording them equals the
    one a header listing the ids (an earlier worker) and a replay of the log give, so a later
    revision withdraws the same assertions."""
    prepared = prepare(_inputs(1)[0], ReadOptions(), simple_extractor)
    blob = encode(prepared)
    header, *lines = blob.split(b"\n")
    meta = orjson.loads(header)
    ids = [orjson.loads(x)["assertion_id"] for x in lines[1:]]
    assert len(ids) > 1 and "assertion_ids" not in meta and meta["ids"] == "".join(i[3:] for i in ids)
    listed = {k: v for k, v in meta.items() if k != "ids"} | {"assertion_ids": ids}
    indexes = []
    for i, item in enumerate((decode(blob), decode(b"\n".join([orjson.dumps(listed), *lines])))):
        ing = Ingestor(LogStore(tmp_path / f"{i}.jsonl"), simple_extractor)
        ing.record_group([item])
        indexes.append(ing.index.sources[prepared.source_id].assertion_ids)
        replayed = ingest.SourceIndex()
        replayed.catch_up(LogStore(tmp_path / f"{i}.jsonl"))
        assert replayed.sources[prepared.source_id].assertion_ids == indexes[-1]
    assert indexes[0] == indexes[1] == frozenset(ids)


def test_ids_that_do_not_pack_are_sent_as_a_list(tmp_path, simple_extractor):
    """An assertion id of another form (a ledger written by another tool, say) cannot be packed:
    the header lists the ids, and the index holds them as they are."""
    import attrs

    prepared = prepare(_inputs(1)[0], ReadOptions(), simple_extractor)
    (aid, item), *rest = prepared.extraction.items
    odd = attrs.evolve(prepared, extraction=attrs.evolve(prepared.extraction, items=((aid.upper(), item), *rest)))
    blob = encode(odd)
    meta = orjson.loads(blob.split(b"\n")[0])
    assert "ids" not in meta and meta["assertion_ids"][0] == aid.upper()
    enc = decode(blob)
    ing = Ingestor(LogStore(tmp_path / "l.jsonl"), simple_extractor)
    ing.record_group([enc])
    assert aid.upper() in ing.index.sources[prepared.source_id].assertion_ids

