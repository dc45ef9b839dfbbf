"""What appending costs on top of extraction: ``factledger append FOLDER`` with --jobs 1 and 2.

Writes N generated ~4 KB articles (the generator of ``extract_bench.py``) as .txt files
to a temporary folder, then measures in this one process, on the same texts:

* the extractor alone (``rules`` ``extract(text, info)`` in a loop, one core);
* ``factledger append FOLDER --jobs 1`` into a fresh ledger (a subprocess, as a user runs it);
* ``factledger append FOLDER --jobs 2`` into another fresh ledger.

It prints articles/s, wall and CPU time (the command and its workers) for each, and the
ratios to the extractor alone, so the overhead of reading, hashing, the log and the CLI
is visible. Both appends use the same fsync setting (group commit: one fsync per group of
sources, the default, unless ``--no-fsync``). Not a test.

    python3 bench/ingest_bench.py [--articles 10000] [--no-fsync]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from extract_bench import make_articles  # noqa: E402

from ledger import plugins  # noqa: E402
from ledger.extractors import SourceInfo  # noqa: E402


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process and its children so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_append(folder: Path, ledger: Path, jobs: int, fsync: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its workers)."""
    cmd = [sys.executable, "-m", "ledger", "--ledger", str(ledger), "append", str(folder), "--jobs", str(jobs)]
    if not fsync:
        cmd.append("--no-fsync")
    cpu0 = children_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    cpu = children_cpu() - cpu0
    if done.returncode != 0:
        sys.exit(f"append --jobs {jobs} failed:\n{done.stderr[-2000:]}")
    summary = done.stdout.strip().splitlines()[-1]
    print(f"  --jobs {jobs}: {summary}")
    return elapsed, cpu


def strip_clock(path: Path) -> list[bytes]:
    import orjson

    out = []
    for line in path.read_bytes().splitlines():
        e = orjson.loads(line)
        for key in ("at", "id", "hash", "prev"):
            e.pop(key)
        out.append(orjson.dumps(e, option=orjson.OPT_SORT_KEYS))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--no-fsync", action="store_true", help="pass --no-fsync to both appends")
    args = ap.parse_args()
    fsync = not args.no_fsync
    texts = make_articles(args.articles)
    spec = plugins.get_extractor("rules")
    with tempfile.TemporaryDirectory(prefix="factledger-bench-") as tmp:
        root = Path(tmp)
        folder = root / "articles"
        folder.mkdir()
        for i, text in enumerate(texts):
            (folder / f"{i:05d}.txt").write_text(text, encoding="utf-8")
        n = len(texts)
        kb = sum(len(t.encode()) for t in texts) / n / 1024
        print(f"{n} generated articles, mean {kb:.1f} KB, {os.cpu_count()} cores, fsync {'on' if fsync else 'off'} for both appends")

        info = SourceInfo(published="2017-11-22")
        spec.extract(texts[0], info)  # warm caches
        c0, t0 = time.process_time(), time.perf_counter()
        for text in texts:
            list(spec.extract(text, info))
        t_extract, c_extract = time.perf_counter() - t0, time.process_time() - c0

        t1, c1 = run_append(folder, root / "one.jsonl", 1, fsync)
        t2, c2 = run_append(folder, root / "two.jsonl", 2, fsync)
        same = strip_clock(root / "one.jsonl") == strip_clock(root / "two.jsonl")
        size = (root / "one.jsonl").stat().st_size / 1e6

    print(f"{'':<34} {'articles/s':>11} {'wall s':>8} {'CPU s':>8} {'CPU ms/art':>11} {'vs extractor (wall)':>20}")
    for label, t, c in (
        ("extractor alone (rules, 1 core)", t_extract, c_extract),
        ("append --jobs 1 (CLI + log)", t1, c1),
        ("append --jobs 2 (CLI + log)", t2, c2),
    ):
        print(f"{label:<34} {n / t:>11.0f} {t:>8.2f} {c:>8.2f} {1000 * c / n:>11.2f} {t_extract / t:>19.2f}x")
    print(f"--jobs 2 is {t1 / t2:.2f}x --jobs 1 (wall); ledger {size:.1f} MB; logs identical apart from times: {same}")
    print(f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other processes share them)")


if __name__ == "__main__":
    main()
