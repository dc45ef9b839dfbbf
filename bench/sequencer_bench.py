"""The sequencer alone, in CPU time: what recording costs per article once workers have
sent their bytes, optionally against another source tree in the same run.

    PYTHONPATH=src python3 bench/sequencer_bench.py [--sources 3000] [--rounds 3] [--against DIR]

Workers are simulated: 200 generated ~4 KB articles are read, extracted and encoded once
here (``ledger.ingest.prepare_encoded``, what a worker returns), then ``--sources`` of them
(renamed as ``scale_bench.renamed`` does: each its own source) are recorded into a fresh
ledger with group commit and fsync on, ``--rounds`` times; the best CPU time (user + system
of this process) per article is printed. With ``--against DIR``, the same blobs are
recorded by the tree in ``DIR/src`` in a subprocess, alternating with this tree round by
round, so both see the same machine load (the machine is shared: read the ratio). Not a test.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(blob_file: str, rounds: int) -> float:
    """Best CPU seconds per source of recording the pickled blobs (runs in the tree on sys.path)."""
    from ledger.ingest import Ingestor, ReadOptions, decode
    from ledger.log import LogStore

    blobs = pickle.loads(Path(blob_file).read_bytes())
    best = float("inf")
    with tempfile.TemporaryDirectory(prefix="factledger-seq-") as tmp:
        for r in range(rounds):
            ledger = Path(tmp) / f"{r}.jsonl"
            ing = Ingestor(LogStore(ledger), None)
            c0 = time.process_time()
            for _ in ing.append_many([], ReadOptions(), stream=((decode(b), True) for b in blobs)):
                pass
            best = min(best, time.process_time() - c0)
            ledger.unlink()
    return best / len(blobs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--against", help="another checkout: its src/ is measured in a subprocess, alternately")
    ap.add_argument("--measure", help=argparse.SUPPRESS)  # internal: the subprocess's side
    args = ap.parse_args()
    if args.measure:
        print(measure(args.measure, args.rounds))
        return
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.path.insert(0, str(HERE))
    from extract_bench import make_articles
    from scale_bench import renamed

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
        blob_file = Path(tmp) / "blobs.pickle"
        blob_file.write_bytes(pickle.dumps([renamed(captured[i % len(captured)], i) for i in range(args.sources)]))
        print(f"{args.sources} sources of ~{sum(map(len, captured)) / len(captured) / 1024:.1f} KB each; "
              f"load average {os.getloadavg()[0]:.1f} at the start ({os.cpu_count()} cores, shared)")
        mine: list[float] = []
        other: list[float] = []
        for _ in range(args.rounds):
            mine.append(measure(str(blob_file), 1))
            if args.against:
                env = {**os.environ, "PYTHONPATH": str(Path(args.against).resolve() / "src")}
                out = subprocess.run([sys.executable, __file__, "--measure", str(blob_file), "--rounds", "1"],
                                     env=env, capture_output=True, text=True, check=True)
                other.append(float(out.stdout.strip()))
        best = min(mine)
        print(f"this tree:    {1000 * best:.3f} ms CPU per article, {1 / best:,.0f} articles per CPU second")
        if other:
            theirs = min(other)
            print(f"{args.against}: {1000 * theirs:.3f} ms CPU per article, {1 / theirs:,.0f} articles per CPU second")
            print(f"this tree costs {best / theirs:.2f}x the other's CPU per article")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
