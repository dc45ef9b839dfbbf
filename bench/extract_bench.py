"""Throughput of the default ``rules`` extractor next to a plain regex sentence split.

Generates deterministic ~4 KB news-like articles (quotes, attributions, titles and
abbreviations, numbers, dates, a headline, a credit and a trailer), then times, on one
core (CPU time) and the same texts, (a) a baseline that only splits sentences with one regex and
(b) the full rules extractor. Prints articles/s, MB/s and the ratio. Not a test.

    PYTHONPATH=src python bench/extract_bench.py [--articles 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ledger.extractors import SourceInfo  # noqa: E402
from ledger.extractors.rules import VERSION, extract  # noqa: E402

FIRST = ["Ana", "Lars", "Omar", "Mei", "Karl", "Ines", "Paul", "Sara", "Tomas", "Lee"]
LAST = ["Ruiz", "Berg", "Diaz", "Novak", "Holm", "Okafor", "Tanaka", "Silva", "Moreau", "Kowalski"]
TITLES = ["Col.", "Gen.", "Dr.", "Sen.", "Capt.", ""]
ROLES = ["lead surgeon", "the mayor", "a government spokesman", "the defense minister", "police chief"]
ORGS = ["United Nations Command", "the Interior Ministry", "the World Health Organization", "Reuters", "the U.S. Army"]
PLACES = ["Seoul", "Lima", "Norway", "the border", "the capital", "Valley Town"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["Jan.", "Feb.", "March", "April", "Nov.", "December"]
VERBS = ["crossed", "visited", "left", "attacked", "inspected", "closed", "reopened"]
NOUNS = ["soldiers", "workers", "vehicles", "people", "homes", "trucks", "boats"]
QUALS = ["at least", "more than", "about", "nearly", ""]
HEDGES = ["reportedly", "allegedly", "possibly", ""]


def _name(r: random.Random) -> str:
    mid = f" {r.choice('ABCDEFGHJK')}." if r.random() < 0.3 else ""
    return f"{r.choice(FIRST)}{mid} {r.choice(LAST)}"


def _sentence(r: random.Random) -> str:
    n = f"{r.randint(2, 40000):,}" if r.random() < 0.5 else r.choice(["two", "three", "five", "twelve"])
    kind = r.randrange(7)
    if kind == 0:
        return f'"The {r.choice(NOUNS)} are safe," {r.choice(ROLES)} {_name(r)} said on {r.choice(WEEKDAYS)}.'
    if kind == 1:
        t = r.choice(TITLES)
        return f"{t} {_name(r)}".strip() + f", a spokesman for {r.choice(ORGS)}, said {r.choice(QUALS)} {n} {r.choice(NOUNS)} {r.choice(VERBS)} {r.choice(PLACES)}."
    if kind == 2:
        return f"The {r.choice(NOUNS)} {r.choice(HEDGES)} {r.choice(VERBS)} {r.choice(PLACES)} on {r.choice(MONTHS)} {r.randint(1, 28)}, {r.choice(ORGS)} reported."
    if kind == 3:
        return f"{r.choice(QUALS).capitalize() or 'Some'} {r.randint(2, 99)}.{r.randint(0, 9)} percent of the {r.choice(NOUNS)} were {r.choice(['lost', 'found', 'damaged'])} in {r.randint(1950, 2023)}, but officials said the {r.choice(NOUNS)} did not {r.choice(['leave', 'return'])}."
    if kind == 4:
        return f"He added, \"We will {r.choice(['rebuild', 'stay', 'fight'])}. This is the {r.choice(['first', 'third', 'last'])} time.\""
    if kind == 5:
        return f"A {r.randint(18, 80)}-year-old was {r.choice(VERBS)} near {r.choice(PLACES)} (a {r.randint(1, 9)}.5-mile-wide zone) — the U.N. said — according to {r.choice(ORGS)}."
    return f"The {r.choice(NOUNS)} {r.choice(VERBS)} {r.choice(PLACES)} this year; {r.choice(ROLES)} {_name(r)} told reporters the {r.choice(NOUNS)} may {r.choice(['return', 'leave'])}."


def make_articles(n: int, size: int = 4096, seed: int = 20171122) -> list[str]:
    r = random.Random(seed)
    out = []
    for _ in range(n):
        headline = f"{r.choice(FIRST)} {r.choice(LAST)} Says {r.choice(NOUNS).title()} {r.choice(VERBS).title()} {r.choice(PLACES).title()}"
        parts = [headline, "", "Handout/Getty Images News/Getty Images", ""]
        body = 0
        while body < size - 300:
            para = " ".join(_sentence(r) for _ in range(r.randint(2, 4)))
            parts.extend([para, ""])
            body += len(para) + 2
        parts.append(f"{headline} | World")
        out.append("\n".join(parts)[:size])
    return out


SENT_RE = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[\"“A-Z0-9])")


def baseline(text: str) -> list[tuple[int, int]]:
    """A plain regex sentence split: the floor any extractor pays."""
    out, pos = [], 0
    for m in SENT_RE.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


def timed(fn, texts, repeat):
    """Best CPU time (process_time: one core, robust to other load on the machine) of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for t in texts:
            fn(t)
        best = min(best, time.process_time() - t0)
    return best


def report(label, texts, info, repeat):
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    n = len(texts)
    t_base = timed(baseline, texts, repeat)
    t_rules = timed(lambda t: extract(t, info), texts, repeat)
    items = sum(len(extract(t, info)) for t in texts[:50]) / min(50, n)
    print(f"{label}: {n} articles, mean {mb * 1e6 / n:.0f} bytes, {items:.1f} assertions/article, one core, best of {repeat}")
    print(f"  {'':<22} {'articles/s':>12} {'MB/s':>8}")
    print(f"  {'baseline regex split':<22} {n / t_base:>12.0f} {mb / t_base:>8.2f}")
    print(f"  {'rules ' + VERSION:<22} {n / t_rules:>12.0f} {mb / t_rules:>8.2f}")
    print(f"  rules takes {t_rules / t_base:.0f}x the baseline's time; target >= 200 articles/s: "
          f"{'met' if n / t_rules >= 200 else 'NOT met'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        except OSError:
            pass
    info = SourceInfo(published="2017-11-22", title=None)
    texts = make_articles(args.articles)
    extract(texts[0], info)  # warm caches
    report("synthetic (dense: a quote, number or date in most sentences)", texts, info, args.repeat)
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    real = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))] if corpus.is_dir() else []
    if real:
        # the real articles, read in place (never copied), repeated to the same count
        report(f"real ({len(real)} articles from ../shared/corpus, repeated)", (real * args.articles)[: args.articles], info, args.repeat)


if __name__ == "__main__":
    main()
