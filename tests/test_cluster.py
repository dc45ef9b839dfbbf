"""Extraction on a real Dask ``LocalCluster`` (2 worker processes, 127.0.0.1 only): the log
equals ``--jobs 1``'s, inputs the workers cannot see travel as bytes, URLs are fetched by
workers, a killed worker's tasks are rerun, Ctrl-C leaves a verifiable ledger."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ledger import cluster
from ledger.cluster import ClusterError, prepare_on_worker
from ledger.ingest import Ingestor, ReadOptions
from ledger.log import LogStore
from ledger.sources.collect import Input, collect

from helpers import article, make_folder, stable

SRC = str(Path(__file__).resolve().parent.parent / "src")


def txt_folder(root: Path, n: int) -> Path:
    root.mkdir(parents=True)
    for i in range(n):
        (root / f"a{i:04d}.txt").write_text(article(i))
    return root


def _distributed():
    return pytest.importorskip(
        "distributed", reason="dask.distributed is not installed (pip install 'factledger[dask]'); cluster tests skipped"
    )


@pytest.fixture(scope="module")
def local_cluster():
    """A LocalCluster of 2 worker processes for the module, its workers importing this tree."""
    distributed = _distributed()
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))
    import logging

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as lc:
        yield lc


def test_without_distributed_the_error_is_one_line(monkeypatch, tmp_path, run_cli):
    """No dask installed: one line naming the extra, exit 1, nothing written."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    (tmp_path / "a.txt").write_text(article(1))
    r = run_cli("append", str(tmp_path / "a.txt"), "--cluster", "local:2")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "Error: running on a cluster needs dask.distributed, which is not installed (pip install 'factledger[dask]')"
    )
    assert not (tmp_path / "ledger.jsonl").exists() or (tmp_path / "ledger.jsonl").stat().st_size == 0


@pytest.mark.parametrize("address", ["garbage", "foo://127.0.0.1:1", "tcp://127.0.0.1:notaport"])
@pytest.mark.parametrize("command", ["append", "verify"])
def test_a_malformed_scheduler_address_is_one_line(tmp_path, run_cli, address, command):
    """A scheduler address Dask cannot parse (a typo in FACTLEDGER_SCHEDULER) is one line naming
    it, exit 1, nothing written (it was a traceback ending in distributed's ValueError)."""
    _distributed()
    (tmp_path / "a.txt").write_text(article(1))
    assert run_cli("append", str(tmp_path / "a.txt")).exit_code == 0
    before = (tmp_path / "ledger.jsonl").read_bytes()
    args = [str(tmp_path / "b.txt")] if command == "append" else []
    (tmp_path / "b.txt").write_text(article(2))
    r = run_cli(command, *args, env={"FACTLEDGER_SCHEDULER": address})
    assert r.exit_code == 1, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and address in lines[0], (r.output, r.exception)
    assert (tmp_path / "ledger.jsonl").read_bytes() == before


@pytest.mark.parametrize("spec,n", [("local:3", 3), ("local:1", 1)])
def test_local_spec(spec, n):
    assert cluster.parse_local(spec) == n


@pytest.mark.parametrize("spec", ["local:0", "remote", "local:x"])
def test_bad_local_spec_is_refused(spec):
    with pytest.raises(ClusterError, match="--cluster"):
        cluster.parse_local(spec)


def test_jobs_and_a_cluster_together_is_a_usage_error(tmp_path, run_cli):
    (tmp_path / "a.txt").write_text(article(1))
    r = run_cli("append", str(tmp_path / "a.txt"), "--jobs", "2", "--cluster", "local:2")
    assert r.exit_code == 2 and "--jobs" in r.stderr


def test_a_worker_that_cannot_see_a_file_says_so(tmp_path, simple_extractor):
    """On a worker, a path it cannot find is a marker, not a 'no such file' failure."""
    there = tmp_path / "a.txt"
    there.write_text(article(1))
    out = prepare_on_worker(
        [Input(str(tmp_path / "gone.txt"), "file"), Input(str(there), "file")], ReadOptions(), simple_extractor
    )
    assert out[0] == cluster._UNSEEN and out[1].startswith(b'{"origin":')


@pytest.mark.slow
def test_cluster_append_gives_the_log_of_jobs_1(tmp_path, run_cli, local_cluster):
    """`append --scheduler` (here from FACTLEDGER_SCHEDULER) with the rules extractor: the same
    stdout and the same events in the same order as --jobs 1, and a bad file fails alone."""
    folder = make_folder(tmp_path / "in", n=30)
    (folder / "part1/a04.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    r1 = run_cli("append", str(folder), "--jobs", "1", ledger=one)
    r2 = run_cli("append", str(folder), ledger=two, env={"FACTLEDGER_SCHEDULER": local_cluster.scheduler_address})
    assert r1.exit_code == r2.exit_code == 1, r2.output
    assert r1.stdout == r2.stdout and r1.stderr == r2.stderr
    assert r2.stdout.splitlines()[-1] == "appended 29, unchanged 0, revised 0, failed 1"
    assert "looks like a PNG image" in r2.stderr
    assert stable(one) == stable(two)
    assert run_cli("verify", ledger=two).exit_code == 0
    again = run_cli("append", str(folder / "part0"), "--scheduler", local_cluster.scheduler_address, ledger=two)
    assert again.stdout.splitlines()[-1] == "appended 0, unchanged 10, revised 0, failed 0"


@pytest.mark.slow
@pytest.mark.parametrize("probe", [True, False], ids=["probed", "found-missing-on-worker"])
def test_files_the_workers_cannot_see_travel_as_bytes(tmp_path, monkeypatch, local_cluster, probe):
    """Relative paths name nothing in the workers' folder: the files go to them as bytes,
    either because the probe saw that up front or because a worker reported the file missing."""
    distributed = _distributed()
    make_folder(tmp_path / "in", n=9)
    monkeypatch.chdir(tmp_path)
    if not probe:
        monkeypatch.setattr(cluster, "workers_see_files", lambda client, inputs: True)
    inputs = collect(["in"])
    assert all(not os.path.isabs(i.origin) for i in inputs)
    from ledger import plugins

    spec = plugins.get_extractor("rules")
    ref = list(Ingestor(LogStore(tmp_path / "one.jsonl"), spec).append_many(inputs, ReadOptions()))
    with distributed.Client(local_cluster) as client:
        assert not all(client.run(os.path.exists, "in/part0/a00.txt").values())
        got = list(
            Ingestor(LogStore(tmp_path / "two.jsonl"), spec).append_many(
                inputs, ReadOptions(), stream=cluster.cluster_stream(client, inputs, ReadOptions(), spec)
            )
        )
    assert [g.status for g in got] == ["appended"] * 9
    assert [(r.origin, r.source_id) for r in ref] == [(g.origin, g.source_id) for g in got]
    assert stable(tmp_path / "one.jsonl") == stable(tmp_path / "two.jsonl")


@pytest.mark.slow
def test_urls_are_fetched_by_the_workers(tmp_path, run_cli, local_cluster, monkeypatch):
    """A URL input is fetched on a worker: the server gets one request, and this process's
    fetch is never called."""
    requests_seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests_seen.append(self.path)
            body = f"<html><head><title>Port report</title></head><body><article><p>{article(7)}</p></article></body></html>"
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/port-report"
        import ledger.sources.read as read

        calls = []
        real = read.fetch
        monkeypatch.setattr(read, "fetch", lambda *a, **k: calls.append(a) or real(*a, **k))  # this process only
        r = run_cli("append", url, "--scheduler", local_cluster.scheduler_address)
    finally:
        server.shutdown()
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("appended ") and url in r.stdout
    assert requests_seen == ["/port-report"] and calls == []


@pytest.mark.slow
def test_a_worker_killed_mid_run_has_its_tasks_rerun(tmp_path):
    """SIGKILL one of the two workers after the first source is recorded: Dask reruns its
    tasks on the other (or its restarted self) and the log still equals --jobs 1's."""
    distributed = _distributed()
    import logging

    from ledger import plugins

    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))
    txt_folder(tmp_path / "in", 240)
    inputs = collect([str(tmp_path / "in")])
    spec = plugins.get_extractor("rules")
    list(Ingestor(LogStore(tmp_path / "one.jsonl"), spec).append_many(inputs, ReadOptions()))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
        silence_logs=logging.CRITICAL,
    ) as lc, distributed.Client(lc) as client:
        pids = client.run(os.getpid)
        ing = Ingestor(LogStore(tmp_path / "two.jsonl"), spec)
        got = []
        for outcome in ing.append_many(inputs, ReadOptions(), stream=cluster.cluster_stream(client, inputs, ReadOptions(), spec)):
            if not got:
                os.kill(next(iter(pids.values())), signal.SIGKILL)
            got.append(outcome)
        after = client.run(os.getpid)
    assert next(iter(pids.values())) not in after.values()  # that worker really died
    assert [g.status for g in got] == ["appended"] * 240
    assert stable(tmp_path / "one.jsonl") == stable(tmp_path / "two.jsonl")


@pytest.mark.slow
def test_ctrl_c_leaves_a_verifiable_ledger(tmp_path):
    """SIGINT to `append --cluster local:2` part way: the command stops, the ledger verifies,
    and every source it reported is in it with all its assertions."""
    _distributed()
    txt_folder(tmp_path / "in", 600)
    ledger = tmp_path / "ledger.jsonl"
    env = {
        **os.environ, "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledger", "--ledger", str(ledger), "append", str(tmp_path / "in"), "--cluster", "local:2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    lines: list[str] = []
    for line in proc.stdout:  # stop it once a few sources were reported
        lines.append(line)
        if len(lines) == 5:
            proc.send_signal(signal.SIGINT)
            break
    lines.extend(proc.stdout)
    assert proc.wait(timeout=120) != 0
    appended = [line for line in lines if line.startswith("appended src-")]
    assert 5 <= len(appended) < 600
    r = subprocess.run([sys.executable, "-m", "ledger", "--ledger", str(ledger), "verify"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    import orjson

    events = [orjson.loads(x) for x in ledger.read_bytes().splitlines()]
    sources = {e["data"]["source_id"] for e in events if e["type"] == "SourceAppended"}
    assert len(sources) >= len(appended)  # every reported source is in the ledger
    per_source = {}
    for e in events:
        if e["type"] == "AssertionRecorded":
            per_source[e["data"]["source_id"]] = per_source.get(e["data"]["source_id"], 0) + 1
    for line in appended:  # each reported source has all the assertions the report names
        sid, total = line.split()[1], int(line.split("): ")[1].split()[0])
        assert per_source.get(sid, 0) == total


# -- verify on the cluster: byte ranges on workers, links here ------------------------------


@pytest.fixture
def ranges_spy(monkeypatch):
    """Ranges of any size; records the ranges made and whether the single-process replay ran."""
    from ledger import ranges

    monkeypatch.setattr(ranges, "MIN_RANGE", 1)
    seen = {"ranges": [], "sequential": 0}
    real_split, real_verify = ranges.split, ranges.verify

    def split(*a):
        out = real_split(*a)
        seen["ranges"].append(out)
        return out

    def sequential(*a, **k):
        seen["sequential"] += 1
        return real_verify(*a, **k)

    monkeypatch.setattr(ranges, "split", split)
    monkeypatch.setattr(ranges, "verify", sequential)
    return seen


def _both(run_cli, address, ledger="default"):
    import re
    import warnings

    outs = []
    for args in (["--jobs", "1"], ["--scheduler", address]):
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            res = run_cli("verify", *args, ledger=ledger)
        outs.append((res.exit_code, re.sub(r"[\d,]+ events/s", "N events/s", res.stdout), res.stderr))
    return outs


@pytest.mark.slow
@pytest.mark.parametrize("case", ["intact", "one changed byte", "unparseable middle line", "dropped line", "swapped lines",
                                  "inserted duplicate", "forged event spliced in", "edited quote, rehashed",
                                  "non-canonical line", "schema violation, rehashed", "event id used again, rehashed",
                                  "garbage middle line", "torn tail",
                                  "unknown type (envelope only)", "unknown type, then a schema break"])
def test_verify_on_the_cluster_reports_what_one_process_does(case, all_types_ledger, run_cli, local_cluster, ranges_spy):
    """Every tamper case of test_tamper: `verify --scheduler` gives the exit code, first failure
    and messages of `verify --jobs 1`."""
    from helpers import TAMPER

    lines = all_types_ledger.read_bytes().splitlines(keepends=True)
    all_types_ledger.write_bytes(b"".join(TAMPER[case](list(lines))))
    one, cluster_out = _both(run_cli, local_cluster.scheduler_address)
    assert one == cluster_out
    expected = {"intact": 0, "unknown type (envelope only)": 0, "torn tail": 3}.get(case, 1)  # 3: interrupted append
    assert one[0] == expected
    if case in ("intact", "unknown type (envelope only)"):
        assert ranges_spy["sequential"] == 0  # answered by the ranges alone


@pytest.mark.slow
def test_verify_of_real_articles_splits_into_ranges_and_finds_a_tamper_in_any(tmp_path, run_cli, local_cluster, ranges_spy):
    """A ledger of 40 articles in 8 ranges: intact, it verifies from the ranges alone (with the
    head of --jobs 1, and the Merkle root of the whole log merged from the ranges' subtrees);
    a quote edited and rehashed in a middle range, or a line dropped at a range boundary,
    gives --jobs 1's report."""
    distributed = _distributed()
    import orjson
    from helpers import _rehash_from

    ledger = tmp_path / "l.jsonl"
    assert run_cli("append", str(txt_folder(tmp_path / "in", 40)), "--no-fsync", ledger=ledger).exit_code == 0
    one, cl = _both(run_cli, local_cluster.scheduler_address, ledger)
    assert one == cl and one[0] == 0 and ranges_spy["sequential"] == 0
    cuts = ranges_spy["ranges"][-1]
    assert len(cuts) == 8
    data = ledger.read_bytes()
    from ledger import merkle, ranges

    with distributed.Client(local_cluster) as client:
        report, root = ranges.partitioned(LogStore(ledger), client, 2)
    assert report.ok and root == merkle.root([merkle.leaf_hash(x) for x in data.splitlines()])
    lines = data.splitlines(keepends=True)
    middle = cuts[4][0] + 10
    i = next(k for k, x in enumerate(lines) if sum(map(len, lines[: k + 1])) > middle and b'"AssertionRecorded"' in x)
    raw = orjson.loads(lines[i])
    raw["data"]["selector"]["exact"] = raw["data"]["selector"]["exact"][:-1] + "#"
    lines[i] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"
    ledger.write_bytes(b"".join(_rehash_from(lines, i)))
    one, cl = _both(run_cli, local_cluster.scheduler_address, ledger)
    assert one == cl and one[0] == 1 and f"FAILED at seq {i + 1}:" in one[2]
    boundary = sum(1 for x in data[: cuts[3][0]].splitlines())  # index of the first line of range 4
    lines = data.splitlines(keepends=True)
    ledger.write_bytes(b"".join(lines[:boundary] + lines[boundary + 1 :]))
    one, cl = _both(run_cli, local_cluster.scheduler_address, ledger)
    assert one == cl and one[0] == 1 and f"FAILED at seq {boundary + 1}:" in one[2]


@pytest.mark.slow
def test_the_cluster_stream_holds_a_bounded_window(tmp_path, local_cluster, simple_extractor):
    """Inputs are pulled as results are recorded: when the first result arrives, only the
    window (4 chunks per worker) and the probe's look-ahead were taken from the stream."""
    distributed = _distributed()
    import cloudpickle

    import conftest

    cloudpickle.register_pickle_by_value(conftest)  # the test extractor lives in conftest
    pulled = 0

    def inputs():
        nonlocal pulled
        for i in range(2000):
            pulled += 1
            yield Input("<stdin>", "stdin", data=article(i).encode())

    try:
        with distributed.Client(local_cluster) as client:
            stream = cluster.cluster_stream(client, inputs(), ReadOptions(), simple_extractor, chunk_size=8)
            next(stream)
            assert pulled <= max(cluster.PROBE_INPUTS, 4 * 2 * 8) + 8  # + the chunk sent when it came back
            assert sum(1 for _ in stream) == 1999 and pulled == 2000
    finally:
        cloudpickle.unregister_pickle_by_value(conftest)


@pytest.mark.slow
def test_a_local_cluster_runs_its_workers_without_the_statistical_profiler():
    """--cluster local:N has no dashboard, so its workers' stack sampler (every thread, every
    10 ms) would only cost CPU: it is off in the workers the nannies start."""
    distributed = _distributed()
    import dask

    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))
    with cluster.local_cluster(1) as lc, distributed.Client(lc) as client:
        assert list(client.run(lambda: dask.config.get("distributed.worker.profile.enabled")).values()) == [False]
    assert dask.config.get("distributed.worker.profile.enabled") is True  # this process's setting is untouched


class _InlineClient:
    """A Dask client stand-in that runs each task at once and records its size: what
    cluster_stream asks of a cluster, without one."""

    def __init__(self, workers: int):
        self.sizes: list[int] = []
        self._workers = workers

    def scheduler_info(self):
        return {"workers": {f"w{i}": {} for i in range(self._workers)}}

    def submit(self, fn, items, *args, pure=True):
        self.sizes.append(len(items))
        result = fn(items, *args)

        class Done:
            status = "finished"

            def result(self):
                return result

            def cancel(self):
                pass

        return Done()


def test_cluster_tasks_start_small_and_grow_to_the_chunk(simple_extractor):
    """Big tasks cost the cluster less per input, but a short list in big tasks would reach one
    worker only: the first task holds FIRST_CHUNK inputs and each later one twice the last, up
    to CLUSTER_CHUNK; every input comes back once, in order."""
    n = 8 + 16 + 32 + 64 + 128 + 128 + 5
    items = [Input("<stdin>", "stdin", data=article(i).encode()) for i in range(n)]
    client = _InlineClient(2)
    out = list(cluster.cluster_stream(client, items, ReadOptions(), simple_extractor))
    assert client.sizes == [8, 16, 32, 64, 128, 128, 5]
    assert (cluster.FIRST_CHUNK, cluster.CLUSTER_CHUNK) == (8, 128)
    assert len(out) == n and all(getattr(r, "origin", None) == "<stdin>" for r, _ in out)
    small = _InlineClient(2)
    list(cluster.cluster_stream(small, items[:20], ReadOptions(), simple_extractor))
    assert small.sizes == [8, 12]  # twenty inputs: two tasks, one per worker, not one
