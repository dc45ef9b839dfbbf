"""Benchmark of the log store against raw baselines measured in the same run, on the same data.

    python bench/log_bench.py [--sizes 100000,1000000] [--only append,replay,verify,merkle,rss] [--dir DIR] [--keep]

For each size it builds a synthetic ledger of realistic ``AssertionRecorded`` events
(about 1,000 bytes a line, like the rules extractor's on the corpus, pointing into a few
recorded sources) and prints, against a
baseline doing the bare minimum on the same bytes:

* append: ``LogStore.append`` of 1,000-event batches with fsync, vs ``orjson.dumps`` of
  the dicts of the very events it wrote (``Appended.raw_events()``, made outside both
  timings) + one ``write`` + ``fsync`` per batch into another file;
* replay: ``LogStore.events()`` into typed events, vs ``orjson.loads`` of each line (payloads
  are structured when first read; an "(info)" row reads every event's ``data`` too);
* verify: ``ledger.audit.verify`` (chain, canonical form, schemas, quotes, rules: every check
  of docs/log-format.md) as ``factledger verify`` runs it by default (``--jobs 0``: every
  available core; from 8 MB on, byte ranges replayed side by side by forked workers and this
  process, see :func:`ledger.ranges.verify_local`), in wall seconds, vs what any verifier must
  do in one process (``orjson.loads`` of each line, re-serialise it canonically without
  ``hash``, sha256 that, check ``prev``), in wall seconds: the issue's target, >= 0.8x. Info
  rows: the same default run in CPU seconds of this process alone and of all processes (its
  workers' CPU read from ``RUSAGE_CHILDREN`` once they exit), against the baseline's CPU
  seconds in the same round;
* checkpoint: ``factledger checkpoint`` on a cold ledger (no Merkle cache: every line
  hashed into the tree, signed, cache written) vs reading the file and SHA-256 of every line
  (CPU); then 1,000 events appended and a checkpoint from the warm cache, which must read only
  those 1,000 lines; ``prove`` of an assertion from the middle (warm cache, wall, with the
  bundle's size, and that of ``--with-sources``) and ``check-proof`` of that bundle (wall), against
  the issue's 0.2 s and 50 ms;
* peak RSS of a typed replay in a fresh process at each size (must not grow with the log).

``verify --jobs 1`` (one process, CPU seconds, against the same baseline in CPU seconds) is
an info row (what one core does; the issue's target is for the default run); another times
it without the JSON Schema pass (what the schema pass costs). Replay is timed in CPU seconds, so other work on the machine
skews it less; every read-side row is the best of ``--rounds`` (3) alternating rounds of
ours and the baseline, because a shared machine's speed drifts by tens of percent over
minutes; append and the default verify are
wall time (append waits on fsync; verify's workers run beside this process).

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
from collections import Counter
from functools import partial
from pathlib import Path

import orjson
from attrs import evolve

from ledger import checkpoint as C
from ledger.audit import PARTITION_MIN_BYTES, available_cores, verify
from ledger.checks import assertion_id_for, source_id_for
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
_NAMES = ("Ilona Varga", "Harbour Authority", "Port of Lindholm", "Tomas Berg", "Transport Department", "Eastside")

# What the rules extractor writes on the two corpus articles (51 AssertionRecorded lines):
# values per assertion 0/1/2/3 in 30/16/4/1 of them, mentions 0..6 in 13/13/11/8/3/2/1,
# a speaker in 1 of 4, quotes of ~120 characters, lines of 723-1611 bytes (median 945,
# mean 1009). The synthetic assertions below follow those counts.
_VALUE_WEIGHTS = (30, 16, 4, 1)
_MENTION_WEIGHTS = (13, 13, 11, 8, 3, 2, 1)


def _sentence(rng: random.Random) -> tuple[str, list[tuple[int, str]], list[tuple[int, str]]]:
    """A sentence of about 120 characters with its numbers and names as (offset, text)."""
    n_values = rng.choices(range(len(_VALUE_WEIGHTS)), _VALUE_WEIGHTS)[0]
    n_names = rng.choices(range(len(_MENTION_WEIGHTS)), _MENTION_WEIGHTS)[0]
    tokens = [rng.choice(_WORDS) for _ in range(rng.randint(12, 20) - n_names)]
    tokens[0] = tokens[0].capitalize()
    for _ in range(n_values):
        tokens.insert(rng.randint(1, len(tokens)), str(rng.randint(2, 90000)))
    for _ in range(n_names):
        tokens.insert(rng.randint(1, len(tokens)), rng.choice(_NAMES))
    numbers, names, pos = [], [], 0
    for tok in tokens:
        if tok.isdigit():
            numbers.append((pos, tok))
        elif tok in _NAMES:
            names.append((pos, tok))
        pos += len(tok) + 1
    return " ".join(tokens) + ".", numbers, names


def make_sources(rng: random.Random) -> list[tuple[SourceAppended, list]]:
    """A few long articles and the sentences (span, numbers, names) assertions will quote."""
    out = []
    for n in range(SOURCES):
        sentences = [_sentence(rng) for _ in range(120)]
        text = " ".join(s for s, _, _ in sentences)
        spans, pos = [], 0
        for s, numbers, names in sentences:
            spans.append((pos, pos + len(s), [(pos + o, t) for o, t in numbers], [(pos + o, t) for o, t in names]))
            pos += len(s) + 1
        digest = hashlib.sha256(text.encode()).hexdigest()
        src = SourceAppended(
            source_id=source_id_for(f"https://news.example/{n}", digest), version=1, uri=f"https://news.example/{n}", title=f"Article {n}",
            outlet="Example Gazette", authors=("A. Reporter",), published="2026-03-18", retrieved=None,
            media_type="text/plain", raw_sha256=digest, text_sha256=digest, text=text,
        )
        out.append((src, spans))
    return out


def make_assertion(i: int, sources, rng: random.Random, seen: Counter | None = None) -> AssertionRecorded:
    """An assertion with its id derived as ingest derives it (``seen`` counts quotes per source)."""
    src, spans = sources[i % len(sources)]
    start, end, numbers, names = spans[rng.randrange(len(spans))]
    seen = Counter() if seen is None else seen
    exact = src.text[start:end]
    occurrence = seen[src.source_id, exact]
    seen[src.source_id, exact] += 1
    speaker = rng.random() < 0.25
    modality = rng.choices(("asserted", "negated", "hedged"), (42, 5, 4))[0]
    return AssertionRecorded(
        assertion_id=assertion_id_for(src.source_id, exact, occurrence), source_id=src.source_id, version=1, selector=anchor(src.text, start, end),
        kind="statement", speaker="Ilona Varga" if speaker else None, speaker_cue="said" if speaker else None,
        modality=modality, modality_cue={"asserted": None, "negated": "not", "hedged": "could"}[modality],
        values=tuple(
            Value(type="quantity", text=t, start=o, end=o + len(t), value=t, unit="vehicles", qualifier=rng.choice((None, "about")))
            for o, t in numbers
        ),
        entities=tuple(
            Mention(text=t, start=o, end=o + len(t), type=rng.choice(("person", "org", "place")), entity=t) for o, t in names
        ),
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
    seen: Counter = Counter()
    try:
        while made < size:
            payloads: list = [s for s, _ in sources] if made == 0 else []
            while len(payloads) < min(BATCH, size - made):
                payloads.append(make_assertion(made + len(payloads), sources, rng, seen))
            t0 = time.perf_counter()
            appended = store.append(payloads, actor=ACTOR)
            t1 = time.perf_counter()
            written = appended.raw_events()  # the dicts of the very events written (not timed)
            t2 = time.perf_counter()
            data = b"".join(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n" for raw in written)
            os.write(fd, data)
            os.fsync(fd)
            t3 = time.perf_counter()
            ours += t1 - t0
            base += t3 - t2
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


def replay_ours_payloads(path: Path) -> float:
    """Replay reading every event's payload too: what a caller that needs them all pays
    (payloads are structured on first read, so plain replay does not)."""
    t0 = CPU()
    n = 0
    for event in LogStore(path).events():
        event.data
        n += 1
    return CPU() - t0


def replay_base(path: Path) -> float:
    t0 = CPU()
    loads = orjson.loads
    with open(path, "rb") as f:
        for line in f:
            loads(line)
    return CPU() - t0


WALL = time.perf_counter


def timed_verify(path: Path, clock=CPU, **options) -> float:
    """Seconds, by ``clock``, of ``verify(LogStore(path), **options)``; a failed verify stops the
    bench, and so does a default run that did not cut the file into ranges (it would time the fallback)."""
    t0 = clock()
    report = verify(LogStore(path), **options)
    if not report.ok:
        raise SystemExit(f"verify {options} failed at seq {report.bad_seq}: {report.reason}")
    if options.get("jobs") == 0 and available_cores() > 1 and path.stat().st_size >= PARTITION_MIN_BYTES and not report.ranges:
        raise SystemExit("the default verify fell back to one replay on an intact ledger")
    return clock() - t0


verify_ours = partial(timed_verify, jobs=1)
"""``verify --jobs 1``: one process, CPU seconds."""
verify_no_schema = partial(timed_verify, jobs=1, schemas=False)
"""What the JSON Schema pass costs: the same verify without it (informational row)."""
verify_default = partial(timed_verify, clock=WALL, jobs=0)
"""``verify`` as ``factledger verify`` runs it (``--jobs 0``: every available core), in wall
seconds, since CPU time of one process would hide the workers."""


def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def verify_default_cpu(path: Path, rounds: int) -> tuple[float, float, float]:
    """Default ``verify`` (every core) against :func:`verify_base`, best of ``rounds`` each:
    (baseline CPU s, CPU s of this process, CPU s of this process and its workers). The pool's
    workers have exited (and been waited for) when ``verify`` returns, so RUSAGE_CHILDREN has them."""
    base = own = total = float("inf")
    for _ in range(rounds):
        c0, t0 = _children_cpu(), CPU()
        report = verify(LogStore(path), jobs=0)
        t1, c1 = CPU(), _children_cpu()
        if not report.ok:
            raise SystemExit(f"verify failed at seq {report.bad_seq}: {report.reason}")
        own, total = min(own, t1 - t0), min(total, t1 - t0 + c1 - c0)
        base = min(base, verify_base(path))
    return base, own, total


def verify_base_wall(path: Path) -> float:
    """The single-process baseline of :func:`verify_base`, in wall seconds."""
    t0 = WALL()
    verify_base(path)
    return WALL() - t0


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


# -- the Merkle tree, checkpoints and proofs (#11) --------------------------------------------

_KEY = None


def _signing_key():
    global _KEY
    if _KEY is None:
        skey, _vkey = C.generate_key("bench.example/log")
        folder = Path(tempfile.mkdtemp(prefix="factledger-bench-key-"))
        (folder / "k.key").write_text(skey)
        _KEY = (C.read_signing_key(folder / "k.key"), C.parse_vkey(_vkey, "bench"))
        shutil.rmtree(folder, ignore_errors=True)
    return _KEY


def checkpoint_cold(path: Path) -> float:
    """``factledger checkpoint`` with no cache: hash every line into the tree, sign, write the cache."""
    store = LogStore(path)
    C.cache_path(store).unlink(missing_ok=True)
    t0 = CPU()
    C.make_checkpoint(C.tree_of(store), _signing_key()[0])
    return CPU() - t0


def hash_lines_base(path: Path) -> float:
    """Read the file and SHA-256 every line: the least any Merkle root of the lines costs."""
    t0 = CPU()
    sha = hashlib.sha256
    with open(path, "rb") as f:
        for line in f:
            sha(line).digest()
    return CPU() - t0


def checkpoint_incremental(path: Path, size: int, seed: int) -> tuple[float, int, int]:
    """Append 1,000 events (not timed: a new source and 999 assertions quoting it, ids derived,
    so the ledger still verifies) to a ledger with a warm cache, then checkpoint: (CPU s, lines
    read, lines appended: the events and their batch's BatchStarted)."""
    store = LogStore(path, fsync=False)
    C.tree_of(store)  # the cache as the last checkpoint left it
    rng = random.Random(seed + 1)
    extra, spans = make_sources(random.Random(seed + 1))[0]
    uri = f"https://news.example/extra-{size}"
    extra = evolve(extra, uri=uri, source_id=source_id_for(uri, extra.text_sha256))
    seen: Counter = Counter()
    before = store.head().seq
    store.append([extra] + [make_assertion(i, [(extra, spans)], rng, seen) for i in range(999)], actor=ACTOR)
    appended = store.head().seq - before
    t0 = CPU()
    tree = C.tree_of(store)
    C.make_checkpoint(tree, _signing_key()[0])
    return CPU() - t0, tree.lines_read, appended


def prove_and_check(path: Path) -> tuple[float, float, int, int, int]:
    """Prove an assertion from the middle of the ledger (warm cache) and check the bundle:
    (prove wall s, check wall s, bundle bytes, bundle bytes without its event lines, bytes of
    the bundle ``--with-sources`` makes)."""
    from ledger import proofs

    store = LogStore(path)
    with open(path, "rb") as f:
        f.seek(path.stat().st_size // 2)
        f.readline()
        aid = orjson.loads(f.readline())["data"]["assertion_id"]
    key, vkey = _signing_key()
    tree = C.tree_of(store)  # warm the cache
    note = C.make_checkpoint(tree, key)
    cp = C.parse_checkpoint(note[: note.rfind(b"\n\n") + 1], "bench")
    proofs.prove(store, tree, store.head().size, aid, note, cp)  # warm the id index too (its first use indexes every line)
    t0 = WALL()
    head = store.head()
    tree = C.tree_of(store)
    bundle = proofs.prove(store, tree, head.size, aid, note, cp)
    data = orjson.dumps(bundle)
    t1 = WALL()
    proofs.check_bundle(data, vkey, "bench")
    t2 = WALL()
    lines = sum(len(orjson.dumps(e["line"])) for e in bundle["entries"])
    full = orjson.dumps(proofs.prove(store, tree, head.size, aid, note, cp, with_sources=True))
    return t1 - t0, t2 - t1, len(data), len(data) - lines, len(full)


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
    ap.add_argument("--rounds", type=int, default=3, help="rounds of ours and the baseline, alternating; each keeps its best")
    groups = ("append", "replay", "verify", "merkle", "rss")
    ap.add_argument("--only", default=",".join(groups), help=f"comma list of row groups to measure ({', '.join(groups)}); the ledger is always built")
    args = ap.parse_args()
    want = set(args.only.split(","))
    if want - set(groups):
        ap.error(f"--only: unknown groups {sorted(want - set(groups))}")
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
            os.sync()  # write the ledger out now, not while replay and verify are being timed
            print(f"[{size:,} events] {nbytes / size:.0f} bytes/event, {nbytes / 1e6:.0f} MB", file=sys.stderr, flush=True)
            gc.collect()
            if "append" in want:
                rows.append((f"append {size:,} (fsync/1k batch)", f"{size / ours:,.0f} ev/s", f"{size / base:,.0f} ev/s", base / ours, ">= 0.5", base / ours >= 0.5))
            rounds = args.rounds
            if "replay" in want:
                bo, bb = best_of(rounds, replay_ours, replay_base, path)
                rows.append((f"replay {size:,} (typed)", f"{size / bo:,.0f} ev/s", f"{size / bb:,.0f} ev/s", bb / bo, ">= 0.5", bb / bo >= 0.5))
                bd, bb2 = best_of(rounds, replay_ours_payloads, replay_base, path)
                rows.append((f"  (info) replay {size:,}, every payload read", f"{size / bd:,.0f} ev/s", f"{size / bb2:,.0f} ev/s", bb2 / bd, "-", True))
            if "verify" in want:
                verify_rows(rows, path, size, rounds)
            if "merkle" in want:
                merkle_rows(rows, path, size, rounds, args.seed)
            if "rss" in want:
                n, rss[size] = replay_peak_rss_kib(path)
                assert n >= size, (n, size)  # every event, plus one BatchStarted marker per batch
            if not args.keep:
                path.unlink()
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(folder, ignore_errors=True)
    report(rows, rss)


def _spin(n: int) -> int:
    x = 0
    for i in range(n):
        x += i
    return x


def parallel_capacity(cores: int, n: int = 5_000_000) -> float:
    """Cores this machine gives us now: the wall time of ``cores`` CPU-bound processes side by
    side over that of one, times ``cores`` (2.0 on two free cores; about 1 when others hold one)."""
    import multiprocessing

    t0 = WALL()
    _spin(n)
    one = WALL() - t0
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ctx.Pool(cores) as pool:
        t0 = WALL()
        pool.map(_spin, [n] * cores)
        many = WALL() - t0
    return cores * one / many


def verify_rows(rows: list, path: Path, size: int, rounds: int) -> None:
    cores = available_cores()
    if cores > 1:  # the default verify's wall time depends on it: a shared machine may not give every core
        capacity = parallel_capacity(cores)
        rows.append((f"  (info) cores free for the default verify ({cores} CPU-bound processes vs 1, wall)", f"{capacity:.2f}",
                     f"{cores}", capacity / cores, "-", True))
    vd, vbw = best_of(rounds, verify_default, verify_base_wall, path)
    rows.append((f"verify {size:,} (default: --jobs 0 = {cores} cores, wall) vs 1-process parse+sha256 chain (wall)",
                 f"{size / vd:,.0f} ev/s", f"{size / vbw:,.0f} ev/s", vbw / vd, ">= 0.8", vbw / vd >= 0.8))
    vcb, vco, vct = verify_default_cpu(path, rounds)
    rows.append((f"  (info) verify {size:,} (default, CPU of this process)", f"{size / vco:,.0f} ev/s", f"{size / vcb:,.0f} ev/s", vcb / vco, "-", True))
    rows.append((f"  (info) verify {size:,} (default, CPU of all processes)", f"{size / vct:,.0f} ev/s", f"{size / vcb:,.0f} ev/s", vcb / vct, "-", True))
    vo, vb = best_of(rounds, verify_ours, verify_base, path)
    rows.append((f"  (info) verify --jobs 1 {size:,} (one process, CPU)", f"{size / vo:,.0f} ev/s", f"{size / vb:,.0f} ev/s", vb / vo, "-", True))
    vn, vb2 = best_of(rounds, verify_no_schema, verify_base, path)
    rows.append((f"  (info) verify --jobs 1 --no-schema {size:,} (CPU)", f"{size / vn:,.0f} ev/s", f"{size / vb2:,.0f} ev/s", vb2 / vn, "-", True))


def merkle_rows(rows: list, path: Path, size: int, rounds: int, seed: int) -> None:
    co, cb = best_of(rounds, checkpoint_cold, hash_lines_base, path)
    rows.append((f"checkpoint {size:,} (cold, CPU)", f"{size / co:,.0f} ev/s", f"{size / cb:,.0f} ev/s", cb / co, ">= 0.5", cb / co >= 0.5))
    ci, read, appended = checkpoint_incremental(path, size, seed)
    rows.append((f"checkpoint after +1,000 (CPU; reads {read:,} lines)", f"{ci * 1000:.1f} ms", f"{co * 1000:.0f} ms cold", co / ci,
                 f"reads {appended:,}", read == appended))
    pt, ct, nbytes, proof_bytes, full_bytes = prove_and_check(path)
    rows.append((f"prove as-... (warm cache, wall; bundle {nbytes:,} B, {proof_bytes:,} B without event lines; "
                 f"{full_bytes:,} B --with-sources)", f"{pt * 1000:.0f} ms", "200 ms", 0.2 / pt, "< 0.2 s", pt < 0.2))
    rows.append(("check-proof (wall)", f"{ct * 1000:.1f} ms", "50 ms", 0.05 / ct, "< 50 ms", ct < 0.05))


def report(rows: list, rss: dict[int, int]) -> None:
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
