"""Benchmark: views from the projection store against a raw parse of the whole ledger (issue #12).

    python3 bench/views_bench.py [--articles 10000] [--dir /tmp/views-bench] [--repeat 3] [--claims]
        [--reextract [--against TREE]]

Builds (once; reused from ``--dir`` on the next run) a ledger of N generated ~4 KB articles
appended with the ``rules`` extractor (``extract_bench.make_articles``, ``--jobs 2
--no-fsync``), plus 100 more articles kept aside. Then, each command in a fresh process as a
user runs it (start-up included), best of ``--repeat`` by CPU time (the machine is shared:
wall time is printed but the ratio uses CPU), and peak RSS:

* baseline: ``orjson.loads`` of every line of the ledger in a fresh process;
* warm views (the store already caught up): ``assertions --json``, ``entities --json``,
  ``timeline --json``, ``sources --json``, and ``assertions --json --as-of`` half way;
* the same views with ``--no-cache`` (folding the log, as before the store);
* cold: the first view on a ledger without a store (the store is built);
* catch-up: after appending the 100 kept-aside articles, the next view, with the events and
  bytes it read (the store's head before and after);
* ``factledger --help``;
* with ``--claims``: ``claims --json`` without the store (``--no-cache``, once: as before #12), the
  first run with it (computes the view, keeps it and the features), and warm (best of
  ``--repeat``); ``speedup`` is the no-cache CPU over the warm CPU;
* with ``--reextract``: one source of the ledger re-extracted (``ledger.reextract`` with the rules
  extractor reading every sentence as hedged and without speakers: recordings with ``supersedes``),
  then the store's catch-up (the events it read) and warm ``assertions --json`` from the store, against
  ``--no-cache`` and, with ``--against TREE`` (a checkout of the code before, e.g. main), the same warm
  command run by that tree's code on its own copy of the ledger (before FORMAT 11 a re-extraction turned
  the store off and every view folded the log).

``ratio`` is baseline CPU / command CPU: >= 1 means the view costs less than parsing the file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(HERE))

BASELINE = "import orjson, sys\nwith open(sys.argv[1], 'rb') as f:\n    for line in f:\n        orjson.loads(line)\n"


def env(src: Path = SRC) -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(src) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def run(args: list[str], src: Path = SRC) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one child process (the code of ``src``); its output goes to /dev/null."""
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(args, stdout=null, stderr=subprocess.PIPE, env=env(src))
        _pid, status, usage = os.wait4(proc.pid, 0)
        err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(args)} failed:\n{err[-2000:]}")
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best(args: list[str], repeat: int, src: Path = SRC) -> tuple[float, float, float]:
    runs = [run(args, src) for _ in range(repeat)]
    return min(runs, key=lambda r: r[1])


def factledger(ledger: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ledger", "--ledger", str(ledger), *args]


def build(folder: Path, articles: int) -> tuple[Path, Path]:
    """The ledger and the folder of 100 articles kept aside for the catch-up run (built once)."""
    from extract_bench import make_articles

    ledger, extra = folder / f"ledger-{articles}.jsonl", folder / "extra-100"
    if ledger.exists() and extra.is_dir():
        return ledger, extra
    texts = make_articles(articles + 100)
    main, extra_tmp = folder / "articles", folder / "extra-tmp"
    for d in (main, extra_tmp):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    for i, text in enumerate(texts):
        ((main if i < articles else extra_tmp) / f"{i:06d}.txt").write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    subprocess.run(factledger(ledger, "append", str(main), "--jobs", "2", "--no-fsync"), check=True,
                   stdout=subprocess.DEVNULL, env=env())
    print(f"# built {ledger} ({ledger.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - t0:.0f} s", flush=True)
    shutil.rmtree(main)
    extra_tmp.rename(extra)
    return ledger, extra


def store_head(ledger: Path) -> tuple[int, int]:
    db = sqlite3.connect(ledger.with_name(ledger.name + ".cache") / "views.sqlite")
    meta = dict(db.execute("SELECT key, value FROM meta"))
    db.close()
    return int(meta["head_seq"]), int(meta["head_end"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--dir", default="/tmp/views-bench")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--claims", action="store_true", help="also time claims --json (minutes at 10k articles)")
    ap.add_argument("--reextract", action="store_true", help="also time assertions --json after a re-extraction")
    ap.add_argument("--against", help="with --reextract: a source tree (checkout) whose code is timed too")
    args = ap.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    source, extra = build(folder, args.articles)
    ledger = folder / "work.jsonl"  # a copy the catch-up run appends to; the built ledger stays as built
    shutil.copyfile(source, ledger)
    shutil.rmtree(ledger.with_name(ledger.name + ".cache"), ignore_errors=True)
    lines = sum(1 for _ in open(ledger, "rb"))
    print(f"# {args.articles:,} articles, {lines:,} events, {ledger.stat().st_size / 1e6:,.0f} MB; "
          f"{os.cpu_count()} cores shared with other jobs: CPU time, best of {args.repeat}")
    print(f"{'command':<44} {'wall s':>7} {'CPU s':>7} {'ratio':>6} {'peak MB':>8}")

    def row(label: str, wall: float, cpu: float, rss: float, base: float) -> None:
        print(f"{label:<44} {wall:>7.2f} {cpu:>7.2f} {base / cpu:>6.2f} {rss:>8.0f}", flush=True)

    base = best([sys.executable, "-c", BASELINE, str(ledger)], args.repeat)
    row("baseline: orjson.loads of every line", *base, base[1])
    cold = run(factledger(ledger, "sources", "--json"))
    row("cold: sources --json (builds the store)", *cold, base[1])
    half = str(lines // 2)
    views = [["assertions", "--json"], ["entities", "--json"], ["timeline", "--json"], ["sources", "--json"],
             ["assertions", "--json", "--as-of", half]]
    for view in views:
        row(" ".join(view).replace(f"--as-of {half}", "--as-of half"), *best(factledger(ledger, *view), args.repeat), base[1])
    for view in views[:4]:
        row(" ".join(view) + " --no-cache", *run(factledger(ledger, *view, "--no-cache")), base[1])
    if args.claims:
        nocache = run(factledger(ledger, "claims", "--json", "--no-cache"))
        row("claims --json --no-cache", *nocache, base[1])
        row("claims --json (first: computes, keeps)", *run(factledger(ledger, "claims", "--json")), base[1])
        warm = best(factledger(ledger, "claims", "--json"), args.repeat)
        row("claims --json (warm)", *warm, base[1])
        print(f"#   claims speedup warm vs --no-cache: {nocache[1] / warm[1]:.1f}x CPU")
    before = store_head(ledger)
    subprocess.run(factledger(ledger, "append", str(extra), "--no-fsync"), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=env())
    catch = run(factledger(ledger, "sources", "--json"))
    after = store_head(ledger)
    row("catch-up after 100 articles: sources --json", *catch, base[1])
    print(f"#   the store read events {before[0] + 1:,}..{after[0]:,} ({after[0] - before[0]:,} events, "
          f"{(after[1] - before[1]) / 1e6:.1f} MB from byte {before[1]:,}); the log has {after[0]:,}")
    if args.reextract:
        reextracted(ledger, base[1], args, row)
    helped = best([sys.executable, "-m", "ledger", "--help"], args.repeat)
    print(f"{'factledger --help':<44} {helped[0]:>7.2f} {helped[1]:>7.2f} {'':>6} {helped[2]:>8.0f}")
    py = best([sys.executable, "-c", "pass"], args.repeat)
    print(f"{'python3 -c pass (interpreter start)':<44} {py[0]:>7.2f} {py[1]:>7.2f} {'':>6} {py[2]:>8.0f}")


REEXTRACT = """import sys, attrs
from ledger.extractors import ExtractorSpec
from ledger.extractors.rules import extract
from ledger.log import LogStore
from ledger.reextract import reextract

def hedged(text, info):  # another reading of every sentence: no speakers, all hedged
    return [attrs.evolve(x, speaker=None, speaker_cue=None, quotation=None, antecedent=None, modality="hedged")
            for x in extract(text, info)]

log = LogStore(sys.argv[1], fsync=False)
first = next(raw["data"]["source_id"] for raw in log.raw_events() if raw["type"] == "SourceAppended")
(done,) = reextract(log, ExtractorSpec(name="rules", version="0.0.1", extract=hedged), [first], actor="bench")
print(done.count("changed"), done.count("added"), done.count("withdrawn"))
"""


def reextracted(ledger: Path, base: float, args, row) -> None:
    """One source re-extracted: the catch-up, and warm ``assertions --json`` from the store vs a fold."""
    out = subprocess.run([sys.executable, "-c", REEXTRACT, str(ledger)], check=True, capture_output=True, env=env())
    changed, added, withdrawn = out.stdout.split()
    before = store_head(ledger)
    catch = run(factledger(ledger, "sources", "--json"))
    after = store_head(ledger)
    print(f"# re-extracted one source: {changed.decode()} changed (supersedes), {added.decode()} added, "
          f"{withdrawn.decode()} withdrawn")
    row("catch-up after the re-extraction: sources", *catch, base)
    print(f"#   the store read events {before[0] + 1:,}..{after[0]:,} ({after[0] - before[0]:,} events); "
          f"the log has {after[0]:,}")
    view = ["assertions", "--json"]
    warm = best(factledger(ledger, *view), args.repeat)
    row("reextracted: assertions --json (store)", *warm, base)
    nocache = run(factledger(ledger, *view, "--no-cache"))
    row("reextracted: assertions --json --no-cache", *nocache, base)
    print(f"#   store vs --no-cache fold: {nocache[1] / warm[1]:.1f}x less CPU")
    if args.against:
        tree = Path(args.against)
        src = tree / "src" if (tree / "src").is_dir() else tree
        theirs = ledger.with_name("against-" + ledger.name)  # its own copy: another store format would rebuild ours
        shutil.copyfile(ledger, theirs)
        shutil.rmtree(theirs.with_name(theirs.name + ".cache"), ignore_errors=True)
        run(factledger(theirs, *view), src)  # its caches warm, as ours are
        old = best(factledger(theirs, *view), args.repeat, src)
        row(f"reextracted: assertions --json ({tree.name})", *old, base)
        print(f"#   store vs {tree.name}: {old[1] / warm[1]:.1f}x less CPU")


if __name__ == "__main__":
    main()
