"""Verification: replay the log from the first event and prove it.

Checks, in one streaming pass: every line is the canonical bytes of its event; ``hash``
is the sha256 of the event without ``hash``; ``prev`` chains to the previous event;
``seq`` is gapless from 1; every event matches the JSON Schema of its type and version
(``events/``); every source text matches its ``text_sha256``; every selector equals
the slice of the stored text it points into. The first failure stops the replay and is
reported with its seq.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import orjson
from attrs import define, field

from .events import GENESIS
from .extractors import CONTEXT
from .log import DamagedLogError, LogStore
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


def verify(
    store: LogStore,
    *,
    schemas: bool = True,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    report = VerifyReport()
    started = time.perf_counter()

    def fail(seq: int | None, reason: str) -> VerifyReport:
        report.ok = False
        report.bad_seq = seq
        report.reason = reason
        report.seconds = time.perf_counter() - started
        return report

    try:
        return _replay(store, report, started, fail, schemas, progress)
    except DamagedLogError:
        # lines() refuses an unreadable line in the middle; verify must still name the seq.
        seq = report.events + 1
        return fail(seq, f"the line of seq {seq} (after seq {seq - 1}) is not a valid JSON event: it was edited or inserted")


_CONTENT_TYPES = ("SourceAppended", "SourceRevised", "AssertionRecorded")  # a tuple: a malformed (unhashable) type is fine


def _replay(store, report, started, fail, schemas, progress) -> VerifyReport:
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
        if schemas:
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
                return fail(seq, problem)
        prev = stored
        expected_seq += 1
        report.events += 1
        if progress is not None and report.events % 10000 == 0:
            progress(report.events)
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
