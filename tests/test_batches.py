"""A batch is all or nothing (issue #15 item 1): an append cut short anywhere is found, set aside
whole by repair, and appending the source again records all of it."""

from __future__ import annotations

import os
import random
import signal
import time
import warnings
from pathlib import Path

import orjson
import pytest
from conftest import SIMPLE_SPEC

from ledger.audit import verify
from ledger.ingest import Ingestor, extract, source_id_for
from ledger.log import LogStore, TornTailError, TornTailWarning
from ledger.projections import iter_assertions
from ledger.sources import document_from_bytes


def _article(i: int, sentences: int) -> bytes:
    """A synthetic article: one assertion per sentence with the test extractor."""
    words = ("harbour", "bridge", "council", "ferry", "tunnel", "budget", "storm", "crew")
    body = " ".join(
        f"The {words[(i + k) % len(words)]} report {i} line {k} counted {k * 7 + i} Vehicles on Monday." for k in range(sentences)
    )
    return f"Story {i}\n{body}\n".encode()


def _doc(i: int, sentences: int):
    return document_from_bytes(_article(i, sentences), f"story-{i}.txt", uri=f"https://news.example/{i}")


def _expected(docs) -> dict[str, set[str]]:
    """source id -> the assertion ids a complete append of it records."""
    out = {}
    for doc in docs:
        sid = source_id_for(doc)
        out[sid] = {aid for aid, _ in extract(doc, sid, SIMPLE_SPEC).items}
    return out


def _recorded(path: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an interrupted append left behind would warn
        for row in iter_assertions(LogStore(path), cache=False):
            found.setdefault(row.source_id, set()).add(row.assertion_id)
    return found


def _base(tmp_path: Path, sentences_last: int = 60) -> tuple[Path, list, int, bytes]:
    """A ledger of three sources whose last batch is big; returns (path, docs, start of last batch, bytes)."""
    path = tmp_path / "full.jsonl"
    docs = [_doc(0, 5), _doc(1, 8), _doc(2, sentences_last)]
    ingestor = Ingestor(LogStore(path, fsync=False), SIMPLE_SPEC, actor="t@x")
    for doc in docs[:-1]:
        ingestor.append(doc)
    start = path.stat().st_size
    ingestor.append(docs[-1])
    return path, docs, start, path.read_bytes()


def _recover_and_check(path: Path, docs, expected, good_size: int, data: bytes) -> bytes:
    """repair, then append every source again: every source must be complete. Returns what repair set aside."""
    store = LogStore(path, fsync=False)
    moved, side = store.repair()
    set_aside = side.read_bytes() if side else b""
    assert path.read_bytes() + set_aside == data  # nothing lost: the ledger plus the side file is what was there
    assert path.stat().st_size == good_size
    report = verify(store)
    assert report.ok and report.interrupted is None, report.reason or report.interrupted
    ingestor = Ingestor(store, SIMPLE_SPEC, actor="t@x")
    for doc in docs:
        ingestor.append(doc)
    assert _recorded(path) == expected
    return set_aside


def test_incomplete_batch_is_reported_set_aside_whole_and_appended_again(tmp_path, run_cli, simple_extractor):
    """Cut after whole lines inside the last batch: readers leave the batch out, verify exits 3, append
    refuses, repair moves the whole batch, and the source is then recorded complete (on the old store the
    half batch verified, and the re-append said 'unchanged' with most assertions missing)."""
    path, docs, start, data = _base(tmp_path)
    lines_of_last = data[start:].splitlines(keepends=True)
    cut = start + sum(map(len, lines_of_last[:20]))  # BatchStarted, the source, 18 of its 61 assertions
    path.write_bytes(data[:cut])
    store = LogStore(path)
    head = store.head()
    assert (head.size, head.torn) == (start, cut - start)
    with pytest.warns(TornTailWarning, match="factledger repair"):
        seen = {r.source_id for r in iter_assertions(store, cache=False)}
    assert source_id_for(docs[-1]) not in seen  # readers never show half a batch
    report = verify(store)
    assert report.ok and report.head_seq == head.seq and "lacks 43 of its events" in report.interrupted
    res = run_cli("verify", ledger=path)
    assert res.exit_code == 3 and "interrupted append" in res.stderr and "factledger repair" in res.stderr
    with pytest.raises(TornTailError, match="factledger repair"):
        Ingestor(store, SIMPLE_SPEC).append(docs[-1])
    assert path.read_bytes() == data[:cut]  # the refused append wrote nothing
    set_aside = _recover_and_check(path, docs, _expected(docs), start, data[:cut])
    assert set_aside == data[start:cut]


@pytest.mark.parametrize("where", ["marker only", "marker and a partial line", "all but the last line", "last line torn"])
def test_cuts_at_the_edges_of_a_batch(tmp_path, where):
    """Cuts just after the BatchStarted, inside the next line, and one line or one byte short of the end."""
    path, docs, start, data = _base(tmp_path, sentences_last=6)
    lines = data[start:].splitlines(keepends=True)
    cut = {
        "marker only": start + len(lines[0]),
        "marker and a partial line": start + len(lines[0]) + 10,
        "all but the last line": len(data) - len(lines[-1]),
        "last line torn": len(data) - 1,
    }[where]
    path.write_bytes(data[:cut])
    _recover_and_check(path, docs, _expected(docs), start, data[:cut])


def test_a_ledger_written_before_batch_markers_still_verifies(tmp_path):
    """Old ledgers have no BatchStarted: every event reads as a batch of one, and they verify as before."""
    path, _docs, _start, data = _base(tmp_path, sentences_last=4)
    old = [line for line in data.splitlines(keepends=True) if b'"type":"BatchStarted"' not in line]
    prev, out = "0" * 64, []
    for seq, line in enumerate(old, 1):  # renumber and rechain, as the old writer would have written them
        raw = orjson.loads(line)
        raw.update(seq=seq, prev=prev)
        raw.pop("hash")
        import hashlib

        raw["hash"] = prev = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
        out.append(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n")
    path.write_bytes(b"".join(out))
    store = LogStore(path)
    report = verify(store)
    assert report.ok and report.interrupted is None and report.head_seq == len(out)
    assert store.head().seq == len(out)


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda raws: raws[2]["data"].__setitem__("events", 99), "batch"),  # the middle batch's marker overclaims
        (lambda raws: raws[1].__setitem__("at", "2001-01-01T00:00:00.000000Z"), "at or actor"),
    ],
    ids=["marker declares too many", "event with another at"],
)
def test_broken_batches_are_damage(tmp_ledger, edit, words):
    """A BatchStarted inside another batch, or an event that does not share its batch's at, is damage (exit 1)."""
    from ledger.events import AssertionRetracted

    from conftest import all_types_payloads

    store = LogStore(tmp_ledger, fsync=False)
    for batch in all_types_payloads()[:2]:
        store.append(batch, actor="t@x")
    store.append([AssertionRetracted(assertion_id="as-plain", reason="x")], actor="t@x")
    lines = tmp_ledger.read_bytes().splitlines(keepends=True)
    raws = [orjson.loads(line) for line in lines]
    # raws[0]: BatchStarted(3), [1..3] batch 1; [4] BatchStarted(3), [5..7]; [8] the retraction
    target = [raws[0], raws[1], raws[4]]
    edit(target)
    import hashlib

    prev, out = "0" * 64, []
    for raw in raws:
        raw["prev"] = prev
        raw.pop("hash")
        raw["hash"] = prev = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
        out.append(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n")
    tmp_ledger.write_bytes(b"".join(out))
    report = verify(store, schemas=False)
    assert not report.ok and words in report.reason, report.reason


@pytest.mark.slow
def test_two_hundred_random_cuts_inside_the_last_batch(tmp_path):
    """The crash test of issue #15 item 1, simulated: the last append cut at 200+ random byte offsets of
    its write; after repair and re-append, 0 sources are incomplete."""
    path, docs, start, data = _base(tmp_path, sentences_last=40)
    expected = _expected(docs)
    rng = random.Random(15)
    offsets = sorted(rng.sample(range(start + 1, len(data)), 200))
    line_ends = [start + i for i, b in enumerate(data[start:], 1) if b == 10][:-1]  # every whole-line cut inside it
    incomplete = 0
    for cut in offsets + line_ends:
        path.write_bytes(data[:cut])
        _recover_and_check(path, docs, expected, start, data[:cut])
        incomplete += _recorded(path) != expected
    assert incomplete == 0 and len(offsets + line_ends) >= 200


@pytest.mark.slow
def test_real_sigkill_during_appends(tmp_path):
    """Real SIGKILLs at random moments of an append's write: a forked process appends a 4,000-assertion
    batch (fsync on) and is killed between 0 and 1.2x the time its write takes, 60 times. After repair
    and re-append every source is complete and the ledger verifies."""
    from ledger import log as log_module

    _base_path, docs, _start, data = _base(tmp_path, sentences_last=4)
    big = _doc(99, 4000)
    docs = [*docs, big]
    expected = _expected(docs)
    sid = source_id_for(big)
    extraction = extract(big, sid, SIMPLE_SPEC)
    path = tmp_path / "killed.jsonl"

    def attempt(fraction: float | None, write_time: float) -> float:
        """Fork an append; the child says when its write starts; kill it ``fraction`` of ``write_time`` later."""
        path.write_bytes(data)
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child appends and exits without running any of pytest's code
            try:
                real = log_module._write_all

                def signalling(*args):
                    os.write(ready_w, b"w")
                    t = time.perf_counter()
                    n = real(*args)
                    os.write(ready_w, str(time.perf_counter() - t).encode())
                    return n

                log_module._write_all = signalling
                Ingestor(LogStore(path, fsync=True), SIMPLE_SPEC, actor="t@x").record(big, sid, extraction)
            finally:
                os._exit(0)
        os.close(ready_w)
        assert os.read(ready_r, 1) == b"w"
        if fraction is not None:
            time.sleep(fraction * write_time)
            os.kill(pid, signal.SIGKILL)
        took = os.read(ready_r, 64)
        os.close(ready_r)
        os.waitpid(pid, 0)
        return float(took) if took else 0.0

    write_time = min(attempt(None, 0) for _ in range(3))
    rng = random.Random(1515)
    interrupted = 0
    for _ in range(60):
        attempt(rng.uniform(0, 1.2), write_time)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            head = LogStore(path).head()
        interrupted += head.torn > 0
        _recover_and_check(path, docs, expected, head.size, path.read_bytes())
    print(f"real SIGKILLs: 60 (write {write_time * 1000:.1f} ms), interrupted appends left and repaired: {interrupted}")
