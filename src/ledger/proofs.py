"""Proof bundles: the events about one id, with what a third party needs to check them offline.

``prove`` gathers the lines that concern an assertion, source, claim or event, and for each
its RFC 9162 inclusion path in a signed checkpoint; ``check_bundle`` verifies a bundle with
the checkpoint's public key and nothing else. A bundle is a few KB whatever the ledger's
size: ``log2 n`` hashes per event instead of every later event. The layout is specified in
docs/log-format.md ("Proof bundles"), where a standard-library verifier is printed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import struct
import tempfile
from typing import Any

import orjson

from . import merkle
from .checkpoint import Checkpoint, CheckpointError, LedgerTree, VerifierKey, open_note, parse_checkpoint
from .events import current_data
from .log import LedgerError, LogStore

PROOF_FORMAT = "factledger-proof/v1"
CONSISTENCY_FORMAT = "factledger-consistency/v1"

_EVENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ASSERTION_TYPES = ("AssertionRecorded", "AssertionRetracted", "AssertionWithdrawn")


INDEX_FORMAT = "factledger-ids/1"


def _key(value: str) -> bytes:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()


def _data(raw: dict[str, Any]) -> dict[str, Any]:
    """``data`` in its type's current shape (:func:`ledger.events.current_data`); ``{}`` for a
    line of a newer version or one too malformed to say (these lines are read unchecked)."""
    try:
        d = current_data(raw)
    except Exception:  # no type/v/data, or an old version its upcaster cannot read
        return {}
    return d if isinstance(d, dict) else {}


def _ids_of(raw: dict[str, Any]) -> list[str]:
    """The ids an event is found by: its own, and the ids of what it is about."""
    d = _data(raw)
    ids = [raw.get("id")]
    if d:
        t = raw.get("type")
        if t in ("SourceAppended", "SourceRevised"):
            ids.append(d.get("source_id"))
        elif t in _ASSERTION_TYPES:
            ids.append(d.get("assertion_id"))
        elif t in ("AssertionsLinked", "AssertionsUnlinked"):
            ids += [d.get("a"), d.get("b")]
        elif t == "VerdictRecorded":
            ids.append(d.get("target"))
    return [i for i in ids if isinstance(i, str)]


class _Lines:
    """The lines of the snapshot that mention an id, from an index of 16-byte records
    (8-byte BLAKE2b of the id, byte offset of the line) cached beside the ledger
    (``<ledger>.cache/ids.bin``, keyed and re-checked like the Merkle cache): a lookup is one
    ``bytes.find`` over the records, so ``prove`` does not read the ledger. The index is
    brought up to the snapshot's end first (the lines after what it covers are parsed once)."""

    def __init__(self, store: LogStore, size: int) -> None:
        self.store, self.size = store, size
        self.path = store.path.with_name(store.path.name + ".cache") / "ids.bin"
        records, offset = self._load()
        parts = [records]
        if offset < size:
            f = store.open_for_reading(offset)
            with f:
                key, pack = _key, struct.Struct(">8sQ").pack
                last = b""
                for line in f:
                    if offset + len(line) > size:
                        break
                    raw = orjson.loads(line)
                    parts += [pack(key(i), offset) for i in _ids_of(raw)]
                    offset += len(line)
                    last = line
            self.records = b"".join(parts)
            self._save(offset, last)
        else:
            self.records = records

    def _load(self) -> tuple[bytes, int]:
        try:
            data = self.path.read_bytes()
            newline = data.index(b"\n")
            key = orjson.loads(data[:newline])
            start, end = key["start"], key["end"]
            if key.get("format") != INDEX_FORMAT or end > self.size or (len(data) - newline - 1) % 16:
                return b"", 0
            raw = orjson.loads(self.store.read_range(start, end))
            if raw.get("seq") != key["seq"] or raw.get("hash") != key["hash"]:
                return b"", 0
            return data[newline + 1 :], end
        except Exception:  # missing, stale or corrupt: index from the start
            return b"", 0

    def _save(self, end: int, last: bytes) -> None:
        if not last:
            return
        try:
            raw = orjson.loads(last)
            key = {"format": INDEX_FORMAT, "seq": raw["seq"], "hash": raw["hash"], "start": end - len(last), "end": end}
            self.path.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".ids.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(orjson.dumps(key) + b"\n" + self.records)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except Exception:  # a cache that cannot be written is simply not written
            return

    def close(self) -> None:
        pass

    def having(self, value: str, end: int | None = None) -> dict[int, tuple[bytes, dict[str, Any]]]:
        """Line start -> (line without newline, parsed) for each line indexed under ``value``
        (starting before byte ``end``, if given); callers check the parsed fields."""
        out: dict[int, tuple[bytes, dict[str, Any]]] = {}
        records, needle, pos = self.records, _key(value), 0
        f = self.store.open_for_reading()
        if f is None:
            return out
        with f:
            while True:
                hit = records.find(needle, pos)
                if hit < 0:
                    return out
                pos = hit + 1
                if hit % 16:
                    continue  # the bytes straddle two records
                start = struct.unpack_from(">Q", records, hit + 8)[0]
                if start in out or (end is not None and start >= end):
                    continue
                f.seek(start)
                line = f.readline()
                out[start] = (line.rstrip(b"\n"), orjson.loads(line))


def select(
    store: LogStore, tree: LedgerTree, head_size: int, query: str, upto: int, with_sources: bool = False
) -> list[tuple[bytes, dict[str, Any]]]:
    """The lines (seq <= ``upto``) that concern ``query``, in seq order; ``with_sources``: for
    an assertion or claim, also the source versions its quotes point into (whole articles)."""
    lines = _Lines(store, head_size)
    try:
        found: dict[int, tuple[bytes, dict[str, Any]]] = {}
        if _EVENT_ID.fullmatch(query):
            for start, (line, raw) in lines.having(query).items():
                if raw.get("id") == query:
                    found[start] = (line, raw)
        elif query.startswith("src-"):
            found.update(_source_lines(lines, query, None))
        elif query.startswith("cl-"):
            from .projections import build_claims

            claims = [c for c in build_claims(store, upto) if c.claim_id == query]
            if not claims:
                raise LedgerError(f"{store.path}: no claim {query!r} (as of seq {upto})")
            for row in claims[0].members:
                found.update(_assertion_lines(lines, row.assertion_id, with_sources))
            for start, (line, raw) in lines.having(query).items():
                if raw.get("type") == "VerdictRecorded" and _data(raw).get("target") == query:
                    found[start] = (line, raw)
        else:
            found.update(_assertion_lines(lines, query, with_sources))
    finally:
        lines.close()
    out = sorted((v for v in found.values() if v[1].get("seq", 0) <= upto), key=lambda v: v[1]["seq"])
    if not out:
        raise LedgerError(f"{store.path}: nothing in the ledger (up to seq {upto}) concerns {query!r}")
    return out


def _source_lines(
    lines: _Lines, source_id: str, versions: set[int] | None, end: int | None = None
) -> dict[int, tuple[bytes, dict[str, Any]]]:
    out = {}
    for start, (line, raw) in lines.having(source_id, end).items():
        d = _data(raw)
        if raw.get("type") in ("SourceAppended", "SourceRevised") and d.get("source_id") == source_id:
            if versions is None or d.get("version") in versions:
                out[start] = (line, raw)
    return out


def _assertion_lines(lines: _Lines, assertion_id: str, with_sources: bool) -> dict[int, tuple[bytes, dict[str, Any]]]:
    out = {}
    sources: dict[str, set[int]] = {}
    for start, (line, raw) in lines.having(assertion_id).items():
        t, d = raw.get("type"), _data(raw)
        if (
            (t in _ASSERTION_TYPES and d.get("assertion_id") == assertion_id)
            or (t in ("AssertionsLinked", "AssertionsUnlinked") and assertion_id in (d.get("a"), d.get("b")))
            or (t == "VerdictRecorded" and d.get("target") == assertion_id)
        ):
            out[start] = (line, raw)
            if t == "AssertionRecorded":
                sources.setdefault(d["source_id"], set()).add(d["version"])
    last = max(out, default=0)
    for source_id, versions in sources.items() if with_sources else ():  # the texts its quotes point into, recorded before them
        out.update(_source_lines(lines, source_id, versions, last))
    return out


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode("ascii")


def prove(
    store: LogStore, tree: LedgerTree, head_size: int, query: str, note: bytes, cp: Checkpoint, with_sources: bool = False
) -> dict[str, Any]:
    """The bundle for ``query`` against the signed checkpoint ``note`` (which must match the ledger).
    Without ``with_sources`` an assertion's bundle leaves out the source lines (the whole
    article, most of the bytes): its own line carries the quote, prefix and suffix."""
    if cp.size > tree.size or tree.root(cp.size) != cp.root:
        raise CheckpointError(f"{store.path}: the checkpoint does not match this ledger (size {cp.size})")
    entries = []
    for line, raw in select(store, tree, head_size, query, cp.size, with_sources):
        index = raw["seq"] - 1
        if tree.leaf(index) != merkle.leaf_hash(line):
            raise LedgerError(f"{store.path}: the line of seq {raw['seq']} is not leaf {index}; run 'factledger verify'")
        entries.append(
            {"seq": raw["seq"], "index": index, "line": line.decode("utf-8"), "proof": [_b64(h) for h in tree.inclusion(index, cp.size)]}
        )
    return {"format": PROOF_FORMAT, "query": query, "checkpoint": note.decode("utf-8"), "entries": entries}


def consistency_bundle(tree: LedgerTree, old: tuple[Checkpoint, bytes], new: tuple[Checkpoint, bytes]) -> dict[str, Any]:
    """A proof that checkpoint ``new`` extends ``old``, made from the ledger holding both."""
    (ocp, onote), (ncp, nnote) = old, new
    if ocp.size > ncp.size:
        raise CheckpointError(f"the old checkpoint ({ocp.size} events) is larger than the new one ({ncp.size})")
    if ncp.size > tree.size or tree.root(ncp.size) != ncp.root:
        raise CheckpointError(f"the new checkpoint (size {ncp.size}) does not match this ledger")
    proof = tree.consistency(ocp.size, ncp.size) if 0 < ocp.size < ncp.size else []
    return {"format": CONSISTENCY_FORMAT, "old": onote.decode("utf-8"), "new": nnote.decode("utf-8"), "proof": [_b64(h) for h in proof]}


def _decode(values: Any, where: str) -> list[bytes]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise CheckpointError(f"{where}: a proof must be a list of base64 hashes")
    out = [base64.b64decode(v) for v in values]
    if any(len(h) != 32 for h in out):
        raise CheckpointError(f"{where}: a proof hash is not 32 bytes")
    return out


def quote_problem(events: list[dict[str, Any]]) -> str | None:
    """What is wrong with a quote whose source text is in the bundle (as ``verify`` checks it:
    the text matches its ``text_sha256``, ``exact``, ``prefix`` and ``suffix`` are its slices)."""
    texts = {}
    for raw in events:
        d = raw.get("data")
        if raw.get("type") in ("SourceAppended", "SourceRevised"):
            if hashlib.sha256(d["text"].encode("utf-8")).hexdigest() != d["text_sha256"]:
                return f"seq {raw['seq']}: the source text does not match its text_sha256"
            texts[d["source_id"], d["version"]] = d["text"]
    for raw in events:
        d = raw.get("data")
        text = texts.get((d.get("source_id"), d.get("version"))) if raw.get("type") == "AssertionRecorded" else None
        if text is not None:
            sel = d["selector"]
            start, end = sel["start"], sel["end"]
            if not (
                type(start) is int and type(end) is int and 0 <= start < end <= len(text) and text[start:end] == sel["exact"]
                and sel["prefix"] == text[max(0, start - 32) : start] and sel["suffix"] == text[end : end + 32]
            ):
                return f"seq {raw['seq']}: the quote differs from the source text in the bundle"
    return None


def quotes_checked(events: list[dict[str, Any]]) -> tuple[int, int]:
    """(recordings in ``events`` whose source text is in it too, all recordings)."""
    texts = {(e["data"]["source_id"], e["data"]["version"]) for e in events if e.get("type") in ("SourceAppended", "SourceRevised")}
    recorded = [e["data"] for e in events if e.get("type") == "AssertionRecorded"]
    return sum((d["source_id"], d["version"]) in texts for d in recorded), len(recorded)


def check_bundle(data: bytes, key: VerifierKey, where: str) -> tuple[str, Checkpoint, list[dict[str, Any]]]:
    """Verify a bundle offline: (kind, the checkpoint proved against, the events it proves)."""
    try:
        bundle = orjson.loads(data)
        kind = bundle["format"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise CheckpointError(f"{where}: not a factledger proof bundle (JSON with a 'format')") from None
    try:
        if kind == PROOF_FORMAT:
            cp = parse_checkpoint(open_note(bundle["checkpoint"].encode("utf-8"), key, where), where)
            events = []
            for entry in bundle["entries"]:
                line, index = entry["line"].encode("utf-8"), entry["index"]
                raw = orjson.loads(line)
                if raw.get("seq") != index + 1:
                    raise CheckpointError(f"{where}: entry at index {index} holds seq {raw.get('seq')}")
                if not merkle.verify_inclusion(index, cp.size, merkle.leaf_hash(line), _decode(entry["proof"], where), cp.root):
                    raise CheckpointError(f"{where}: seq {index + 1} is not included in the checkpoint (tree size {cp.size})")
                events.append(raw)
            problem = quote_problem(events)
            if problem:
                raise CheckpointError(f"{where}: {problem}")
            return kind, cp, events
        if kind == CONSISTENCY_FORMAT:
            old = parse_checkpoint(open_note(bundle["old"].encode("utf-8"), key, where), where)
            new = parse_checkpoint(open_note(bundle["new"].encode("utf-8"), key, where), where)
            if old.origin != new.origin:
                raise CheckpointError(f"{where}: the checkpoints are of different logs ({old.origin} / {new.origin})")
            proof = _decode(bundle["proof"], where)
            ok = (old.size == 0 and not proof) or merkle.verify_consistency(old.size, new.size, old.root, new.root, proof)
            if not ok:
                raise CheckpointError(f"{where}: the new checkpoint ({new.size}) does not extend the old one ({old.size})")
            return kind, new, []
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, CheckpointError):
            raise
        raise CheckpointError(f"{where}: malformed bundle ({exc.__class__.__name__}: {exc})") from None
    raise CheckpointError(f"{where}: unknown bundle format {kind!r}")
