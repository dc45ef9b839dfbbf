"""The projection store: the views materialised in SQLite beside the ledger (issue #12).

Folding the log again for every command costs a read of the whole file, source texts
included. The store keeps what the views print in ``<ledger>.cache/views.sqlite`` (stdlib
``sqlite3``, WAL) and is caught up from the byte offset of the last event it holds, so a
command reads only the events appended since. Every row carries the seq interval in which
it is current (``current_from <= S < current_to``, ``current_to`` NULL while it still is),
so a view ``--as-of S`` is a query, not a replay, and a reader answering at the head it
saw at its start is not disturbed by a writer catching up further.

It is disposable and never the source of truth:

* before use, the line at the byte span the store recorded for its head must still hold
  that seq and hash (and the hash must recompute): a rewritten or truncated log rebuilds
  it, with a one-line notice;
* its contents are bound to it by a digest (a sum of per-row hashes over every table,
  kept up to date row by row as it is written, stored in ``meta``). A stamp file records
  the database file's identity, size and time after our last write; when the file no
  longer matches the stamp, the digest is recomputed from the rows and a mismatch (a
  table edited by hand, by another tool) rebuilds the store with a notice;
* ``verify`` and audits never read it; ``--no-cache`` bypasses it;
* a recording can be current in more than one interval (withdrawn, then current again
  when a recording of its id lifts the withdrawal): each later interval is a row of its own
  in ``assertions_redated``, like a re-dated copy; a re-extraction's recording with
  ``supersedes`` closes the recording it replaces for good (``superseded``).

Tables and columns are documented in docs/projections.md (Datasette and the sqlite
exporter's readers can open the file).
"""

from __future__ import annotations

import fcntl
import hashlib
import marshal
import os
import sqlite3
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from ..events import (
    AssertionRecorded,
    AssertionRetracted,
    AssertionWithdrawn,
    SourceAppended,
    SourceRevised,
    current_data,
)
from ..log import Head, LedgerError, LogStore
from .machinery import parse_timestamp

FORMAT = "11"  # 11: re-extractions (superseded) and recordings current again are stored, never a fallback
"""Bump when a table, a column or a row encoding changes: older stores are rebuilt."""

FILE_NAME = "views.sqlite"
KEEP_VIEWS = 4
"""Aggregated views (entities) kept per view, for the latest seqs asked."""
KEEP_CLAIMS_VIEWS = 2
"""Whole claims views kept (each a few MB per thousand articles), for the latest seqs asked."""
FLUSH_EVERY = 20_000
"""Events folded between two writes of pending rows (bounds memory while rebuilding)."""

_MASK = (1 << 128) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE sources (
    source_id TEXT NOT NULL, version INTEGER NOT NULL, first_seq INTEGER NOT NULL, event_seq INTEGER NOT NULL,
    uri TEXT, title TEXT, outlet TEXT, published TEXT,
    current_from INTEGER NOT NULL, current_to INTEGER, row_json BLOB NOT NULL,
    PRIMARY KEY (source_id, current_from)
) WITHOUT ROWID;
CREATE TABLE assertions (
    event_seq INTEGER PRIMARY KEY, assertion_id TEXT NOT NULL, source_id TEXT NOT NULL,
    source_version INTEGER NOT NULL, kind TEXT, speaker TEXT, modality TEXT, exact TEXT,
    event_hash TEXT NOT NULL, recorded_at TEXT NOT NULL, actor TEXT NOT NULL,
    current_from INTEGER, current_to INTEGER,
    entities_json BLOB NOT NULL, dates_json BLOB, row_json BLOB NOT NULL,
    quote_start INTEGER NOT NULL, quote_end INTEGER NOT NULL, values_canonical TEXT NOT NULL,
    entities_canonical TEXT NOT NULL, extractor TEXT NOT NULL, csv_head TEXT NOT NULL, csv_tail TEXT NOT NULL,
    extractor_json BLOB NOT NULL, jsonld BLOB NOT NULL
);
CREATE INDEX assertions_by_id ON assertions (assertion_id);
CREATE INDEX assertions_by_source ON assertions (source_id);
CREATE TABLE assertions_redated AS SELECT * FROM assertions WHERE 0;
CREATE UNIQUE INDEX assertions_redated_key ON assertions_redated (event_seq, current_from);
CREATE INDEX assertions_redated_by_id ON assertions_redated (assertion_id);
CREATE INDEX assertions_redated_by_source ON assertions_redated (source_id);
CREATE TABLE recorded_rows (event_seq INTEGER PRIMARY KEY, row_json BLOB NOT NULL);
CREATE TABLE superseded (event_seq INTEGER PRIMARY KEY, by_seq INTEGER NOT NULL);
CREATE TABLE source_lines (
    source_id TEXT NOT NULL, version INTEGER NOT NULL, line_start INTEGER NOT NULL, line_end INTEGER NOT NULL,
    PRIMARY KEY (source_id, version)
) WITHOUT ROWID;
CREATE VIEW assertion_rows AS SELECT * FROM assertions UNION ALL SELECT * FROM assertions_redated;
CREATE TABLE retracted (assertion_id TEXT PRIMARY KEY, event_seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE withdrawn (
    assertion_id TEXT PRIMARY KEY, source_version INTEGER NOT NULL, event_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE events (event_seq INTEGER PRIMARY KEY, at_us INTEGER);
CREATE TABLE corrections (source_id TEXT PRIMARY KEY, fields_json BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE view_rows (view TEXT NOT NULL, seq INTEGER NOT NULL, rows_json BLOB NOT NULL, PRIMARY KEY (view, seq))
    WITHOUT ROWID;
CREATE TABLE claim_features (
    assertion_id TEXT NOT NULL, event_hash TEXT NOT NULL, features_version TEXT NOT NULL, published TEXT,
    features_json BLOB NOT NULL, PRIMARY KEY (assertion_id, event_hash, features_version)
) WITHOUT ROWID;
CREATE TABLE claims_views (
    key TEXT NOT NULL, part TEXT NOT NULL, seq INTEGER NOT NULL, lines BLOB NOT NULL, PRIMARY KEY (key, part)
);
CREATE VIEW current_assertions AS
    SELECT * FROM assertion_rows WHERE current_from IS NOT NULL AND current_to IS NULL;
CREATE VIEW current_sources AS SELECT * FROM sources WHERE current_to IS NULL;
"""

TABLES = ("sources", "assertions", "retracted", "withdrawn", "events", "corrections", "view_rows", "claim_features", "claims_views",
          "assertions_redated", "recorded_rows", "source_lines", "superseded")
"""The tables the digest covers (everything but ``meta``, which holds it)."""

ASSERTION_CELLS = (
    "assertion_id", "source_id", "source_version", "quote_start", "quote_end", "exact", "kind", "speaker", "modality",
    "values_canonical", "entities_canonical", "event_seq", "event_hash", "recorded_at", "extractor",
)
"""Columns of an assertion's own cells in the CSV export (:meth:`ProjectionStore.assertion_cells`)."""

CSV_SPLIT = 3
"""The CSV record of an assertion's own cells is kept in two parts, ``csv_head`` (the first
``CSV_SPLIT`` of :data:`ASSERTION_CELLS`) and ``csv_tail`` (the rest): the export puts its
source's cells between them (a source's title can change after its assertions were recorded)."""

_LIVE = "current_from IS NOT NULL AND current_from <= :s AND (current_to IS NULL OR current_to > :s)"
_SRC_LIVE = "current_from <= :s AND (current_to IS NULL OR current_to > :s)"
TIMELINE_TYPES = ("date", "daterange", "year")


def _sized(blob: bytes) -> bytes:
    """A copy of an ``orjson.dumps`` result that is only as big as its bytes: orjson (3.13) leaves each
    result in its 4 KB output buffer, so rows held until the next flush would take 4 KB apiece
    (100,000 of them: 393 MB of RSS instead of 6 MB)."""
    return memoryview(blob).tobytes()


def _canonical_text(items: list) -> str:
    """Canonical JSON (sorted keys, as the CSV export prints values and entities) of a list."""
    return orjson.dumps(items, option=orjson.OPT_SORT_KEYS).decode() if items else "[]"


class StoreNotice(UserWarning):
    """The store was rebuilt because it no longer matched the log or its digest."""


def store_path(log: LogStore) -> Path:
    return log.path.with_name(log.path.name + ".cache") / FILE_NAME


def _row_digest(table: str, row: tuple) -> int:
    """A row's share of the digest: marshal v2 (no back-references) is deterministic for
    the ints, strs, bytes and NULLs SQLite gives back."""
    return int.from_bytes(hashlib.blake2b(marshal.dumps((table, *row), 2), digest_size=16).digest(), "big")


def _at_us(at: Any) -> int | None:
    if not isinstance(at, str):
        return None
    t = parse_timestamp(at)
    return None if t is None else (t - _EPOCH) // _US


class _Aid:
    """The fold state of one assertion id (what the catalog keeps about it) and its recordings."""

    __slots__ = ("max_version", "retracted", "withdrawn", "recs")

    def __init__(self) -> None:
        self.max_version = 0
        self.retracted = False
        self.withdrawn: int | None = None
        # [seq, version, current_from (of its first interval), current_to (of its latest), the current_from
        #  of its latest assertions_redated row (None: none), superseded by a re-extraction (never current again)]
        self.recs: list[list] = []


class ProjectionStore:
    """One ledger's store. Use :func:`open_store`; queries take the seq ``s`` to answer at."""

    def __init__(self, log: LogStore, conn: sqlite3.Connection, head_seq: int, build: str) -> None:
        self.log = log
        self.conn = conn
        self.head_seq = head_seq
        self.build = build
        self._pending: list[tuple[str, int, bytes]] = []
        self._features: list[tuple[str, str, str, str | None, Any]] = []  # written (encoded) at close
        self._claims_views: list[tuple[str, int, dict[str, bytes]]] = []
        self._codec = None
        # the assertion rows: the recorded ones, and the re-dated copies when a source's published date was corrected
        redated = conn.execute("SELECT 1 FROM assertions_redated LIMIT 1").fetchone() is not None
        self.rows = "assertion_rows" if redated else "assertions"

    def close(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")
            if self._pending or self._features or self._claims_views:
                _with_lock(store_path(self.log), self._save_views)
        finally:
            self.conn.close()

    def _save_views(self) -> None:
        """Keep aggregated views computed at a seq (their answer at that seq never changes), unless the
        store was rebuilt or touched by someone else since this command checked it."""
        conn = self.conn
        meta = _meta(conn)
        if meta.get("build") != self.build or not _stamp_matches(store_path(self.log), meta.get("digest", "")):
            return
        digest = int(meta["digest"], 16)
        conn.execute("BEGIN IMMEDIATE")
        try:
            for view, seq, blob in self._pending:
                if conn.execute("SELECT 1 FROM view_rows WHERE view = ? AND seq = ?", (view, seq)).fetchone():
                    continue
                conn.execute("INSERT INTO view_rows VALUES (?, ?, ?)", (view, seq, blob))
                digest += _row_digest("view_rows", (view, seq, blob))
                for old in conn.execute(
                    "SELECT * FROM view_rows WHERE view = ? ORDER BY seq DESC LIMIT -1 OFFSET ?", (view, KEEP_VIEWS)
                ).fetchall():
                    conn.execute("DELETE FROM view_rows WHERE view = ? AND seq = ?", old[:2])
                    digest -= _row_digest("view_rows", old)
            for aid, event_hash, version, published, feats in self._features:
                key = (aid, event_hash, version)
                old = conn.execute(
                    "SELECT * FROM claim_features WHERE assertion_id = ? AND event_hash = ? AND features_version = ?", key
                ).fetchone()
                if old is not None:
                    if old[3] == published:
                        continue
                    conn.execute(
                        "DELETE FROM claim_features WHERE assertion_id = ? AND event_hash = ? AND features_version = ?", key
                    )
                    digest -= _row_digest("claim_features", old)
                row = (*key, published, self._codec.encode(feats))
                conn.execute("INSERT INTO claim_features VALUES (?, ?, ?, ?, ?)", row)
                digest += _row_digest("claim_features", row)
            for key, seq, parts in self._claims_views:
                if conn.execute("SELECT 1 FROM claims_views WHERE key = ?", (key,)).fetchone():
                    continue
                for part, blob in parts.items():
                    conn.execute("INSERT INTO claims_views VALUES (?, ?, ?, ?)", (key, part, seq, blob))
                    digest += _row_digest("claims_views", (key, part, seq, blob))
                for (old_key,) in conn.execute(
                    "SELECT key FROM claims_views GROUP BY key ORDER BY max(seq) DESC, key LIMIT -1 OFFSET ?",
                    (KEEP_CLAIMS_VIEWS,),
                ).fetchall():
                    for old in conn.execute("SELECT * FROM claims_views WHERE key = ?", (old_key,)).fetchall():
                        digest -= _row_digest("claims_views", old)
                    conn.execute("DELETE FROM claims_views WHERE key = ?", (old_key,))
            conn.execute("UPDATE meta SET value = ? WHERE key = 'digest'", (format(digest & _MASK, "x"),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        _write_stamp(store_path(self.log), conn, digest & _MASK)

    def load_features(self, version: str, wanted) -> dict[tuple[str, str], tuple[str | None, bytes]]:
        """Stored claim features of ``version`` for the ``(assertion id, recording hash)`` keys in ``wanted``."""
        found = {}
        for aid, event_hash, published, blob in self.conn.execute(
            "SELECT assertion_id, event_hash, published, features_json FROM claim_features WHERE features_version = ?",
            (version,),
        ):
            if (aid, event_hash) in wanted:
                found[(aid, event_hash)] = (published, blob)
        return found

    def claims_part(self, key: str, part: str) -> bytes | None:
        """One part of a claims view stored under ``key`` (see :mod:`.claims_cache`), or None."""
        found = self.conn.execute("SELECT lines FROM claims_views WHERE key = ? AND part = ?", (key, part)).fetchone()
        return None if found is None else found[0]

    def keep_claims_view(self, key: str, seq: int, parts: dict[str, bytes]) -> None:
        """A claims view (its parts) to store when the command ends (the latest few are kept)."""
        self._claims_views.append((key, seq, parts))

    def keep_features(self, codec, items) -> None:
        """Claim features to store when the command ends: ``(assertion id, recording hash, published, features)``."""
        self._codec = codec
        self._features.extend((aid, h, codec.version, published, f) for aid, h, published, f in items)

    def _kept(self, view: str, s: int, compute) -> Iterator[bytes]:
        """A view's rows at ``s`` as JSON (one per line in ``rows_json``), computed once."""
        found = self.conn.execute("SELECT rows_json FROM view_rows WHERE view = ? AND seq = ?", (view, s)).fetchone()
        if found is not None:
            if found[0]:
                yield from found[0].split(b"\n")
            return
        rows = [_sized(orjson.dumps(row)) for row in compute(s)]
        self._pending.append((view, s, b"\n".join(rows)))
        yield from rows

    # -- queries ---------------------------------------------------------------------

    def resolve_time(self, micros: int) -> int:
        found = self.conn.execute(
            "SELECT max(event_seq) FROM events WHERE at_us <= ? AND event_seq <= ?", (micros, self.head_seq)
        ).fetchone()[0]
        return found or 0

    def assertions_json(self, s: int, *, source=None, speaker=None, kind=None, entity=None) -> Iterator[bytes]:
        """The rows of ``assertions --json`` at ``s`` (each as the converter unstructures it), in log order."""
        sql = f"SELECT row_json FROM {self.rows} WHERE {_LIVE}"
        args: dict[str, Any] = {"s": s}
        if source is not None:
            sql += " AND source_id = :source"
            args["source"] = source
        if kind is not None:
            sql += " AND kind = :kind"
            args["kind"] = kind
        sql += " ORDER BY event_seq"
        cur = self.conn.execute(sql, args)
        if speaker is None and entity is None:
            yield from map(itemgetter(0), cur)
            return
        from .views import NameFilter, _raw_matches, name_matches

        def with_variants(query):  # the entities a query names lend it their variants, as in views.iter_assertions
            if query is None:
                return None
            found: set[str] = set()
            for e in self.entities(s):
                names = (e["entity"], *e["variants"])
                if any(name_matches(query, n) for n in names):
                    found.update(n.casefold() for n in names)
            return NameFilter(query, frozenset(found))

        speaker, entity = with_variants(speaker), with_variants(entity)
        for (blob,) in cur:
            if _raw_matches(orjson.loads(blob), None, speaker, None, entity):
                yield blob

    def assertion_cells(self, s: int) -> Iterator[tuple]:
        """The current assertions at ``s`` in log order, as the tuples :data:`ASSERTION_CELLS` names."""
        return self.conn.execute(f"SELECT {', '.join(ASSERTION_CELLS)} FROM {self.rows} WHERE {_LIVE} ORDER BY event_seq",
                                 {"s": s})

    def assertion_csv(self, s: int) -> Iterator[tuple[str, str, str]]:
        """``(source_id, csv_head, csv_tail)`` of the current assertions at ``s`` in log order: their
        own cells as CSV text, written once when the row was folded."""
        return self.conn.execute(f"SELECT source_id, csv_head, csv_tail FROM {self.rows} WHERE {_LIVE} ORDER BY event_seq",
                                 {"s": s})

    def assertion_jsonld(self, s: int) -> Iterator[tuple[str, str | None, bytes, bytes]]:
        """``(source_id, speaker, extractor_json, jsonld)`` of the current assertions at ``s`` in log
        order: the JSON-LD export's text of each row's nodes (``exporters.jsonld.assertion_template``),
        written once when the row was folded."""
        return self.conn.execute(
            f"SELECT source_id, speaker, extractor_json, jsonld FROM {self.rows} WHERE {_LIVE} ORDER BY event_seq", {"s": s}
        )

    def source_index(self, s: int) -> list[tuple[str, bytes, str | None, str | None]]:
        return self.conn.execute(
            f"SELECT source_id, row_json, outlet, title FROM sources WHERE {_SRC_LIVE} ORDER BY first_seq", {"s": s}
        ).fetchall()

    def sources(self, s: int) -> Iterator[dict[str, Any]]:
        """``sources --json`` rows at ``s``: the catalog's order, counts of current assertions by kind."""
        counts = self.counts(s)
        for sid, blob, _outlet, _title in self.source_index(s):
            row = orjson.loads(blob)
            row["counts"] = counts.get(sid, {})
            yield row

    def counts(self, s: int) -> dict[str, dict[str, int]]:
        """``source_id -> {kind: current assertions}`` at ``s`` (kinds sorted)."""
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for sid, kind, n in self.conn.execute(
            f"SELECT source_id, kind, count(*) FROM {self.rows} WHERE {_LIVE} GROUP BY source_id, kind", {"s": s}
        ):
            counts[sid][kind] = n
        return {sid: dict(sorted(c.items())) for sid, c in counts.items()}

    def entities_json(self, s: int) -> Iterator[bytes]:
        """``entities --json`` rows at ``s`` (same aggregation as ``iter_entities``), kept once computed."""
        return self._kept("entities", s, self._entities)

    def entities(self, s: int) -> Iterator[dict[str, Any]]:
        return map(orjson.loads, self.entities_json(s))

    def _entities(self, s: int) -> Iterator[dict[str, Any]]:
        types: dict[str, Counter] = defaultdict(Counter)
        variants: dict[str, dict[str, None]] = defaultdict(dict)
        sources: dict[str, dict[str, None]] = defaultdict(dict)
        assertions: dict[str, dict[str, None]] = defaultdict(dict)
        mentions: Counter = Counter()
        loads = orjson.loads
        for aid, sid, blob in self.conn.execute(
            f"SELECT assertion_id, source_id, entities_json FROM {self.rows} WHERE {_LIVE} AND entities_json != X'5B5D'"
            " ORDER BY event_seq",
            {"s": s},
        ):
            for m in loads(blob):
                name = m["entity"]
                types[name][m["type"]] += 1
                variants[name][m["text"]] = None
                sources[name][sid] = None
                assertions[name][aid] = None
                mentions[name] += 1
        for name in sorted(mentions, key=lambda n: (-mentions[n], n.casefold())):
            yield {
                "entity": name, "type": types[name].most_common(1)[0][0], "variants": list(variants[name]),
                "mentions": mentions[name], "sources": list(sources[name]), "assertions": list(assertions[name]),
            }

    def timeline(self, s: int) -> Iterator[dict[str, Any]]:
        """``timeline --json`` rows at ``s`` (same order as ``iter_timeline``)."""
        src = {sid: (outlet, title) for sid, _blob, outlet, title in self.source_index(s)}
        rows = []
        for seq, aid, sid, exact, digest, at, actor, dates in self.conn.execute(
            "SELECT event_seq, assertion_id, source_id, exact, event_hash, recorded_at, actor, dates_json"
            f" FROM {self.rows} WHERE {_LIVE} AND kind = 'statement' AND dates_json IS NOT NULL ORDER BY event_seq",
            {"s": s},
        ):
            outlet, title = src.get(sid, (None, None))
            recorded = {"seq": seq, "hash": digest, "at": at, "actor": actor}
            for value, vtype, text in orjson.loads(dates):
                rows.append({
                    "date": value, "type": vtype, "text": text, "assertion_id": aid, "source_id": sid,
                    "outlet": outlet, "title": title, "quote": exact, "recorded": recorded,
                })
        rows.sort(key=lambda r: (r["date"][:10], r["recorded"]["seq"]))
        yield from rows


# -- opening, checking, catching up ------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")  # disposable: a lost write is a rebuild, not a loss
    return conn


def _meta(conn: sqlite3.Connection) -> dict[str, Any]:
    try:
        return dict(conn.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError:
        return {}


def _stamp_of(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    try:
        wal = os.stat(f"{path}-wal").st_size
    except OSError:
        wal = 0
    return [st.st_ino, st.st_size, st.st_mtime_ns, wal]


def _stamp_file(path: Path) -> Path:
    return path.with_name(path.name + ".stamp")


def _write_stamp(path: Path, conn: sqlite3.Connection, digest: int) -> None:
    # Fold the WAL in when no reader holds it; never wait for one (an export reading the store
    # while its claims view is kept through a second connection would wait out the busy timeout):
    # the stamp records the WAL's size too, and a checkpoint made later only costs a digest check.
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError:
        pass
    finally:
        conn.execute("PRAGMA busy_timeout = 60000")
    stamp = _stamp_of(path)
    tmp = _stamp_file(path).with_suffix(".stamp.tmp")
    tmp.write_bytes(orjson.dumps({"stamp": stamp, "digest": format(digest, "x")}))
    os.replace(tmp, _stamp_file(path))


def _stamp_matches(path: Path, digest: str) -> bool:
    try:
        saved = orjson.loads(_stamp_file(path).read_bytes())
    except Exception:
        return False
    return saved.get("digest") == digest and saved.get("stamp") == _stamp_of(path)


def compute_digest(conn: sqlite3.Connection) -> int:
    """The digest recomputed from every row of every table it covers."""
    total = 0
    for table in TABLES:
        for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608 (a fixed table name)
            total += _row_digest(table, row)
    return total & _MASK


def _head_line_ok(log: LogStore, meta: dict[str, Any]) -> bool:
    """Does the log still hold, at the recorded byte span, the event the store reflects?

    The line's bytes must be the ones folded last (their sha256 is kept in ``meta``), so it
    is the same event: same seq, same hash, same everything."""
    if meta.get("head_seq") == 0:
        return True
    try:
        start, end = int(meta["head_start"]), int(meta["head_end"])
        line = log.read_range(start, end)
        return hashlib.sha256(line).hexdigest() == meta.get("head_line_sha256")
    except Exception:
        return False


def _with_lock(path: Path, fn, *args):
    """Run ``fn`` holding the store's lock (one writer at a time; readers check under it)."""
    lock = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return fn(*args)
    finally:
        os.close(lock)


def open_store(log: LogStore, head: Head) -> ProjectionStore | None:
    """The store caught up to ``head``, checked against the log and its digest; None when
    it cannot be used (no writable cache folder, an event it cannot fold): fold the log."""
    path = store_path(log)
    try:
        path.parent.mkdir(exist_ok=True)
        return _with_lock(path, _open_locked, log, head, path)
    except LedgerError:
        raise  # a damaged log is the same error with or without the store
    except (OSError, sqlite3.Error):  # a full disk, a read-only folder: only a shortcut is lost
        return None
    except Exception:  # noqa: BLE001 - an event the store cannot fold (it breaks its schema): the fold
        return None  # path reads it and says what is wrong, so the store never changes an answer or an error


def _open_locked(log: LogStore, head: Head, path: Path) -> ProjectionStore | None:
    reason = None
    try:
        conn = _connect(path)
        meta = _meta(conn)
    except sqlite3.DatabaseError:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        conn, meta, reason = _connect(path), {}, "it was not a readable database"
    if meta.get("format") != FORMAT:
        meta = _rebuild(conn)
    elif not _head_line_ok(log, meta):
        reason = "the ledger was rewritten or truncated since it was built"
        meta = _rebuild(conn)
    elif not _stamp_matches(path, meta.get("digest", "")):
        if format(compute_digest(conn), "x") != meta.get("digest"):
            reason = "its tables no longer match their digest (changed outside factledger)"
            meta = _rebuild(conn)
        else:
            _write_stamp(path, conn, int(meta["digest"], 16))
    if reason is not None:
        warnings.warn(StoreNotice(f"{path}: projection store rebuilt from the ledger: {reason}"), stacklevel=3)
    if int(meta["head_seq"]) < head.seq:
        meta = _Builder(conn, meta).catch_up(log, head)
        _write_stamp(path, conn, int(meta["digest"], 16))
    conn.execute("BEGIN")  # one snapshot for every query of this command
    conn.execute("SELECT 1 FROM meta LIMIT 1").fetchall()
    return ProjectionStore(log, conn, head.seq, meta["build"])


def _rebuild(conn: sqlite3.Connection) -> dict[str, Any]:
    conn.execute("BEGIN IMMEDIATE")
    for (kind, name) in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
    ).fetchall():
        conn.execute(f'DROP {kind} IF EXISTS "{name}"')
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    meta = {
        "format": FORMAT, "build": os.urandom(8).hex(), "head_seq": 0, "head_hash": "", "head_start": 0, "head_end": 0,
        "head_line_sha256": "", "digest": "0",
    }
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    conn.execute("COMMIT")
    return meta


class _Builder:
    """Folds new events into the tables (the catalog's rules, per assertion id)."""

    def __init__(self, conn: sqlite3.Connection, meta: dict[str, Any]) -> None:
        self.conn = conn
        self.meta = dict(meta)
        self.digest = int(meta["digest"], 16)
        self.fresh = int(meta["head_seq"]) == 0  # nothing in the tables: no lookups needed
        self.seen: set[str] = set()  # ids touched by this run (flushed ones are in the tables)
        self.aids: dict[str, _Aid] = {}
        self.new_rows: dict[int, list] = {}  # seq -> assertions row not inserted yet
        self.sources: dict[str, list] = {}  # source_id -> its latest sources row (pending or stored)
        self.events: list[tuple[int, int | None]] = []
        self._pending_sources: list[list] = []
        self.retracted: list[tuple[str, int]] = []
        self.withdrawn: dict[str, tuple[int, int] | None] = {}
        self.corrections: dict[str, dict[str, Any]] = {}  # source_id -> corrected fields so far (read or written this run)
        self._corrections_changed: set[str] = set()
        # corrected published dates (the views re-date those sources' assertions, views.Redater)
        self.published: dict[str, str] = {} if self.fresh else {
            sid: fix["published"] for sid, blob in conn.execute("SELECT source_id, fields_json FROM corrections")
            if (fix := orjson.loads(blob)).get("published")}
        self.new_redated: list[list] = []  # assertions_redated rows not inserted yet
        self.latest_redated: dict[int, list] = {}  # seq -> its latest pending assertions_redated row
        self.originals: dict[int, bytes] = {}  # seq -> row_json as recorded, not inserted yet (recorded_rows)
        self.source_lines: dict[tuple[str, int], tuple[int, int]] = {}  # (source_id, version) -> line span, pending
        self.texts: dict[tuple[str, int], str | None] = {}
        # re-extractions: seq of a replaced recording -> seq of the recording that replaced it, not inserted yet;
        # the seqs replaced in this run and those beyond the store's head (a recording arriving there is born
        # replaced: a ``supersedes`` pointing ahead of itself, hand-made)
        self.new_superseded: dict[int, int] = {}
        self.any_superseded = not self.fresh and conn.execute("SELECT 1 FROM superseded LIMIT 1").fetchone() is not None
        self.superseded_seqs: set[int] = set() if self.fresh else {
            seq for (seq,) in conn.execute("SELECT event_seq FROM superseded WHERE event_seq > ?", (int(meta["head_seq"]),))}
        self.log: LogStore | None = None
        self.line: tuple[int, int] = (0, 0)  # byte span of the line being folded
        from ..exporters.csv import csv_record
        from ..exporters.jsonld import assertion_template
        from ..serialization import converter, structure_event
        from .views import _raw_row, _row

        self.csv_record, self.assertion_template = csv_record, assertion_template

        self._raw_row, self._row = _raw_row, _row
        self.converter, self.structure_event = converter, structure_event

    # -- the digest, row by row --------------------------------------------------------

    def _add(self, table: str, row: tuple) -> None:
        self.digest += _row_digest(table, row)

    def _sub(self, table: str, row: tuple) -> None:
        self.digest -= _row_digest(table, row)

    def _update(self, table: str, where: str, key: tuple, changes: dict[str, Any]) -> None:
        """Update one stored row and keep the digest in step."""
        old = self.conn.execute(f"SELECT * FROM {table} WHERE {where}", key).fetchone()
        if old is None:
            return
        self._sub(table, old)
        sets = ", ".join(f"{c} = ?" for c in changes)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", (*changes.values(), *key))
        self._add(table, self.conn.execute(f"SELECT * FROM {table} WHERE {where}", key).fetchone())

    # -- per assertion id ----------------------------------------------------------------

    def _aid(self, aid: str) -> _Aid:
        st = self.aids.get(aid)
        if st is not None:
            return st
        st = self.aids[aid] = _Aid()
        if self.fresh and aid not in self.seen:
            self.seen.add(aid)
            return st
        self.seen.add(aid)
        q = self.conn.execute
        for seq, version, cfrom, cto in q(
            "SELECT event_seq, source_version, current_from, current_to FROM assertions WHERE assertion_id = ?"
            " ORDER BY event_seq",
            (aid,),
        ):
            st.recs.append([seq, version, cfrom, cto, None, False])
            if version > 1:
                st.max_version = max(st.max_version, version)
        if st.recs and self.any_superseded:
            gone = {seq for (seq,) in q(
                "SELECT s.event_seq FROM superseded s JOIN assertions a ON a.event_seq = s.event_seq WHERE a.assertion_id = ?",
                (aid,))}
            for rec in st.recs:
                rec[5] = rec[0] in gone
        if st.recs:
            by_seq = {rec[0]: rec for rec in st.recs}
            for seq, cfrom, cto in q(
                "SELECT event_seq, current_from, current_to FROM assertions_redated WHERE assertion_id = ?"
                " ORDER BY event_seq, current_from",
                (aid,),
            ):
                by_seq[seq][3:5] = [cto, cfrom]  # the recording ends where its latest re-dated row does
        st.retracted = q("SELECT 1 FROM retracted WHERE assertion_id = ?", (aid,)).fetchone() is not None
        if aid in self.withdrawn:
            w = self.withdrawn[aid]
            st.withdrawn = None if w is None else w[0]
        else:
            found = q("SELECT source_version FROM withdrawn WHERE assertion_id = ?", (aid,)).fetchone()
            st.withdrawn = None if found is None else found[0]
        return st

    def _settle(self, st: _Aid, at: int) -> None:
        """Open or close the current intervals of an id's recordings after an event at seq ``at``."""
        for rec in st.recs:
            seq, version, cfrom, cto, redated_from, superseded = rec
            # a standing withdrawal hides every recording (the catalog's rule): one in a later
            # version lifts it when recorded, one in the same version is a re-extraction's
            live = not superseded and not st.retracted and not st.max_version > version and st.withdrawn is None
            if live and cfrom is None:
                rec[2] = at
            elif not live and cfrom is not None and cto is None:
                rec[3] = at
            elif live and cto is not None:
                self._current_again(rec, at)
                continue
            else:
                continue
            if redated_from is not None:  # only a current recording is re-dated: this closes its latest row
                row = self.latest_redated.get(seq)
                if row is not None:
                    row[12] = rec[3]
                else:
                    self._update("assertions_redated", "event_seq = ? AND current_from = ?", (seq, redated_from),
                                 {"current_to": rec[3]})
                continue
            row = self.new_rows.get(seq)
            if row is not None:
                row[11], row[12] = rec[2], rec[3]
            else:
                self._update("assertions", "event_seq = ?", (seq,), {"current_from": rec[2], "current_to": rec[3]})

    def _current_again(self, rec: list, at: int) -> None:
        """A recording whose interval was closed is current again from ``at`` (a withdrawal lifted by a
        later recording of its id): a new ``assertions_redated`` row, its contents as the fold shows them
        then (re-dated against the source's corrected ``published`` date, if any)."""
        from .records import AssertionRow

        seq = rec[0]
        row = self.converter.structure(orjson.loads(self._original(seq, keep=False)), AssertionRow)
        published = self.published.get(row.source_id)
        cols = self._columns(self._redate(row, published) if published else row)
        cols[11] = rec[4] = at
        rec[3] = None
        self.new_redated.append(cols)
        self.latest_redated[seq] = cols

    def _supersede(self, target: int, seq: int) -> None:
        """A re-extraction's recording at ``seq`` replaces the recording at ``target`` (the catalog's
        ``superseded``): that one is never current again from ``seq`` on."""
        if target in self.superseded_seqs or (not self.fresh and self.conn.execute(
                "SELECT 1 FROM superseded WHERE event_seq = ?", (target,)).fetchone() is not None):
            return  # replaced before: the first replacement is the one kept
        self.superseded_seqs.add(target)
        self.new_superseded[target] = seq
        self.any_superseded = True
        pending = self.new_rows.get(target)
        if pending is not None:
            aid = pending[1]
        else:
            found = self.conn.execute("SELECT assertion_id FROM assertions WHERE event_seq = ?", (target,)).fetchone()
            if found is None:
                return  # not a recording (yet): a recording arriving at that seq is born superseded
            aid = found[0]
        st = self._aid(aid)
        for rec in st.recs:
            if rec[0] == target:
                rec[5] = True
        self._settle(st, seq)

    def _recorded(self, raw: dict[str, Any]) -> None:
        d = current_data(raw)
        if d is None:
            return  # a version newer than this code: the typed read would not know it either
        if raw["v"] == AssertionRecorded.VERSION:
            row = self._raw_row(raw)
        else:
            event = self.structure_event(raw)
            if not isinstance(event.data, AssertionRecorded):
                return
            row = self._row(event.data, raw)
        seq = raw["seq"]
        if row.source_id in self.published:  # recorded after its source's published date was corrected
            self.originals[seq] = _sized(orjson.dumps(self.converter.unstructure(row)))
            row = self._redate(row, self.published[row.source_id])
        self.new_rows[seq] = self._columns(row)
        target = d.get("supersedes")
        if target is not None:
            self._supersede(target, seq)
        self._recording(seq, row.assertion_id, row.version)

    def _columns(self, row: Any) -> list:
        """The ``assertions`` columns of an ``AssertionRow`` (``current_from``/``current_to`` None)."""
        seq, aid, version = row.recorded.seq, row.assertion_id, row.version
        plain = self.converter.unstructure(row)
        dates, seen = [], set()
        for v in plain["values"]:
            if v["type"] in TIMELINE_TYPES and v["value"] not in seen:
                seen.add(v["value"])
                dates.append((v["value"], v["type"], v["text"]))
        rec, sel = row.recorded, row.selector
        values, entities, extractor = _canonical_text(plain["values"]), _canonical_text(plain["entities"]), f"{row.extractor}/{row.extractor_version}"
        # the order of ASSERTION_CELLS
        cells = (aid, row.source_id, version, sel.start, sel.end, sel.exact, row.kind, row.speaker, row.modality,
                 values, entities, seq, rec.hash, rec.at, extractor)
        return [
            seq, aid, row.source_id, version, row.kind, row.speaker, row.modality, sel.exact,
            rec.hash, rec.at, rec.actor, None, None,
            _sized(orjson.dumps(plain["entities"])), _sized(orjson.dumps(dates)) if dates else None, _sized(orjson.dumps(plain)),
            sel.start, sel.end, values, entities, extractor,
            self.csv_record(cells[:CSV_SPLIT]), self.csv_record(cells[CSV_SPLIT:]),
            orjson.dumps((row.extractor, row.extractor_version)), self.assertion_template(plain),
        ]

    def _recording(self, seq: int, aid: str, version: int) -> None:
        st = self._aid(aid)
        if version > 1:  # the catalog's ``rerecorded``: only later versions count
            st.max_version = max(st.max_version, version)
        if st.withdrawn is not None and st.withdrawn <= version:
            st.withdrawn = None  # recorded again after being withdrawn
            self.withdrawn[aid] = None
        st.recs.append([seq, version, None, None, None, seq in self.superseded_seqs])
        self._settle(st, seq)

    def _latest_source(self, sid: str) -> list | None:
        """The latest sources row of ``sid`` (pending, or stored: then its last item is True)."""
        previous = self.sources.get(sid)
        if previous is None and not self.fresh:
            found = self.conn.execute(
                "SELECT * FROM sources WHERE source_id = ? ORDER BY current_from DESC LIMIT 1", (sid,)
            ).fetchone()
            previous = None if found is None else [*found, True]
        return previous

    def _close_source(self, previous: list, seq: int) -> None:
        if previous[-1] is True:  # stored: close it in the table
            self._update("sources", "source_id = ? AND current_from = ?", (previous[0], previous[8]), {"current_to": seq})
        else:
            previous[9] = seq

    def _corrections_of(self, sid: str) -> dict[str, Any]:
        found = self.corrections.get(sid)
        if found is None:
            row = None if self.fresh else self.conn.execute(  # fresh: every one written is still in the dict
                "SELECT fields_json FROM corrections WHERE source_id = ?", (sid,)).fetchone()
            found = self.corrections[sid] = {} if row is None else orjson.loads(row[0])
        return found

    def _new_source_row(self, srow: Any, seq: int, first_seq: int, event_seq: int) -> None:
        """A sources row for ``srow`` (a ``SourceRow``) current from ``seq``, pending until the next flush."""
        plain = self.converter.unstructure(srow)
        self.sources[srow.source_id] = [
            srow.source_id, srow.version, first_seq, event_seq, srow.uri, srow.title, srow.outlet, srow.published, seq,
            None, _sized(orjson.dumps(plain)), False,
        ]
        self._pending_sources.append(self.sources[srow.source_id])

    def _source(self, raw: dict[str, Any]) -> None:
        from attrs import evolve

        from .catalog import _source_row, provenance
        from .records import SourceRow

        event = self.structure_event(raw)
        d = event.data
        if not isinstance(d, (SourceAppended, SourceRevised)):
            return  # a version this code cannot read: the catalog skips it too
        seq = raw["seq"]
        self.source_lines[(d.source_id, d.version)] = self.line  # its text, should a published date be corrected
        self.texts.pop((d.source_id, d.version), None)
        previous = self._latest_source(d.source_id)
        prev_row = None if previous is None else self.converter.structure(orjson.loads(previous[10]), SourceRow)
        if previous is not None:
            self._close_source(previous, seq)
        srow = _source_row(d, prev_row, provenance(event))
        fixed = self._corrections_of(d.source_id)
        if fixed:  # the catalog's rule: corrections hold for every later version too
            srow = evolve(srow, **{k: tuple(v) if k == "authors" else v for k, v in fixed.items()})
        self._new_source_row(srow, seq, seq if previous is None else previous[2], seq)

    def _corrected(self, raw: dict[str, Any], seq: int) -> None:
        """``SourceMetadataCorrected``: the source's row closes at ``seq`` and a corrected copy is
        current from it, so ``--as-of`` before the correction still reads the old metadata. A corrected
        ``published`` re-dates the source's assertions (``views.Redater``) the same way (:meth:`_redate_source`)."""
        from attrs import evolve

        from ..events import SourceMetadataCorrected
        from .catalog import _CORRECTABLE
        from .records import SourceRow

        d = self.structure_event(raw).data
        if not isinstance(d, SourceMetadataCorrected):
            return
        given = {k: getattr(d, k) for k in _CORRECTABLE if getattr(d, k) is not None}
        sid = d.source_id
        fixed = {**self._corrections_of(sid), **{k: list(v) if k == "authors" else v for k, v in given.items()}}
        self.corrections[sid] = fixed
        self._corrections_changed.add(sid)
        if "published" in given:
            if fixed["published"]:
                self.published[sid] = fixed["published"]
            else:
                self.published.pop(sid, None)
            self._redate_source(sid, seq)
        previous = self._latest_source(sid)
        if previous is None or not given:
            return  # corrected before it was appended: applied when it is
        self._close_source(previous, seq)
        srow = evolve(self.converter.structure(orjson.loads(previous[10]), SourceRow), **given)
        self._new_source_row(srow, seq, previous[2], previous[3])

    # -- corrected published dates: re-dated copies of assertion rows -------------------------

    def _text(self, sid: str, version: int) -> str | None:
        """The text of a source version, read again from its line in the log (None: unreadable, as
        ``views.Redater`` leaves such a source's rows as recorded)."""
        key = (sid, version)
        if key in self.texts:
            return self.texts[key]
        span = self.source_lines.get(key) or self.conn.execute(
            "SELECT line_start, line_end FROM source_lines WHERE source_id = ? AND version = ?", key).fetchone()
        text = None
        if span is not None:
            d = current_data(orjson.loads(self.log.read_range(*span)))
            if d is None or d.get("source_id") != sid or d.get("version") != version:
                raise ValueError(f"{self.log.path}: the line at bytes {span[0]}-{span[1]} is not {sid} version {version}")
            text = d["text"]
        self.texts[key] = text
        return text

    def _redate(self, row: Any, published: str) -> Any:
        from .views import redated

        text = self._text(row.source_id, row.version)
        return row if text is None else redated(row, text, published)

    def _original(self, seq: int, *, keep: bool = True) -> bytes:
        """The ``row_json`` of a recording as recorded (its dates as extracted), kept in ``recorded_rows``
        from the first time its row is re-dated (``keep``): a re-dating always starts from it."""
        found = self.originals.get(seq)
        if found is None:
            row = self.conn.execute("SELECT row_json FROM recorded_rows WHERE event_seq = ?", (seq,)).fetchone()
            if row is not None:
                return row[0]
            pending = self.new_rows.get(seq)
            found = pending[15] if pending is not None else self.conn.execute(
                "SELECT row_json FROM assertions WHERE event_seq = ?", (seq,)).fetchone()[0]
            if keep:
                self.originals[seq] = found
        return found

    def _redate_source(self, sid: str, at: int) -> None:
        """A published date corrected at seq ``at``: every recording of ``sid`` still current has its row
        closed at ``at`` and a re-dated copy current from it (``assertions_redated``); one not current yet
        (never was) is re-dated in place; one no longer current keeps its rows (should it be current again, its
        new row is re-dated then: :meth:`_current_again`)."""
        from .records import AssertionRow

        published = self.published.get(sid)
        open_rows = {r[0]: r[1] for r in (*self.new_rows.values(), *self.latest_redated.values())
                     if r[2] == sid and r[12] is None}
        for table in ("assertions", "assertions_redated"):
            for seq, aid in self.conn.execute(
                f"SELECT event_seq, assertion_id FROM {table} WHERE source_id = ? AND current_to IS NULL", (sid,)  # noqa: S608
            ):
                open_rows.setdefault(seq, aid)
        for seq in sorted(open_rows):
            rec = next(r for r in self._aid(open_rows[seq]).recs if r[0] == seq)
            if rec[3] is not None:
                continue
            row = self.converter.structure(orjson.loads(self._original(seq)), AssertionRow)
            cols = self._columns(self._redate(row, published) if published else row)
            if rec[2] is None:
                self._replace_row(seq, cols)
                continue
            latest = self.latest_redated.get(seq) if rec[4] is not None else self.new_rows.get(seq)
            if latest is None:
                latest = (self.conn.execute("SELECT * FROM assertions WHERE event_seq = ?", (seq,)).fetchone()
                          if rec[4] is None else self.conn.execute(
                              "SELECT * FROM assertions_redated WHERE event_seq = ? AND current_from = ?", (seq, rec[4])).fetchone())
                if latest[15] == cols[15]:
                    continue
                table, where, key = (("assertions", "event_seq = ?", (seq,)) if rec[4] is None else
                                     ("assertions_redated", "event_seq = ? AND current_from = ?", (seq, rec[4])))
                self._update(table, where, key, {"current_to": at})
            elif latest[15] == cols[15]:
                continue  # the same dates: nothing changes
            else:
                latest[12] = at
            cols[11] = rec[4] = at
            self.new_redated.append(cols)
            self.latest_redated[seq] = cols

    def _replace_row(self, seq: int, cols: list) -> None:
        """New contents for the ``assertions`` row of a recording that was never current (its interval kept)."""
        pending = self.new_rows.get(seq)
        if pending is not None:
            cols[11], cols[12] = pending[11], pending[12]
            self.new_rows[seq] = cols
            return
        old = self.conn.execute("SELECT * FROM assertions WHERE event_seq = ?", (seq,)).fetchone()
        self._sub("assertions", old)
        self.conn.execute("DELETE FROM assertions WHERE event_seq = ?", (seq,))
        cols[11], cols[12] = old[11], old[12]
        self.conn.execute(f"INSERT INTO assertions VALUES ({','.join('?' * len(cols))})", cols)
        self._add("assertions", tuple(cols))

    def _apply(self, raw: dict[str, Any], t: str, seq: int) -> None:
        if t == AssertionRecorded.TYPE:
            self._recorded(raw)
        elif t in (SourceAppended.TYPE, SourceRevised.TYPE):
            self._source(raw)
        elif t == AssertionRetracted.TYPE:
            d = self.structure_event(raw).data
            if isinstance(d, AssertionRetracted):
                st = self._aid(d.assertion_id)
                if not st.retracted:
                    st.retracted = True
                    self.retracted.append((d.assertion_id, seq))
                self._settle(st, seq)
        elif t == "SourceMetadataCorrected":
            self._corrected(raw, seq)
        elif t == AssertionWithdrawn.TYPE:
            d = self.structure_event(raw).data
            if isinstance(d, AssertionWithdrawn):
                st = self._aid(d.assertion_id)
                st.withdrawn = d.version
                self.withdrawn[d.assertion_id] = (d.version, seq)
                self._settle(st, seq)

    def catch_up(self, log: LogStore, head: Head) -> dict[str, Any]:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        self.log = log
        try:
            start = int(self.meta["head_end"])
            n = 0
            last = None
            for line_start, line, raw in log.lines(start):
                seq = raw["seq"]
                if seq > head.seq:
                    break
                t = raw["type"]
                self.events.append((seq, _at_us(raw.get("at"))))
                self.line = (line_start, line_start + len(line))
                self._apply(raw, t, seq)
                last = (line_start, line, raw)
                n += 1
                if n % FLUSH_EVERY == 0:
                    self._flush()
            self._flush()
            if last is not None:
                line_start, line, raw = last
                self.meta.update(
                    head_seq=raw["seq"], head_hash=raw["hash"], head_start=line_start, head_end=line_start + len(line),
                    head_line_sha256=hashlib.sha256(line).hexdigest(),
                )
            self.meta["digest"] = format(self.digest & _MASK, "x")
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", self.meta.items())
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return self.meta

    def _flush(self) -> None:
        conn = self.conn
        rows = [tuple(r) for r in self.new_rows.values()]
        for r in rows:
            self._add("assertions", r)
        conn.executemany(f"INSERT INTO assertions VALUES ({','.join('?' * 25)})", rows)
        self.new_rows.clear()
        rrows = [tuple(r) for r in self.new_redated]
        for r in rrows:
            self._add("assertions_redated", r)
        if rrows:
            conn.executemany(f"INSERT INTO assertions_redated VALUES ({','.join('?' * len(rrows[0]))})", rrows)
        self.new_redated.clear()
        self.latest_redated.clear()
        for r in self.originals.items():
            self._add("recorded_rows", r)
        conn.executemany("INSERT INTO recorded_rows VALUES (?, ?)", self.originals.items())
        self.originals.clear()
        for r in self.new_superseded.items():
            self._add("superseded", r)
        conn.executemany("INSERT INTO superseded VALUES (?, ?)", self.new_superseded.items())
        self.new_superseded.clear()
        for (sid, version), (start, end) in self.source_lines.items():
            old = conn.execute("SELECT * FROM source_lines WHERE source_id = ? AND version = ?", (sid, version)).fetchone()
            if old is not None:  # a version recorded twice (a hand-made log): the later text is the one read
                self._sub("source_lines", old)
                conn.execute("DELETE FROM source_lines WHERE source_id = ? AND version = ?", (sid, version))
            self._add("source_lines", (sid, version, start, end))
            conn.execute("INSERT INTO source_lines VALUES (?, ?, ?, ?)", (sid, version, start, end))
        self.source_lines.clear()
        srows = [tuple(r[:11]) for r in self._pending_sources]
        for r in srows:
            self._add("sources", r)
        conn.executemany("INSERT INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?)", srows)
        for r in self._pending_sources:
            r[-1] = True  # stored from now on
        self._pending_sources.clear()
        for r in self.events:
            self._add("events", r)
        conn.executemany("INSERT INTO events VALUES (?, ?)", self.events)
        self.events.clear()
        for aid, seq in self.retracted:
            self._add("retracted", (aid, seq))
        conn.executemany("INSERT INTO retracted VALUES (?, ?)", self.retracted)
        self.retracted.clear()
        for aid, w in self.withdrawn.items():
            old = conn.execute("SELECT * FROM withdrawn WHERE assertion_id = ?", (aid,)).fetchone()
            if old is not None:
                self._sub("withdrawn", old)
                conn.execute("DELETE FROM withdrawn WHERE assertion_id = ?", (aid,))
            if w is not None:
                self._add("withdrawn", (aid, w[0], w[1]))
                conn.execute("INSERT INTO withdrawn VALUES (?, ?, ?)", (aid, w[0], w[1]))
        self.withdrawn.clear()
        for sid in sorted(self._corrections_changed):
            old = conn.execute("SELECT * FROM corrections WHERE source_id = ?", (sid,)).fetchone()
            if old is not None:
                self._sub("corrections", old)
                conn.execute("DELETE FROM corrections WHERE source_id = ?", (sid,))
            row = (sid, orjson.dumps(self.corrections[sid]))
            self._add("corrections", row)
            conn.execute("INSERT INTO corrections VALUES (?, ?)", row)
        self._corrections_changed.clear()
        self.aids.clear()
