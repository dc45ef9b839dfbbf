"""``verify --jobs N``: the per-line checks in worker processes (hash, canonical form, schema) report exactly what one process does.

The pool is only used above ``PARALLEL_MIN_BYTES`` and sends ``CHUNK_LINES`` lines at a
time; the fixtures below lower both so a ten-line ledger spans several chunks.
"""

from __future__ import annotations

import hashlib
from collections import Counter
import re
import warnings

import orjson
import pytest
from conftest import ALL_TYPES_TEXT, assertion_payload, source_payload
from helpers import AGREEMENT, TAMPER, _reencode, _rehash_from, prepared

from ledger import audit
from ledger.audit import verify
from ledger.events import AssertionRecorded
from ledger.events import VerdictRecorded
from ledger.log import LogStore


@pytest.fixture
def small_chunks(monkeypatch):
    """Use the pool for any file, three lines a chunk; count the chunks sent to workers."""
    monkeypatch.setattr(audit, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(audit, "CHUNK_LINES", 3)
    sent = []
    real_submit = audit._SchemaPool.submit

    def submit(self, next_seq, *rest):
        sent.append(next_seq)
        return real_submit(self, next_seq, *rest)

    monkeypatch.setattr(audit._SchemaPool, "submit", submit)
    return sent


def _report(path, jobs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a torn tail warns; both runs see the same file
        r = verify(LogStore(path), jobs=jobs)
    return (r.ok, r.bad_seq, r.reason, r.events, r.head_seq, r.head_hash, dict(r.unknown_types))


def _same_everywhere(path, run_cli):
    """verify and the CLI give identical results with --jobs 1 and --jobs 2; returns the report."""
    one, two = _report(path, 1), _report(path, 2)
    assert one == two
    outs = []
    for jobs in ("1", "2"):
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # a torn-tail warning is shown on each run, not once per process
            res = run_cli("verify", "--jobs", jobs)
        outs.append((res.exit_code, re.sub(r"[\d,]+ events/s", "N events/s", res.stdout), res.stderr))
    assert outs[0] == outs[1]
    return one


def _write(path, lines):
    path.write_bytes(b"".join(lines))


@pytest.mark.parametrize("case", list(TAMPER))
def test_tamper_cases_report_the_same_with_two_jobs(case, all_types_ledger, run_cli, small_chunks):
    """Every tamper case of test_tamper gives the same report, exit code and messages with --jobs 2."""
    lines = all_types_ledger.read_bytes().splitlines(keepends=True)
    _write(all_types_ledger, TAMPER[case](list(lines)))
    report = _same_everywhere(all_types_ledger, run_cli)
    assert report[0] == (case in ("intact", "torn tail", "unknown type (envelope only)"))
    if case.startswith("unknown type"):
        assert report[6] == {"FutureThing": 1}
    if case == "torn tail":
        res = run_cli("verify", "--jobs", "2")
        assert res.exit_code == 3 and "interrupted append" in res.stderr
    if case == "intact":
        assert len(small_chunks) >= 3  # the schema pass really ran in the workers, chunk by chunk


def _big_ledger(path, n_assertions=60):
    """One source and ``n_assertions`` assertions on it, then a verdict: about 20 chunks of 3."""
    text = ALL_TYPES_TEXT
    store = LogStore(path, fsync=False)
    store.append([source_payload(text)], actor="tester@example")
    seen: Counter = Counter()  # ids derived as ingest derives them: a repeated quote counts its occurrences
    batch = []
    for i in range(n_assertions):
        exact = text[i % 20 : 20 + i % 12]
        batch.append(assertion_payload(text, i % 20, 20 + i % 12, occurrence=seen[exact]))
        seen[exact] += 1
    store.append(batch, actor="tester@example")
    store.append([VerdictRecorded(target=batch[1].assertion_id, status="supported", note=None)], actor="tester@example")
    return path.read_bytes().splitlines(keepends=True)


def _break_schema(line: bytes) -> bytes:
    return _reencode(line, lambda raw: raw["data"].__setitem__("kind", "rumour"))


def test_clean_multi_chunk_ledger_same_summary(tmp_ledger, run_cli, small_chunks):
    """A clean ledger of many chunks verifies with the same summary (count, range, head) either way."""
    _big_ledger(tmp_ledger)
    ok, _bad, _reason, events, head_seq, head_hash, _unknown = _same_everywhere(tmp_ledger, run_cli)
    assert ok and events == head_seq == 63  # 62 and their BatchStarted
    assert head_hash == orjson.loads(tmp_ledger.read_bytes().splitlines()[-1])["hash"]
    assert len(small_chunks) >= 15


def test_late_schema_violation_is_found_by_a_worker(tmp_ledger, run_cli, small_chunks):
    """A schema violation in a late chunk is reported at its seq, as the sequential pass does."""
    lines = _big_ledger(tmp_ledger)
    lines[54] = _break_schema(lines[54])
    _write(tmp_ledger, _rehash_from(lines, 54))
    report = _same_everywhere(tmp_ledger, run_cli)
    assert report[:2] == (False, 55) and f"AssertionRecorded v{AssertionRecorded.VERSION} schema" in report[2]
    assert report[3] == 54


def test_earlier_chain_break_wins_over_a_later_schema_violation(tmp_ledger, run_cli, small_chunks):
    """With a broken prev at seq 30 and a schema violation at seq 55, both paths name seq 30."""
    lines = _big_ledger(tmp_ledger)
    lines[54] = _break_schema(lines[54])
    lines = _rehash_from(lines, 54)
    lines[29] = _rehash_one(_reencode(lines[29], lambda raw: raw.__setitem__("prev", "f" * 64)))
    _write(tmp_ledger, _rehash_from(lines, 30))  # later events chain onto the forged one
    report = _same_everywhere(tmp_ledger, run_cli)
    assert report[:2] == (False, 30) and "prev does not match" in report[2]


def _rehash_one(line: bytes) -> bytes:
    """Recompute one line's own hash (keeping its prev), as a forger splicing an event would."""
    raw = orjson.loads(line)
    raw.pop("hash")
    raw["hash"] = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"


def test_schema_and_quote_failures_on_one_line_keep_the_check_order(tmp_ledger, run_cli, small_chunks):
    """When one line breaks its schema and its quote, the schema problem is named, as in one process."""
    lines = _big_ledger(tmp_ledger)

    def edit(raw):
        raw["data"]["kind"] = "rumour"
        raw["data"]["selector"]["exact"] = "X" + raw["data"]["selector"]["exact"][1:]

    lines[40] = _reencode(lines[40], edit)
    _write(tmp_ledger, _rehash_from(lines, 40))
    report = _same_everywhere(tmp_ledger, run_cli)
    assert report[:2] == (False, 41) and "schema" in report[2]


def test_quote_failure_before_a_schema_violation_in_the_same_chunk(tmp_ledger, run_cli, small_chunks):
    """A quote problem one line before a schema violation is named first with either job count."""
    lines = _big_ledger(tmp_ledger)
    lines[40] = _reencode(lines[40], lambda raw: raw["data"]["selector"].__setitem__("exact", "nope"))
    lines[41] = _break_schema(lines[41])
    _write(tmp_ledger, _rehash_from(lines, 40))
    report = _same_everywhere(tmp_ledger, run_cli)
    assert report[:2] == (False, 41) and "exact quote differs" in report[2]


def test_small_ledger_stays_in_process(all_types_ledger, monkeypatch):
    """Below the size threshold --jobs 2 starts no worker and sends no chunk."""
    monkeypatch.setattr(audit, "CHUNK_LINES", 3)

    def refuse(*args, **kwargs):
        raise AssertionError("a pool was started for a small ledger")

    monkeypatch.setattr(audit, "_SchemaPool", refuse)
    assert verify(LogStore(all_types_ledger), jobs=2).ok


def test_jobs_zero_means_all_cores(tmp_ledger, run_cli, small_chunks, monkeypatch):
    """--jobs 0 uses every available core (here pretended to be 3) and gives the same summary."""
    monkeypatch.setattr(audit, "available_cores", lambda: 3)
    _big_ledger(tmp_ledger)
    res = run_cli("verify", "--jobs", "0")
    assert res.exit_code == 0 and "OK: 63 events verified (seq 1-63)" in res.stdout
    assert small_chunks


def test_negative_jobs_is_refused(all_types_ledger, run_cli):
    """--jobs -1 is a usage error, not a silent fallback."""
    res = run_cli("verify", "--jobs", "-1")
    assert res.exit_code == 2 and "--jobs" in res.stderr


def test_default_uses_the_cores_and_jobs_1_stays_in_process(tmp_ledger, run_cli, small_chunks, monkeypatch):
    """Plain `verify` uses every core for a large ledger (here 2, the schema pass in one worker);
    `--jobs 1` sends nothing to a worker; both print the same summary."""
    monkeypatch.setattr(audit, "available_cores", lambda: 2)
    _big_ledger(tmp_ledger)
    res = run_cli("verify")
    assert res.exit_code == 0 and "OK: 63 events verified (seq 1-63)" in res.stdout
    assert small_chunks
    small_chunks.clear()
    res = run_cli("verify", "--jobs", "1")
    assert res.exit_code == 0 and "OK: 63 events verified (seq 1-63)" in res.stdout
    assert not small_chunks


@pytest.mark.parametrize("case", list(AGREEMENT))
def test_every_matrix_and_hostile_case_reports_the_same_with_two_jobs(case, all_types_ledger, small_chunks):
    """The workers check each line's hash, canonical form and schema, this process the rest: over the
    whole tamper matrix, the damaged tails and the hostile lines, --jobs 2 reports what --jobs 1 does."""
    prepared(case, all_types_ledger)
    assert _report(all_types_ledger, 1) == _report(all_types_ledger, 2)


def _two_faults(line: bytes, prev_too: bool, spaced: bool) -> bytes:
    raw = orjson.loads(line)
    if prev_too:
        raw["prev"] = "e" * 64
    text = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
    if spaced:
        text = text.replace(b'","', b'", "', 1)
    return text.replace(raw["hash"].encode(), b"d" * 64) + b"\n"


@pytest.mark.parametrize("prev_too, spaced", [(True, False), (False, True), (True, True)])
def test_two_faults_on_one_line_report_the_first_check_either_way(tmp_ledger, run_cli, small_chunks, prev_too, spaced):
    """A line with a wrong hash and a broken prev (or a non-canonical form): one process reports the hash,
    which it checks first; the workers find the hash, this process the prev, and the hash is reported."""
    lines = _big_ledger(tmp_ledger)
    lines[40] = _two_faults(lines[40], prev_too, spaced)
    _write(tmp_ledger, lines)
    report = _same_everywhere(tmp_ledger, run_cli)
    assert report[:2] == (False, 41) and "hash mismatch" in report[2]


def test_a_prev_break_on_a_non_canonical_line_is_reported_as_the_prev(tmp_ledger, run_cli, small_chunks):
    """prev is checked before the canonical form: on a spaced line whose hash covers its own bytes (so the
    hash holds) with a forged prev, a worker finds the form and this process the prev, and the prev wins."""
    lines = _big_ledger(tmp_ledger)
    raw = orjson.loads(lines[40])
    raw["prev"] = "e" * 64
    raw["hash"] = "0" * 64
    spaced = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS).replace(b'"kind":', b'"kind" :', 1)
    i = spaced.rindex(b',"hash":"')
    digest = hashlib.sha256(spaced[:i] + spaced[i + 74 :]).hexdigest().encode()
    lines[40] = spaced[: i + 9] + digest + spaced[i + 73 :] + b"\n"
    _write(tmp_ledger, lines)
    report = _same_everywhere(tmp_ledger, run_cli)
    assert report[:2] == (False, 41) and "prev does not match" in report[2], report


@pytest.mark.parametrize("case", ["matrix: intact", "matrix: one changed byte", "matrix: quote edited",
                                  "matrix: verdict status outside the enum", "hostile: lone surrogate"])
def test_chunks_checked_here_while_the_workers_are_behind_report_the_same(case, all_types_ledger, small_chunks, monkeypatch):
    """With the workers always behind (no chunk may be out with them), every chunk is checked in this
    process instead of waited for: the report is still that of --jobs 1."""
    pools = []
    real_init = audit._SchemaPool.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self.limit = 0
        pools.append(self)

    monkeypatch.setattr(audit._SchemaPool, "__init__", init)
    prepared(case, all_types_ledger)
    assert _report(all_types_ledger, 1) == _report(all_types_ledger, 2)
    assert pools and pools[0].local == len(small_chunks)  # every chunk, none out with a worker
    if case == "matrix: intact":
        assert pools[0].local >= 3
