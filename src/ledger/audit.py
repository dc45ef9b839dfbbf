"""Verification: replay the log from the first event and prove it.

Checks, in one streaming pass: every line is the canonical bytes of its event; ``hash``
is the sha256 of the event without ``hash``; ``prev`` chains to the previous event;
``seq`` is gapless from 1; every event matches the JSON Schema of its type and version
(``events/``); every source text matches its ``text_sha256``; every selector equals
the slice of the stored text it points into; every batch opened by a ``BatchStarted`` has
the events it declares, sharing its ``at`` and ``actor``; and the rules of
:mod:`ledger.checks` (ids, derivations, revisions, spans, references). The first failure
stops the replay and is reported with its seq.

The one rule for the end of the file (docs/log-format.md): a last line without a newline,
and a last batch with fewer events than its ``BatchStarted`` declares, are an
*interrupted append*: everything before them verified, ``report.interrupted`` says what
``factledger repair`` would set aside (exit 3). A complete line that is not a valid event
is damage wherever it is, the last line included (exit 1).

With ``jobs`` > 1 (the CLI's default: every core) and a file of :data:`PARTITION_MIN_BYTES`
or more, whole byte ranges are replayed side by side, every check in each, by forked workers
and this process (:func:`ledger.ranges.verify_local`), and only the links between ranges are
checked here: about ``jobs`` times one replay's speed. When a range or a link fails, the
replay below runs and its report is the answer, so the first failure, its reason and the exit
code are always those of one job. In that replay (and from :data:`PARALLEL_MIN_BYTES` when the
ranges cannot be used), the checks of a line that need nothing from the lines before it (its
hash, its canonical form, its JSON Schema) run in worker processes on chunks of raw lines
while this process does every other check (seq, prev, batches, quotes, the rules); the report
is the same as with one job.
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

from .checks import Rules
from .events import GENESIS, PAYLOAD_TYPES, as_current
from .extractors import CONTEXT
from .log import LedgerError, LogStore, parse_line
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
    interrupted: str | None = None
    """When ``ok``: what ends the file after the head, if an append was interrupted (else None)."""
    interrupted_bytes: int = 0
    ranges: int = 0
    """Byte ranges checked side by side (:func:`ledger.ranges.verify_local`); 0 when one replay gave the answer."""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


_HASH_KEY = b',"hash":"'
_NO_HASH_MEMBER = "the line has no well-formed hash member"
_HASH_MISMATCH = "hash mismatch: the event's bytes were changed after it was recorded"
_NOT_CANONICAL = "the line is not in canonical form (sorted keys, compact, UTF-8)"


PARALLEL_MIN_BYTES = 8 << 20
"""Below this file size ``jobs`` is ignored: starting worker processes would cost more than it saves."""

PARTITION_MIN_BYTES = 8 << 20
"""From this file size on, ``jobs`` > 1 checks whole byte ranges in parallel (:func:`ledger.ranges.verify_local`):
two ranges of at least half of it each (:data:`ledger.ranges.MIN_RANGE`)."""

CHUNK_LINES = 2000
"""Lines per chunk sent to a schema worker (about 2 MB of lines of about 1,000 bytes, as
``bench/log_bench.py`` writes them)."""


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
    executor: Any = None,
    executor_workers: int = 1,
    derived_ids: bool = True,
    partition_min_bytes: int | None = None,
) -> VerifyReport:
    """Replay and check ``store``; ``jobs`` > 1 (0: every core) checks byte ranges on ``jobs``
    processes when the file is at least ``partition_min_bytes`` (:data:`PARTITION_MIN_BYTES`;
    not with ``derived_ids=False``), else moves the schema pass to ``jobs - 1`` worker
    processes when it is at least :data:`PARALLEL_MIN_BYTES` (same report either way).
    ``executor`` (a ``concurrent.futures``-style executor of ``executor_workers`` workers that
    can read the ledger at the same path, e.g. a Dask cluster's: see :mod:`ledger.cluster`)
    takes the schema pass instead, whatever the file's size."""
    report = VerifyReport()
    started = time.perf_counter()

    def fail(seq: int | None, reason: str, after_schema: bool | int = False) -> VerifyReport:
        report.ok = False
        report.bad_seq = seq
        report.reason = reason
        report.seconds = time.perf_counter() - started
        return report

    pool = None
    size = 0
    if jobs != 1 or executor is not None:
        try:
            size = store.path.stat().st_size
        except OSError:
            pass  # the replay names what is wrong with the path
    if executor is not None:
        jobs = max(1, executor_workers) + 1
    elif jobs != 1 and derived_ids:  # the ranges always recompute the ids (rules 7 and 9)
        processes = available_cores() if jobs <= 0 else jobs
        threshold = PARTITION_MIN_BYTES if partition_min_bytes is None else partition_min_bytes
        if processes > 1 and size >= threshold:
            from .ranges import verify_local

            found = verify_local(store, processes, schemas=schemas, progress=progress, min_range=max(1, threshold // 2))
            if found is not None:
                found.seconds = time.perf_counter() - started
                return found
    if jobs != 1 and schemas:
        workers = (available_cores() if jobs <= 0 else jobs) - 1
        if workers >= 1 and (size >= PARALLEL_MIN_BYTES or executor is not None):
            pool = _SchemaPool(workers, report, store, executor)
            sequential_fail = fail

            def fail(seq: int | None, reason: str, after_schema: bool | int = False) -> VerifyReport:
                # A worker's failure on an earlier line (or on this one, when the sequential pass
                # makes its check before this one) is what the sequential pass would have reported.
                hit = pool.settle(seq, _rank(after_schema))
                if hit is not None:
                    seq, reason = hit
                if seq is not None:
                    report.events = seq - 1  # the main pass may have run ahead of the workers
                return sequential_fail(seq, reason)

    try:
        return _replay(store, report, started, fail, schemas, progress, pool, derived_ids=derived_ids)
    finally:
        if pool is not None:
            pool.close()


_MALFORMED = "the event's fields do not have the types its schema requires"

# The order in which the sequential replay checks a line. With a pool, the checks ranked
# _HASH_MEMBER, _HASH, _CANONICAL and _SCHEMA run in the workers and the others here; when both
# fail on one line, the lower rank is what one process would have reported.
_SEQ, _HASH_MEMBER, _HASH, _PREV, _CANONICAL, _V, _SCHEMA, _AFTER = range(8)


def _rank(after_schema: bool | int) -> int:
    """``stop``'s third argument: True (a check after the schema's), False (the seq check), or a rank."""
    if after_schema is True:
        return _AFTER
    return after_schema or _SEQ
_MAX_V = 2**31 - 1
"""Largest ``v`` a line may carry: a version beyond any a writer will use is damage, not "unknown"."""
_BATCH = "BatchStarted"
_SOURCE_TYPES = ("SourceAppended", "SourceRevised")  # tuples: a malformed (unhashable) type is fine


def _replay(store, report, started, fail, schemas, progress, pool=None, expected_seq=1, prev=GENESIS, derived_ids=True, partial=False, rules=None, borrow=None) -> VerifyReport:
    # One pass, with the per-line work inlined: at a million lines every call counts.
    # report.events is expected_seq - 1 throughout; it is written when the pass stops.
    # (expected_seq and prev: where the lines start; ledger.ranges checks a byte range from its first line;
    # borrow(source id, version): there, the text of a source recorded before the range, or None.)
    end_of_good = 0
    texts: dict[tuple[str, int], str] = {}
    dumps, sort_keys = orjson.dumps, orjson.OPT_SORT_KEYS
    # Copying a started sha256 skips OpenSSL 3's per-object algorithm fetch: 9% a line (bench/micro_bench.py).
    blank_sha256 = hashlib.sha256()
    valid: dict[tuple[Any, Any], Callable[[Any], bool] | None] = {}  # (type, v) -> is_valid, None if no schema
    chunk = CHUNK_LINES
    last_type = last_v = is_valid = None  # the schema of the previous line, reused for a run of one type
    last_source = last_version = text = None  # the source text of the previous assertion
    if rules is None:  # ledger.ranges passes its own, to read its state after
        rules = Rules(derived_ids=derived_ids, partial=partial)
    rules_recorded, rules_other = rules.recorded, rules.other
    event_ids = rules.event_ids
    add_event_id = event_ids.add
    last_at = rules.last_at
    current_v = {t: cls.VERSION for t, cls in PAYLOAD_TYPES.items()}

    def stop(seq: int | None, reason: str, after_schema: bool | int = False) -> VerifyReport:
        report.events = expected_seq - 1
        return fail(seq, reason, after_schema)

    f = store.open_for_reading()
    if f is None:
        return _finish(report, expected_seq, prev, started)
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    offset = 0
    # The open batch: (seq of its BatchStarted, events still to come, its at, its actor) and
    # the head before it (seq, hash, byte offset), which is the head if it never completes.
    batch_left = batch_seq = 0
    batch_at = batch_actor = None
    before_batch = (0, GENESIS, 0)
    torn_line = 0
    try:
        for line in f:
            # What LogStore.lines() does, inline (no generator resumption and tuple per line,
            # a million of each in a verify): a good line is newline-terminated JSON of an object with
            # an int seq and a str hash; a line without newline can only be the last: torn.
            try:
                raw = loads(line)
            except decode_error:
                raw = None
            if raw.__class__ is dict:
                seq, stored = raw.get("seq"), raw.get("hash")
                good = seq.__class__ is int and stored.__class__ is str and line.endswith(b"\n")
            else:
                good = False
            if not good:
                if not line.endswith(b"\n"):
                    torn_line = len(line)
                    break
                raw = parse_line(line)
                if raw is None:
                    last = not f.read(1)
                    return stop(
                        expected_seq,
                        f"the line of seq {expected_seq} (after seq {expected_seq - 1}) is not a valid JSON event: "
                        + ("it is a complete last line, so damage, not an interrupted append" if last else "it was edited or inserted"),
                    )
                seq, stored = raw["seq"], raw["hash"]
                if seq.__class__ is not int:  # true: a JSON boolean, which Python counts as an int
                    return stop(expected_seq, f"the line of seq {expected_seq} has seq {seq!r}, not a JSON integer")
            if seq != expected_seq:
                if seq < expected_seq:
                    return stop(expected_seq, f"seq {seq} appears again after seq {expected_seq - 1} (line reordered or duplicated)")
                return stop(expected_seq, f"seq {expected_seq} is missing (found seq {seq}): a line was removed or reordered")
            # In canonical (sorted-key) bytes ``hash`` follows ``data``: the line without the member
            # ``,"hash":"<64 hex>"`` is exactly what the hash covers. (Two slices hash faster
            # than two memoryview slices at this size.)
            end = len(line) - 1  # only newline-terminated lines get here
            if pool is None:  # else the workers check the hash and the canonical form (_line_check)
                i = line.rfind(_HASH_KEY, 0, end)
                j = i + 9
                if i < 0 or j + 65 > end or line[j + 64] != 34:  # 34: the closing quote
                    return stop(seq, _NO_HASH_MEMBER, _HASH_MEMBER)
                digest = blank_sha256.copy()
                digest.update(line[:i])
                digest.update(line[j + 65 : end])
                # (That the hash member holds ``stored`` follows from the canonical check below.)
                if digest.hexdigest() != stored:
                    return stop(seq, _HASH_MISMATCH, _HASH)
            if raw.get("prev") != prev:
                return stop(seq, "prev does not match the hash of the previous event: the chain is broken", _PREV)
            if pool is None:
                try:
                    canonical = dumps(raw, option=sort_keys)
                except TypeError:  # nested deeper than orjson writes (254 levels): no event is
                    canonical = b""
                if len(canonical) != end or not line.startswith(canonical):  # no copy of the line
                    return stop(seq, _NOT_CANONICAL, _CANONICAL)
            type_name = raw.get("type")
            v = raw.get("v")
            if v.__class__ is not int or not 0 < v <= _MAX_V:
                return stop(seq, f"v is {v!r}: a payload version must be an integer from 1 to {_MAX_V}", _V)
            if pool is None and schemas:
                if type_name != last_type or v != last_v:
                    try:
                        is_valid = valid[(type_name, v)]
                    except KeyError:
                        is_valid = valid[(type_name, v)] = compiled_for(type_name, v)
                    except TypeError:  # an unhashable type: only the envelope schema can judge it
                        is_valid = None
                    last_type, last_v = type_name, v
                try:
                    valid_line = is_valid is not None and is_valid(raw)
                except ValueError:  # jsonschema-rs' recursion limit: _schema_problem names it
                    valid_line = False
                if not valid_line:
                    problem = _schema_problem(raw, report)
                    if problem:
                        return stop(seq, problem, _SCHEMA)
            if v < current_v.get(type_name, 0) if type_name.__class__ is str else False:
                # An older version: its contents are checked in the current shape (the one
                # gate), after the line itself passed its own version's schema.
                try:
                    raw = as_current(raw)
                except Exception:  # noqa: BLE001 - a line its upcaster cannot read
                    return stop(seq, f"this {type_name} v{v} cannot be read as v{current_v[type_name]}", True)
            if batch_left:
                if type_name == _BATCH:
                    return stop(seq, f"a batch starts inside the batch opened at seq {batch_seq}, {batch_left} of whose events are missing", True)
                if raw.get("at") != batch_at or raw.get("actor") != batch_actor:
                    return stop(seq, f"its at or actor differs from those of its batch (opened at seq {batch_seq})", True)
                batch_left -= 1
            elif type_name == _BATCH:
                data = raw.get("data")
                declared = data.get("events") if data.__class__ is dict else None
                if declared.__class__ is not int or declared < 1:
                    return stop(seq, "a BatchStarted must declare how many events follow (data.events, an integer >= 1)", True)
                batch_seq, batch_left, batch_at, batch_actor = seq, declared, raw.get("at"), raw.get("actor")
                before_batch = (seq - 1, prev, offset)
            if type_name == "AssertionRecorded":
                # The quote check, inline for the common case (what _content_check does).
                try:
                    d = raw["data"]
                    sel = d["selector"]
                    source_id, version = d["source_id"], d["version"]
                    if source_id != last_source or version != last_version:  # runs of one source's assertions
                        text = texts.get((source_id, version))
                        if text is None and borrow is not None:
                            text = borrow(source_id, version)
                            if text is not None:
                                texts[(source_id, version)] = text
                        last_source, last_version = source_id, version
                    start, stop_at = sel["start"], sel["end"]
                    good = (
                        text is not None
                        and 0 <= start < stop_at <= len(text)
                        and text[start:stop_at] == sel["exact"]
                        and text[start - CONTEXT if start > CONTEXT else 0 : start] == sel["prefix"]
                        and text[stop_at : stop_at + CONTEXT] == sel["suffix"]
                    )
                except (KeyError, TypeError, AttributeError):  # malformed: the schema pass is elsewhere or off
                    good = False
                if not good:
                    return stop(seq, _content_problem(raw, texts) or "the quote does not match the source text", True)
            elif type_name in _SOURCE_TYPES:
                problem = _content_problem(raw, texts)
                if problem:
                    return stop(seq, problem, True)
                last_source = None  # a new text may now stand under that key
            try:  # event ids and time here, then ids, references, spans: ledger.checks
                event_id, at = raw["id"], raw["at"]
                if event_id in event_ids:
                    problem = f"event id {event_id} is used again (event ids are unique)"
                elif at < last_at:
                    problem = f"at {at} is earlier than the previous event's {last_at}: time moved back"
                else:
                    add_event_id(event_id)
                    last_at = at
                    # d: the payload the quote check above took apart
                    problem = rules_recorded(d, text) if type_name == "AssertionRecorded" else rules_other(type_name, raw["data"], seq)
            except (KeyError, TypeError, AttributeError):  # malformed: the schema pass is elsewhere or off
                problem = _MALFORMED
            if problem is not None:
                return stop(seq, problem, True)
            prev = stored
            expected_seq += 1
            offset = end_of_good = offset + end + 1
            if pool is not None and expected_seq - pool.first >= chunk:
                hit = pool.submit(expected_seq, end_of_good)  # every line sent has passed all the other checks
                if hit is not None:
                    report.events = expected_seq - 1
                    return fail(*hit)
            if progress is not None and not (expected_seq - 1) % 10000:
                progress(expected_seq - 1)
    finally:
        f.close()
        rules.last_at = last_at  # the state ledger.ranges reads after a range
    report.events = expected_seq - 1
    if pool is not None:
        hit = pool.settle(None, True, end_of_good)
        if hit is not None:
            return fail(*hit)
    if batch_left or torn_line:
        head_seq, head_hash, head_size = before_batch if batch_left else (expected_seq - 1, prev, end_of_good)
        parts = []
        if batch_left:
            parts.append(f"the batch opened at seq {batch_seq} lacks {batch_left} of its events")
        if torn_line:
            parts.append(f"a last line of {torn_line} bytes has no newline")
        report.interrupted_bytes = end_of_good + torn_line - head_size
        report.interrupted = (
            f"the last {report.interrupted_bytes} bytes, after seq {head_seq}, are an interrupted append ("
            + " and ".join(parts) + "); 'factledger repair' sets them aside"
        )
        _finish(report, head_seq + 1, head_hash, started)
        report.events = expected_seq - 1
        return report
    return _finish(report, expected_seq, prev, started)


def _finish(report: VerifyReport, expected_seq: int, prev: str, started: float) -> VerifyReport:
    report.events = report.head_seq = expected_seq - 1
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
    """What is wrong with a source's text or an assertion's quote, if anything."""
    try:
        return _content_check(raw, texts)
    except (KeyError, TypeError, AttributeError, IndexError):  # only when the schema pass is elsewhere or off
        return _MALFORMED


def _content_check(raw: dict[str, Any], texts: dict[tuple[str, int], str]) -> str | None:
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
    """The checks of :func:`_line_check` in worker processes. Chunks go out in seq order as byte ranges of the
    file (each worker reads its own range: nothing bulky crosses a pipe, and this process
    keeps its time for the chain), and their results are read back in the same order, so
    the first failure found is the first in the log. At most ``2 * workers + 1`` chunks are
    out with the workers: when that many are, this process checks the next chunk itself
    instead of waiting, so memory stays bounded and no core idles."""

    def __init__(self, workers: int, report: VerifyReport, store: LogStore, executor: Any = None) -> None:
        self.owned = executor is None
        self.executor = ProcessPoolExecutor(max_workers=workers) if executor is None else executor
        self.limit = 2 * workers + 1
        self.report = report
        self.store = store
        self.path = os.path.abspath(store.path)
        self.inflight: deque[tuple[int, Future]] = deque()  # (seq of the chunk's first line, future)
        self.first = 1  # seq of the first line not yet sent
        self.start = 0  # its byte offset
        self.found: tuple[int, str, int] | None = None  # (seq, problem, rank)
        self.local = 0  # chunks checked in this process while the workers were behind

    def submit(self, next_seq: int, end: int) -> tuple[int, str] | None:
        """Send the lines from the last one sent up to byte ``end`` (the last has seq
        ``next_seq - 1``); the first schema failure of the chunks finished so far, if any."""
        if sum(not f.done() for _first, f in self.inflight) >= self.limit:
            # The workers are behind: rather than wait for them, check this chunk here (the
            # chunks are still read back in order), so the cores share the work whichever
            # side is the slower on this machine and ledger.
            future: Future = Future()
            future.set_result(_schema_chunk(self.path, self.start, end))
            self.local += 1
        else:
            future = self.executor.submit(_schema_chunk, self.path, self.start, end)
        self.inflight.append((self.first, future))
        self.first, self.start = next_seq, end
        while self.inflight and self.inflight[0][1].done():  # never waits: at most ``limit`` chunks are out
            self._consume()
            if self.found is not None:
                return self.found[:2]
        return None

    def settle(self, seq: int | None, rank: bool | int, end: int | None = None) -> tuple[int, str] | None:
        """The first failure of the workers' checks before ``seq``, or at it when the sequential
        replay makes that check before the one of ``rank`` (True: every check; up to byte ``end``
        when ``seq`` is None), waiting for the chunks in flight and checking the unsent lines here."""
        rank = _AFTER + 1 if rank is True else int(rank)
        while self.found is None and self.inflight:
            self._consume()
        if self.found is None:
            f = self.store.open_for_reading(self.start)
            with f:
                for at, line in enumerate(f, self.first):
                    if (seq is None and self.start >= (end or 0)) or (
                        seq is not None and (at > seq or (at == seq and rank <= _SEQ))  # (a line that may not parse)
                    ):
                        break
                    self.start += len(line)
                    problem = _line_check(line[:-1] if line.endswith(b"\n") else line, self.report, rank if at == seq else _AFTER)
                    if problem:
                        self.found = (at, problem[1], problem[0])
                        break
        hit = self.found
        if hit is None or (seq is not None and (hit[0] > seq or (hit[0] == seq and hit[2] >= rank))):
            return None
        return hit[:2]

    def _consume(self) -> None:
        first, future = self.inflight.popleft()
        try:
            index, rank, problem, unknown = future.result()
        except (BrokenProcessPool, OSError) as exc:
            raise LedgerError(
                f"{self.store.path}: a verify worker process failed ({exc.__class__.__name__}); run verify with --jobs 1"
            ) from None
        for type_name, n in unknown.items():
            self.report.unknown_types[type_name] = self.report.unknown_types.get(type_name, 0) + n
        if problem is not None:
            self.found = (first + index, problem, rank)

    def close(self) -> None:
        if self.owned:
            self.executor.shutdown(wait=True, cancel_futures=True)
        else:  # someone else's (a cluster's): only what this verify sent is cancelled
            for _first, future in self.inflight:
                future.cancel()


def _schema_check(raw: dict[str, Any], report: VerifyReport) -> str | None:
    """The schema pass of one parsed line, as the sequential replay does it."""
    try:
        is_valid = compiled_for(raw.get("type"), raw.get("v"))
    except TypeError:  # an unhashable type or v: only the envelope schema can judge it
        is_valid = None
    try:
        valid = is_valid is not None and is_valid(raw)
    except ValueError:  # jsonschema-rs' recursion limit: _schema_problem names it
        valid = False
    return None if valid else _schema_problem(raw, report)


_BLANK_SHA256 = hashlib.sha256()


def _line_check(line: bytes, report: VerifyReport, below: int = _AFTER) -> tuple[int, str] | None:
    """The checks of one complete line (without its newline) that need nothing from the lines
    before it, in the sequential replay's order: its hash, its canonical form, its JSON Schema;
    (rank, problem) of the first that fails. Only the checks ranked ``below`` a failure this
    process found on the line are made (the schema pass counts unknown types as it goes). The
    line parsed as an event in the main pass."""
    raw = orjson.loads(line)
    end = len(line)
    i = line.rfind(_HASH_KEY)
    j = i + 9
    if i < 0 or j + 65 > end or line[j + 64] != 34:
        return _HASH_MEMBER, _NO_HASH_MEMBER
    digest = _BLANK_SHA256.copy()
    digest.update(line[:i])
    digest.update(line[j + 65 :])
    if digest.hexdigest() != raw.get("hash"):
        return _HASH, _HASH_MISMATCH
    try:
        canonical = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # nested deeper than orjson writes
        canonical = b""
    if canonical != line:
        return _CANONICAL, _NOT_CANONICAL
    if below <= _SCHEMA:
        return None
    problem = _schema_check(raw, report)
    return None if problem is None else (_SCHEMA, problem)


def _schema_chunk(path: str, start: int, end: int) -> tuple[int | None, int, str | None, dict[str, int]]:
    """Worker: the lines in bytes ``start:end`` of ``path``: (index of the first line failing
    :func:`_line_check`, the rank of that check, the problem, unknown types counted up to it)."""
    data = LogStore(path).read_range(start, end)
    report = VerifyReport()
    for index, line in enumerate(data.split(b"\n")[:-1]):  # the range ends with a newline
        problem = _line_check(line, report)
        if problem:
            return index, problem[0], problem[1], report.unknown_types
    return None, 0, None, report.unknown_types
