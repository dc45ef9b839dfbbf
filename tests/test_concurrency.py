"""Several processes appending to one ledger at once: a gapless, valid chain with nothing lost."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from ledger.audit import verify
from ledger.log import LogStore

WORKERS = 4
APPENDS = 50

# Each worker goes through the real append path (Document -> Ingestor -> LogStore) with a
# tiny deterministic extractor: one statement per line of text.
WORKER = r"""
import sys
from ledger.extractors import Extracted, ExtractorSpec
from ledger.ingest import Ingestor
from ledger.log import LogStore
from ledger.sources import document_from_bytes

def extract(text, info):
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append(Extracted(kind="statement", start=pos, end=pos + len(line)))
        pos += len(line) + 1
    return out

ledger, worker, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ingestor = Ingestor(LogStore(ledger), ExtractorSpec(name="lines", version="1", extract=extract), actor=f"worker{worker}@test")
for i in range(n):
    text = f"Worker {worker} reports item {i}.\nThe count was {i * 7} units.\n"
    result = ingestor.append(document_from_bytes(text.encode(), f"w{worker}-{i}"))
    assert result.status == "appended", result
print("done", flush=True)
"""


@pytest.mark.slow  # four processes
def test_four_processes_fifty_appends_each(tmp_ledger):
    """4 processes x 50 appends: exactly 200 sources, 400 assertions, gapless seq and a valid chain."""
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_ledger), str(w), str(APPENDS)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for w in range(WORKERS)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == "done"
    store = LogStore(tmp_ledger)
    raws = list(store.raw_events())
    assert [r["seq"] for r in raws] == list(range(1, len(raws) + 1))
    types = Counter(r["type"] for r in raws)
    assert types == {
        "BatchStarted": WORKERS * APPENDS, "SourceAppended": WORKERS * APPENDS, "AssertionRecorded": 2 * WORKERS * APPENDS
    }
    per_actor = Counter(r["actor"] for r in raws if r["type"] == "SourceAppended")
    assert per_actor == {f"worker{w}@test": APPENDS for w in range(WORKERS)}
    # Each source's batch is contiguous: its two assertions follow it directly.
    for i, r in enumerate(raws):
        if r["type"] == "SourceAppended":
            sid = r["data"]["source_id"]
            assert [x["data"]["source_id"] for x in raws[i + 1 : i + 3]] == [sid, sid]
    report = verify(store)
    assert report.ok, report.reason
    assert report.events == 4 * WORKERS * APPENDS  # BatchStarted, source, two assertions
