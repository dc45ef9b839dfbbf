"""Benchmark of the log store against raw baselines measured in the same run, on the same data.

    python bench/log_bench.py [--sizes 100000,1000000] [--dir DIR] [--keep]

For each size it builds a synthetic ledger of realistic ``AssertionRecorded`` events
(about 800 bytes a line, pointing into a few recorded sources) and prints, against a
baseline doing the bare minimum on the same bytes:

* append: ``LogStore.append`` of 1,000-event batches with fsync, vs ``orjson.dumps`` of
  the very dicts it wrote + one ``write`` + ``fsync`` per batch into another file;
* replay: ``LogStore.events()`` into typed events, vs ``orjson.loads`` of each line;
* verify: ``ledger.audit.verify`` (chain, canonical form, schemas, quotes), vs parse +
  chained sha256 of each line;
* peak RSS of a typed replay in a fresh process at each size (must not grow with the log).

An extra "(info)" row times ``verify`` without the JSON Schema pass, to show what that
pass costs. Replay and verify are timed in CPU seconds (best of 3 below 200k events),
so other work on the machine skews them less; append is wall time (it waits on fsync).

This is a measurement, not a test: ratios, not absolute times, are compared with the
targets, because both sides run on the same machine in the same process.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from ledger.audit import verify
from ledger.events import GENESIS, AssertionRecorded, Mention, SourceAppended, Value
from ledger.extractors import anchor
from ledger.log import LogStore

BATCH = 1000
SOURCES = 10
ACTOR = "bench@factledger"

_WORDS = (
    "the council said harbour bridge engineers found cracks in two steel girders on monday "
    "about vehicles cross every day according to transport department mayor officials "
    "reported repairs could cost more than million euros commuters waited hours buses tunnel"
).split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 6))]
    words[0] = words[0].capitalize()
    words.insert(rng.randint(1, len(words) - 1), str(rng.randint(2, 90000)))
    words.insert(rng.randint(1, len(words) - 1), "Ilona Varga")
    return " ".join(words) + "."


def make_sources(rng: random.Random) -> list[tuple[SourceAppended, list[tuple[int, int]]]]:
    """A few long articles and the sentence spans assertions will quote."""
    out = []
    for n in range(SOURCES):
        sentences = [_sentence(rng) for _ in range(120)]
        text = " ".join(sentences)
        spans, pos = [], 0
        for s in sentences:
            spans.append((pos, pos + len(s)))
            pos += len(s) + 1
        digest = hashlib.sha256(text.encode()).hexdigest()
        src = SourceAppended(
            source_id=f"src-{n:016x}", version=1, uri=f"https://news.example/{n}", title=f"Article {n}",
            outlet="Example Gazette", authors=("A. Reporter",), published="2026-03-18", retrieved=None,
            media_type="text/plain", raw_sha256=digest, text_sha256=digest, text=text,
        )
        out.append((src, spans))
    return out


def make_assertion(i: int, sources, rng: random.Random) -> AssertionRecorded:
    src, spans = sources[i % len(sources)]
    start, end = spans[rng.randrange(len(spans))]
    text = src.text
    exact = text[start:end]
    num_at = next(j for j, w in enumerate(exact.split(" ")) if w.isdigit())
    num = exact.split(" ")[num_at]
    n0 = start + exact.index(" " + num + " ") + 1
    m0 = start + exact.index("Ilona Varga")
    return AssertionRecorded(
        assertion_id=f"as-{i:016x}", source_id=src.source_id, version=1, selector=anchor(text, start, end),
        kind="statement", speaker="Ilona Varga", speaker_cue="said", modality="asserted", modality_cue=None,
        values=(Value(type="quantity", text=num, start=n0, end=n0 + len(num), value=num, unit="vehicles", qualifier="about"),),
        entities=(Mention(text="Ilona Varga", start=m0, end=m0 + 11, type="person", entity="Ilona Varga"),),
        extractor="rules", extractor_version="1.0.0",
    )


def build(path: Path, baseline_path: Path, size: int, seed: int) -> tuple[float, float, int]:
    """Append ``size`` events in batches; time ours and the baseline batch by batch."""
    rng = random.Random(seed)
    sources = make_sources(rng)
    store = LogStore(path, fsync=True)
    ours = base = 0.0
    fd = os.open(baseline_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    made = 0
    try:
        while made < size:
            payloads: list = [s for s, _ in sources] if made == 0 else []
            while len(payloads) < min(BATCH, size - made):
                payloads.append(make_assertion(made + len(payloads), sources, rng))
            t0 = time.perf_counter()
            written = store.append(payloads, actor=ACTOR)
            t1 = time.perf_counter()
            data = b"".join(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n" for raw in written)
            os.write(fd, data)
            os.fsync(fd)
            t2 = time.perf_counter()
            ours += t1 - t0
            base += t2 - t1
            made += len(payloads)
    finally:
        os.close(fd)
    return ours, base, path.stat().st_size


CPU = time.process_time
"""Replay and verify are CPU-bound in one thread: CPU time keeps other load on the machine out."""


def replay_ours(path: Path) -> float:
    t0 = CPU()
    n = 0
    for _event in LogStore(path).events():
        n += 1
    return CPU() - t0


def replay_base(path: Path) -> float:
    t0 = CPU()
    loads = orjson.loads
    with open(path, "rb") as f:
        for line in f:
            loads(line)
    return CPU() - t0


def verify_ours(path: Path) -> float:
    t0 = CPU()
    report = verify(LogStore(path))
    if not report.ok:
        raise SystemExit(f"verify failed at seq {report.bad_seq}: {report.reason}")
    return CPU() - t0


def verify_no_schema(path: Path) -> float:
    """What the JSON Schema pass costs: the same verify without it (informational row)."""
    t0 = CPU()
    if not verify(LogStore(path), schemas=False).ok:
        raise SystemExit("verify --no-schema failed")
    return CPU() - t0


def verify_base(path: Path) -> float:
    """Parse, re-hash the event without ``hash``, check ``prev``: what any verifier must do."""
    t0 = CPU()
    prev = GENESIS
    loads, dumps, sha, opt = orjson.loads, orjson.dumps, hashlib.sha256, orjson.OPT_SORT_KEYS
    with open(path, "rb") as f:
        for line in f:
            raw = loads(line)
            stored = raw.pop("hash")
            if raw["prev"] != prev or sha(dumps(raw, option=opt)).hexdigest() != stored:
                raise SystemExit("baseline verify failed")
            prev = stored
    return CPU() - t0


def best_of(rounds: int, ours, base, path: Path) -> tuple[float, float]:
    """Alternate ours and the baseline, keeping each one's best time."""
    o = b = float("inf")
    for _ in range(rounds):
        o = min(o, ours(path))
        b = min(b, base(path))
    return o, b


_RSS_CHILD = """
import sys
from ledger.log import LogStore
n = 0
for _e in LogStore(sys.argv[1]).events():
    n += 1
hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'))
print(n, int(hwm.split()[1]))
"""


def replay_peak_rss_kib(path: Path) -> tuple[int, int]:
    """(events replayed, peak RSS in KiB) of a typed replay in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", _RSS_CHILD, str(path)], check=True, capture_output=True, text=True)
    n, kib = out.stdout.split()
    return int(n), int(kib)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000", help="comma list of event counts")
    ap.add_argument("--dir", help="where to build the ledgers (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the ledgers")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(args.dir or tempfile.mkdtemp(prefix="factledger-logbench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str, float, str, bool]] = []
    rss: dict[int, int] = {}
    try:
        for size in sizes:
            path = folder / f"ledger-{size}.jsonl"
            base_path = folder / f"baseline-{size}.jsonl"
            for p in (path, base_path):
                p.unlink(missing_ok=True)
            print(f"[{size:,} events] building...", file=sys.stderr, flush=True)
            ours, base, nbytes = build(path, base_path, size, args.seed)
            base_path.unlink()
            print(f"[{size:,} events] {nbytes / size:.0f} bytes/event, {nbytes / 1e6:.0f} MB", file=sys.stderr, flush=True)
            gc.collect()
            rows.append((f"append {size:,} (fsync/1k batch)", f"{size / ours:,.0f} ev/s", f"{size / base:,.0f} ev/s", base / ours, ">= 0.5", base / ours >= 0.5))
            rounds = 3 if size <= 200_000 else 1
            bo, bb = best_of(rounds, replay_ours, replay_base, path)
            rows.append((f"replay {size:,} (typed)", f"{size / bo:,.0f} ev/s", f"{size / bb:,.0f} ev/s", bb / bo, ">= 0.3", bb / bo >= 0.3))
            vo, vb = best_of(rounds, verify_ours, verify_base, path)
            rows.append((f"verify {size:,}", f"{size / vo:,.0f} ev/s", f"{size / vb:,.0f} ev/s", vb / vo, ">= 0.5", vb / vo >= 0.5))
            vn, vb2 = best_of(rounds, verify_no_schema, verify_base, path)
            rows.append((f"  (info) verify --no-schema {size:,}", f"{size / vn:,.0f} ev/s", f"{size / vb2:,.0f} ev/s", vb2 / vn, "-", True))
            n, rss[size] = replay_peak_rss_kib(path)
            assert n == size, (n, size)
            if not args.keep:
                path.unlink()
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(folder, ignore_errors=True)
    if len(rss) >= 2:
        small, large = min(rss), max(rss)
        ratio = rss[large] / rss[small]
        rows.append((f"replay peak RSS {large:,} vs {small:,}", f"{rss[large] / 1024:.1f} MiB", f"{rss[small] / 1024:.1f} MiB", ratio, "<= 1.10", ratio <= 1.10))
    else:
        for size, kib in rss.items():
            rows.append((f"replay peak RSS {size:,}", f"{kib / 1024:.1f} MiB", "-", 1.0, "(needs 2 sizes)", True))
    head = ("metric", "ours", "baseline", "ratio", "target", "result")
    table = [head] + [(m, o, b, f"{r:.2f}x", t, "pass" if ok else "FAIL") for m, o, b, r, t, ok in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if not all(ok for *_, ok in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
