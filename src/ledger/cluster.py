"""Extraction on a Dask cluster; recording stays in this process, the one sequencer.

``factledger append --scheduler tcp://HOST:8786`` (or ``--cluster local[:N]``, or
``FACTLEDGER_SCHEDULER``) sends chunks of inputs to the cluster's workers, which read,
extract and encode them (:func:`ledger.ingest.prepare_encoded`: one ``bytes`` per source,
the canonical data of its events). This process takes the results back in input order,
at most a bounded window of chunks in flight, and records them with group commit exactly
as ``--jobs`` does: the log does not depend on where extraction ran.

What crosses the network: the inputs (paths and URLs; a file the workers cannot see goes
as its bytes), the extractor spec (pickled by reference), and the encoded results. The
ledger never leaves this machine. Dask reruns the tasks of a worker that dies.

``dask.distributed`` is the optional extra ``factledger[dask]``; it is imported only here.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .ingest import Failed, Ready, ReadOptions, decode, prepare_encoded
from .log import LedgerError
from .sources import SourceError, read_bytes
from .sources.collect import Input

ENV = "FACTLEDGER_SCHEDULER"
"""Environment variable naming the scheduler, as ``--scheduler`` does."""

CLUSTER_CHUNK = 128
"""Most inputs per task on a cluster. A task costs Dask CPU on the worker, the scheduler and
this process whatever its size: on 2,000 ~4 KB articles with ``local:2``, tasks of 32 took
0.82-0.86 ms of this process's CPU and 6.5-6.8 ms of the workers' per article, tasks of 128
0.56-0.64 and 5.2-6.3 (``bench/cluster_chunk_bench.py --chunks 32,128``). The first tasks are smaller
(:data:`FIRST_CHUNK`, doubling) so a short input list still reaches every worker."""

FIRST_CHUNK = 8
"""Inputs in the first task; each later task doubles, up to :data:`CLUSTER_CHUNK`."""

WINDOW_PER_WORKER = 4
"""Chunks in flight per worker: enough to keep each busy, few enough that this process
holds a bounded number of results (back-pressure: the next chunk goes out only when the
oldest result has been recorded)."""

PROBE_INPUTS = 64
"""Inputs looked at, before any is sent, for files to probe the workers with."""

_LOCAL = re.compile(r"local(?::(\d+))?")


class ClusterError(LedgerError):
    """The cluster cannot be reached or used, in one line."""


def parse_local(spec: str) -> int:
    """``local`` or ``local:N`` -> N workers (``local`` alone: one per core)."""
    m = _LOCAL.fullmatch(spec.strip())
    if not m:
        raise ClusterError(f"--cluster {spec!r}: expected 'local' or 'local:N' (N worker processes)")
    n = int(m.group(1)) if m.group(1) else (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    if n < 1:
        raise ClusterError(f"--cluster {spec!r}: needs at least 1 worker")
    return n


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            "running on a cluster needs dask.distributed, which is not installed (pip install 'factledger[dask]')"
        ) from None
    return distributed


def local_cluster(n: int) -> Any:
    """A ``LocalCluster`` of ``n`` worker processes, one thread each, on 127.0.0.1 only, with
    no dashboard, and without the workers' statistical profiler (it samples every thread's
    stack every 10 ms, for a dashboard these clusters do not start)."""
    distributed = _distributed()
    import logging

    import dask

    with dask.config.set({"distributed.worker.profile.enabled": False}):  # the nannies pass it to their workers
        return distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, silence_logs=logging.ERROR,
        )


@contextmanager
def connect(scheduler: str | None = None, cluster: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: to ``scheduler``, or to a ``LocalCluster`` of ``local[:N]``
    worker processes (one thread each, listening on 127.0.0.1 only, no dashboard)."""
    distributed = _distributed()
    if cluster is not None:
        with local_cluster(parse_local(cluster)) as local, distributed.Client(local) as client:
            yield client
        return
    try:
        client = distributed.Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    except ValueError as exc:  # distributed's parse of the address: no port, unknown scheme...
        raise ClusterError(f"{scheduler!r} is not a Dask scheduler address (tcp://HOST:PORT): {exc}") from None
    except Exception as exc:  # anything else distributed raises while connecting: still one line
        raise ClusterError(f"cannot use the Dask scheduler at {scheduler}: {type(exc).__name__}: {exc}") from None
    with client:
        yield client


def workers(client: Any) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def _sees(paths: Sequence[tuple[str, int]]) -> bool:
    """On a worker: whether every ``(path, size)`` is there with that size."""
    for path, size in paths:
        try:
            if os.stat(path).st_size != size:
                return False
        except OSError:
            return False
    return True


def workers_see_files(client: Any, inputs: Sequence[Input], sample: int = 8) -> bool:
    """Whether every worker sees a sample of the file inputs as this process does (same
    paths, same sizes). If not, every file goes to the workers as its bytes."""
    probe = []
    for item in inputs:
        if item.kind == "file" and item.data is None:
            try:
                probe.append((os.path.abspath(item.origin), os.stat(item.origin).st_size))
            except OSError:
                continue
            if len(probe) >= sample:
                break
    if not probe:
        return True
    return all(client.run(_sees, probe).values())


def _ship(item: Input, options: ReadOptions) -> Input:
    """A file input as its bytes, read here with the checks a worker would apply."""
    if item.kind != "file" or item.data is not None:
        return item
    try:
        return Input(item.origin, "file", data=read_bytes(item.origin, options.max_bytes))  # type: ignore[arg-type]
    except SourceError as exc:
        return Input(item.origin, "error", error=str(exc))


_UNSEEN = b'{"unseen":true}'


def prepare_on_worker(items: Sequence[Input], options: ReadOptions, extractor: Any) -> list[bytes]:
    """The task a worker runs: :func:`ledger.ingest.prepare_encoded`, except that a file this
    worker cannot find comes back as a marker (this process then sends its bytes)."""
    out: list[bytes | None] = [None] * len(items)
    todo = []
    for i, item in enumerate(items):
        if item.kind == "file" and item.data is None and not os.path.exists(item.origin):
            out[i] = _UNSEEN
        else:
            todo.append(i)
    for i, blob in zip(todo, prepare_encoded([items[i] for i in todo], options, extractor)):
        out[i] = blob
    return out  # type: ignore[return-value]


def cluster_stream(
    client: Any, inputs: Iterable[Input], options: ReadOptions, extractor: Any, *, window: int | None = None,
    chunk_size: int = CLUSTER_CHUNK,
) -> Iterator[tuple[Ready | Failed, bool]]:
    """What :func:`ledger.ingest.ready_stream` yields, computed on the cluster: each input's
    outcome in input order, with whether the next one is already there."""
    it = iter(inputs)
    first = list(itertools.islice(it, PROBE_INPUTS))  # inputs may be a stream: only these are held
    ship = not workers_see_files(client, first)
    it = itertools.chain(first, it)
    window = window or WINDOW_PER_WORKER * workers(client)
    pending: deque[tuple[list[Input], Any]] = deque()
    size = min(FIRST_CHUNK, chunk_size)

    def submit() -> bool:
        nonlocal size
        chunk = [item for _, item in zip(range(size), it)]
        size = min(2 * size, chunk_size)
        if chunk:
            if ship:
                chunk = [_ship(item, options) for item in chunk]
            pending.append((chunk, client.submit(prepare_on_worker, chunk, options, extractor, pure=False)))
        return bool(chunk)

    try:
        while len(pending) < window and submit():
            pass
        while pending:
            chunk, future = pending.popleft()
            results = future.result()
            if _UNSEEN in results:
                again = [_ship(item, options) for item, blob in zip(chunk, results) if blob == _UNSEEN]
                fetched = iter(client.submit(prepare_encoded, again, options, extractor, pure=False).result())
                results = [next(fetched) if blob == _UNSEEN else blob for blob in results]
            del future
            submit()
            last = len(results) - 1
            for i, blob in enumerate(results):
                yield decode(blob), i < last or bool(pending and pending[0][1].status == "finished")
    finally:
        for _chunk, future in pending:
            future.cancel()
