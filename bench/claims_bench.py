"""How the time to build the claims view grows with the number of articles.

Synthetic ledgers: a template generator writes short articles about many invented
events (people, organisations, places, numbers, dates drawn from syllables), each event
reported by three outlets in different words, and records their statements directly as
``AssertionRecorded`` payloads (no extractor, so only ``build_claims`` is measured).
For N in 1,000 / 10,000 / 50,000 articles it prints the seconds, the statements, the
time per statement (wall and CPU), and the growth against linear (CPU per statement over
that of the smallest run, in this process: 1.0 is perfectly linear).

Two generators: ``zipf`` (default; words, names and numbers with news-like frequencies) and
``uniform`` (the original fixed name pools, kept for comparison); see docs/projections.md, Scale.

    python3 bench/claims_bench.py [--sizes 1000,10000,50000] [--generator zipf|uniform] [--pairs] [--features]

``--features`` adds the share of the build's CPU time that computing every statement's
features takes (timed again on their own, after the build): what the projection store's
feature cache (projections/claims_cache.py) saves.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from ledger.events import AssertionRecorded, SourceAppended, Value
from ledger.extractors import anchor
from ledger.log import LogStore
from ledger.projections import build_claims

SYL = "ka lo mi ren dor sa vel tin qua bri os mer lun gat hal fen ro zi pek nor ul ves tam cor".split()

# --- uniform generator (the original one; ``--generator uniform``) ------------------------------
# Every name is drawn uniformly from a fixed pool (576 two-syllable words, 898 numbers, 3,000
# days) and all statements use 4 templates. As N grows the same pools serve ever more stories,
# so a name or number is shared by more and more unrelated stories (at 10,000 articles an
# organisation name is shared by ~6 stories, a number by ~4): the postings of the keys a statement
# probes grow with N, and so do its candidates (10.4 per statement at 1,000 articles, 20.5 at
# 10,000, most of them from other stories). Real news does not reuse a fixed pool of names.
THINGS = "bridges schools clinics wells turbines depots ferries libraries farms markets".split()
VERBS = [
    ("{p} said {o} will build {n} {t} in {c}.", "{o} is to build {n} new {t} in {c}, {p} said."),
    ("Floods on {d} closed {n} roads around {c}.", "{n} roads near {c} were shut by flooding on {d}."),
    ("{o} hired {n} workers for its plant in {c}.", "The {c} plant of {o} took on {n} new workers."),
    ("Police in {c} arrested {n} people after protests on {d}.", "{n} protesters were detained by {c} police on {d}."),
]


def word(rng: random.Random, k: int) -> str:
    return "".join(rng.choice(SYL) for _ in range(k)).capitalize()


def article_uniform(i: int) -> tuple[str, list[tuple[str, list[tuple[str, str, str]]]]]:
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


# --- Zipf generator (the default) --------------------------------------------------------------
# Word and name frequencies in news follow Zipf's law: a few words and names (the capital, the
# big party, "police") are in many stories, most are in a handful, and new stories keep bringing
# new names (Heaps' law). Here every word, name, organisation, place, reporter and outlet is drawn
# with probability ~ 1/rank from a large pool, numbers are log-uniform (small numbers common,
# 4,817 rare: Benford), and the ledger's calendar grows with its size (a ledger of more articles
# covers more days at a steady intake, ~8 stories a day). Under Zipf(1) the postings of a key in
# the blocking band [2, df_cap] add up to about the same per statement at any N: a key common
# enough to have long postings is dropped from the index, and rarer ones have short postings.
# Each story is still told by three outlets in their own words (templates, word order, extra words).


def _pseudo(rank: int) -> str:
    """A made-up word for ``rank`` (two syllables or more; short words for frequent ranks)."""
    n, out = rank + len(SYL), []
    while n:
        n, r = divmod(n, len(SYL))
        out.append(SYL[r])
    return "".join(out)


class _Zipf:
    """Ranks 0..size-1 drawn with probability proportional to 1/(rank+1)."""

    def __init__(self, size: int, offset: int) -> None:
        self.ranks = range(offset, offset + size)
        self.cum = list(accumulate(1.0 / r for r in range(1, size + 1)))

    def word(self, rng: random.Random) -> str:
        return _pseudo(rng.choices(self.ranks, cum_weights=self.cum)[0])

    def name(self, rng: random.Random) -> str:
        return self.word(rng).capitalize()


WORDS = _Zipf(50_000, 0)
FIRST, LAST = _Zipf(3_000, 1_000_000), _Zipf(300_000, 2_000_000)
ORGS, PLACES = _Zipf(20_000, 3_000_000), _Zipf(50_000, 4_000_000)
REPORTERS, OUTLETS = _Zipf(5_000, 5_000_000), _Zipf(300, 6_000_000)
ORG_KINDS = "Group Agency Council Ministry Union Bank Company Institute".split()
EVENTS_PER_DAY = 8
FACTS = [
    ("{s} {v}ed {n} {o} in {p} on {d}.", "In {p}, {n} {o} were {v}ed by {s} on {d}, {x} {y} said.",
     "{s} {v}ed {n} {x} {o} across {p} on {d}."),
    ("{s2} said the {o2} of {p} {v2}ed after the {o3}.", "The {o2} in {p} {v2}ed following the {o3}, according to {s2}.",
     "After the {x} {o3}, the {o2} of {p} {v2}ed, {s2} said."),
    ("{s} {v3}ed {m} {o4} to {p2}.", "{m} {o4} were {v3}ed to {p2} by {s} and {x}.",
     "{s} has {v3}ed some {m} {y} {o4} to {p2}."),
    ("The {o5} {v4}ed near {p} on {d}, {x} reported.", "On {d}, the {o5} near {p} {v4}ed.",
     "A {o5} {v4}ed close to {p} on {d}, {y} {x} said."),
]


def _number(rng: random.Random) -> int:
    return int(10 ** rng.uniform(0.3, 5.0))


def article_zipf(i: int) -> tuple[str, list[tuple[str, list[tuple[str, str, str]]]]]:
    """Text and statements (quote, values) of article ``i``; articles 3k..3k+2 report event k."""
    event = i // 3
    rng = random.Random(event)
    person = f"{FIRST.name(rng)} {LAST.name(rng)}"
    org = f"{ORGS.name(rng)} {rng.choice(ORG_KINDS)}"
    slots = {
        "s": person if rng.random() < 0.5 else org, "s2": f"{FIRST.name(rng)} {LAST.name(rng)}",
        "p": PLACES.name(rng), "p2": PLACES.name(rng), "n": str(_number(rng)), "m": str(_number(rng)),
    }
    for k in ("v", "v2", "v3", "v4"):
        slots[k] = WORDS.word(rng)
    for k in ("o", "o2", "o3", "o4", "o5"):
        slots[k] = WORDS.word(rng)
    day = date(2015, 1, 1) + timedelta(days=event // EVENTS_PER_DAY - rng.randint(0, 2))
    slots["d"] = f"{day:%B} {day.day}"
    picks = rng.sample(range(len(FACTS)), 3)
    own = random.Random(-1 - i)
    sentences = []
    for k in picks:
        tmpl = FACTS[k][own.randint(0, 2)]
        sentences.append(tmpl.format(**slots, x=WORDS.word(own), y=WORDS.word(own)))
    outlet, reporter = OUTLETS.name(own), f"{REPORTERS.name(own)} {REPORTERS.name(own)}"
    byline = f"{reporter} wrote this report for {outlet} Weekly."
    text = " ".join(sentences) + " " + byline
    out = []
    for s in sentences:
        vals = [("quantity", v, v) for v in (slots["n"], slots["m"]) if f" {v} " in f" {s} " or s.startswith(v + " ")]
        if slots["d"] in s:
            vals.append(("date", slots["d"], day.isoformat()))
        out.append((s, vals))
    out.append((byline, []))
    return text, out


GENERATORS = {"zipf": article_zipf, "uniform": article_uniform}


def _at(text: str, w: str, start: int) -> int:
    """Where the value ``w`` stands as a whole word at or after ``start`` (``5`` is not in ``15``)."""
    m = re.compile(rf"(?<![\w,]){re.escape(w)}(?![\w,])").search(text, start)
    return m.start() if m else text.index(w, start)


def build(path: Path, n: int, article=article_zipf) -> int:
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
            values = tuple(Value(type=ty, text=w, start=_at(text, w, s), end=_at(text, w, s) + len(w), value=v) for ty, w, v in vals)
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


def one_story(claims) -> float:
    """Share of multi-source claims whose members all report one story (articles 3k..3k+2)."""
    multi = [c for c in claims if len(c.sources) > 1]
    pure = sum(len({int(m.assertion_id[3:15], 16) // 3 for m in c.members}) == 1 for c in multi)
    return pure / max(len(multi), 1)


def pairs_per_statement(path: Path) -> float:
    """Candidate pairs the blocking yields per statement (outside the timing)."""
    from ledger.projections.claims import claim_rows, features
    from ledger.projections.claims.links import DEFAULT_LINK_CONFIG, candidate_pairs
    from ledger.projections.views import catalog

    store = LogStore(path)
    cat = catalog(store, None, cache=False)
    rows = [r for r, _old in claim_rows(store, cat, None)]
    feats = [features(r) for r in rows]
    return sum(1 for _ in candidate_pairs(feats, DEFAULT_LINK_CONFIG)) / max(len(rows), 1)


def features_cpu(path: Path) -> float:
    """CPU seconds of :func:`features` over every statement the claims view reads (rows built untimed)."""
    from ledger.projections.claims import claim_rows, features
    from ledger.projections.views import catalog

    store = LogStore(path)
    rows = [r for r, _old in claim_rows(store, catalog(store, None, cache=False), None)]
    c0 = time.process_time()
    for r in rows:
        features(r)
    return time.process_time() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--generator", choices=sorted(GENERATORS), default="zipf",
                    help="zipf: names and words with news-like frequencies (default); uniform: the original fixed pools")
    ap.add_argument("--pairs", action="store_true", help="also count candidate pairs per statement (untimed)")
    ap.add_argument("--features", action="store_true", help="also print the share of the build's CPU that features take")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"generator: {args.generator}")
    print(f"{'articles':>9} {'statements':>10} {'build s':>9} {'claims':>8} {'multi':>7} {'1-story':>7} {'us/stmt':>8} {'cpu us':>7} "
          f"{'vs linear':>9}" + (f" {'pairs/st':>8}" if args.pairs else "") + (f" {'features':>8}" if args.features else ""))
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"bench-{n}.jsonl"
            statements = build(path, n, GENERATORS[args.generator])
            t0, c0 = time.perf_counter(), time.process_time()
            claims = build_claims(LogStore(path), cache=False)
            secs = time.perf_counter() - t0
            build_cpu = time.process_time() - c0
            cpu = build_cpu / statements  # wall time suffers when the machine is shared
            per = secs / statements
            base = base or cpu
            multi = sum(len(c.sources) > 1 for c in claims)
            line = (f"{n:>9} {statements:>10} {secs:>9.2f} {len(claims):>8} {multi:>7} {one_story(claims):>7.3f} {per * 1e6:>8.1f} "
                    f"{cpu * 1e6:>7.1f} {cpu / base:>9.2f}")
            if args.pairs:
                line += f" {pairs_per_statement(path):>8.1f}"
            if args.features:
                line += f" {features_cpu(path) / build_cpu:>8.0%}"
            print(line, flush=True)
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
