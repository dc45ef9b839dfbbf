"""kill -9 of an appending process at random moments: no acknowledged event is lost, the chain stays valid."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from ledger.audit import verify
from ledger.log import LogStore

ROUNDS = 10

# Appends batches of 50 events (about 40 kB each, so a kill can land mid-write) and prints the
# last seq of each batch only after append returned, i.e. after fsync: an acknowledgement.
APPENDER = r"""
import hashlib, sys
from ledger.events import AssertionRecorded, SourceAppended
from ledger.extractors import anchor
from ledger.log import LogStore

store = LogStore(sys.argv[1])
tag = sys.argv[2]
text = ("Crews worked through the night on the flooded line. " * 12).strip()
digest = hashlib.sha256(text.encode()).hexdigest()
for b in range(10_000):
    sid = f"src-{tag}{b:08x}"
    batch = [SourceAppended(source_id=sid, version=1, uri=None, title=None, outlet=None, authors=(),
                            published=None, retrieved=None, media_type="text/plain",
                            raw_sha256=digest, text_sha256=digest, text=text)]
    for i in range(49):
        start = (i % 11) * 53
        batch.append(AssertionRecorded(assertion_id=f"as-{tag}{b:06x}{i:02x}", source_id=sid, version=1,
            selector=anchor(text, start, start + 51), kind="statement", speaker=None, speaker_cue=None,
            modality="asserted", modality_cue=None, values=(), entities=(), extractor="k9", extractor_version="1"))
    written = store.append(batch, actor="killme@test")
    print(written[-1]["seq"], flush=True)
"""


def test_sigkill_loop_loses_no_acknowledged_event(tmp_ledger):
    """Across 10 SIGKILLs at random moments every acknowledged seq survives and, after repair, verify passes."""
    rng = random.Random(1234)
    store = LogStore(tmp_ledger)
    acked: list[int] = []
    for round_no in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-c", APPENDER, str(tmp_ledger), f"{round_no:02x}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.25 + rng.random() * 0.5)  # interpreter start-up takes part of this
        os.kill(proc.pid, signal.SIGKILL)
        out, _err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, _err
        acked += [int(s) for s in out.split()]
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
    assert len(acked) > 0, "no batch was ever acknowledged; the kill timing is too short for this machine"
    report = verify(store)
    assert report.ok, report.reason
