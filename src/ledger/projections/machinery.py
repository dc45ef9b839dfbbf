"""Projection machinery: named pure folds over the log, replay as of any point, a cache.

A :class:`Projection` is ``init() -> state`` and ``apply(state, event) -> state`` over the
event types it declares; :func:`fold` streams the log through it (never holding the log
in memory) up to an optional ``as_of`` seq. Only lines of the declared types are turned
into typed events, so a fold skips the rest cheaply. A projection may also give a fast
path per type (``raw``) that reads the parsed line directly: it is used only for lines
written at the payload class's current ``VERSION``, so older lines are still upcast and
structured through ``apply``.

The cache keeps a fold's state beside the ledger (``<ledger>.cache/<name>.json``) keyed
by the seq and hash of the last folded event and the byte offsets of its line, with a
sha256 ``digest`` of everything else in the file (the state and that key). It is trusted
only if the digest matches and that line, read again from the current file, still has
that seq and hash; then only the events after it are folded. A cache whose contents do
not match its digest (edited by hand, half written) is rebuilt from the log with a
one-line warning; any other mismatch (a different prefix, a newer code version) just
discards it. Writing is atomic (temp file + rename) and any failure to read or write it
is ignored: the cache is only a shortcut, deleting it loses nothing, and ``verify`` and
the audits never read it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from attrs import field, frozen

from ..events import PAYLOAD_TYPES, Event
from ..log import LedgerError, LogStore

CACHE_FORMAT = 2  # 2: the file carries a digest of its contents


@frozen
class Projection:
    """A named fold.

    Attributes:
        name: Registry name, also the cache file name.
        version: Bump when ``apply`` or the state shape changes: old caches are discarded.
        types: Event type names ``apply`` wants; others are skipped without parsing.
        state_type: The attrs class of the state (serialised with the project converter).
        init: Returns a fresh state.
        apply: ``apply(state, event) -> state``; must not do I/O.
        raw: ``type -> apply_raw(state, raw_line_dict) -> state`` fast paths, for types where
            structuring every line costs more than the fold itself (a million assertions).
            Called only when the line's ``v`` is the payload class's current ``VERSION``;
            any other version goes through ``apply`` (upcast first). Must give the same
            state as ``apply`` would.
    """

    name: str
    version: str
    types: frozenset[str]
    state_type: type
    init: Callable[[], Any]
    apply: Callable[[Any, Event], Any]
    raw: dict[str, Callable[[Any, dict[str, Any]], Any]] = field(factory=dict, eq=False)


REGISTRY: dict[str, Projection] = {}


def register(projection: Projection) -> Projection:
    """Add a projection to the registry by name."""
    REGISTRY[projection.name] = projection
    return projection


def cache_dir(store: LogStore) -> Path:
    return store.path.with_name(store.path.name + ".cache")


@frozen
class FoldResult:
    """A fold's state and where it stopped."""

    state: Any
    seq: int
    from_cache: int  # the seq the cached state covered (0: folded from the start)


class CacheWarning(UserWarning):
    """A cache file did not match its digest and was rebuilt from the log."""


def _digest(doc: dict[str, Any]) -> str:
    """sha256 of the canonical bytes of a cache document without its ``digest``."""
    from ..serialization import canonical

    return hashlib.sha256(canonical({k: v for k, v in doc.items() if k != "digest"})).hexdigest()


def _load_cache(store: LogStore, projection: Projection, as_of: int | None):
    path = cache_dir(store) / f"{projection.name}.json"
    try:
        body = path.read_bytes()
    except OSError:
        return None
    try:
        doc = orjson.loads(body)
        intact = doc.__class__ is not dict or doc.get("format") != CACHE_FORMAT or doc.get("digest") == _digest(doc)
    except Exception:  # not even JSON: damaged
        doc, intact = None, False
    if not intact:
        warnings.warn(
            CacheWarning(f"{path}: the cache does not match its digest (edited or damaged); rebuilt from the log"),
            stacklevel=4,
        )
        return None
    try:
        key = doc["key"]
        if doc.get("format") != CACHE_FORMAT or doc.get("version") != projection.version:
            return None
        seq, digest, start, end = key["seq"], key["hash"], key["start"], key["end"]
        if (as_of is not None and seq > as_of) or end > store.head().size:
            return None  # folded further than this read's snapshot
        raw = orjson.loads(store.read_range(start, end))
        from ..serialization import converter, event_hash

        if raw.get("seq") != seq or raw.get("hash") != digest or event_hash(raw) != digest:
            return None  # the log is not the one this state was folded from
        state = converter.structure(doc["state"], projection.state_type)
        return state, seq, end
    except Exception:  # missing, unreadable, stale or corrupt: fold from the start
        return None


def _save_cache(store: LogStore, projection: Projection, state: Any, seq: int, digest: str, start: int, end: int) -> None:
    from ..serialization import converter

    folder = cache_dir(store)
    try:
        folder.mkdir(exist_ok=True)
        doc = {
            "format": CACHE_FORMAT,
            "version": projection.version,
            "key": {"seq": seq, "hash": digest, "start": start, "end": end},
            "state": converter.unstructure(state),
        }
        doc["digest"] = _digest(doc)
        body = orjson.dumps(doc)
        fd, tmp = tempfile.mkstemp(prefix=f".{projection.name}.", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body)
            os.replace(tmp, folder / f"{projection.name}.json")
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # a cache that cannot be written is simply not written
        return


def fold(store: LogStore, projection: Projection | str, as_of: int | None = None, *, cache: bool = True) -> FoldResult:
    """Replay the log through ``projection`` up to seq ``as_of`` (None: the head)."""
    from ..serialization import structure_event

    if isinstance(projection, str):
        projection = REGISTRY[projection]
    state, seq, offset, cached = projection.init(), 0, 0, 0
    if cache:
        hit = _load_cache(store, projection, as_of)
        if hit is not None:
            state, seq, offset = hit
            cached = seq
    types = projection.types
    apply = projection.apply
    # type -> (fast path, version it reads); the version is looked up per fold, not frozen at import
    fast = {t: (f, PAYLOAD_TYPES[t].VERSION) for t, f in projection.raw.items() if t in PAYLOAD_TYPES}
    last_raw: dict[str, Any] | None = None
    last_start = last_len = 0
    for line_start, line, raw in store.lines(offset):
        if as_of is not None and raw["seq"] > as_of:
            break
        t = raw["type"]
        if t in types:
            f = fast.get(t)
            if f is not None and raw["v"] == f[1]:
                state = f[0](state, raw)
            else:
                state = apply(state, structure_event(raw))
        last_raw, last_start, last_len = raw, line_start, len(line)
    if last_raw is not None:
        seq = last_raw["seq"]
        if cache:
            _save_cache(store, projection, state, seq, last_raw["hash"], last_start, last_start + last_len)
    return FoldResult(state, seq, cached)


def parse_timestamp(value: str) -> datetime | None:
    """An RFC 3339 / ISO 8601 time (``Z`` allowed; no zone means UTC), or None."""
    try:
        t = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def resolve_as_of(store: LogStore, value: str | None) -> int | None:
    """``--as-of`` to a seq: None (latest), a seq number, or the last seq recorded at or before a time
    (a bare date ``YYYY-MM-DD`` is the end of that day, UTC)."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        seq = int(text)
        head = store.head().seq
        if seq > head:
            raise LedgerError(f"{store.path}: --as-of {seq} is beyond the last event (seq {head})")
        return seq
    when = parse_timestamp(text)
    if when is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        when += timedelta(days=1, microseconds=-1)  # a date means all of that day, not its first instant
    if when is None:
        raise LedgerError(f"--as-of {value!r}: expected a seq number or an RFC 3339 time (2017-11-22T12:00:00Z)")
    found = 0
    for _offset, _line, raw in store.lines():
        at = parse_timestamp(raw["at"])
        if at is not None and at <= when:
            found = raw["seq"]
    return found
