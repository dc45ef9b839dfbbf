"""kill -9 of an appending process at random moments: no acknowledged event is lost, the chain stays valid."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import signal
import time

import pytest

from ledger.audit import verify
from ledger.checks import assertion_id_for, source_id_for
from ledger.events import AssertionRecorded, SourceAppended
from ledger.extractors import anchor
from ledger.log import LogStore

ROUNDS = 10
TEXT = ("Crews worked through the night on the flooded line. " * 12).strip()
DIGEST = hashlib.sha256(TEXT.encode()).hexdigest()


def _batch(tag: str, b: int) -> list:
    """One source and 49 assertions (about 40 kB), so a kill can land in the middle of a write."""
    uri = f"https://k9.example/{tag}/{b}"
    sid = source_id_for(uri, DIGEST)  # ids derived as verify requires
    batch = [SourceAppended(source_id=sid, version=1, uri=uri, title=None, outlet=None, authors=(), published=None,
                            retrieved=None, media_type="text/plain", raw_sha256=DIGEST, text_sha256=DIGEST, text=TEXT)]
    for i in range(49):
        start = (i % 11) * 53
        batch.append(AssertionRecorded(
            assertion_id=assertion_id_for(sid, TEXT[start:start + 51], i // 11), source_id=sid, version=1, selector=anchor(TEXT, start, start + 51),
            kind="statement", speaker=None, speaker_cue=None, modality="asserted", modality_cue=None, values=(),
            entities=(), extractor="k9", extractor_version="1"))
    return batch


def _appender(path: str, tag: str, ack_fd: int) -> None:
    """Append batches forever; report each last seq only after append returned (after fsync)."""
    store = LogStore(path)
    for b in range(1_000_000):
        appended = store.append(_batch(tag, b), actor="killme@test")
        os.write(ack_fd, f"{appended.last_seq}\n".encode())


@pytest.mark.slow  # a SIGKILL loop
def test_sigkill_loop_loses_no_acknowledged_event(tmp_ledger):
    """Across 10 SIGKILLs at random moments every acknowledged seq survives and, after repair, verify passes."""
    rng = random.Random(1234)
    store = LogStore(tmp_ledger)
    ctx = multiprocessing.get_context("fork")  # the child starts in milliseconds with ledger already imported
    acked: list[int] = []
    for round_no in range(ROUNDS):
        read_fd, write_fd = os.pipe()
        proc = ctx.Process(target=_appender, args=(str(tmp_ledger), f"{round_no:02x}", write_fd))
        proc.start()
        os.close(write_fd)
        time.sleep(0.02 + rng.random() * 0.3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(10)
        assert proc.exitcode == -signal.SIGKILL
        with os.fdopen(read_fd, "rb") as pipe:
            acked += [int(s) for s in pipe.read().split()]
        if store.head().torn:
            moved, side = store.repair()
            assert moved > 0 and side.exists()
        head = store.head()
        assert head.torn == 0
        if acked:
            assert head.seq >= max(acked)
    seqs = [raw["seq"] for raw in store.raw_events()]
    assert seqs == list(range(1, len(seqs) + 1))
    assert set(acked) <= set(seqs)
    assert acked, "no batch was acknowledged in any round"
    report = verify(store)
    assert report.ok, report.reason
