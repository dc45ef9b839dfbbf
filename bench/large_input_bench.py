"""How one large input scales: CPU seconds and peak memory per MB at two sizes, and their ratio.

For each shape (many paragraphs; one single line with no line break) and each size, a
fresh child process generates the text (the generator of ``extract_bench.py``), then reads,
extracts and appends it as one source (``Ingestor.append_many`` into a new ledger, no
fsync), and reports its CPU time and peak RSS. The parent prints CPU s/MB and RSS MB/MB
for the small and the large size and the ratio large/small: ~1.0 is linear, 2.0 at a
4x size step would be quadratic. Not a test; the machine may be shared, so it takes the
best of ``--repeat`` runs.

    python3 bench/large_input_bench.py [--small 2.5] [--large 10] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r}); sys.path.insert(0, {bench!r})
from pathlib import Path
from extract_bench import make_articles
from ledger import plugins
from ledger.ingest import Ingestor, ReadOptions, Failed
from ledger.log import LogStore
from ledger.sources.collect import Input

shape, mb, folder = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
n = int(mb * 2**20)
arts = make_articles(n // 4096 + 1)
if shape == "line":
    text = " ".join(a.replace("\n", " ") for a in arts)[:n]
else:
    text = "\n\n".join(arts)[:n]
path = folder / f"{{shape}}-{{mb}}.txt"
path.write_text(text)
plugins.load_plugins()
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.process_time()
ing = Ingestor(LogStore(folder / f"{{shape}}-{{mb}}.jsonl", fsync=False), plugins.get_extractor("rules"))
[out] = ing.append_many([Input(str(path), "file")], ReadOptions(max_bytes=2**30))
cpu = time.process_time() - t0
assert not isinstance(out, Failed), out
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"cpu": cpu, "rss_mb": rss / 1024, "rss0_mb": rss0 / 1024, "mb": len(text.encode()) / 2**20,
                  "assertions": sum(out.counts.values()), "ledger_mb": (folder / f"{{shape}}-{{mb}}.jsonl").stat().st_size / 2**20}}))
"""


def run(shape: str, mb: float, folder: Path, repeat: int) -> dict:
    code = CHILD.format(src=str(HERE.parent / "src"), bench=str(HERE))
    best = None
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", code, shape, str(mb), str(folder)], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{shape} {mb} MB failed:\n{done.stderr[-3000:]}")
        got = json.loads(done.stdout.strip().splitlines()[-1])
        if best is None or got["cpu"] < best["cpu"]:
            best = got
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", type=float, default=2.5, help="MB of the small input (default 2.5)")
    ap.add_argument("--large", type=float, default=10.0, help="MB of the large input (default 10)")
    ap.add_argument("--repeat", type=int, default=2, help="runs per point; the best CPU time is kept")
    args = ap.parse_args()
    print(f"append of one generated source, CPU time and peak RSS in a fresh process (best of {args.repeat})")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in ("paragraphs", "line"):
            small = run(shape, args.small, Path(tmp), args.repeat)
            large = run(shape, args.large, Path(tmp), args.repeat)
            for label, r in (("small", small), ("large", large)):
                print(
                    f"  {shape:<10} {r['mb']:6.2f} MB: {r['cpu']:7.2f} s CPU = {r['cpu'] / r['mb']:.3f} s/MB; "
                    f"peak RSS {r['rss_mb']:6.0f} MB (+{(r['rss_mb'] - r['rss0_mb']) / r['mb']:.0f} MB per input MB); "
                    f"{r['assertions']:,} assertions, ledger {r['ledger_mb']:.1f} MB"
                )
            cpu_ratio = (large["cpu"] / large["mb"]) / (small["cpu"] / small["mb"])
            mem_ratio = ((large["rss_mb"] - large["rss0_mb"]) / large["mb"]) / ((small["rss_mb"] - small["rss0_mb"]) / small["mb"])
            print(f"  {shape:<10} per-MB ratio large/small: CPU {cpu_ratio:.2f}, memory {mem_ratio:.2f} (1.0 = linear)")


if __name__ == "__main__":
    main()
