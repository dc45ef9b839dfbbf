"""LogStore: append, read, head, one write per batch, the exclusive lock, streaming reads."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc

import orjson
import pytest
from conftest import all_types_payloads, assertion_payload, source_payload
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import log as log_module
from ledger.events import GENESIS, AssertionRetracted, BatchStarted, AssertionsLinked, SourceAppended, VerdictRecorded
from ledger.log import Head, LedgerError, LogStore
from ledger.serialization import canonical, event_hash, structure_event

TEXT = "The ferry left at nine. It carried 40 cars.\n"


def _batch(n: int, source_id: str = "src-0000000000000001"):
    text = TEXT * n
    payloads = [source_payload(text, source_id=source_id)]
    for i in range(n - 1):
        start = i * len(TEXT)
        payloads.append(assertion_payload(text, start, start + 23, source_id=source_id, assertion_id=f"as-{source_id[-4:]}-{i}"))
    return payloads


def test_empty_ledger_head_is_genesis(tmp_ledger):
    """A ledger that does not exist yet has head seq 0 chaining from the genesis hash."""
    store = LogStore(tmp_ledger)
    assert store.head() == Head(0, GENESIS, 0)
    assert list(store.lines()) == []


def test_append_chains_and_lines_are_canonical(tmp_ledger):
    """Appended events get gapless seq, prev = previous hash, hash of the event without hash, canonical lines."""
    store = LogStore(tmp_ledger, fsync=False)
    for batch in all_types_payloads():
        store.append(batch, actor="me@here")
    prev, expected = GENESIS, 1
    for _offset, line, raw in store.lines():
        assert raw["seq"] == expected
        assert raw["prev"] == prev
        assert raw["hash"] == event_hash(raw)
        assert raw["actor"] == "me@here"
        assert raw["at"].endswith("Z")
        assert line == canonical(raw) + b"\n"
        prev, expected = raw["hash"], expected + 1
    head = store.head()
    assert (head.seq, head.hash, head.size, head.torn) == (expected - 1, prev, tmp_ledger.stat().st_size, 0)


def test_append_returns_what_was_written(tmp_ledger):
    """What append returns rebuilds exactly the events read back, typed and raw, in a second batch too."""
    store = LogStore(tmp_ledger, fsync=False)
    first = store.append(_batch(5), actor="a@b")
    payloads = _batch(3, "src-0000000000000002")
    second = store.append(payloads, actor="c@d")
    # Each batch of two or more opens with the BatchStarted the store writes: 1 + 5, then 1 + 3.
    assert (first.first_seq, first.last_seq, second.first_seq, second.last_seq, len(second)) == (1, 6, 7, 10, 4)
    assert second.prev == first.head_hash and second.head_hash == store.head().hash
    assert first.events() + second.events() == list(store.events())
    assert first.raw_events() + second.raw_events() == list(store.raw_events())
    assert [e.data for e in second.events()] == [BatchStarted(events=3), *payloads]
    assert [structure_event(w).data for w in second.raw_events()] == [BatchStarted(events=3), *payloads]


def test_default_actor_is_user_at_host(tmp_ledger):
    """Without an actor the event records user@host."""
    store = LogStore(tmp_ledger, fsync=False)
    (raw,) = store.append(_batch(1)).raw_events()
    assert raw["actor"] == log_module.default_actor() == next(store.raw_events())["actor"]
    assert "@" in raw["actor"]


def test_event_ids_unique_and_time_ordered(tmp_ledger):
    """Event ids are distinct UUIDv7 strings whose text order follows seq across batches."""
    store = LogStore(tmp_ledger, fsync=False)
    store.append(_batch(3, "src-0000000000000001"))
    store.append(_batch(3, "src-0000000000000002"))
    ids = [raw["id"] for raw in store.raw_events()]
    assert len(set(ids)) == len(ids)
    assert all(i[14] == "7" for i in ids)
    first_batch, second_batch = ids[:3], ids[3:]
    assert max(first_batch)[:13] <= min(second_batch)[:13]


@pytest.mark.parametrize("iov_max", [1024, 1], ids=["writev", "joined"])
def test_batch_is_one_write_and_one_fsync(tmp_ledger, monkeypatch, iov_max):
    """A whole batch goes to the file in one system call (writev of its lines, or one write of
    them joined when there are more than IOV_MAX) and is fsynced before append returns."""
    writes, syncs = [], []
    real_write, real_writev, real_fsync = os.write, os.writev, os.fsync
    monkeypatch.setattr(log_module, "_IOV_MAX", iov_max)
    monkeypatch.setattr(log_module.os, "write", lambda fd, data: writes.append(len(data)) or real_write(fd, data))
    monkeypatch.setattr(log_module.os, "writev", lambda fd, bufs: writes.append(sum(map(len, bufs))) or real_writev(fd, bufs))
    monkeypatch.setattr(log_module.os, "fsync", lambda fd: syncs.append(fd) or real_fsync(fd))
    LogStore(tmp_ledger).append(_batch(20))
    assert writes == [tmp_ledger.stat().st_size]
    assert len(syncs) == 1


def test_short_writev_is_finished(tmp_ledger, monkeypatch):
    """A writev that writes only part of the batch (allowed by POSIX) is completed, not lost."""
    real_writev = os.writev
    monkeypatch.setattr(log_module.os, "writev", lambda fd, bufs: real_writev(fd, bufs[:3]))
    store = LogStore(tmp_ledger, fsync=False)
    written = store.append(_batch(10)).raw_events()
    assert written == list(store.raw_events()) and len(written) == 11  # 10 and their BatchStarted


def test_no_fsync_skips_fsync(tmp_ledger, monkeypatch):
    """With fsync=False (the --no-fsync bulk mode) append never calls fsync."""
    syncs = []
    monkeypatch.setattr(log_module.os, "fsync", lambda fd: syncs.append(fd))
    LogStore(tmp_ledger, fsync=False).append(_batch(3))
    assert syncs == []


def test_failed_write_leaves_ledger_unchanged(tmp_ledger, monkeypatch):
    """If the write fails (disk full) the file is cut back and the error names the ledger."""
    store = LogStore(tmp_ledger, fsync=False)
    store.append(_batch(2, "src-0000000000000001"))
    before = tmp_ledger.read_bytes()
    real_write = os.write

    def half_then_enospc(fd, data):
        real_write(fd, bytes(data)[: len(data) // 2])
        raise OSError(28, "No space left on device")

    def writev_half_then_enospc(fd, bufs):
        return half_then_enospc(fd, b"".join(bufs))

    monkeypatch.setattr(log_module.os, "write", half_then_enospc)
    monkeypatch.setattr(log_module.os, "writev", writev_half_then_enospc)
    with pytest.raises(LedgerError, match="disk full") as exc:
        store.append(_batch(2, "src-0000000000000002"))
    assert str(tmp_ledger) in str(exc.value)
    assert tmp_ledger.read_bytes() == before


def test_empty_batch_writes_nothing(tmp_ledger):
    """Appending no payloads creates no events."""
    store = LogStore(tmp_ledger, fsync=False)
    appended = store.append([])
    assert len(appended) == 0 and appended.events() == [] and appended.first_seq == 1
    assert store.head().seq == 0


def test_writer_holds_exclusive_lock(tmp_ledger):
    """While a writer is open, another process cannot take the ledger's lock."""
    store = LogStore(tmp_ledger, fsync=False)
    store.append(_batch(1))
    probe = (
        "import fcntl, os, sys\n"
        "fd = os.open(sys.argv[1], os.O_RDWR)\n"
        "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n    print('free')\n"
        "except BlockingIOError:\n    print('locked')\n"
    )
    with store.writer():
        inside = subprocess.run([sys.executable, "-c", probe, str(tmp_ledger)], capture_output=True, text=True).stdout
    outside = subprocess.run([sys.executable, "-c", probe, str(tmp_ledger)], capture_output=True, text=True).stdout
    assert (inside.strip(), outside.strip()) == ("locked", "free")


def test_lines_resume_from_offset(tmp_ledger):
    """lines(start) continues from a byte offset a reader remembered."""
    store = LogStore(tmp_ledger, fsync=False)
    store.append(_batch(3, "src-0000000000000001"))
    size = store.head().size
    store.append(_batch(2, "src-0000000000000002"))
    rest = [raw["seq"] for _o, _l, raw in store.lines(size)]
    assert rest == [5, 6, 7]  # seq 1 and 5 are the batches' BatchStarted
    offsets = [o for o, _l, _r in store.lines()]
    assert offsets[4] == size


def test_reads_stream_lazily(tmp_ledger):
    """events() is lazy: a line appended after the first event was read is still seen."""
    store = LogStore(tmp_ledger, fsync=False)
    store.append(_batch(2, "src-0000000000000001"))
    it = store.events()
    assert next(it).seq == 1
    store.append(_batch(1, "src-0000000000000002"))
    assert [e.seq for e in it] == [2, 3]


def _replay_peak(store: LogStore) -> int:
    tracemalloc.start()
    try:
        for _event in store.events():
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_replay_memory_does_not_grow_with_log(tmp_path):
    """Peak memory of a typed replay of 2,000 events stays within that of 200 events plus slack."""
    small, large = LogStore(tmp_path / "small.jsonl", fsync=False), LogStore(tmp_path / "large.jsonl", fsync=False)
    small.append(_batch(200))
    for i in range(10):
        large.append(_batch(200, f"src-{i:016x}"))
    peak_small, peak_large = _replay_peak(small), _replay_peak(large)
    assert peak_large < peak_small * 1.5 + 64 * 1024


def test_directory_as_ledger_is_refused(tmp_path):
    """A directory given as the ledger is a one-line LedgerError naming it."""
    store = LogStore(tmp_path)
    with pytest.raises(LedgerError, match="is a directory") as exc:
        store.append(_batch(1))
    assert str(tmp_path) in str(exc.value)


def test_event_ids_are_rfc9562_uuidv7_with_the_clock():
    """new_event_ids gives version 7, RFC variant, the current millisecond and random bits that vary."""
    import time
    import uuid

    before = time.time_ns() // 1_000_000
    ids = log_module.new_event_ids(2000)
    after = time.time_ns() // 1_000_000
    parsed = [uuid.UUID(i) for i in ids]
    assert all(str(u) == i for u, i in zip(parsed, ids))  # lowercase, canonical 8-4-4-4-12
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in parsed)
    assert all(before <= u.int >> 80 <= after for u in parsed)
    assert len(set(ids)) == len(ids)
    assert len({i[15:18] for i in ids}) > 1000 and {i[19] for i in ids} == set("89ab")


def test_append_reenables_garbage_collection(tmp_ledger):
    """Appending pauses the collector only while it serialises: it is on afterwards, even after a failure."""
    import gc

    store = LogStore(tmp_ledger, fsync=False)
    store.append(_batch(3))
    assert gc.isenabled()
    with pytest.raises(Exception):
        store.append([object()])  # not a payload: serialising it fails mid-batch
    assert gc.isenabled()
    gc.disable()
    try:
        store.append(_batch(2, "src-0000000000000002"))
        assert not gc.isenabled()  # a caller's choice is left alone
    finally:
        gc.enable()


_text = st.text()  # any Unicode: quotes, backslashes, control characters, astral planes
_some = st.text(min_size=1)  # where the schema wants a non-empty string (analyst events are checked on append)
_payloads = st.one_of(
    st.builds(AssertionRetracted, assertion_id=_some, reason=_some),
    st.builds(AssertionsLinked, a=_some, b=_some, note=st.none() | _text),
    st.builds(VerdictRecorded, target=_some, status=st.sampled_from(["supported", "disputed", "false", "unverified"]),
              note=st.none() | _text),
    st.builds(
        SourceAppended, source_id=_text, version=st.integers(1, 2**40), uri=st.none() | _text, title=st.none() | _text,
        outlet=st.none() | _text, authors=st.lists(_text, max_size=3).map(tuple), published=st.none() | _text,
        retrieved=st.none() | _text, media_type=_text, raw_sha256=_text, text_sha256=_text, text=_text,
    ),
)


@settings(max_examples=150, deadline=None)
@given(actor=st.text(min_size=1), batches=st.lists(st.lists(_payloads, min_size=1, max_size=4), min_size=1, max_size=3))
def test_appended_lines_are_exactly_the_canonical_bytes(tmp_path_factory, actor, batches):
    """Append builds each line around orjson's bytes for its data: whatever the actor and the
    payloads hold, every line is byte-for-byte canonical(raw) + newline and its hash that of raw
    without hash."""
    store = LogStore(tmp_path_factory.mktemp("canon") / "ledger.jsonl", fsync=False)
    written = [raw for batch in batches for raw in store.append(batch, actor=actor).raw_events()]
    lines = store.path.read_bytes().splitlines(keepends=True)
    assert len(lines) == len(written)
    for line, raw in zip(lines, written):
        assert line == canonical(raw) + b"\n"
        assert raw["hash"] == event_hash(raw)



@settings(max_examples=30, deadline=None)
@given(actor=st.text(min_size=1) | st.just("a%sb%%c%d"), batches=st.lists(st.lists(_payloads, min_size=1, max_size=4), min_size=1, max_size=4),
       iov_max=st.sampled_from([1, 5, 1024]))
def test_a_group_of_batches_under_one_lock_is_the_canonical_lines_chained(tmp_path_factory, actor, batches, iov_max):
    """Batches appended under one hold of the lock with sync=False (a group commit) share one
    line prefix (its at and actor, '%' in it included) and reach the file in writev calls of
    up to IOV_MAX buffers: every line is still canonical(raw) + newline, hashed and chained
    as written, the file is written only by the sync, and the head is its end."""
    store = LogStore(tmp_path_factory.mktemp("group") / "ledger.jsonl", fsync=False)
    real = log_module._IOV_MAX
    log_module._IOV_MAX = iov_max
    try:
        with store.writer() as w:
            appended = [w.append(batch, actor=actor, sync=False) for batch in batches]
            if iov_max == 1024:
                assert not store.path.read_bytes()  # all of it waits for the one writev of the sync
            w.sync()
            head = w.head
    finally:
        log_module._IOV_MAX = real
    written = [raw for a in appended for raw in a.raw_events()]
    lines = store.path.read_bytes().splitlines(keepends=True)
    assert len(lines) == len(written) and len({raw["at"] for raw in written}) == 1
    prev = GENESIS
    for line, raw in zip(lines, written):
        assert line == canonical(raw) + b"\n"
        assert raw["hash"] == event_hash(raw) and raw["prev"] == prev
        prev = raw["hash"]
    assert head == store.head() and head.hash == prev

def test_append_refuses_to_chain_onto_a_hash_that_is_not_hex(tmp_ledger):
    """A last line whose hash is not a sha256 hex digest is not chained onto: the ledger is damaged."""
    store = LogStore(tmp_ledger, fsync=False)
    store.append(_batch(1))
    data = tmp_ledger.read_bytes()
    raw = orjson.loads(data)
    raw["hash"] = 'x"y'
    tmp_ledger.write_bytes(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n")
    before = tmp_ledger.read_bytes()
    with pytest.raises(LedgerError, match="not a sha256 hex digest"):
        store.append(_batch(1, "src-0000000000000002"))
    assert tmp_ledger.read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_does_not_reuse_the_parents_pool_of_event_ids():
    """Event ids come from a pool made in bulk; a child forked with a full pool makes its own,
    or parent and child would write the same ids."""
    log_module.new_event_ids(1)  # the pool is full now
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its ids to the pipe, then out without pytest's teardown
        try:
            os.write(w, "\n".join(log_module.new_event_ids(50)).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        child = f.read().decode().split("\n")
    os.waitpid(pid, 0)
    parent = log_module.new_event_ids(50)
    assert len(child) == 50 and not {i[15:] for i in child} & {i[15:] for i in parent}


def test_an_analyst_event_that_would_break_its_schema_is_refused_and_nothing_is_written(tmp_path):
    """The log is append-only: a line breaking its schema would make every later read stop
    ("the ledger is damaged") for good. A typed append refuses it, whole batch, in one line."""
    from ledger.events import SourceMetadataCorrected

    store = LogStore(tmp_path / "ledger.jsonl", fsync=False)
    good = SourceMetadataCorrected(source_id="src-0123456789abcdef", title="A title")
    store.append([good])
    before = store.path.read_bytes()
    for bad in (
        [SourceMetadataCorrected(source_id="src-0123456789abcdef", authors=("",))],  # a blank byline
        [good, SourceMetadataCorrected(source_id="src-0123456789abcdef", reason="")],  # a blank reason, second of a batch
        [VerdictRecorded(target="as-0123456789abcdef", status="no such status")],
        [AssertionRetracted(assertion_id="", reason="typo")],
    ):
        with pytest.raises(LedgerError) as caught:
            store.append(bad)
        message = str(caught.value)
        assert "\n" not in message and str(store.path) in message and "nothing written" in message
        assert bad[-1].TYPE in message
        assert store.path.read_bytes() == before
    assert [e.seq for e in store.events()] == [1]
