"""Benchmark: exporters stream, so peak memory stays flat as the ledger grows.

    python bench/export_bench.py [--sizes 100000,1000000] [--formats csv,jsonld] [--dir DIR] [--keep]
    (--dir is created if missing; with --keep a ledger already there is reused)
                                 [--compare OTHER_SRC] [--warm] [--store] [--repeat N]

For each size it builds a synthetic ledger of ``AssertionRecorded`` events spread over a
few sources, then, each in a fresh process so peak RSS is that export's alone:

* baseline: a raw line copy of the ledger to ``/dev/null`` (``for line in f: out.write(line)``,
  nothing parsed): the floor any export sits on. (It used to parse every line, which made the
  exports look 4-5x the baseline when they were ~20x a copy.)
* each format: ``factledger export FORMAT --view assertions`` to ``/dev/null`` through
  the same code path as the CLI (``make_context`` + ``export_to_stream``).

It prints wall and CPU time and peak RSS per run (``--repeat N``, default 3: the run with the
least CPU time of N, and the highest peak RSS of the N), the CPU-time ratio to the baseline of
the same size (CPU time: wall time swings on a shared machine), and the RSS ratio of the
largest size to the smallest: about 1.0 means memory does not grow with the number of
assertions. Ratios, not absolute numbers, are what to compare.

Every export runs with the catalog cache removed first (the cold, worst case); ``--warm``
adds a run with the cache the cold run left. ``--store`` builds the projection store once
(``factledger sources``, timed on its own row) and keeps it: each format then runs as it does
after any view has been run on the ledger (the CSV and JSON-LD assertions read the store's per-row CSV and JSON-LD
text, not the log). ``--compare OTHER_SRC`` also runs each
format with ``PYTHONPATH=OTHER_SRC`` (the ``src`` folder of another checkout, e.g. a
``git archive`` of the commit before a change) on the same ledger, interleaved with this
checkout's runs, and prints the speedup (other CPU time / this CPU time).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ledger.events import AssertionRecorded, SourceAppended, Value
from ledger.extractors import anchor
from ledger.log import LogStore

SOURCES = 20
BATCH = 5000
WORDS = "the council said bridge engineers found cracks girders monday vehicles mayor repairs cost euros".split()


def build(path: Path, size: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    store = LogStore(path, fsync=False)
    sources = []
    for n in range(SOURCES):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(8)).capitalize() + f" {rng.randint(2, 9999)} times." for _ in range(200)]
        text = " ".join(sentences)
        spans, pos = [], 0
        for s in sentences:
            spans.append((pos, pos + len(s)))
            pos += len(s) + 1
        digest = hashlib.sha256(text.encode()).hexdigest()
        sources.append((SourceAppended(
            source_id=f"src-{n:016x}", version=1, uri=f"https://news.example/{n}", title=f"Article {n}",
            outlet="Example Gazette", authors=(), published="2026-03-18", retrieved=None, media_type="text/plain",
            raw_sha256=digest, text_sha256=digest, text=text), spans))
    made = 0
    while made < size:
        n = min(BATCH, size - made)
        batch: list = [s for s, _ in sources] if made == 0 else []
        for i in range(made, made + n):
            src, spans = sources[i % SOURCES]
            start, end = spans[rng.randrange(len(spans))]
            batch.append(AssertionRecorded(
                assertion_id=f"as-{i:016x}", source_id=src.source_id, version=1, selector=anchor(src.text, start, end),
                kind="statement", speaker="Ilona Varga" if i % 3 == 0 else None, speaker_cue="said" if i % 3 == 0 else None,
                modality="asserted", modality_cue=None,
                values=(Value(type="quantity", text=src.text[start:start + 2], start=start, end=start + 2, value="12"),),
                entities=(), extractor="bench", extractor_version="1"))
        store.append(batch, actor="bench@factledger")
        made += n


CHILD = r"""
import resource, sys, time
from ledger import plugins
from ledger.exporters import export_to_stream, make_context
from ledger.log import LogStore
path, fmt = sys.argv[1], sys.argv[2]
store = LogStore(path)
t0, c0 = time.perf_counter(), time.process_time()
with open("/dev/null", "wb") as out:
    if fmt == "baseline":
        with open(path, "rb") as f:
            for line in f:
                out.write(line)
    else:
        plugins.load_plugins()
        spec = plugins.get_exporter(fmt)
        view = "assertions" if "assertions" in spec.views else spec.views[0]
        export_to_stream(spec, make_context(store, spec, view=view), out)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
# VmHWM (peak resident set) from /proc: ru_maxrss is not reliable in every container.
hwm = next((int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")), None)
print(seconds, cpu, (hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024)
"""


KEEP_STORE = False
"""``--store``: never remove the cache folder (it holds the projection store built once)."""
REPEAT = 3
"""``--repeat``: runs per measurement; the least CPU time is kept (the machine may be shared)."""


def run(path: Path, fmt: str, src: str | None = None, *, cold: bool = True) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of the run with the least CPU time of ``REPEAT``, each
    in a fresh process (peak RSS: the highest of them)."""
    runs = [_run_once(path, fmt, src, cold=cold) for _ in range(REPEAT)]
    best = min(runs, key=lambda r: r[1])
    return best[0], best[1], max(r[2] for r in runs)


def _run_once(path: Path, fmt: str, src: str | None, *, cold: bool) -> tuple[float, float, float]:
    if cold and not KEEP_STORE:
        shutil.rmtree(path.with_name(path.name + ".cache"), ignore_errors=True)
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    result = subprocess.run([sys.executable, "-c", CHILD, str(path), fmt], capture_output=True, text=True, check=True, env=env)
    seconds, cpu, rss = result.stdout.split()
    return float(seconds), float(cpu), float(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--formats", default="csv,jsonld")
    parser.add_argument("--dir")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--compare", metavar="OTHER_SRC", help="also run each format with PYTHONPATH=OTHER_SRC")
    parser.add_argument("--warm", action="store_true", help="also run each format with the catalog cache in place")
    parser.add_argument("--store", action="store_true", help="build the projection store once and export from it")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, least CPU time kept")
    args = parser.parse_args()
    global KEEP_STORE, REPEAT
    KEEP_STORE, REPEAT = args.store, max(1, args.repeat)
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    folder = Path(args.dir or tempfile.mkdtemp(prefix="export-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rss: dict[str, list[float]] = {f: [] for f in ["baseline", *formats]}
    print(f"{'assertions':>11} {'run':>12} {'wall s':>8} {'CPU s':>8} {'x baseline':>10} {'peak RSS MB':>12} {'speedup':>8}")

    def row(size: int, label: str, wall: float, cpu: float, peak: float, base_cpu: float, speedup: str = "") -> None:
        print(f"{size:>11,} {label:>12} {wall:>8.2f} {cpu:>8.2f} {cpu / base_cpu:>10.2f} {peak:>12.1f} {speedup:>8}", flush=True)

    try:
        for size in sizes:
            path = folder / f"ledger-{size}.jsonl"
            if args.keep and path.exists():
                print(f"# reusing {path} ({path.stat().st_size / 1e6:,.0f} MB)", flush=True)
            else:
                t0 = time.perf_counter()
                path.unlink(missing_ok=True)
                build(path, size)
                print(f"# built {size:,} assertions ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - t0:.0f}s", flush=True)
            base_s, base_cpu, base_rss = run(path, "baseline")
            rss["baseline"].append(base_rss)
            row(size, "baseline", base_s, base_cpu, base_rss, base_cpu)
            if args.store:
                shutil.rmtree(path.with_name(path.name + ".cache"), ignore_errors=True)
                t0, usage0 = time.perf_counter(), os.times()
                subprocess.run([sys.executable, "-m", "ledger", "--ledger", str(path), "sources"], check=True,
                               stdout=subprocess.DEVNULL)
                usage1 = os.times()
                build_cpu = (usage1.children_user - usage0.children_user) + (usage1.children_system - usage0.children_system)
                row(size, "store build", time.perf_counter() - t0, build_cpu, float("nan"), base_cpu)
            for fmt in formats:
                other = run(path, fmt, args.compare) if args.compare else None
                seconds, cpu, peak = run(path, fmt)
                rss[fmt].append(peak)
                if other is not None:
                    row(size, f"{fmt}@compare", *other, base_cpu)
                row(size, fmt, seconds, cpu, peak, base_cpu, f"{other[1] / cpu:.2f}x" if other else "")
                if args.warm:
                    row(size, f"{fmt} warm", *run(path, fmt, cold=False), base_cpu)
            if not args.keep:
                shutil.rmtree(path.with_name(path.name + ".cache"), ignore_errors=True)
                path.unlink()
        if len(sizes) > 1:
            print(f"# peak RSS at {sizes[-1]:,} / at {sizes[0]:,} (1.0 = flat):")
            for fmt, values in rss.items():
                print(f"#   {fmt:<9} {values[-1] / values[0]:.2f}")
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
