"""Throughput of the default ``rules`` extractor next to a plain regex sentence split.

Generates deterministic ~4 KB news-like articles (quotes, attributions, titles and
abbreviations, numbers, dates, a headline, a credit and a trailer), then times, on one
core (CPU time) and the same texts, (a) a baseline that only splits sentences with one regex and
(b) the full rules extractor. Prints articles/s, MB/s and the ratio. Not a test.

Three sets: ``realistic`` (sentence length and quote, number, name, hedge rates matched
to the real corpus; the target of 250 articles/s per core applies to it), ``dense`` (the
first generator: twice real news' assertion density, a stress case) and the real corpus
articles repeated. ``--stats`` prints the measured rates of each set instead.

In the same run it times a reference version of the extractor (``--reference``, default
rules 1.1.0, the last commit before the speaker model of issue #16), taken from git
history with ``git archive`` and run in its own child process on the same texts, each
child next to its own baseline; the current tree runs in a child too, alternating with
the reference (``--rounds``). The ratio rules/baseline must not be worse than the
reference's. ``--same-as REV`` instead checks that the current tree's output (every
``Extracted``) equals REV's on the bench sets and the dev corpora in ../shared.

    PYTHONPATH=src python bench/extract_bench.py [--articles 300] [--repeat 3] [--rounds 2]
        [--reference REV | --no-reference] [--stats] [--same-as REV [--tree REV2]]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

REFERENCE = "d460019"
"""rules 1.1.0 as it was last, before issue #16's speaker model (``git log -S'1.1.0' -- src/ledger/extractors/rules``)."""
TARGET = 250
"""Articles per second per core the realistic set must reach (issue #16)."""

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


def make_dense_articles(n: int, size: int = 4096, seed: int = 20171122) -> list[str]:
    """The first generator: short sentences, a quote, attribution, number or date in most.

    About 66 assertions per 4 KB, twice the density of real news; kept as a stress case.
    """
    return _articles(n, size, seed, _sentence, margin=300)



# Realistic articles: sentence shapes and rates measured on the two real articles in
# ../shared/corpus (numbers only; no text is copied): statements of ~126 characters
# (~21 words), 0.28 attributed, ~0.8 values, ~1.8 named entities, 0.09 hedged and
# 0.11 negated per statement, ~1.3 quotations per 1000 characters, 2-4 sentences per
# paragraph. ``python bench/extract_bench.py --stats`` prints these for every set.
ADJ = ["senior", "local", "former", "military", "regional", "new", "official", "early", "heavy", "final"]
NOUN_PH = ["the talks", "the agreement", "the investigation", "the operation", "the budget", "the report",
           "the new policy", "the border crossing", "the evacuation", "the ceasefire", "the election", "the trial"]
VERB_PH = ["began reviewing", "agreed to extend", "struggled to contain", "moved to expand", "finished",
           "published details of", "postponed", "prepared to resume", "criticized", "welcomed"]
PLACES_R = ["Seoul", "Lima", "Norway", "the capital", "the northern province", "Valley Town", "Geneva", "the coast"]
ORGS_R = ["the United Nations Command", "the Interior Ministry", "the World Health Organization",
          "the National Assembly", "the Central Bank", "the Red Cross", "Reuters"]
TIMES = ["On Tuesday", "Last week", "Earlier this year", "In 2016", "On Nov. 13", "Since January", "On Friday"]
REASONS = ["after weeks of negotiations", "despite objections from the opposition", "amid rising costs",
           "following a review by independent auditors", "as part of a wider reform", "because of the weather"]


def _np_entity(r: random.Random) -> str:
    k = r.randrange(4)
    if k == 0:
        return f"{r.choice(TITLES)} {_name(r)}".strip()
    if k == 1:
        return r.choice(ORGS_R)
    if k == 2:
        return f"{r.choice(ADJ)} officials in {r.choice(PLACES_R)}"
    return f"{_name(r)}, a {r.choice(ADJ)} adviser to {r.choice(ORGS_R)},"


def _realistic_sentence(r: random.Random) -> str:
    core = f"{_np_entity(r)} {r.choice(VERB_PH)} {r.choice(NOUN_PH)}"
    if r.random() < 0.5:
        core += f" in {r.choice(PLACES_R)}"
    if r.random() < 0.09:
        core = core.replace(" ", f" {r.choice(['reportedly', 'possibly', 'may have'])} ", 1) if "may" not in core else core
    if r.random() < 0.11:
        core += f", but did not {r.choice(['say when', 'give details', 'name the officials'])}"
    if r.random() < 0.45:
        n = r.choice([f"{r.randint(2, 900):,}", f"{r.randint(2, 40)}.{r.randint(1, 9)} percent",
                      r.choice(["two", "three", "five", "twelve"]), f"${r.randint(2, 90)} million"])
        core += f", affecting {r.choice(['about', 'more than', 'at least', ''])} {n} {r.choice(NOUNS)}".replace("  ", " ")
    if r.random() < 0.6:
        core += f" {r.choice(REASONS)}"
    if r.random() < 0.35:
        core = f"{r.choice(TIMES)}, {core[0].lower() + core[1:] if core.startswith(('The ', 'A ')) else core}"
    k = r.random()
    if k < 0.17:
        return f'"{core[0].upper() + core[1:]}," {r.choice(ROLES)} {_name(r)} said.'
    if k < 0.25:
        return f"{core}, {r.choice(['officials', _name(r), 'the agency', 'a spokesman'])} said."
    if k < 0.28:
        return f"According to {r.choice(ORGS_R)}, {core[0].lower() + core[1:] if core.startswith('The ') else core}."
    return f"{core}."


def make_articles(n: int, size: int = 4096, seed: int = 20171122) -> list[str]:
    """Realistic ~4 KB news articles (rates measured on the real corpus, see above)."""
    return _articles(n, size, seed, _realistic_sentence, margin=200)


def _articles(n: int, size: int, seed: int, sentence, *, margin: int) -> list[str]:
    """Headline, photo credit, paragraphs of 2-4 ``sentence(rng)`` until ``size - margin``, trailer."""
    r = random.Random(seed)
    out = []
    for _ in range(n):
        headline = f"{r.choice(FIRST)} {r.choice(LAST)} Says {r.choice(NOUNS).title()} {r.choice(VERBS).title()} {r.choice(PLACES).title()}"
        parts = [headline, "", "Handout/Getty Images News/Getty Images", ""]
        body = 0
        while body < size - margin:
            para = " ".join(sentence(r) for _ in range(r.randint(2, 4)))
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


def stats(label, texts, info) -> None:
    """The rates the realistic generator is matched on, measured with the extractor itself."""
    from ledger.extractors.rules import extract

    n_chars = sum(len(t) for t in texts)
    items = [(t, x) for t in texts for x in extract(t, info)]
    stm = [(t, x) for t, x in items if x.kind == "statement"]
    lens = [x.end - x.start for _, x in stm]
    words = sum(len(t[x.start : x.end].split()) for t, x in stm) / len(stm)
    quotes = sum(t.count('"') // 2 + t.count("“") for t in texts)

    def per(f):
        return sum(f(x) for _, x in stm) / len(stm)

    print(f"{label}: {len(texts)} articles, {n_chars / len(texts):.0f} chars/article, "
          f"{len(items) * 4096 / n_chars:.1f} assertions per 4 KB")
    print(f"  statement: mean {sum(lens) / len(lens):.0f} chars, {words:.1f} words; per statement: "
          f"attributed {per(lambda x: x.speaker is not None):.2f}, values {per(lambda x: len(x.values)):.2f}, "
          f"entities {per(lambda x: len(x.entities)):.2f}, hedged {per(lambda x: x.modality == 'hedged'):.2f}, "
          f"negated {per(lambda x: x.modality == 'negated'):.2f}; quotations per 1000 chars {quotes * 1000 / n_chars:.2f}")


def _sets(n: int) -> dict[str, tuple[str, list[str]]]:
    """The three bench sets (key -> label, texts), generated identically in every process."""
    corpus = REPO.parent / "shared" / "corpus"
    real = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))] if corpus.is_dir() else []
    sets = {
        "realistic": (f"realistic synthetic (rates of real news; the {TARGET} articles/s target applies here)", make_articles(n)),
        "dense": ("dense synthetic (first generator: a quote, number or date in most sentences)", make_dense_articles(n)),
    }
    if real:
        # the real articles, read in place (never copied), repeated to the same count
        sets["real"] = (f"real ({len(real)} articles from ../shared/corpus, repeated)", (real * n)[:n])
    return sets


def _dev_texts() -> list[str]:
    """The dev corpora, read in place: every article of ../shared/corpus and ../shared/eval/multi/corpus."""
    out = []
    for d in (REPO.parent / "shared" / "corpus", REPO.parent / "shared" / "eval" / "multi" / "corpus"):
        if d.is_dir():
            out += [p.read_text(encoding="utf-8") for p in sorted(d.iterdir()) if p.suffix in (".txt", ".md")]
    return out


def _child(src: str, args) -> None:
    """Run in a child process: time (or digest) the extractor found under ``src``; print JSON."""
    sys.path.insert(0, src)
    from ledger.extractors import SourceInfo
    from ledger.extractors.rules import VERSION, extract

    info = SourceInfo(published="2017-11-22", title=None)
    sets = _sets(args.articles)
    if args.digest:
        out = {"version": VERSION}
        named = {k: texts for k, (_, texts) in sets.items()}
        named["dev"] = _dev_texts()
        for key, texts in named.items():
            h = hashlib.sha256()
            for t in texts:  # with and without a known title and another publication date
                for i2 in (info, SourceInfo(published="2018-07-10", title=t.split("\n", 1)[0])):
                    h.update(repr(extract(t, i2)).encode())
            out[key] = h.hexdigest()
        print(json.dumps(out))
        return
    extract(sets["realistic"][1][0], info)  # warm caches
    out = {"version": VERSION}
    for key, (_, texts) in sets.items():
        out[key] = {
            "baseline": timed(baseline, texts, 5 * args.repeat),  # cheap and noisy: more passes
            "rules": timed(lambda t: extract(t, info), texts, args.repeat),
            "items": sum(len(extract(t, info)) for t in texts[:50]) / min(50, len(texts)),
        }
    print(json.dumps(out))


def _tree(rev: str, tmp: str) -> str:
    """``src`` of ``rev`` (a commit of this repository), unpacked under ``tmp`` by ``git archive``."""
    tar = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev, "src"],
                         check=True, capture_output=True).stdout
    dest = Path(tmp) / rev.replace("/", "_")
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        tf.extractall(dest)
    return str(dest / "src")


def _run_child(src: str, args, *extra: str) -> dict:
    cmd = [sys.executable, __file__, "--child", src, "--articles", str(args.articles), "--repeat", str(args.repeat), *extra]
    env = dict(os.environ, PYTHONHASHSEED="0")
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout)


def _best(runs: list[dict]) -> dict:
    out = {"version": runs[0]["version"]}
    for key in runs[0]:
        if key != "version":
            out[key] = {f: min(r[key][f] for r in runs) for f in ("baseline", "rules")} | {"items": runs[0][key]["items"]}
    return out


def report(sets, cur: dict, ref: dict | None, ref_rev: str, args) -> None:
    for key, (label, texts) in sets.items():
        n = len(texts)
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        c = cur[key]
        ratio = c["rules"] / c["baseline"]
        print(f"{label}: {n} articles, mean {mb * 1e6 / n:.0f} bytes, {c['items']:.1f} assertions/article, "
              f"one core, CPU time, best of {args.repeat} x {args.rounds} rounds")
        print(f"  {'':<28} {'articles/s':>12} {'MB/s':>8} {'x baseline':>11}")
        print(f"  {'baseline regex split':<28} {n / c['baseline']:>12.0f} {mb / c['baseline']:>8.2f}")
        print(f"  {'rules ' + cur['version']:<28} {n / c['rules']:>12.0f} {mb / c['rules']:>8.2f} {ratio:>10.1f}x")
        line = f"  target >= {TARGET} articles/s: {'met' if n / c['rules'] >= TARGET else 'NOT met'}" if key == "realistic" else " "
        if ref is not None:
            r = ref[key]
            rratio = r["rules"] / r["baseline"]
            print(f"  {'baseline (reference child)':<28} {n / r['baseline']:>12.0f} {mb / r['baseline']:>8.2f}")
            print(f"  {'rules ' + ref['version'] + ' (' + ref_rev + ')':<28} {n / r['rules']:>12.0f} {mb / r['rules']:>8.2f} {rratio:>10.1f}x")
            line += (f"{';' if key == 'realistic' else ''} time over baseline {ratio:.1f}x vs {rratio:.1f}x for rules {ref['version']}: "
                     f"{ratio / rratio:.2f} of it ({'not worse' if ratio <= rratio else 'WORSE'})")
        if line.strip():
            print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3, help="timed passes per child (best is kept)")
    ap.add_argument("--rounds", type=int, default=2, help="child processes per version, alternating")
    ap.add_argument("--reference", default=REFERENCE, help=f"git revision to compare with (default {REFERENCE}: rules 1.1.0)")
    ap.add_argument("--no-reference", action="store_true", help="time the current tree only")
    ap.add_argument("--stats", action="store_true", help="print each set's measured rates, do not time")
    ap.add_argument("--same-as", metavar="REV", help="check that every extracted item equals REV's, on the bench sets and the dev corpora")
    ap.add_argument("--tree", metavar="REV", help="with --same-as: check REV's extractor instead of the working tree's")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--digest", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        except OSError:
            pass
    if args.child:
        _child(args.child, args)
        return
    sets = _sets(args.articles)
    if args.stats:
        from ledger.extractors import SourceInfo

        info = SourceInfo(published="2017-11-22", title=None)
        for key, (label, texts) in sets.items():
            stats(label, texts[:100] if key != "real" else texts[:2], info)
        return
    here = str(REPO / "src")
    with tempfile.TemporaryDirectory() as tmp:
        if args.same_as:
            mine_src = _tree(args.tree, tmp) if args.tree else here
            mine, theirs = _run_child(mine_src, args, "--digest"), _run_child(_tree(args.same_as, tmp), args, "--digest")
            same = True
            for key in mine:
                if key != "version":
                    ok = mine[key] == theirs[key]
                    same &= ok
                    print(f"{key}: rules {mine['version']} {'same as' if ok else 'DIFFERS from'} rules {theirs['version']} ({args.same_as})")
            sys.exit(0 if same else 1)
        ref_src = None if args.no_reference else _tree(args.reference, tmp)
        cur_runs, ref_runs = [], []
        for _ in range(args.rounds):
            if ref_src is not None:
                ref_runs.append(_run_child(ref_src, args))
            cur_runs.append(_run_child(here, args))
    report(sets, _best(cur_runs), _best(ref_runs) if ref_runs else None, args.reference, args)


if __name__ == "__main__":
    main()
