"""Verification: replay the log from the first event and prove it.

Checks, in one streaming pass: every line is the canonical bytes of its event; ``hash``
is the sha256 of the event without ``hash``; ``prev`` chains to the previous event;
``seq`` is gapless from 1; every event matches the JSON Schema of its type and version
(``events/``); every source text matches its ``text_sha256``; every selector equals
the slice of the stored text it points into. The first failure stops the replay and is
reported with its seq.

With ``jobs`` > 1 and a large file, the JSON Schema pass (most of the cost, and the only
check that needs nothing from earlier lines) runs in worker processes on chunks of raw
lines while this process does every other check; the report is the same as with one job.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import orjson
from attrs import define, field

from .events import GENESIS
from .extractors import CONTEXT
from .log import DamagedLogError, LedgerError, LogStore
from .schemas import compiled_for, validator_for


@define
class VerifyReport:
    """Outcome of :func:`verify`."""

    events: int = 0
    seconds: float = 0.0
    head_seq: int = 0
    head_hash: str = GENESIS
    ok: bool = True
    bad_seq: int | None = None
    reason: str | None = None
    unknown_types: dict[str, int] = field(factory=dict)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


_HASH_KEY = b',"hash":"'


PARALLEL_MIN_BYTES = 8 << 20
"""Below this file size ``jobs`` is ignored: starting worker processes would cost more than it saves."""

CHUNK_LINES = 2000
"""Lines per chunk sent to a schema worker (about 2 MB of a typical ledger)."""


def available_cores() -> int:
    """The cores this process may run on (``--jobs 0``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def verify(
    store: LogStore,
    *,
    schemas: bool = True,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
) -> VerifyReport:
    """Replay and check ``store``; ``jobs`` > 1 moves the schema pass to ``jobs - 1`` worker
    processes when the file is at least :data:`PARALLEL_MIN_BYTES` (same report either way)."""
    report = VerifyReport()
    started = time.perf_counter()

    def fail(seq: int | None, reason: str, after_schema: bool = False) -> VerifyReport:
        report.ok = False
        report.bad_seq = seq
        report.reason = reason
        report.seconds = time.perf_counter() - started
        return report

    pool = None
    if jobs != 1 and schemas:
        try:
            size = store.path.stat().st_size
        except OSError:
            size = 0  # lines() reports what is wrong with the path
        workers = (available_cores() if jobs <= 0 else jobs) - 1
        if workers >= 1 and size >= PARALLEL_MIN_BYTES:
            pool = _SchemaPool(workers, report, store)
            sequential_fail = fail

            def fail(seq: int | None, reason: str, after_schema: bool = False) -> VerifyReport:
                # A schema failure on an earlier line (or this one, when its failed check comes
                # after the schema check) is what the sequential pass would have reported.
                hit = pool.settle(seq, after_schema)
                if hit is not None:
                    seq, reason = hit
                if seq is not None:
                    report.events = seq - 1  # the main pass may have run ahead of the workers
                return sequential_fail(seq, reason)

    try:
        return _replay(store, report, started, fail, schemas, progress, pool)
    except DamagedLogError:
        # lines() refuses an unreadable line in the middle; verify must still name the seq.
        seq = report.events + 1
        return fail(seq, f"the line of seq {seq} (after seq {seq - 1}) is not a valid JSON event: it was edited or inserted")
    finally:
        if pool is not None:
            pool.close()


_CONTENT_TYPES = ("SourceAppended", "SourceRevised", "AssertionRecorded")  # a tuple: a malformed (unhashable) type is fine


def _replay(store, report, started, fail, schemas, progress, pool=None) -> VerifyReport:
    # One pass, with the per-line work inlined (a million lines: every call counts).
    expected_seq = 1
    prev = GENESIS
    texts: dict[tuple[str, int], str] = {}
    dumps, sort_keys, sha256 = orjson.dumps, orjson.OPT_SORT_KEYS, hashlib.sha256
    valid: dict[tuple[Any, Any], Callable[[Any], bool] | None] = {}  # (type, v) -> is_valid, None if no schema
    for _offset, line, raw in store.lines():
        seq = raw["seq"]
        if seq != expected_seq or seq.__class__ is not int:
            if isinstance(seq, int) and seq < expected_seq:
                return fail(expected_seq, f"seq {seq} appears again after seq {expected_seq - 1} (line reordered or duplicated)")
            return fail(expected_seq, f"seq {expected_seq} is missing (found seq {seq}): a line was removed or reordered")
        # In canonical (sorted-key) bytes ``hash`` follows ``data``: the line without the member
        # ``,"hash":"<64 hex>"`` is exactly what the hash covers. Hashed in place, no copy.
        end = len(line) - 1  # lines() yields newline-terminated lines only
        i = line.rfind(_HASH_KEY, 0, end)
        j = i + 9
        if i < 0 or j + 65 > end or line[j + 64] != 34:  # 34: the closing quote
            return fail(seq, "the line has no well-formed hash member")
        view = memoryview(line)
        digest = sha256(view[:i])
        digest.update(view[j + 65 : end])
        stored = raw["hash"]
        if digest.hexdigest() != stored or line[j : j + 64] != stored.encode():
            return fail(seq, "hash mismatch: the event's bytes were changed after it was recorded")
        if raw.get("prev") != prev:
            return fail(seq, "prev does not match the hash of the previous event: the chain is broken")
        canonical = dumps(raw, option=sort_keys)
        if len(canonical) != end or not line.startswith(canonical):  # no copy of the line
            return fail(seq, "the line is not in canonical form (sorted keys, compact, UTF-8)")
        if pool is not None:  # the schema pass runs in the workers, a chunk at a time
            pool.lines.append(line)  # bytes, not the parsed dicts: those would feed the cyclic GC
        elif schemas:
            key = (raw.get("type"), raw.get("v"))
            try:
                is_valid = valid[key]
            except KeyError:
                is_valid = valid[key] = compiled_for(*key)
            except TypeError:  # an unhashable type or v: only the envelope schema can judge it
                is_valid = None
            if is_valid is None or not is_valid(raw):
                problem = _schema_problem(raw, report)
                if problem:
                    return fail(seq, problem)
        if raw["type"] in _CONTENT_TYPES:
            problem = _content_problem(raw, texts)
            if problem:
                return fail(seq, problem, True)
        prev = stored
        expected_seq += 1
        report.events += 1
        if progress is not None and report.events % 10000 == 0:
            progress(report.events)
        if pool is not None and len(pool.lines) >= CHUNK_LINES:
            hit = pool.submit(expected_seq)  # every line sent has passed all the other checks
            if hit is not None:
                return fail(*hit)
    if pool is not None:
        hit = pool.settle(None, True)
        if hit is not None:
            return fail(*hit)
    report.head_seq = expected_seq - 1
    report.head_hash = prev
    report.seconds = time.perf_counter() - started
    return report


def _schema_problem(raw: dict[str, Any], report: VerifyReport) -> str | None:
    try:
        validate = validator_for(raw.get("type"), raw.get("v"))
    except TypeError:  # an unhashable type or v: the envelope schema names the problem
        validate = None
    if validate is None:
        validate = validator_for("Envelope", 1)
        if validate is None:
            return "no JSON Schema is shipped for the event envelope (events/Envelope.v1.schema.json)"
        report.unknown_types[str(raw.get("type"))] = report.unknown_types.get(str(raw.get("type")), 0) + 1
    return validate(raw)


def _content_problem(raw: dict[str, Any], texts: dict[tuple[str, int], str]) -> str | None:
    t, d = raw["type"], raw["data"]
    if t in ("SourceAppended", "SourceRevised"):
        text = d["text"]
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != d["text_sha256"]:
            return f"source {d['source_id']} v{d['version']}: text does not match text_sha256"
        texts[(d["source_id"], d["version"])] = text
    elif t == "AssertionRecorded":
        key = (d["source_id"], d["version"])
        text = texts.get(key)
        if text is None:
            return f"assertion {d['assertion_id']} points into {key[0]} v{key[1]}, which is not recorded before it"
        sel = d["selector"]
        start, end = sel["start"], sel["end"]
        if not (0 <= start < end <= len(text)):
            return f"assertion {d['assertion_id']}: span {start}:{end} is outside the source text"
        if text[start:end] != sel["exact"]:
            return f"assertion {d['assertion_id']}: exact quote differs from the source text at {start}:{end}"
        if sel["prefix"] != text[max(0, start - CONTEXT) : start] or sel["suffix"] != text[end : end + CONTEXT]:
            return f"assertion {d['assertion_id']}: prefix/suffix differ from the source text around {start}:{end}"
    return None


class _SchemaPool:
    """The schema pass in worker processes: chunks of raw lines go out in seq order, and
    their results are read back in the same order, so the first failure found is the first
    in the log. At most ``2 * workers + 1`` chunks are in flight: memory stays bounded."""

    def __init__(self, workers: int, report: VerifyReport, store: LogStore) -> None:
        self.executor = ProcessPoolExecutor(max_workers=workers)
        self.limit = 2 * workers + 1
        self.report = report
        self.store = store
        self.inflight: deque[tuple[int, Future]] = deque()  # (seq of the chunk's first line, future)
        self.lines: list[bytes] = []  # the chunk being filled
        self.first = 1  # seq of the chunk's first line
        self.found: tuple[int, str] | None = None

    def submit(self, next_seq: int) -> tuple[int, str] | None:
        """Send the filled chunk (its last line has seq ``next_seq - 1``); the first schema
        failure of the chunks finished so far, if any."""
        self.inflight.append((self.first, self.executor.submit(_schema_chunk, b"".join(self.lines))))
        self.first = next_seq
        self.lines = []
        while self.inflight and (len(self.inflight) > self.limit or self.inflight[0][1].done()):
            self._consume()
            if self.found is not None:
                return self.found
        return None

    def settle(self, seq: int | None, inclusive: bool) -> tuple[int, str] | None:
        """The first schema failure before ``seq`` (or at it when ``inclusive``; anywhere
        when ``seq`` is None), waiting for the chunks in flight and checking the unsent ones here."""
        while self.found is None and self.inflight:
            self._consume()
        if self.found is None and self.lines:
            for at, line in enumerate(self.lines, self.first):
                if seq is not None and (at > seq or (at == seq and not inclusive)):
                    break
                problem = _schema_check(orjson.loads(line), self.report)
                if problem:
                    self.found = (at, problem)
                    break
            self.lines = []
        hit = self.found
        if hit is None or (seq is not None and (hit[0] > seq or (hit[0] == seq and not inclusive))):
            return None
        return hit

    def _consume(self) -> None:
        first, future = self.inflight.popleft()
        try:
            index, problem, unknown = future.result()
        except (BrokenProcessPool, OSError) as exc:
            raise LedgerError(
                f"{self.store.path}: a verify worker process failed ({exc.__class__.__name__}); run verify with --jobs 1"
            ) from None
        for type_name, n in unknown.items():
            self.report.unknown_types[type_name] = self.report.unknown_types.get(type_name, 0) + n
        if problem is not None:
            self.found = (first + index, problem)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _schema_check(raw: dict[str, Any], report: VerifyReport) -> str | None:
    """The schema pass of one parsed line, as the sequential replay does it."""
    try:
        is_valid = compiled_for(raw.get("type"), raw.get("v"))
    except TypeError:  # an unhashable type or v: only the envelope schema can judge it
        is_valid = None
    if is_valid is None or not is_valid(raw):
        return _schema_problem(raw, report)
    return None


def _schema_chunk(data: bytes) -> tuple[int | None, str | None, dict[str, int]]:
    """Worker: (index of the first line failing its schema, the problem, unknown types counted up to it)."""
    report = VerifyReport()
    loads = orjson.loads
    valid: dict[tuple[Any, Any], Callable[[Any], bool] | None] = {}
    for index, line in enumerate(data.split(b"\n")[:-1]):  # the chunk ends with a newline
        raw = loads(line)
        key = (raw.get("type"), raw.get("v"))
        try:
            is_valid = valid[key]
        except KeyError:
            is_valid = valid[key] = compiled_for(*key)
        except TypeError:
            is_valid = None
        if is_valid is None or not is_valid(raw):
            problem = _schema_problem(raw, report)
            if problem:
                return index, problem, report.unknown_types
    return None, None, report.unknown_types
