"""The sequencer alone: what recording costs per article once workers have sent their
bytes, in a process of its own, optionally against another source tree in the same run.

    PYTHONPATH=src python3 bench/sequencer_bench.py [--sources 3000] [--rounds 3] [--against DIR]

Workers are simulated: 200 generated ~4 KB articles are read, extracted and encoded once
here (``ledger.ingest.prepare_encoded``, what a worker returns), then ``--sources`` of them
(renamed by ``scale_bench.Renamer``: each its own source, with derived ids) are recorded
into a fresh ledger with group commit and fsync on, ``--rounds`` times; the best CPU time
(user + system) and wall time per article are printed.

"The sequencer alone" is measured the same way here and in ``scale_bench.py``: by
:func:`record` in a child process that does nothing else (no Dask scheduler or client
threads in it, no extraction before it), timed from the first result decoded to the last
fsync. With ``--against DIR``, the same blobs are recorded by the tree in ``DIR/src`` in
another child, alternating with this tree's round by round, so both see the same machine
load (the machine is shared: read the ratio). Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

TARGET = 5_000
"""Articles/s the sequencer alone must record with group commit (#14): what a 100-worker
cluster would need. Both rates are printed against it: articles per second of wall time
(fsyncs included) and per CPU-second (what a shared machine measures best)."""


def against_target(r: dict) -> str:
    """One :func:`record` result as articles/s wall and per CPU-second, each against :data:`TARGET`."""
    n = r["n"]
    wall, cpu = n / r["wall"], n / r["cpu"]
    return (f"{wall:,.0f} articles/s wall ({r['events'] / r['wall']:,.0f} events/s) = {wall / TARGET:.2f}x the target "
            f"of {TARGET:,}/s; {cpu:,.0f} articles per CPU-second = {cpu / TARGET:.2f}x "
            f"({1000 * r['cpu'] / n:.3f} ms CPU, {1000 * r['wall'] / n:.3f} ms wall per article, of which "
            f"{1000 * r.get('fsync', 0) / n:.3f} ms in fsync)")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def record(blobs, ledger: Path, *, group_max: int = 0, every: int = 0) -> dict:
    """Record the worker results ``blobs`` (an iterable of bytes) into a fresh ``ledger`` with
    the tree on ``sys.path``; what it cost. ``group_max``: sources per group commit (0: the
    default). ``every``: sample the RSS every that many sources."""
    from ledger import ingest
    from ledger.ingest import Ingestor, ReadOptions, decode
    from ledger.log import LogStore

    if group_max:
        ingest.GROUP_MAX = group_max
    waited = [0.0]  # wall seconds inside fsync: the part of the wall time that waits for the disk
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        t = time.perf_counter()
        real_fsync(fd)
        waited[0] += time.perf_counter() - t

    os.fsync = fsync  # this child only records: nothing else of it fsyncs
    ing = Ingestor(LogStore(ledger), None)
    samples = []
    n = 0
    c0, t0 = time.process_time(), time.perf_counter()
    for outcome in ing.append_many([], ReadOptions(), stream=((decode(b), True) for b in blobs)):
        if isinstance(outcome, ingest.Failed):
            sys.exit(outcome.message)
        n += 1
        if every and n % every == 0:
            samples.append((n, round(rss_mb())))
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    os.fsync = real_fsync
    with open(ledger, "rb") as f:
        events = sum(1 for _ in f)
    return {"n": n, "cpu": cpu, "wall": wall, "events": events, "bytes": ledger.stat().st_size, "rss": samples,
            "fsync": waited[0]}


def _as_this_tree_reads(blobs: list[bytes]) -> list[bytes]:
    """The blobs as the tree on ``sys.path`` reads them: a tree before packed assertion ids
    (header ``ids``, see ``ingest.encode``) gets them listed (``assertion_ids``), as its
    workers sent them. Done before the timing."""
    from ledger.ingest import decode

    try:
        decode(blobs[0])
        return blobs
    except KeyError:
        out = []
        for blob in blobs:
            header, rest = blob.split(b"\n", 1)
            meta = json.loads(header)
            h = meta.pop("ids")
            meta["assertion_ids"] = ["as-" + h[i : i + 16] for i in range(0, len(h), 16)]
            out.append(json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" + rest)
        return out


def _child(args: argparse.Namespace) -> None:
    """The child's side: record, print the figures as JSON."""
    sys.path.insert(0, str(HERE))
    best = None
    with tempfile.TemporaryDirectory(prefix="factledger-seq-", dir=args.dir) as tmp:
        for r in range(args.rounds):
            if args.captured:  # renamed here, as they are recorded (the CPU includes it)
                from scale_bench import Renamer

                renamers = [Renamer(b) for b in pickle.loads(Path(args.captured).read_bytes())]
                blobs = (renamers[i % len(renamers)](args.offset + i) for i in range(args.count))
            else:
                blobs = _as_this_tree_reads(pickle.loads(Path(args.measure).read_bytes()))
            ledger = Path(tmp) / f"{r}.jsonl"
            got = record(blobs, ledger, group_max=args.group_max, every=args.every)
            ledger.unlink()
            if best is None or got["cpu"] < best["cpu"]:
                best = got
    print(json.dumps(best))


def in_child(tree: Path, *, blobs: Path | None = None, captured: Path | None = None, count: int = 0, offset: int = 0,
             rounds: int = 1, group_max: int = 0, every: int = 0, tmp: str | None = None) -> dict:
    """:func:`record` run by the tree ``tree`` (its ``src``) in a child process: either the
    pickled list of blobs in ``blobs`` or ``count`` renamings of the pickled ``captured``
    ones, made as they are recorded. Best of ``rounds`` by CPU time."""
    env = {**os.environ, "PYTHONPATH": str(Path(tree).resolve() / "src")}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--rounds", str(rounds), "--group-max", str(group_max),
           "--every", str(every)]
    if tmp:
        cmd += ["--dir", tmp]
    cmd += ["--measure", str(blobs)] if blobs else ["--captured", str(captured), "--count", str(count),
                                                    "--offset", str(offset), "--measure", "-"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"sequencer child ({tree}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--against", help="another checkout: its src/ is measured in a child too, alternately")
    ap.add_argument("--measure", help=argparse.SUPPRESS)  # internal: the child's side
    ap.add_argument("--captured", help=argparse.SUPPRESS)
    ap.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--offset", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--group-max", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--every", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        _child(args)
        return
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.path.insert(0, str(HERE))
    from extract_bench import make_articles
    from scale_bench import Renamer

    from ledger import plugins
    from ledger.ingest import ReadOptions, prepare_encoded
    from ledger.sources.collect import Input

    spec = plugins.get_extractor("rules")
    with tempfile.TemporaryDirectory(prefix="factledger-seq-") as tmp:
        inputs = []
        for i, text in enumerate(make_articles(200)):
            p = Path(tmp) / f"{i:03d}.txt"
            p.write_text(text, encoding="utf-8")
            inputs.append(Input(str(p), "file"))
        captured = prepare_encoded(inputs, ReadOptions(), spec)
        renamers = [Renamer(b) for b in captured]
        blobs = [renamers[i % len(renamers)](i) for i in range(args.sources)]
        blob_file = Path(tmp) / "blobs.pickle"
        blob_file.write_bytes(pickle.dumps(blobs))
        print(f"{args.sources} sources of ~{sum(map(len, blobs)) / len(blobs) / 1024:.1f} KB each (worker results); "
              f"load average {os.getloadavg()[0]:.1f} at the start ({os.cpu_count()} cores, shared)")
        trees = [("this tree", HERE.parent)] + ([(args.against, Path(args.against))] if args.against else [])
        results: dict[str, list[dict]] = {label: [] for label, _ in trees}
        for _ in range(args.rounds):
            for label, tree in trees:
                results[label].append(in_child(tree, blobs=blob_file, tmp=tmp))
        best = {label: min(rs, key=lambda r: r["cpu"]) for label, rs in results.items()}
        for label, r in best.items():
            n = r["n"]
            print(f"{label}: {against_target(r)}; {r['events'] / n:.1f} events and {r['bytes'] / n / 1024:.1f} KB "
                  f"per article (best of {args.rounds} by CPU)")
            fastest = min(results[label], key=lambda x: x["wall"])
            print(f"  {'':<{len(label)}}fastest by wall: {n / fastest['wall']:,.0f} articles/s")
        if args.against:
            mine, theirs = best["this tree"], best[args.against]
            print(f"this tree costs {mine['cpu'] / theirs['cpu']:.2f}x the other's CPU per article "
                  f"(wall {mine['wall'] / theirs['wall']:.2f}x), best of {args.rounds} alternating rounds")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
