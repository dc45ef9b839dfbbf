"""Task size on a cluster: ``--cluster local:2`` append with tasks of at most N inputs, alternated.

    PYTHONPATH=src python3 bench/cluster_chunk_bench.py [--articles 2000] [--chunks 32,128] [--rounds 2]

One LocalCluster (as ``--cluster local:2`` makes it) records the same generated ~4 KB articles
(``extract_bench.make_articles``) into fresh ledgers, once per maximum task size per round, the
sizes alternating so each sees the same machine load. Per run it prints articles/s (wall), this
process's CPU ms per article (sequencer, Dask client and scheduler) and the workers' CPU ms per
article (``scale_bench.workers_cpu``). A Dask task costs CPU on both sides whatever its size: the
rows show how much. Not a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--chunks", default="32,128")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    import distributed
    import scale_bench
    from extract_bench import make_articles

    from ledger import plugins
    from ledger.cluster import cluster_stream, local_cluster
    from ledger.ingest import Ingestor, ReadOptions
    from ledger.log import LogStore
    from ledger.sources.collect import collect

    spec = plugins.get_extractor("rules")
    texts = make_articles(args.articles)
    n = len(texts)
    with tempfile.TemporaryDirectory(prefix="factledger-chunks-") as tmp:
        root = Path(tmp)
        folder = root / "in"
        folder.mkdir()
        for i, text in enumerate(texts):
            (folder / f"{i:05d}.txt").write_text(text, encoding="utf-8")
        inputs = collect([str(folder)])
        cluster = local_cluster(2)
        client = distributed.Client(cluster)
        try:
            for _ in range(args.rounds):
                for size in (int(c) for c in args.chunks.split(",")):
                    ledger = root / f"{size}.jsonl"
                    w0, c0, k0 = time.perf_counter(), time.process_time(), scale_bench.workers_cpu(client)
                    stream = cluster_stream(client, inputs, ReadOptions(), spec, chunk_size=size)
                    for _ in Ingestor(LogStore(ledger), spec).append_many([], ReadOptions(), stream=stream):
                        pass
                    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                    workers = scale_bench.workers_cpu(client) - k0
                    print(f"tasks of <= {size:4d}: {n / wall:5.0f} articles/s  this process {1000 * cpu / n:.3f} ms/a  "
                          f"workers {1000 * workers / n:.3f} ms/a", flush=True)
                    ledger.unlink()
        finally:
            client.close()
            cluster.close()


if __name__ == "__main__":
    main()
