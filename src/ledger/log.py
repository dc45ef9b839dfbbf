"""The storage layer: an append-only, hash-chained JSONL file behind a narrow interface.

* Appends take an exclusive ``fcntl`` lock, read the head, write the whole batch with
  one ``write`` and ``fsync`` before returning, so concurrent writers interleave whole
  batches and an acknowledged batch survives a crash.
* Reads stream line by line: memory does not grow with the log.
* A batch of two or more events opens with a ``BatchStarted`` event saying how many
  follow, so a batch is all or nothing: a crash mid-write leaves an *interrupted append*
  (a last line without newline, and/or a last batch with fewer events than it declares).
  Reads stop before it with a warning; appends refuse until ``factledger repair`` moves
  those bytes to a side file. Nothing is ever deleted. A complete last line (ending in a
  newline) that is not a valid event is damage, never repaired (see docs/log-format.md).
* Every read works on one snapshot: the head when it started (:meth:`LogStore.snapshot`
  pins it for a whole command).
"""

from __future__ import annotations

import contextlib
import copy
import errno
import fcntl
import functools
import getpass
import hashlib
import os
import re
import socket
import stat
import sys
import threading
import time
import warnings
from binascii import hexlify as _hexlify
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from attrs import frozen

from .events import GENESIS, AssertionRecorded, BatchStarted, Event, Payload, SourceAppended, SourceRevised, as_current

# serialization (and cattrs) is imported where it is used: reading a view from the projection
# store never needs it, and importing it is most of a small command's start-up (#12).


class LedgerError(Exception):
    """A problem with the ledger file, phrased for the user in one line."""


class TornTailError(LedgerError):
    """The ledger ends in an interrupted append (a partial line or batch); appending would bury it."""


class DamagedLogError(LedgerError):
    """A line in the middle of the ledger cannot be read."""


class SchemaBreakError(DamagedLogError):
    """An event that parses but does not match its schema: readers stop rather than guess."""


class TornTailWarning(UserWarning):
    """Reads stopped before a torn tail."""


@frozen
class Head:
    """The last good event: where the next append chains from.

    Attributes:
        seq: Its sequence number (0 for an empty ledger).
        hash: Its hash (:data:`GENESIS` for an empty ledger).
        size: Byte length of the good part of the file: it ends with the last complete batch.
        torn: Bytes after the good part (an interrupted append: a partial line and/or the
            lines of an incomplete last batch), 0 when clean.
    """

    seq: int
    hash: str
    size: int
    torn: int = 0
    at: str = ""  # the last event's time: the next batch's is never earlier (verify checks it)


@frozen
class Appended:
    """What an append assigned to its batch, event by event.

    The caller already holds the payloads; the store adds the envelope: event ``i`` has
    seq ``first_seq + i``, id ``ids[i]`` and hash ``hashes[i]``, and chains from ``prev``.
    :meth:`events` and :meth:`raw_events` rebuild the events as written, on demand
    (an append does not build them: most callers only need the seqs and ids).
    """

    payloads: tuple[Payload, ...]
    first_seq: int
    ids: tuple[str, ...]
    hashes: tuple[str, ...]
    prev: str
    at: str
    actor: str

    def __len__(self) -> int:
        return len(self.payloads)

    @property
    def last_seq(self) -> int:
        """Seq of the batch's last event (``first_seq - 1`` for an empty batch)."""
        return self.first_seq + len(self.payloads) - 1

    @property
    def head_hash(self) -> str:
        """Hash of the batch's last event: what the next append chains from."""
        return self.hashes[-1] if self.hashes else self.prev

    def events(self) -> list[Event]:
        """The typed events, equal to what reading the ledger back gives."""
        prevs = (self.prev, *self.hashes[:-1])
        return [
            Event(self.first_seq + i, event_id, p.TYPE, p.VERSION, self.at, self.actor, prev, digest, p, {})
            for i, (p, event_id, prev, digest) in enumerate(zip(self.payloads, self.ids, prevs, self.hashes))
        ]

    def raw_events(self) -> list[dict[str, Any]]:
        """The events as the JSON objects on their lines."""
        from .serialization import unstructure_event

        return [unstructure_event(event) for event in self.events()]


def default_actor() -> str:
    """``user@host`` of whoever runs the command."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


def now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_event_id() -> str:
    """A UUIDv7 string: unique, and sorting by it sorts by creation time."""
    return new_event_ids(1)[0]


def new_event_ids(n: int) -> list[str]:
    """``n`` UUIDv7 strings for one batch: one clock read and one ``urandom`` call for all.

    Layout (RFC 9562): 48-bit Unix milliseconds, version 7, 12 random bits, variant 0b10,
    62 random bits. Built from hex slices rather than per-id integer arithmetic.
    """
    return [i.decode("ascii") for i in _new_event_ids(n)]


def _new_event_ids(n: int) -> list[bytes]:
    """:func:`new_event_ids` as ASCII bytes, what a line is built from."""
    stamp = _id_stamp()
    return [stamp + part for part in _random_parts(n)]


def _id_stamp() -> bytes:
    """The first 15 characters of an event id made now: the milliseconds and the version."""
    t = b"%012x" % ((time.time_ns() // 1_000_000) & ((1 << 48) - 1))
    return b"%s-%s-7" % (t[:8], t[8:])


def _random_parts(n: int) -> list[bytes]:
    """``n`` random ends of event ids (the 21 characters after the version: 12 random bits,
    variant 0b10, 62 random bits), taken from a pool made :data:`_POOL_SIZE` at a time: the
    sequencer needs ~35 per source, and making them costs mostly per call (one ``urandom``,
    3 strided writes), not per id. The pool is this process's: a forked child starts
    without it (its ids must not repeat the parent's)."""
    with _POOL_LOCK:
        if len(_POOL) < n:
            _POOL.extend(_make_random_parts(max(n, _POOL_SIZE)))
        parts = _POOL[-n:] if n else []
        del _POOL[len(_POOL) - n :]
    return parts


def _make_random_parts(n: int) -> list[bytes]:
    """21 random hex digits per id, from one ``urandom`` call; then 3 strided writes whatever
    ``n``: the two dashes over digits 3 and 8 and the variant (0b10) over digit 4, which keeps
    its low 2 bits. So 12 + 62 random bits per id, as RFC 9562 says. Then cut."""
    h = bytearray(_hexlify(os.urandom((21 * n + 1) // 2))[: 21 * n])
    dashes = b"-" * n
    h[3::21] = dashes
    h[8::21] = dashes
    h[4::21] = h[4::21].translate(_VARIANT_DIGIT)
    parts = bytes(h)
    return [parts[k : k + 21] for k in range(0, 21 * n, 21)]


_VARIANT_DIGIT = bytes(b"89ab"[int(chr(c), 16) & 3] if chr(c) in "0123456789abcdef" else c for c in range(256))
"""hex digit -> the hex digit of 0b10 followed by its own low 2 bits (8, 9, a or b)."""


_POOL: list[bytes] = []
_POOL_LOCK = threading.Lock()
_POOL_SIZE = 4096


def _forget_pool() -> None:
    """In a forked child: its own pool, and a lock no thread of the parent can hold."""
    global _POOL_LOCK
    _POOL.clear()
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def parse_line(line: bytes) -> dict[str, Any] | None:
    """A line parsed, if it is an event at all: a JSON object with an int ``seq`` and a str ``hash``."""
    try:
        raw = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("seq"), int) or not isinstance(raw.get("hash"), str):
        return None
    return raw


class LogStore:
    """One ledger file."""

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = True, pinned: Head | None = None) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self.pinned = pinned
        self._checked_to = 0  # lines before this byte offset were checked against their schemas

    # -- reading ------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.exists()

    def head(self) -> Head:
        """The head, reading only the end of the file (the pinned one for a snapshot)."""
        if self.pinned is not None:
            return self.pinned
        fd = _open_ledger(self.path, os.O_RDONLY, missing_ok=True)
        if fd is None:
            return Head(0, GENESIS, 0)
        try:
            return _head_of_fd(fd, self.path)
        finally:
            os.close(fd)

    def snapshot(self) -> LogStore:
        """This ledger as it is now: every read through the returned store stops at this head,
        whatever is appended meanwhile. The head is taken under a shared lock, so it never
        falls inside a batch being written."""
        if self.pinned is not None:
            return self
        fd = _open_ledger(self.path, os.O_RDONLY, missing_ok=True)
        if fd is None:
            pinned = copy.copy(self)
            pinned.pinned = Head(0, GENESIS, 0)
            return pinned
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            pinned = copy.copy(self)  # the same kind of store (a subclass stays one), read only up to here
            pinned.pinned = _head_of_fd(fd, self.path)
            return pinned
        finally:
            os.close(fd)  # and the lock with it

    def lines(self, start: int = 0) -> Iterator[tuple[int, bytes, dict[str, Any]]]:
        """Yield ``(offset, line, parsed)`` for every line from byte ``start`` up to the head.

        An interrupted append after the head is left out with a :class:`TornTailWarning`;
        an unreadable line before the head raises :class:`DamagedLogError`.
        """
        return self._scan(start, None)

    def raw_events(self, start: int = 0) -> Iterator[dict[str, Any]]:
        """The parsed lines as written (any version): for checks of the lines themselves.
        A reader of their contents wants :meth:`current_events`."""
        for _offset, _line, raw in self.lines(start):
            yield raw

    def current_events(self, start: int = 0) -> Iterator[dict[str, Any]]:
        """The parsed lines with each ``data`` in its type's current shape (the one gate,
        :func:`ledger.events.as_current`): older versions upcast, newer ones left out."""
        for _offset, _line, raw in self.lines(start):
            raw = as_current(raw)
            if raw is not None:
                yield raw

    def events(self, start: int = 0) -> Iterator[Event]:
        """Typed events, streamed (as :meth:`lines`, each turned into an :class:`Event`). Each
        event's payload is structured when first read (:func:`ledger.serialization.lazy_event`):
        a replay that looks at envelopes only never builds one."""
        from .serialization import lazy_event

        return self._scan(start, lazy_event)

    def open_for_reading(self, start: int = 0) -> BinaryIO | None:
        """The ledger file opened for reading at byte ``start`` (``None`` if there is none
        yet), or a one-line :class:`LedgerError` (also for a directory, FIFO or device). For
        readers that run their own loop over the lines (``verify``, a worker's byte range):
        they iterate the file itself, so the door costs nothing per line."""
        fd = _open_ledger(self.path, os.O_RDONLY, missing_ok=True)
        if fd is None:
            return None
        f = open(fd, "rb")
        if start:
            f.seek(start)
        return f

    def read_range(self, start: int, end: int) -> bytes:
        """Bytes ``start:end`` of the file (fewer if it is shorter; ``b""`` if there is none):
        a cached line re-checked, a block of the Merkle tree, a worker's range."""
        fd = _open_ledger(self.path, os.O_RDONLY, missing_ok=True)
        if fd is None or end <= start:
            if fd is not None:
                os.close(fd)
            return b""
        try:
            return _pread_all(fd, end - start, start)
        finally:
            os.close(fd)

    def line_at(self, start: int) -> bytes:
        """The line that begins at byte ``start``, with its newline (``b""`` past the end)."""
        f = self.open_for_reading(start)
        if f is None:
            return b""
        with f:
            return f.readline()

    def last_event(self, end: int | None = None) -> dict[str, Any] | None:
        """The last line before byte ``end`` (default: this store's head), parsed; None if there
        is none or it is no event. Reads backwards from ``end``, so the cost is one line."""
        end = self.head().size if end is None else end
        fd = _open_ledger(self.path, os.O_RDONLY, missing_ok=True)
        if fd is None or end <= 0:
            if fd is not None:
                os.close(fd)
            return None
        try:
            found = next(_lines_backwards(fd, end), None)
        finally:
            os.close(fd)
        return None if found is None else parse_line(found[1])

    def _scan(self, start: int, typed: Callable[[dict[str, Any]], Event] | None) -> Iterator[Any]:
        """The one reading loop: :meth:`lines` when ``typed`` is None, else ``typed(parsed)``
        per line, up to the head. One generator either way: replay is a million resumptions of it.

        Each line is checked against the JSON Schema of its type and version (the envelope's
        for types this version does not know) the first time this store reads it, so no view
        or exporter ever sees an event that parses but breaks its schema: the read stops with
        one line naming the seq (:class:`SchemaBreakError`). Later passes over lines already
        checked skip it.
        """
        f = self.open_for_reading()
        if f is None:
            return
        with f:
            head = self.head() if self.pinned is not None else _head_of_fd(f.fileno(), self.path)
            if head.torn and start <= head.size:
                warnings.warn(TornTailWarning(interrupted_message(self.path, head)), stacklevel=3)
            if start >= head.size:
                return
            f.seek(start)
            offset = start
            loads, error = orjson.loads, orjson.JSONDecodeError
            end = head.size
            checked = self._checked_to
            valid = _schema_checks() if end > checked else {}
            try:
                for line in f:
                    after = offset + len(line)
                    if after > end:
                        if offset >= end:
                            return
                        line = line[: end - offset]  # a line longer than the snapshot: damage below
                        after = end
                    # The common case inline (no helper call per line): a newline-terminated
                    # line that parses to an object with an int seq and a str hash.
                    try:
                        raw = loads(line)
                    except error:
                        raw = None
                    if offset >= checked:
                        # A line not checked yet: the compiled schema of its (type, v) first, which implies
                        # the envelope tests below (an object, an int seq, a str hash); anything else (a type
                        # this version does not know, a line failing it) gets the full rule of readable().
                        try:
                            ok = valid[raw["type"], raw["v"]](raw)
                        except (KeyError, TypeError, ValueError):
                            ok = False
                        if not ok or line[-1] != 10:  # 10: a newline
                            raw = self._slow_line(offset, line, raw, True)
                        if offset == checked:
                            checked = after
                    elif raw.__class__ is not dict or raw.get("seq").__class__ is not int or raw.get("hash").__class__ is not str or line[-1] != 10:
                        raw = self._slow_line(offset, line, raw, False)
                    yield (offset, line, raw) if typed is None else typed(raw)
                    offset = after
                    if offset >= end:
                        return
            finally:
                if checked > self._checked_to:
                    self._checked_to = checked

    def _slow_line(self, offset: int, line: bytes, raw: Any, check: bool) -> dict[str, Any]:
        """A line the fast path of :meth:`_scan` did not accept: the full rule (an event that
        parses, ends in a newline, and, when ``check``, satisfies :func:`ledger.schemas.readable`),
        or the error that names it."""
        if raw.__class__ is not dict or raw.get("seq").__class__ is not int or raw.get("hash").__class__ is not str or line[-1] != 10:
            raw = parse_line(line) if line.endswith(b"\n") else None
            if raw is None:
                raise DamagedLogError(
                    f"{self.path}: line at byte {offset} is not a valid event; run 'factledger verify' for details"
                )
        if check and not _schema_valid(raw):
            raise SchemaBreakError(_schema_message(self.path, raw))
        return raw

    # -- writing ------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """Hold the ledger's exclusive lock; everything done through the writer is atomic."""
        fd = _open_ledger(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            w = Writer(self, fd)
            yield w
            w.flush()  # batches appended with sync=False and not yet written (an exception drops them)
        finally:
            os.close(fd)  # closing releases the lock

    def append(self, payloads: Sequence[Payload], *, actor: str | None = None) -> Appended:
        """Append one batch; returns the envelope it assigned to each event."""
        with self.writer() as w:
            return w.append(payloads, actor=actor)

    def repair(self) -> tuple[int, Path | None]:
        """Move an interrupted append (a torn line and/or an incomplete last batch) to a side
        file and truncate; returns (bytes moved, side file).

        The side file is written and fsynced before the ledger is cut; if it cannot be
        written whole (disk full, file too large, no permission) it is removed and the
        ledger is left as it was.
        """
        if not self.path.exists():
            raise LedgerError(f"{self.path}: no such ledger")
        with self.writer() as w:
            head = w.head
            if not head.torn:
                return 0, None
            torn = os.pread(w.fd, head.torn, head.size)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            side = self.path.with_name(f"{self.path.name}.torn-{stamp}")
            _write_side_file(side, torn, self.path)
            try:
                os.ftruncate(w.fd, head.size)
                os.fsync(w.fd)
            except OSError as exc:
                raise LedgerError(
                    f"{self.path}: cannot truncate the ledger ({exc.strerror}); the interrupted append is "
                    f"also saved in {side}"
                ) from None
            _fsync_dir(self.path.parent)
            return len(torn), side


class Writer:
    """What a holder of the lock may do: read the head, catch up, append a batch."""

    def __init__(self, store: LogStore, fd: int) -> None:
        self.store = store
        self.fd = fd
        self.head = _head_of_fd(fd, store.path)
        self._unflushed = self.head.size  # where the bytes not yet handed to write-back start
        self._pending: list[bytes | memoryview] = []  # lines of batches appended with sync=False, not yet written
        self._pending_size = 0  # their bytes
        self._written = self.head.size  # the file's size: the head's, less the pending lines
        self._stamps: dict[str, _Stamp] = {}  # actor -> what every batch of this hold of the lock shares

    def check_appendable(self) -> None:
        """Refuse to chain onto an interrupted append."""
        if self.head.torn:
            raise TornTailError(
                f"{self.store.path}: the last {self.head.torn} bytes are an interrupted append (an incomplete "
                "line or batch); run 'factledger repair' to move them to a side file, then append again"
            )

    def append(self, payloads: Sequence[Payload], *, actor: str | None = None, sync: bool = True) -> Appended:
        """Write ``payloads`` as one batch (opened by a :class:`BatchStarted` when there are two or more).
        ``sync=False`` leaves the ``fsync`` to a later :meth:`sync` (group commit: the caller
        must not report the batch as recorded before that)."""
        if any(p.__class__ is BatchStarted for p in payloads):
            raise LedgerError(f"{self.store.path}: BatchStarted is written by the store itself, not passed to append")
        if len(payloads) > 1:
            payloads = (BatchStarted(events=len(payloads)), *payloads)
        from .serialization import payload_json_fn

        bodies: list[bytes] = []
        types: list[bytes] = []
        to_json: dict[type, Callable[[Payload], bytes]] = {}
        for payload in payloads:
            cls = payload.__class__
            fn = to_json.get(cls)
            if fn is None:
                fn = to_json[cls] = payload_json_fn(cls)
            bodies.append(fn(payload))
            types.append(_tail_format(cls))
        for payload, body in zip(payloads, bodies):
            if payload.__class__ not in _BULK:
                _refuse_unreadable(self.store.path, payload.__class__, body)
        w = self._write(bodies, types, actor=actor, sync=sync)
        return Appended(tuple(payloads), w.first_seq, w.ids, w.hashes, w.prev, w.at, w.actor)

    def append_encoded(
        self, bodies: Sequence[tuple[type, bytes]], *, actor: str | None = None, sync: bool = True
    ) -> Written:
        """Append one batch given as ``(payload class, its data's canonical JSON)`` pairs:
        what worker processes send, so this process only chains hashes and writes. Like
        :meth:`append`, a batch of two or more events opens with its :class:`BatchStarted`."""
        types: list[bytes] = []
        for cls, _body in bodies:
            if cls is BatchStarted:  # only the store writes one (and only first)
                raise LedgerError(f"{self.store.path}: BatchStarted is written by the store itself, not passed to append")
            types.append(_tail_format(cls))
        data = [body for _cls, body in bodies]
        if len(bodies) > 1:
            types.insert(0, _tail_format(BatchStarted))
            data.insert(0, b'{"events":%d}' % len(bodies))  # its canonical data
        return self._write(data, types, actor=actor, sync=sync)

    def append_lines(
        self, blob: bytes, start: int, lengths: Sequence[int], first: type, rest: type, *,
        actor: str | None = None, sync: bool = True,
    ) -> Written:
        """:meth:`append_encoded` for bodies that lie one after the other in ``blob`` (each
        followed by one separator byte), from ``start``, of ``lengths``: the first of class
        ``first``, the others ``rest``. A worker's result is that (:class:`ledger.ingest.Encoded`):
        the bodies are cut here, with no list of pairs in between."""
        if first is BatchStarted or rest is BatchStarted:
            raise LedgerError(f"{self.store.path}: BatchStarted is written by the store itself, not passed to append")
        n = len(lengths)
        if not n:
            return self._write([], [], actor=actor, sync=sync)
        view = memoryview(blob)  # a view's slice copies nothing (a bytes slice of 1 KB costs a malloc and a copy)
        data: list[bytes | memoryview] = [b'{"events":%d}' % n] if n > 1 else []
        for length in lengths:
            data.append(view[start : start + length])
            start += length + 1
        tails = [_tail_format(first)] + [_tail_format(rest)] * (n - 1)
        if n > 1:
            tails.insert(0, _tail_format(BatchStarted))
        return self._write(data, tails, actor=actor, sync=sync)

    def _write(self, bodies: Sequence[bytes | memoryview], tails: Sequence[bytes], *, actor: str | None, sync: bool) -> Written:
        """Write one batch: event ``k`` has data ``bodies[k]`` (canonical JSON) and its line ends
        as ``tails[k]`` says (see :func:`_tail_format`)."""
        self.check_appendable()
        actor = actor or default_actor()
        stamp = self._stamps.get(actor)
        if stamp is None:
            stamp = self._stamps[actor] = _Stamp.now(actor, self.head.at)
        seq, prev = self.head.seq, self.head.hash
        if not bodies:
            return Written(seq + 1, stamp.id_time, [], [], prev, stamp.at, actor)
        if not _is_sha256_hex(prev):
            raise DamagedLogError(f"{self.store.path}: the last event's hash is not a sha256 hex digest; run 'factledger verify'")
        parts = _random_parts(len(bodies))
        hashes: list[bytes] = []
        # The canonical line of each event, built around the canonical bytes of its data (see
        # docs/log-format.md: keys sorted, compact). The envelope's keys sort as actor, at,
        # data, hash, id, prev, seq, type, v; actor and at are the batch's, id, prev and hash
        # are hex, seq and v ints, type a class constant: so the line is
        #   prefix + data + ',"hash":"<hash>"' + tail + newline
        # and the hash covers prefix + data + tail. Only the tail depends on the event's place
        # in the chain (prev, seq; and its id); the state of the sha256 after the prefix is
        # copied, not recomputed. A property test holds the lines to canonical(raw) byte for
        # byte. Each line goes to writev as two buffers: its data (never copied into a joined
        # line) and the rest, which ends with the next line's prefix.
        id_time, copy, between = stamp.id_time, stamp.copy, stamp.between
        chunks: list[bytes | memoryview] = [stamp.prefix]
        add, note = chunks.extend, hashes.append
        prev_hex = prev.encode("ascii")
        first_seq = seq + 1
        for body, tail_format, part in zip(bodies, tails, parts):
            seq += 1
            tail = tail_format % (id_time, part, prev_hex, seq)
            sha = copy()
            sha.update(body)
            sha.update(tail)
            prev_hex = _hexlify(sha.digest())
            add((body, between % (prev_hex, tail)))
            note(prev_hex)
        chunks[-1] = chunks[-1][: -len(stamp.prefix)]  # no line after the last
        size = self._queue(chunks)
        if sync:
            self.flush()  # before the head moves: a failed write leaves the writer as it was
        self.head = Head(seq, prev_hex.decode("ascii"), self.head.size + size, at=stamp.at)
        if sync:
            self.sync()
        return Written(first_seq, id_time, parts, hashes, prev, stamp.at, actor)

    def _queue(self, chunks: list[bytes | memoryview]) -> int:
        """Add a batch's lines to those waiting to be written, writing these first when both
        would not fit in one ``writev``; returns the batch's bytes. A group commit so writes a
        few MB per call (sources of ~40 KB each, ~70 buffers each), not one call per source."""
        if self._pending and len(self._pending) + len(chunks) > _IOV_MAX:
            self.flush()
        self._pending += chunks
        size = sum(map(len, chunks))
        self._pending_size += size
        return size

    def flush(self) -> None:
        """Write the lines of the batches appended so far (one ``writev`` for all of them, as a
        rule); on failure the file is cut back to where they begin and :class:`LedgerError`
        says so. With fsync on, every MB written has its write-back started (see
        :func:`_start_writeback`)."""
        if not self._pending:
            return
        chunks, total, self._pending, self._pending_size = self._pending, self._pending_size, [], 0
        self._written += _write_all(self.fd, chunks, self._written, self.store.path, total)
        if self.store.fsync and self._written - self._unflushed >= WRITEBACK_BYTES:
            # a group commit's fsync comes later: start writing back what is there now, so that
            # fsync waits for the last megabyte, not for the group's ~10 MB
            _start_writeback(self.fd, self._unflushed, self._written - self._unflushed)
            self._unflushed = self._written

    def sync(self) -> None:
        """Write every batch appended so far and make it durable (one ``fsync``; none with ``--no-fsync``)."""
        self.flush()
        if self.store.fsync:
            os.fsync(self.fd)

    def roll_back(self, head: Head) -> None:
        """Cut the file back to ``head`` (taken earlier under this lock): a group commit that
        failed part way leaves the ledger as it was before the group."""
        self._pending, self._pending_size = [], 0
        os.ftruncate(self.fd, head.size)
        self._written = self._unflushed = head.size
        if self.store.fsync:
            os.fsync(self.fd)
        self.head = head


@frozen
class Written:
    """What :meth:`Writer.append_encoded` assigned: event ``i`` has seq ``first_seq + i``.
    Ids (the batch's time part, then each one's random part) and hashes stay the ASCII bytes
    the lines were built from until asked for."""

    first_seq: int
    id_time: bytes
    parts: list[bytes]
    raw_hashes: list[bytes]
    prev: str
    at: str
    actor: str

    @property
    def last_seq(self) -> int:
        return self.first_seq + len(self.parts) - 1

    @property
    def raw_ids(self) -> list[bytes]:
        return [self.id_time + part for part in self.parts]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.decode("ascii") for i in self.raw_ids)

    @property
    def hashes(self) -> tuple[str, ...]:
        return tuple(h.decode("ascii") for h in self.raw_hashes)


@frozen
class _Stamp:
    """What every batch one writer writes for one actor under one hold of the lock shares:
    ``at``, the time part of the event ids, the lines' common start (``prefix``, and the
    sha256 state after it, copied per event), and the format of what follows an event's
    data up to the next line's data (``between``). A group commit's batches so share one
    ``at`` (the time of the group's write; never earlier than the last event's)."""

    at: str
    id_time: bytes
    prefix: bytes
    copy: Callable[[], Any]
    between: bytes

    @classmethod
    def now(cls, actor: str, last_at: str) -> _Stamp:
        at = max(now_rfc3339(), last_at)  # a clock stepped back must not move time back in the log
        prefix = b'{"actor":' + _dumps(actor) + b',"at":' + _dumps(at) + b',"data":'
        # copied per event: a new sha256 costs an OpenSSL 3 fetch
        return cls(at, _id_stamp(), prefix, hashlib.sha256(prefix).copy,
                   b',"hash":"%s"%s\n' + prefix.replace(b"%", b"%%"))


_is_sha256_hex = re.compile("[0-9a-f]{64}").fullmatch
_dumps = orjson.dumps


WRITEBACK_BYTES = 1 << 20
"""Bytes written without fsync (group commit) after which their write-back is started."""


def _start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing ``length`` bytes at ``offset`` to disk, without waiting
    (Linux ``sync_file_range(SYNC_FILE_RANGE_WRITE)``, as PostgreSQL's ``*_flush_after`` and
    RocksDB's ``bytes_per_sync`` do): the disk works while this process builds the next
    lines, and the group's fsync has less left to wait for. Durability still comes from
    that fsync alone; where the call does not exist this does nothing."""
    call = _sync_file_range()
    if call is not None:
        call(fd, offset, length, 2)  # SYNC_FILE_RANGE_WRITE; advisory: its result changes nothing


@functools.cache
def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        fn = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    fn.restype = ctypes.c_int
    return fn


@functools.cache
def _tail_format(cls: type) -> bytes:
    """The end of the line of an event of payload class ``cls``, from its id on, as a format
    of (the ids' time part, the id's random part, prev, seq): ``,"id":"..","prev":"..","seq":N,"type":"<TYPE>","v":<VERSION>}``."""
    type_and_v = b',"type":%s,"v":%d}' % (_dumps(cls.TYPE), cls.VERSION)
    return b',"id":"%s%s","prev":"%s","seq":%d' + type_and_v.replace(b"%", b"%%")


def _iov_max() -> int:
    """How many buffers one ``writev`` takes here (POSIX guarantees at least 16; Linux has 1024)."""
    try:
        return max(16, os.sysconf("SC_IOV_MAX"))
    except (AttributeError, ValueError, OSError):
        return 16


_IOV_MAX = _iov_max()


def _write_all(fd: int, chunks: list[bytes | memoryview], size_before: int, path: Path, total: int | None = None) -> int:
    """One write for the batches' lines ``chunks`` (``total`` bytes, when the caller knows);
    on failure cut the file back so nothing partial stays. Returns the bytes written.

    ``writev`` hands the lines to the kernel as they are: joining a 1 MB batch first costs
    1.6x the write's CPU time per event, mostly page faults on the fresh buffer (``bench/micro_bench.py``).
    """
    if total is None:
        total = sum(map(len, chunks))
    try:
        if len(chunks) <= _IOV_MAX:
            n = os.writev(fd, chunks)
            if n == total:
                return total
            data = memoryview(b"".join(chunks))[n:]  # a short write: finish from a copy
        else:
            data = memoryview(b"".join(chunks))
        while data:  # regular files write everything unless the disk is full
            n = os.write(fd, data)
            data = data[n:]
    except OSError as exc:
        os.ftruncate(fd, size_before)
        reason = "disk full" if exc.errno == errno.ENOSPC else exc.strerror
        raise LedgerError(f"{path}: append failed ({reason}); the ledger is unchanged") from None
    return total


def _open_ledger(path: Path, flags: int, *, missing_ok: bool = False) -> int | None:
    """Open the ledger file, refusing anything but a regular file in one line.

    ``O_NONBLOCK`` keeps a FIFO from blocking the open; a FIFO, a device (``/dev/zero``,
    ``/dev/full``), a socket or a directory is refused before a byte is read or written.
    """
    try:
        fd = os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except FileNotFoundError:
        if missing_ok:
            return None
        raise LedgerError(f"{path}: cannot create ledger: folder {path.parent} does not exist") from None
    except IsADirectoryError:
        raise LedgerError(f"{path}: is a directory, not a ledger file") from None
    except OSError as exc:
        raise LedgerError(f"{path}: cannot open ledger: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else (
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
        )
        raise LedgerError(f"{path}: is {what}, not a ledger file (a ledger must be a regular file)")
    os.set_blocking(fd, True)
    return fd


def _write_side_file(side: Path, data: bytes, ledger: Path) -> None:
    """Write ``data`` to the new file ``side`` and fsync it; on any failure remove it (no 0-byte or
    partial side file is left) and raise a one-line :class:`LedgerError`."""
    try:
        fd = os.open(side, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise LedgerError(f"{ledger}: cannot create the side file {side} ({exc.strerror}); the ledger is unchanged") from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(side)
        reason = {errno.ENOSPC: "disk full", errno.EFBIG: "file too large", errno.EDQUOT: "disk quota exceeded"}.get(
            exc.errno, exc.strerror
        )
        raise LedgerError(f"{ledger}: cannot write the side file {side} ({reason}); the ledger is unchanged") from None
    os.close(fd)
    _fsync_dir(side.parent)


def _schema_checks() -> dict[tuple[str, int], Callable[[Any], bool]]:
    """(type, v) -> the bare ``is_valid`` of its compiled schema: the per-line check of a read,
    one dict lookup away (``readable`` is the rule; this is its common case)."""
    from .schemas import checks_by_key

    return checks_by_key()


_BULK = frozenset({BatchStarted, AssertionRecorded, SourceAppended, SourceRevised})
"""What ingest writes by the thousand, built by our own code (an extractor's output is checked where it
enters, ``ledger.extractors``): not checked again per event on the way to the file."""

_STAND_IN = {"seq": 1, "id": "00000000-0000-7000-8000-000000000000", "at": "1970-01-01T00:00:00Z", "actor": "-",
             "prev": GENESIS, "hash": GENESIS}
"""An envelope that passes every schema: what :func:`_refuse_unreadable` checks a payload inside."""


def _refuse_unreadable(path: Path, cls: type, body: bytes) -> None:
    """Raise a one-line :class:`LedgerError` before anything is written if an analyst event's data
    (a correction, retraction, link, verdict...) breaks its type's schema: the log is append-only, so
    such a line would make every later read stop at it ("the ledger is damaged") and ``verify`` fail,
    for good. One parse and one compiled check per event; :data:`_BULK` says what is not checked here."""
    from .schemas import compiled_for, validator_for

    version = getattr(cls, "VERSION", 1)
    is_valid = compiled_for(cls.TYPE, version)
    if is_valid is None:
        return
    raw = {**_STAND_IN, "type": cls.TYPE, "v": version, "data": orjson.loads(body)}
    if not is_valid(raw):
        problem = validator_for(cls.TYPE, version)(raw) or "it breaks its schema"
        raise LedgerError(f"{path}: nothing written: this {cls.TYPE} {problem}")


def _schema_valid(raw: dict[str, Any]) -> bool:
    """Whether a parsed line is an event a reader can use (:func:`ledger.schemas.readable`)."""
    from .schemas import readable

    return readable(raw)


def _schema_message(path: Path, raw: dict[str, Any]) -> str:
    from .events import PAYLOAD_TYPES

    t = raw.get("type")
    what = f"the {t} event" if t.__class__ is str and t in PAYLOAD_TYPES else "the event"
    return (
        f"{path}: {what} at seq {raw['seq']} does not match its schema (the ledger is damaged); "
        "run 'factledger verify' for details"
    )


def interrupted_message(path: Path, head: Head) -> str:
    """The one-line notice of a torn tail: said by the reading loop, and by the CLI for a view the
    projection store answers without reading a line."""
    return (
        f"{path}: ignoring the last {head.torn} bytes after seq {head.seq}, an interrupted append "
        "(an incomplete line or batch); run 'factledger repair' to set them aside"
    )


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_BLOCK = 1 << 16


def _head_of_fd(fd: int, path: Path) -> Head:
    """The end of the last complete batch, found by reading backwards from the end of the file.

    Everything after the last newline is a torn line. The complete lines before it that
    share the last line's ``actor`` and ``at`` (every event of a batch does) are searched
    for the ``BatchStarted`` that opens the last batch: if it declares more events than
    follow it, the batch is incomplete and the head is the event before it. So the cost
    is the size of the last batch, not of the ledger.
    """
    size = os.fstat(fd).st_size
    if size == 0:
        return Head(0, GENESIS, 0)
    last = os.pread(fd, 1, size - 1)
    end = size if last == b"\n" else _last_newline(fd, size) + 1
    # end: byte after the last newline (0 if none). Everything after it is torn.
    if end == 0:
        return Head(0, GENESIS, 0, torn=size)
    backwards = _lines_backwards(fd, end)
    start, line = next(backwards)
    raw = parse_line(line)
    if raw is None:
        raise DamagedLogError(
            f"{path}: the last line (at byte {start}) is complete but not a valid event: that is damage, not an "
            "interrupted append, and is never repaired; run 'factledger verify' for details"
        )
    last_seq = raw["seq"]
    key = _batch_key(line)
    at, candidate = start, raw
    while True:
        if candidate is not None and candidate.get("type") == BatchStarted.TYPE:
            declared = candidate.get("data", {}).get("events") if isinstance(candidate.get("data"), dict) else None
            if declared.__class__ is not int or declared < 1:
                raise DamagedLogError(f"{path}: the BatchStarted at seq {candidate['seq']} is malformed; run 'factledger verify'")
            if candidate["seq"] + declared <= last_seq:
                break  # the last batch is complete (any events after it are batches of one)
            if at == 0:
                return Head(0, GENESIS, 0, torn=size)
            _before, prev_line = next(backwards)
            prev = parse_line(prev_line)
            if prev is None:
                raise DamagedLogError(f"{path}: the line before the last batch is unreadable; run 'factledger verify'")
            return Head(prev["seq"], prev["hash"], at, torn=size - at, at=str(prev.get("at", "")))
        found = next(backwards, None)
        if found is None:
            break
        at, line = found
        if key is None or _batch_key(line) != key:
            break
        candidate = parse_line(line) if _MARKER in line else None
    return Head(raw["seq"], raw["hash"], end, torn=size - end, at=str(raw.get("at", "")))


_MARKER = b'"type":"BatchStarted"'


def _batch_key(line: bytes) -> bytes | None:
    """The bytes every line of one batch starts with: ``{"actor":...,"at":...`` (canonical lines
    sort those two keys first and ``,"data":`` cannot occur inside a JSON string)."""
    i = line.find(b',"data":')
    return line[:i] if i > 0 else None


def _lines_backwards(fd: int, end: int) -> Iterator[tuple[int, bytes]]:
    """``(offset, line)`` of each newline-terminated line before byte ``end`` (which follows a
    newline), last first. Reads double in size, so a long line costs linear time."""
    buf, pos, hi, block = b"", end, 0, _BLOCK  # buf holds bytes pos..; its lines before hi are not yet yielded
    while True:
        i = buf.rfind(b"\n", 0, hi - 1) if hi > 1 else -1
        if i >= 0:
            yield pos + i + 1, buf[i + 1 : hi]
            hi = i + 1
            continue
        if pos == 0:
            if hi:
                yield 0, buf[:hi]
            return
        lo = max(0, pos - block)
        buf = os.pread(fd, pos - lo, lo) + buf[:hi]
        hi += pos - lo
        pos, block = lo, min(block * 2, 1 << 26)


def _pread_all(fd: int, n: int, offset: int) -> bytes:
    """Up to ``n`` bytes at ``offset`` (``pread`` may return fewer than asked before the end)."""
    chunks = []
    while n > 0:
        chunk = os.pread(fd, n, offset)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
        offset += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)  # one pread in the usual case: no copy


def _last_newline(fd: int, before: int) -> int:
    """Offset of the last ``\\n`` strictly before ``before``, or -1."""
    pos = before
    while pos > 0:
        lo = max(0, pos - _BLOCK)
        chunk = os.pread(fd, pos - lo, lo)
        i = chunk.rfind(b"\n")
        if i >= 0:
            return lo + i
        pos = lo
    return -1
