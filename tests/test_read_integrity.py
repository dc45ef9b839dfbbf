"""What readers may trust (issue #15 items 2-4): one snapshot per command, a cache bound to its
digest, and no event that breaks its schema reaching a view or exporter."""

from __future__ import annotations

import hashlib
import os
import re
import traceback

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.events import AssertionRecorded, SourceAppended
from ledger.extractors import anchor
from ledger.log import LogStore
from ledger.projections.machinery import cache_dir
from ledger.projections import claim_id_for
from ledger.testing import build_sample_ledger, SAMPLE_IDS as IDS, SRC_A

# -- item 2: one snapshot -------------------------------------------------------------------


def _grow(path, n_sources: int, per_source: int, prefix: str) -> None:
    """Append ``n_sources`` batches of a source and ``per_source`` assertions, one per distinct sentence."""
    store = LogStore(path, fsync=False)
    for s in range(n_sources):
        sid = f"src-{prefix}{s:015x}"[:20]
        sentences = [f"Report {sid} item {i} counted {i * 13 + s} boats near pier {i % 17}." for i in range(per_source)]
        text = " ".join(sentences)
        digest = hashlib.sha256(text.encode()).hexdigest()
        payloads = [SourceAppended(source_id=sid, version=1, uri=f"https://x.example/{sid}", title=f"Story {sid}",
                                   outlet="Gazette", authors=(), published=None, retrieved=None, media_type="text/plain",
                                   raw_sha256=digest, text_sha256=digest, text=text)]
        start = 0
        for i, sentence in enumerate(sentences):
            payloads.append(AssertionRecorded(
                assertion_id=f"as-{sid[4:]}{i:06d}", source_id=sid, version=1, selector=anchor(text, start, start + len(sentence)),
                kind="statement", speaker=None, speaker_cue=None, modality="asserted", modality_cue=None, values=(),
                entities=(), extractor="hand", extractor_version="1"))
            start += len(sentence) + 1
        store.append(payloads, actor="t@x")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "jsonld", "markdown"])
def test_export_racing_appends_matches_the_head_it_claims(fmt, tmp_ledger, tmp_path, run_cli):
    """An export while another process appends is exactly the export as of the head it names (and the
    CSVW sidecar names the same head). Before the snapshot, rows appended during the export leaked in."""
    _grow(tmp_ledger, *((6, 500) if fmt == "csv" else (3, 120)), "a")  # claims make jsonld/markdown slower
    stop = tmp_path / "stop"
    pid = os.fork()
    if pid == 0:  # the appender: small batches until told to stop
        try:
            i = 0
            while not stop.exists():
                _grow(tmp_ledger, 1, 3, f"b{i:06d}")
                i += 1
        finally:
            os._exit(0)
    try:
        claimed = []
        for k in range(3):
            out = tmp_path / f"race{k}.{fmt}"
            res = run_cli("export", fmt, "-o", str(out))
            assert res.exit_code == 0, res.stderr
            seq = int(re.search(r"head seq (\d+)", res.stderr).group(1))
            claimed.append((out, seq))
            if fmt == "csv":
                sidecar = orjson.loads(out.with_name(out.name + "-metadata.json").read_bytes())
                assert sidecar["fl:headSeq"] == seq
    finally:
        stop.touch()
        os.waitpid(pid, 0)
    assert LogStore(tmp_ledger).head().seq > claimed[0][1]  # the appender really raced the exports
    for out, seq in claimed:
        again = tmp_path / f"asof{seq}.{fmt}"
        assert run_cli("export", fmt, "--as-of", str(seq), "-o", str(again)).exit_code == 0
        assert out.read_bytes() == again.read_bytes(), f"export claiming head {seq} holds other rows"


def test_a_snapshot_ignores_later_appends(tmp_ledger):
    """Every read through a snapshot stops at its head, whatever is appended after it was taken."""
    _grow(tmp_ledger, 2, 3, "a")
    snap = LogStore(tmp_ledger).snapshot()
    before = [raw["seq"] for raw in snap.raw_events()]
    _grow(tmp_ledger, 2, 3, "b")
    assert [raw["seq"] for raw in snap.raw_events()] == before and snap.head().seq == before[-1]
    assert LogStore(tmp_ledger).head().seq > before[-1]


def test_make_context_pins_as_of_to_its_head(tmp_ledger):
    """The export context folds up to the head it records, not to whatever the file holds later."""
    from ledger import plugins
    from ledger.exporters import make_context

    plugins.load_plugins()
    _grow(tmp_ledger, 2, 3, "a")
    context = make_context(LogStore(tmp_ledger), plugins.get_exporter("csv"), view="assertions")
    _grow(tmp_ledger, 1, 3, "b")
    rows = list(context.assertions())
    assert context.as_of == context.head_seq and len(rows) == 6
    assert max(r.recorded.seq for r in rows) <= context.head_seq


# -- item 3: the cache cannot change an answer -------------------------------------------------


def test_an_edited_cache_is_rebuilt_not_believed(tmp_ledger, run_cli):
    """A title edited in <ledger>.cache/catalog.json does not reach 'export --view sources': the cache
    does not match its digest, a one-line warning says it was rebuilt, and the answer is the log's."""
    build_sample_ledger(tmp_ledger)
    first = run_cli("export", "csv", "--view", "sources")
    assert first.exit_code == 0 and "Ferry Service" in first.stdout
    cache = cache_dir(LogStore(tmp_ledger)) / "catalog.json"
    cache.write_bytes(cache.read_bytes().replace(b"Ferry Service", b"Forged Service"))
    second = run_cli("export", "csv", "--view", "sources")
    assert second.exit_code == 0 and second.stdout == first.stdout and "Forged" not in second.stdout
    warning = [line for line in second.stderr.splitlines() if "digest" in line]
    assert len(warning) == 1 and str(cache) in warning[0] and "rebuilt" in warning[0]
    third = run_cli("export", "csv", "--view", "sources")  # rebuilt: no warning again
    assert third.stdout == first.stdout and "digest" not in third.stderr
    assert b"Forged" not in cache.read_bytes()


def test_verify_never_reads_the_cache(tmp_ledger, run_cli):
    """verify's answer does not depend on the cache (a garbage cache is not even opened)."""
    build_sample_ledger(tmp_ledger)
    assert run_cli("sources").exit_code == 0
    cache = cache_dir(LogStore(tmp_ledger)) / "catalog.json"
    cache.write_bytes(b"garbage")
    res = run_cli("verify")
    assert res.exit_code == 0 and "digest" not in res.stderr


# -- item 4: schema-breaking events -------------------------------------------------------------

COMMANDS = [
    ("sources",), ("sources", "--json"), ("assertions",), ("assertions", "--speaker", "x"), ("claims", "--all"),
    ("entities",), ("timeline",), ("show", IDS["a-quote"]), ("show", claim_id_for(IDS["a-quote"])), ("log",), ("diff", SRC_A),
    ("export", "csv"), ("export", "csv", "--view", "claims"), ("export", "csv", "--view", "sources"),
    ("export", "csv", "--view", "entities"), ("export", "csv", "--view", "timeline"), ("export", "jsonld"),
    ("export", "markdown"),
]


def _canonical(value) -> bytes:
    """The stdlib's canonical bytes (orjson refuses to write more than 254 levels of nesting)."""
    import json
    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 5000))
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    finally:
        sys.setrecursionlimit(limit)


def _rechain(raws):
    prev, out = "0" * 64, []
    for raw in raws:
        raw["prev"] = prev
        raw.pop("hash", None)
        raw["hash"] = prev = hashlib.sha256(_canonical(raw)).hexdigest()
        out.append(_canonical(raw) + b"\n")
    return b"".join(out)


def _deep(n: int):
    value: object = []
    for _ in range(n):
        value = [value]
    return value


_hostile = st.one_of(
    st.integers(-(2**70), 2**70), st.text(max_size=5), st.none(), st.booleans(),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(_deep(1000)), st.just({"start": "0", "end": None}),
)


def _paths(value, prefix=()):
    """Every path to a member or item inside ``value``."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


@pytest.fixture(scope="module")
def sample_raws(tmp_path_factory):
    path = build_sample_ledger(tmp_path_factory.mktemp("sample") / "l.jsonl")
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_schema_breaking_events_give_one_line_errors_in_every_view_and_exporter(data, sample_raws, tmp_path_factory):
    """Fuzz: one event of the sample ledger gets a member replaced, removed or added (hash chain recomputed,
    so it still parses and chains). Every view and exporter then either works or exits 1 with one line
    naming the seq and 'factledger verify': never a traceback, RecursionError or ExceptionGroup."""
    from click.testing import CliRunner

    from ledger import plugins
    from ledger.cli import cli

    plugins.load_plugins()
    raws = orjson.loads(_canonical(sample_raws))
    index = data.draw(st.sampled_from([i for i, r in enumerate(raws) if r["type"] != "BatchStarted"]), label="line")
    paths = [p for p in _paths(raws[index]) if p[0] in ("data", "at", "actor", "id", "type")]
    path = data.draw(st.sampled_from(paths), label="path")
    action = data.draw(st.sampled_from(["replace", "remove", "add"]), label="action")
    parent = raws[index]
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "remove" and isinstance(parent, dict):
        del parent[last]
    elif action == "add" and isinstance(parent, dict):
        parent[data.draw(st.sampled_from(["extra", "start", "values", "selector"]), label="key") + "_"] = data.draw(_hostile)
    else:
        parent[last] = data.draw(_hostile, label="value")
    folder = tmp_path_factory.mktemp("fuzz")
    ledger = folder / "l.jsonl"
    ledger.write_bytes(_rechain(raws))
    for args in COMMANDS:
        result = CliRunner().invoke(cli, ["--ledger", str(ledger), *args])
        where = f"{args} after {action} {path} on seq {index + 1}"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            detail = "".join(traceback.format_exception(result.exception))[-1500:]
            pytest.fail(f"{where}: traceback\n{detail}")
        assert result.exit_code in (0, 1), where
        if result.exit_code == 1:
            errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
            assert len(errors) == 1, f"{where}: {result.stderr}"
            if "diff" not in args and "show" not in args:  # those also say 'no such source/assertion'
                assert "factledger verify" in errors[0] and f"seq {index + 1}" in errors[0], f"{where}: {errors[0]}"


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["selector"].__setitem__("start", "0"),
        lambda d: d.__setitem__("values", _deep(1000)),
        lambda d: d.__setitem__("entities", [{"text": 1}]),
        lambda d: d.__setitem__("speaker", ["x"]),
    ],
    ids=["str offset", "1000-deep list", "malformed entity", "list speaker"],
)
def test_the_issue_cases_fail_in_one_line(edit, sample_raws, tmp_path, run_cli):
    """The cases from the fuzzed ledgers of the issue ('>' between str and int, RecursionError, a cattrs
    ExceptionGroup, a bare KeyError) now stop every reader with one line naming the seq."""
    raws = orjson.loads(_canonical(sample_raws))
    i = next(i for i, r in enumerate(raws) if r["data"].get("assertion_id") == IDS["a-quote"])
    edit(raws[i]["data"])
    ledger = tmp_path / "l.jsonl"
    ledger.write_bytes(_rechain(raws))
    for args in (("assertions",), ("claims",), ("timeline",), ("export", "csv"), ("export", "jsonld"), ("export", "markdown")):
        res = run_cli(*args, ledger=ledger)
        assert res.exit_code == 1 and res.exception.__class__ is SystemExit, (args, res.exception)
        assert res.stderr.count("\n") == 1 and f"seq {i + 1}" in res.stderr and "factledger verify" in res.stderr, res.stderr


def test_extra_fields_stay_readable(sample_raws, tmp_path, run_cli):
    """An extra data field (a newer writer's, which verify flags) does not stop the views."""
    raws = orjson.loads(_canonical(sample_raws))
    raws[2]["data"]["lang"] = "en"
    ledger = tmp_path / "l.jsonl"
    ledger.write_bytes(_rechain(raws))
    assert run_cli("assertions", ledger=ledger).exit_code == 0
    assert run_cli("verify", ledger=ledger).exit_code == 1


def test_schema_check_runs_once_per_line_per_command(tmp_ledger, monkeypatch):
    """Views read the log more than once; each line is schema-checked the first time only."""
    from ledger import log as log_module
    from ledger.projections import iter_assertions

    build_sample_ledger(tmp_ledger)
    calls = []
    real, checks = log_module._schema_valid, log_module._schema_checks()

    def counted(check):
        return lambda raw: calls.append(raw["seq"]) or check(raw)

    # Both doors of a read's check: the compiled schema of the line's (type, v), and the full rule.
    monkeypatch.setattr(log_module, "_schema_checks", lambda: {key: counted(check) for key, check in checks.items()})
    monkeypatch.setattr(log_module, "_schema_valid", counted(real))
    store = LogStore(tmp_ledger).snapshot()
    list(iter_assertions(store, cache=False))  # two passes: catalog, then rows
    assert sorted(calls) == list(range(1, store.head().seq + 1))
