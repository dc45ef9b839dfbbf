"""Past one machine (#14): distributed append, the sequencer alone, verify on a cluster.

    PYTHONPATH=src python3 bench/scale_bench.py [--articles 5000] [--workers 2]
        [--sequencer-articles 100000] [--verify-events 1000000] [--skip-verify]

In this one process, on the same generated ~4 KB articles (``extract_bench.make_articles``),
fsync on (group commit) everywhere:

1. ``append --jobs 1`` (in-process ``Ingestor.append_many``) — the baseline;
2. ``append --jobs 2`` (two local worker processes, for comparison);
3. ``append --cluster local:N``: a Dask ``LocalCluster`` of N worker processes (started
   beforehand; its start-up is printed apart), this process being the sequencer. Its CPU
   time is the sequencer's (recording plus the Dask client), per article;
4. the sequencer alone: the encoded results captured from run 3, renamed into distinct
   sources (:class:`Renamer`), recorded into a fresh ledger by ``sequencer_bench.record``
   in a child process that does nothing else (as ``bench/sequencer_bench.py`` measures it),
   with group commit and, as its baseline, with one fsync per source; then
   ``--sequencer-articles`` sources renamed as they are recorded, to show the sequencer's
   memory stays flat;
5. ``verify`` of a ledger of about ``--verify-events`` events (the captured sources renamed,
   written by the sequencer): one process (``--jobs 1``) against byte ranges checked on the
   LocalCluster's workers (``verify --cluster``).

Prints articles/s, events/s, wall and CPU seconds and the ratios, the ledger size per
million articles, and the client's RSS as the runs progress. The machine is shared:
the load average is printed; read ratios, not absolute rates. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import orjson  # noqa: E402
from extract_bench import make_articles  # noqa: E402
from ingest_bench import strip_clock as stable  # noqa: E402  (the log apart from times, ids and hashes)

from ledger import ingest, plugins  # noqa: E402
from ledger.checks import source_id_for as derive_source_id  # noqa: E402
from ledger.ingest import Encoded, Ingestor, ReadOptions, decode  # noqa: E402
from ledger.log import LogStore  # noqa: E402
from ledger.sources.collect import collect  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class Child:
    """The figures of a :func:`sequencer_bench.in_child` run, as :func:`row` reads them."""

    def __init__(self, figures: dict) -> None:
        self.wall, self.cpu = figures["wall"], figures["cpu"]


class Timed:
    """Wall, process CPU and this thread's CPU (the sequencer's: a LocalCluster's scheduler
    and the Dask client's comms run in other threads of this process)."""

    def __enter__(self):
        self.c0, self.t0, self.th0 = time.process_time(), time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc):
        self.cpu, self.wall = time.process_time() - self.c0, time.perf_counter() - self.t0
        self.thread = time.thread_time() - self.th0


def run(label, ledger: Path, stream_factory, spec, inputs, *, samples=None, every=1000, store=None):
    ing = Ingestor(store or LogStore(ledger), spec)
    n = 0
    with Timed() as t:
        for outcome in ing.append_many(inputs, ReadOptions(), stream=stream_factory()):
            n += 1
            if samples is not None and n % every == 0:
                samples.append((n, round(rss_mb())))
            if isinstance(outcome, ingest.Failed):
                sys.exit(f"{label}: {outcome.message}")
    return n, t


def children_cpu() -> float:
    """CPU seconds of every finished child process so far (a ProcessPoolExecutor's workers
    count once the pool has shut down)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _process_cpu() -> float:
    return time.process_time()


def workers_cpu(client) -> float:
    """CPU seconds the Dask workers' processes have used so far (summed)."""
    return sum(client.run(_process_cpu).values())


def projected(n, main_s, workers_s, k, cores):
    """Articles/s this split of work would give on ``cores`` idle cores: limited by the
    one main process (``main_s`` CPU seconds), by ``k`` workers sharing ``workers_s``, and by
    all the CPU over the cores. An estimate from CPU times, not a measurement."""
    limits = [main_s / n, (main_s + workers_s) / n / cores]
    if k:
        limits.append(workers_s / n / min(k, cores))
    return 1 / max(limits)


def row(label, n, t, events=None, base=None):
    rate = n / t.wall
    extra = f" {events / t.wall:>10,.0f}" if events else f" {'':>10}"
    ratio = f" {base / t.wall:>7.2f}x" if base else ""
    print(f"{label:<46} {rate:>9,.0f} {extra} {t.wall:>8.2f} {t.cpu:>8.2f} {1000 * t.cpu / n:>8.3f}{ratio}")


class Renamer:
    """A captured worker result (:func:`ledger.ingest.encode`'s bytes) made into as many
    different sources as asked: ``renamer(i)`` is the same text under a URI of its own
    (``https://bench.example/<i>``; the source id is derived from it, as the sequencer and
    ``verify`` require), a raw hash of its own (so the sequencer sees new content), and
    assertion ids derived from the new source id, each quote and its occurrence, as
    ``verify`` recomputes them by default: what a cluster of many workers would send.
    (The bench's inputs are .txt files: their sources have no URI.) The blob is parsed once
    here; each renaming costs a sha256 per assertion and a few byte replacements."""

    def __init__(self, blob: bytes) -> None:
        from collections import Counter

        header, *lines = blob.split(b"\n")
        self.meta = orjson.loads(header)
        if "ids" in self.meta:  # the assertion ids' hex digits, packed (ingest.encode)
            h = self.meta.pop("ids")
            self.meta["assertion_ids"] = ["as-" + h[i : i + 16] for i in range(0, len(h), 16)]
        seen: Counter[str] = Counter()
        self.quotes: list[str] = []  # "\x1f<exact>\x1f<occurrence>", what the id hashes after the source id
        for line in lines[1:]:
            exact = orjson.loads(line)["selector"]["exact"]
            self.quotes.append(f"\x1f{exact}\x1f{seen[exact]}")
            seen[exact] += 1
        sid = b'"source_id":"%s"' % self.meta["source_id"].encode()
        # the source line cut where its raw hash, URI and source id go (keys sort raw_sha256, ..., source_id, ..., uri)
        head, rest = lines[0].split(b'"raw_sha256":"%s"' % self.meta["raw_sha256"].encode(), 1)
        middle, rest = rest.split(sid, 1)
        text, tail = rest.rsplit(b'"uri":null', 1)
        self.source_parts = (head, middle, text, tail)
        self.recorded_parts = [line.split(sid, 1) for line in lines[1:]]  # the source id cut out of each assertion

    def __call__(self, i: int) -> bytes:
        meta = self.meta
        uri = f"https://bench.example/{i}"
        new_id = derive_source_id(uri, "")
        new_raw = hashlib.sha256(b"raw%d" % i).hexdigest()
        sid = b'"source_id":"%s"' % new_id.encode()
        prefix = hashlib.sha256(new_id.encode())
        new_aids = []
        for quote in self.quotes:
            h = prefix.copy()
            h.update(quote.encode())
            new_aids.append("as-" + h.hexdigest()[:16])
        head, middle, text, tail = self.source_parts
        lines = [b"".join((head, b'"raw_sha256":"%s"' % new_raw.encode(), middle, sid, text, b'"uri":"%s"' % uri.encode(), tail))]
        for (before, after), old, new in zip(self.recorded_parts, meta["assertion_ids"], new_aids):
            lines.append(b"".join((before.replace(old.encode(), new.encode(), 1), sid, after)))
        header = {**meta, "source_id": new_id, "derived_id": new_id, "raw_sha256": new_raw,
                  "lengths": [len(line) for line in lines]}
        del header["assertion_ids"]
        header["ids"] = "".join(a[3:] for a in new_aids)  # as ingest.encode sends them
        return b"\n".join([orjson.dumps(header), *lines])


def renamed(blob: bytes, i: int) -> bytes:
    """``Renamer(blob)(i)``: one renaming (parse the blob once with :class:`Renamer` for many)."""
    return Renamer(blob)(i)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sequencer-articles", type=int, default=100_000)
    ap.add_argument("--verify-events", type=int, default=1_000_000)
    ap.add_argument("--skip-verify", action="store_true")
    ap.add_argument("--rounds", type=int, default=2, help="verify: best of this many alternating rounds")
    args = ap.parse_args()

    import distributed

    from ledger.cluster import cluster_stream, local_cluster

    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent / "src"), os.environ.get("PYTHONPATH")]))
    spec = plugins.get_extractor("rules")
    texts = make_articles(args.articles)
    n = len(texts)
    print(f"{n} articles of ~{sum(map(len, texts)) / n / 1024:.1f} KB, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at the start (the machine is shared)")
    with tempfile.TemporaryDirectory(prefix="factledger-scale-") as tmp:
        root = Path(tmp)
        folder = root / "in"
        folder.mkdir()
        for i, text in enumerate(texts):
            (folder / f"{i:05d}.txt").write_text(text, encoding="utf-8")
        del texts
        inputs = collect([str(folder)])

        print(f"\n{'':<46} {'arts/s':>9} {'events/s':>10} {'wall s':>8} {'CPU s':>8} {'CPU ms/a':>8} {'ratio':>8}")
        n1, t1 = run("jobs1", root / "one.jsonl", lambda: ingest.ready_stream(inputs, ReadOptions(), spec, jobs=1), spec, inputs)
        events = sum(1 for _ in open(root / "one.jsonl", "rb"))
        row("append --jobs 1 (baseline; CPU: all of it)", n1, t1, events)
        kids = children_cpu()
        n2, t2 = run("jobs2", root / "two.jsonl", lambda: ingest.ready_stream(inputs, ReadOptions(), spec, jobs=2), spec, inputs)
        w2 = children_cpu() - kids
        row("append --jobs 2 (CPU: main process only)", n2, t2, events, t1.wall)

        with Timed() as start:
            cluster = local_cluster(args.workers)  # as `--cluster local:N` makes it
            client = distributed.Client(cluster)
        captured: list[bytes] = []
        samples: list[tuple[int, int]] = []

        def captured_stream():
            for item, more in cluster_stream(client, inputs, ReadOptions(), spec):
                if isinstance(item, Encoded) and len(captured) < 1000:  # kept for the sequencer-alone rows
                    captured.append(item.blob)
                yield item, more

        before = workers_cpu(client)
        n3, t3 = run("cluster", root / "three.jsonl", captured_stream, spec, inputs, samples=samples)
        w3 = workers_cpu(client) - before
        row(f"append --cluster local:{args.workers} (CPU: this process)", n3, t3, events, t1.wall)
        print(f"{'  of which the sequencer thread':<46} {'':>9} {'':>10} {'':>8} {t3.thread:>8.2f} {1000 * t3.thread / n3:>8.3f}"
              "   (the rest: the LocalCluster's scheduler and the Dask client, other threads)")
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        print(f"\nCPU ms per article by role, and what that split would give on {cores} idle cores (an estimate):")
        one_rate = projected(n1, t1.cpu, 0.0, 0, cores)
        for label, nn, main_s, work_s, k in (
            ("--jobs 1", n1, t1.cpu, 0.0, 0),
            ("--jobs 2", n2, t2.cpu, w2, 2),
            (f"--cluster local:{args.workers}", n3, t3.cpu, w3, args.workers),
        ):
            rate = projected(nn, main_s, work_s, k, cores)
            print(f"  {label:<20} main {1000 * main_s / nn:6.3f}  workers {1000 * work_s / nn:6.3f}  total "
                  f"{1000 * (main_s + work_s) / nn:6.3f}  -> {rate:6.0f} articles/s, {rate / one_rate:.2f}x --jobs 1")
        same = stable(root / "one.jsonl") == stable(root / "two.jsonl")
        same = same and stable(root / "one.jsonl") == stable(root / "three.jsonl")
        size = (root / "one.jsonl").stat().st_size

        # The sequencer alone, as bench/sequencer_bench.py measures it: in a child process that
        # only records (this one hosts the LocalCluster's scheduler and the Dask client, whose
        # threads would count in its CPU time), from the first result decoded to the last fsync.
        from sequencer_bench import in_child

        renamers = [Renamer(blob) for blob in captured]
        blob_file = root / "blobs.pickle"
        blob_file.write_bytes(pickle.dumps([renamers[i % len(renamers)](i) for i in range(n)]))  # made before the timings
        rounds = max(1, args.rounds)
        r4 = in_child(HERE.parent, blobs=blob_file, rounds=rounds, tmp=tmp)
        n4, t4 = r4["n"], Child(r4)
        row(f"sequencer alone, group commit (best of {rounds})", n4, t4, r4["events"])
        from sequencer_bench import against_target

        print(f"{'  against the target':<46} {against_target(r4)}")
        r5 = in_child(HERE.parent, blobs=blob_file, group_max=1, tmp=tmp)
        row("sequencer alone, one fsync per source", r5["n"], Child(r5), r5["events"], None)
        print(f"group commit: {r5['wall'] / r4['wall']:.2f}x one fsync per source (wall)")
        blob_file.unlink()
        captured_file = root / "captured.pickle"
        captured_file.write_bytes(pickle.dumps(captured))
        for p in ("two.jsonl", "three.jsonl"):
            (root / p).unlink()

        m = args.sequencer_articles
        if m:
            r6 = in_child(HERE.parent, captured=captured_file, count=m, offset=n, every=max(1, m // 10), tmp=tmp)
            row(f"sequencer alone, {m:,} renamed inline", r6["n"], Child(r6), r6["events"])
        print(f"\nLedger: {events:,} events for {n1:,} articles ({events / n1:.1f} per article), {size / 1e6:.1f} MB: "
              f"{size / n1 * 1e6 / 1e9:.1f} GB per million articles; logs identical apart from times: {same}")
        print(f"cluster start-up: {start.wall:.2f} s wall (not in the rows above)")
        print(f"client RSS (MB) during the cluster append, by articles done: {samples}")
        if m:
            print(f"sequencer RSS (MB) during the {m:,}-source run: {r6['rss']}; ledger {r6['bytes'] / 1e9:.2f} GB")

        if not args.skip_verify:
            from ledger.audit import verify
            from ledger.ranges import verify_partitioned

            ledger = root / "v.jsonl"
            print(f"\nbuilding a ledger of about {args.verify_events:,} events for verify (captured sources renamed) ...",
                  flush=True)
            per = events / n1
            k = int(args.verify_events / per) + 1

            def sources():
                return ((decode(renamers[i % len(renamers)](10**7 + i)), True) for i in range(k))

            run("build", ledger, sources, spec, [], store=LogStore(ledger, fsync=False))
            os.sync()
            one = cl = None
            for _ in range(args.rounds):
                with Timed() as a:
                    r1 = verify(LogStore(ledger), jobs=1)
                before = workers_cpu(client)
                with Timed() as b:
                    r2 = verify_partitioned(LogStore(ledger), client, args.workers)
                b.workers = workers_cpu(client) - before
                assert r1.ok and r2.ok and r1.head_hash == r2.head_hash, (r1, r2)
                one = a if one is None or a.wall < one.wall else one
                cl = b if cl is None or b.wall < cl.wall else cl
            ev = r1.events
            print(f"{'verify of ' + format(ev, ',') + ' events, best of ' + str(args.rounds):<46} {'events/s':>9} {'':>10} "
                  f"{'wall s':>8} {'CPU s':>8}")
            print(f"{'  one process (--jobs 1)':<46} {ev / one.wall:>9,.0f} {'':>10} {one.wall:>8.2f} {one.cpu:>8.2f}")
            print(f"{f'  ranges on local:{args.workers} (CPU: this process)':<46} {ev / cl.wall:>9,.0f} {'':>10} "
                  f"{cl.wall:>8.2f} {cl.cpu:>8.2f}   {one.wall / cl.wall:.2f}x one process (wall)")
            est = projected(ev, cl.cpu, cl.workers, args.workers, cores)
            print(f"  workers' CPU {cl.workers:.2f} s ({cl.workers / one.cpu:.2f}x one process's {one.cpu:.2f} s); on {cores} idle "
                  f"cores that split would give {est:,.0f} events/s, {est * one.cpu / ev:.2f}x one process (an estimate)")
        logging.getLogger("distributed").setLevel(logging.CRITICAL)  # a worker's heartbeat racing the shutdown is no result
        client.close()
        cluster.close()
    print(f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
