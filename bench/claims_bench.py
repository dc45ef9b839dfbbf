"""How the time to build the claims view grows with the number of articles.

Synthetic ledgers: a template generator writes short articles about many invented
events (people, organisations, places, numbers, dates drawn from syllables), each event
reported by three outlets in different words, and records their statements directly as
``AssertionRecorded`` payloads (no extractor, so only ``build_claims`` is measured).
For N in 1,000 / 10,000 / 50,000 articles it prints the seconds, the statements, the
time per statement (wall and CPU), and the growth against linear (CPU per statement over
that of the smallest run, in this process: 1.0 is perfectly linear).

    python3 bench/claims_bench.py [--sizes 1000,10000,50000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from ledger.events import AssertionRecorded, SourceAppended, Value
from ledger.extractors import anchor
from ledger.log import LogStore
from ledger.projections import build_claims

SYL = "ka lo mi ren dor sa vel tin qua bri os mer lun gat hal fen ro zi pek nor ul ves tam cor".split()
THINGS = "bridges schools clinics wells turbines depots ferries libraries farms markets".split()
VERBS = [
    ("{p} said {o} will build {n} {t} in {c}.", "{o} is to build {n} new {t} in {c}, {p} said."),
    ("Floods on {d} closed {n} roads around {c}.", "{n} roads near {c} were shut by flooding on {d}."),
    ("{o} hired {n} workers for its plant in {c}.", "The {c} plant of {o} took on {n} new workers."),
    ("Police in {c} arrested {n} people after protests on {d}.", "{n} protesters were detained by {c} police on {d}."),
]


def word(rng: random.Random, k: int) -> str:
    return "".join(rng.choice(SYL) for _ in range(k)).capitalize()


def article(i: int) -> tuple[str, list[tuple[str, list[tuple[str, str, str]]]]]:
    """Text and statements (quote, values) of article ``i``; articles 3k..3k+2 report event k."""
    event = i // 3
    rng = random.Random(event)
    p, o, c = f"{word(rng, 2)} {word(rng, 3)}", f"{word(rng, 2)} Group", word(rng, 3)
    t, n = rng.choice(THINGS), rng.randint(3, 900)
    d = date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000))
    picks = rng.sample(range(len(VERBS)), 3)
    own = random.Random(i)
    sentences = []
    for k in picks:
        tmpl = VERBS[k][own.randint(0, 1)]
        sentences.append((tmpl.format(p=p, o=o, c=c, t=t, n=n, d=f"{d:%B} {d.day}"), n, d))
    filler = f"{word(own, 2)} {word(own, 2)} wrote this report for {word(own, 2)} Weekly."
    text = " ".join(s for s, _, _ in sentences) + " " + filler
    out = []
    for s, n, d in sentences:
        vals = [("quantity", str(n), str(n))]
        if f"{d:%B} {d.day}" in s:
            vals.append(("date", f"{d:%B} {d.day}", d.isoformat()))
        out.append((s, vals))
    out.append((filler, []))
    return text, out


def build(path: Path, n: int) -> int:
    store = LogStore(path, fsync=False)
    statements = 0
    batch = []
    for i in range(n):
        text, stmts = article(i)
        sid = f"src-{i:016x}"
        digest = hashlib.sha256(text.encode()).hexdigest()
        batch.append(SourceAppended(source_id=sid, version=1, uri=None, title=None, outlet=None, authors=(), published=None,
                                    retrieved=None, media_type="text/plain", raw_sha256=digest, text_sha256=digest, text=text))
        for j, (quote, vals) in enumerate(stmts):
            s = text.index(quote)
            values = tuple(Value(type=ty, text=w, start=text.index(w, s), end=text.index(w, s) + len(w), value=v) for ty, w, v in vals)
            batch.append(AssertionRecorded(assertion_id=f"as-{i:012x}{j:04x}", source_id=sid, version=1,
                                           selector=anchor(text, s, s + len(quote)), kind="statement", speaker=None,
                                           speaker_cue=None, modality="asserted", modality_cue=None, values=values,
                                           entities=(), extractor="bench", extractor_version="1"))
            statements += 1
        if len(batch) >= 5000:
            store.append(batch, actor="bench")
            batch = []
    if batch:
        store.append(batch, actor="bench")
    return statements


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,50000")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'articles':>9} {'statements':>10} {'build s':>9} {'claims':>8} {'multi':>7} {'us/stmt':>8} {'cpu us':>7} {'vs linear':>9}")
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"bench-{n}.jsonl"
            statements = build(path, n)
            t0, c0 = time.perf_counter(), time.process_time()
            claims = build_claims(LogStore(path), cache=False)
            secs = time.perf_counter() - t0
            cpu = (time.process_time() - c0) / statements  # wall time suffers when the machine is shared
            per = secs / statements
            base = base or cpu
            multi = sum(len(c.sources) > 1 for c in claims)
            print(f"{n:>9} {statements:>10} {secs:>9.2f} {len(claims):>8} {multi:>7} {per * 1e6:>8.1f} {cpu * 1e6:>7.1f} {cpu / base:>9.2f}", flush=True)
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
