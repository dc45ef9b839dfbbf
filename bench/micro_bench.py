"""The small figures quoted in code comments, each against its baseline in the same process.

    PYTHONPATH=src python bench/micro_bench.py [--repeat 5]

Prints, best of ``--repeat`` CPU-time runs, the ratio baseline / ours for:

* ``segment``: ``segment.TERM_RE`` (opens with one character class) vs the same terminators
  written as an opening alternation, scanning extract_bench's realistic articles;
* ``modality``: ``modality.NEG_RE`` (no leading ``\\b``) vs the same pattern with it;
* ``sha256``: ``blank.copy().update(line)`` (audit._replay) vs ``hashlib.sha256(line)``, per line;
* ``writev``: ``os.writev`` of a 1 MB batch of 1,000-byte lines (log._write_all) vs joining it
  first and writing once, per event.

Numbers depend on the machine and its load; the comments quote what one run printed. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def report(name: str, ours: float, base: float, per: int, unit: str) -> None:
    print(f"{name:9} ours {ours / per * 1e6:8.3f} us/{unit}  baseline {base / per * 1e6:8.3f} us/{unit}  "
          f"baseline/ours {base / ours:5.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from extract_bench import make_articles  # the same generated news-like texts (realistic set)

    from ledger.extractors.rules import modality, segment

    texts = make_articles(200)
    size = sum(map(len, texts))

    alternation = re.compile(r"(?:[.!?…]+|[。！？]+)[\"'”’)\]»]*")
    report("segment", best(lambda: [list(segment.TERM_RE.finditer(t)) for t in texts], args.repeat),
           best(lambda: [list(alternation.finditer(t)) for t in texts], args.repeat), size // 1000, "KB")

    bounded = re.compile(r"\b" + modality.NEG_RE.pattern)
    report("modality", best(lambda: [list(modality.NEG_RE.finditer(t)) for t in texts], args.repeat),
           best(lambda: [list(bounded.finditer(t)) for t in texts], args.repeat), size // 1000, "KB")

    lines = [os.urandom(500).hex().encode() for _ in range(20_000)]
    blank = hashlib.sha256()

    def copied():
        for line in lines:
            d = blank.copy()
            d.update(line)
            d.digest()

    def fresh():
        for line in lines:
            hashlib.sha256(line).digest()

    report("sha256", best(copied, args.repeat), best(fresh, args.repeat), len(lines), "line")

    batch = [os.urandom(500).hex().encode()[:999] + b"\n" for _ in range(1000)]
    with tempfile.TemporaryDirectory() as d:
        fd = os.open(os.path.join(d, "x"), os.O_WRONLY | os.O_CREAT)

        def vec():
            for _ in range(20):
                os.lseek(fd, 0, 0)
                os.writev(fd, batch)

        def joined():
            for _ in range(20):
                os.lseek(fd, 0, 0)
                os.write(fd, b"".join(batch))

        ours, base = best(vec, args.repeat), best(joined, args.repeat)
        os.close(fd)
    report("writev", ours, base, 20 * len(batch), "event")


if __name__ == "__main__":
    main()
