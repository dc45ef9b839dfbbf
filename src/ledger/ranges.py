"""``verify`` partitioned: byte ranges of the ledger checked on a cluster's workers, the links
between them here.

The file is cut into ranges on line boundaries, each starting where a batch starts (a
``BatchStarted`` line, or in a ledger written before batch markers a source event), so an
assertion's source text and its whole batch are in its own range. Each worker reads its range from the shared file and runs the very
replay loop of :mod:`ledger.audit` on it (hash, canonical form, seq and prev within the
range, schemas, quotes), starting from the range's first line. This process then checks
the links: range ``k`` starts at seq ``last + 1`` of range ``k - 1`` and chains to its hash;
the first range starts at seq 1 from the genesis hash.

When every range and link holds, the ledger is what a single-process ``verify`` would pass:
every check it makes holds, on the same lines, with the same or more state (a quote checked
against its range's text is checked against the text the whole replay would use). When
anything fails, or the file does not end cleanly, the single-process replay runs (with its
schema pass on the same cluster) and its report is the answer: the first failure and exit
code are exactly those of ``verify``. A tampered ledger costs one extra pass up to the
failure; an intact one is checked in parallel. Each range also returns its subtree hashes
in the log's Merkle tree (:mod:`ledger.merkle`), merged here into the root.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import operator
import os
import re
import time
from collections.abc import Callable, Collection
from typing import Any, Self

from . import merkle
from .audit import _SOURCE_TYPES, VerifyReport, _replay, verify
from .checks import Rules, assertion_id_for
from .events import GENESIS
from .log import DamagedLogError, LedgerError, LogStore, parse_line

_MARKER = b',"type":"BatchStarted","v":'
_SOURCES = (b',"type":"SourceAppended","v":', b',"type":"SourceRevised","v":')
"""How the lines that can start a batch end (keys sort ``seq``, ``type``, ``v``; inside a
string a quote is escaped, so these bytes are the envelope's own): a batch marker, or a
source event that is not the first event of a marked batch (ledgers written before markers)."""

MIN_RANGE = 4 << 20
"""Bytes a range has at least: below it a task costs more than it checks."""

RANGES_PER_WORKER = 4
"""Ranges per worker: enough that one slow worker does not hold up the rest."""


def _starts_batch(line: bytes, previous: bytes) -> bool:
    tail = line[-48:]
    if _MARKER in tail:
        return True
    return any(mark in tail for mark in _SOURCES) and _MARKER not in previous[-48:]


def split(path: str, size: int, parts: int, min_range: int | None = None) -> list[tuple[int, int]]:
    """Up to ``parts`` ranges covering bytes ``0:size``, each starting at a line that starts a
    batch, of about ``min_range`` bytes (:data:`MIN_RANGE`) or more."""
    parts = max(1, min(parts, size // (min_range or MIN_RANGE) or 1))
    cuts = [0]
    f = LogStore(path).open_for_reading()
    if f is None:
        return [(0, size)] if size else []
    with f:
        for k in range(1, parts):
            at = max(size * k // parts, cuts[-1] + 1)
            f.seek(at - 1)
            previous = f.readline()  # to the start of the next line (its tail is the previous line's)
            pos = f.tell()
            while pos < size:
                line = f.readline()
                if _starts_batch(line, previous):
                    break
                pos += len(line)
                previous = line
            if cuts[-1] < pos < size:
                cuts.append(pos)
    cuts.append(size)
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


class _Range:
    """What the replay loop needs of a store, over the bytes of one range."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data

    def open_for_reading(self) -> io.BytesIO:
        return io.BytesIO(self.data)

    def bad_line(self, f: Any, offset: int, line: bytes) -> None:
        raise DamagedLogError(f"{self.path}: line at byte {offset} of a range is not a valid event")


def check_range(path: str, start: int, end: int, schemas: bool = True) -> tuple:
    """On a worker: what :func:`_check` finds in bytes ``start:end`` (its summary)."""
    return _check(path, start, end, schemas)[0]


def _check(path: str, start: int, end: int, schemas: bool = True, tree: bool = True,
           sources: dict[tuple[str, int], int] | Callable[[], dict] | None = None) -> tuple[tuple, dict, dict]:
    """On a worker: ``((ok, first seq, its prev, last seq, last hash, unknown types, Merkle
    nodes, first at, last at, source events, deferred references, event id digests,
    assertion id digests, borrowed texts, late source versions), assertions, quote counts)`` of bytes
    ``start:end``, checked by :func:`ledger.audit._replay` from the range's first line. The
    nodes are the range's compact range in the RFC 9162 tree of the log
    (:func:`ledger.merkle.range_nodes`, leaf ``seq - 1``); the source events and the
    references the range could not resolve alone are those of :class:`ledger.checks.Rules`;
    ``assertions`` (assertion id -> (source id, version)) stays on the worker for
    :func:`_lookup` and :func:`_owners`; the digests (:func:`digests`, 8 bytes an id) are
    how :func:`_unique` finds an id used in two ranges. ``tree=False``: no Merkle nodes (a sha256 per line and per inner node
    that ``verify`` itself does not need).

    ``sources`` ((source id, version) -> byte offset of its source event, a hint found by
    :func:`source_offsets`, or a function giving it when first needed): an assertion quoting a source recorded before the range reads the
    text from that line (``borrowed texts``: (source id, version, seq of the line read), which
    :func:`_borrowed_ok` checks against the ranges' source events), and the derivation of its id
    waits for the quote counts of the earlier ranges (``late source versions``, :func:`_late_ok`)."""
    data = LogStore(path).read_range(start, end)
    first = parse_line(data[: data.find(b"\n") + 1])
    if first is None or not data.endswith(b"\n"):
        return (False, None, None, None, None, {}, [], None, None, [], [], b"", b"", [], []), {}, {}
    report = VerifyReport()

    def fail(seq: int | None, reason: str, after_schema: bool = False) -> VerifyReport:
        report.ok = False
        report.bad_seq, report.reason = seq, reason
        return report

    borrowed: list[tuple[str, int, int]] = []

    def borrow(sid: str, version: int) -> str | None:
        known = sources() if callable(sources) else sources
        at = known.get((sid, version)) if known else None
        if at is None or at >= start:
            return None
        raw = parse_line(LogStore(path).line_at(at))
        d = raw.get("data") if raw is not None else None
        if d.__class__ is not dict or raw.get("type") not in _SOURCE_TYPES:
            return None
        text = d.get("text")
        if d.get("source_id") != sid or d.get("version") != version or text.__class__ is not str:
            return None
        borrowed.append((sid, version, raw["seq"]))
        return text

    rules = Rules(derived_ids=True, partial=True)  # as verify does by default (--no-derived-ids stays in one process)
    r = _replay(_Range(path, data), report, time.perf_counter(), fail, schemas, None, None,
                expected_seq=first["seq"], prev=first.get("prev"), partial=True, rules=rules, borrow=borrow)
    ok = r.ok and not getattr(r, "interrupted", None)
    nodes = merkle.range_nodes(first["seq"] - 1, map(merkle.leaf_hash, data.split(b"\n")[:-1])) if ok and tree else []
    ids = digests(rules.event_ids, *_EVENT_ID) if ok else b""
    aids = digests(rules.assertions, *_ASSERTION_ID) if ok else b""  # in the dict's order (see _owners)
    counts = rules.quote_counts() if ok else {}
    late = [key for key, (_seen, waiting) in counts.items() if waiting]
    summary = (ok, first["seq"], first.get("prev"), r.head_seq, r.head_hash, dict(r.unknown_types), nodes,
               first.get("at"), rules.last_at, rules.sources, rules.deferred, ids, aids, borrowed, late)
    return summary, rules.assertions if ok else {}, counts



def source_offsets(path: str, end: int) -> dict[tuple[str, int], int]:
    """(source id, version) -> byte offset of each source event in bytes ``0:end`` (a line
    boundary), found in the bytes without parsing (a search of each block as it is read):
    a hint for :func:`_check`, which reads the line it points at and trusts only what that line
    (checked by its own range) says."""
    found: dict[tuple[str, int], int] = {}
    f = LogStore(path).open_for_reading()
    if f is None:
        return found
    size = max(1, min(LOCAL_MAX_RANGE, end))
    buf = bytearray(size)  # read into one buffer: no copy of a block per block
    at = held = 0  # the file offset of buf[0]; the bytes buf holds (a line the last block cut first)
    with f:
        while at + held < end:
            if held == size:  # one line longer than the buffer: a larger one
                buf.extend(bytes(size))
                size *= 2
            with memoryview(buf) as view:
                n = f.readinto(view[held : min(size, end - at)])
            if not n:
                break
            held += n
            cut = buf.rfind(b"\n", 0, held) + 1 if at + held < end else held
            i = buf.find(_SOURCE_KEY, 0, cut)
            while i >= 0:
                rest = buf[i + len(_SOURCE_KEY) : i + len(_SOURCE_KEY) + 16]
                if rest.startswith((b'Appended","v":', b'Revised","v":')):
                    start = buf.rfind(b"\n", 0, i) + 1
                    sid = _SID.search(buf, start, i)
                    version = buf.rfind(b'"version":', start, i)
                    digits = _DIGITS.match(buf, version + 10) if version >= 0 else None
                    if sid is not None and digits is not None:
                        found.setdefault((sid.group(1).decode("utf-8", "replace"), int(digits.group())), at + start)
                i = buf.find(_SOURCE_KEY, i + len(_SOURCE_KEY), cut)
            buf[: held - cut] = buf[cut:held]  # the cut line moves to the front (same size: no resize)
            at, held = at + cut, held - cut
    return found


_SOURCE_KEY = b',"type":"Source'
_SID = re.compile(rb'"source_id":"([^"\\]*)"')
_DIGITS = re.compile(rb"[0-9]{1,12}")


def _borrowed_ok(summaries: list[tuple]) -> bool:
    """Whether every text a range borrowed came from a source event some range checked, with
    the source id and version it was read for, before the range."""
    events = {(s[0], s[2], s[3]) for summary in summaries for s in summary[9]}
    return all(
        (seq, sid, version) in events and seq < summary[1]
        for summary in summaries for sid, version, seq in summary[13]
    )


def _late_ok(summaries: list[tuple], counts: Any, check: Any) -> bool:
    """Whether the ids a range could not derive alone (:func:`_check`'s late source versions)
    are derived from the number of times their quote was recorded before them: ``counts(j,
    keys)`` gives range ``j``'s quote counts of those source versions, ``check(k, starts)``
    checks range ``k``'s waiting ids from the counts of the ranges before it."""
    late = [set(map(tuple, s[14])) for s in summaries]
    if not any(late):
        return True
    after: list[set] = [set() for _ in summaries]  # by range: the late source versions of the ranges after it
    needed: set = set()
    for k in range(len(summaries) - 1, -1, -1):
        after[k] = set(needed)
        needed |= late[k]
    totals: dict[tuple[str, int], dict[str, int]] = {}  # quote counts of the ranges so far
    asks: list[tuple[int, dict]] = []
    for k in range(len(summaries)):
        if late[k]:
            asks.append((k, {key: dict(totals.get(key, {})) for key in late[k]}))
        if after[k]:
            for key, seen in counts(k, after[k]).items():
                total = totals.setdefault(key, {})
                for exact, n in seen.items():
                    total[exact] = total.get(exact, 0) + n
    return check(asks)


def _counts(state: tuple, wanted: set) -> dict:
    """On the worker that holds a range's state: its quote counts of the source versions ``wanted``."""
    counts = state[2]
    return {key: counts[key][0] for key in wanted if key in counts}


def _late(state: tuple, starts: dict) -> bool:
    """On the worker that holds a range's state: whether each waiting id is derived from its
    source, its quote and its occurrence counted from ``starts`` (the recordings before the range)."""
    counts = state[2]
    for key, before in starts.items():
        waiting = counts.get(key, ({}, None))[1] or {}
        for exact, ids in waiting.items():
            for n, aid in enumerate(ids, before.get(exact, 0)):
                if aid != assertion_id_for(key[0], exact, n):
                    return False
    return True


def _lookup(state: tuple[tuple, dict], wanted: list[str]) -> dict[str, str]:
    """On the worker that holds a range's state: which of ``wanted`` the range records, with
    the source each belongs to."""
    assertions = state[1]
    return {aid: assertions[aid][0] for aid in wanted if aid in assertions}


_EVENT_ID = (36, ((19, 23), (24, 36)))
"""Event ids (UUIDv7: 36 characters): the digest is their last 16 hex digits, rand_b (62
random bits and the variant), an id's own bits: no hashing needed."""
_ASSERTION_ID = (19, ((3, 19),))
"""Assertion ids (``as-`` and 16 hex digits, derived: ``verify`` recomputes them): the 16 digits."""


def digest(value: str, width: int, spans: tuple[tuple[int, int], ...]) -> bytes:
    """8 bytes standing for an id: the hex digits at ``spans`` of an id of ``width``
    characters, else (any other id) the first 8 bytes of its SHA-256. Equal ids have equal
    digests, so two ranges sharing an id share its digest; two ids sharing a digest only
    cost a closer look (:func:`_unique`)."""
    if len(value) == width:
        try:
            raw = bytes.fromhex("".join(value[a:b] for a, b in spans))
        except ValueError:
            raw = b""
        if len(raw) == 8:
            return raw
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()[:8]


def digests(values: Collection[str], width: int, spans: tuple[tuple[int, int], ...]) -> bytes:
    """:func:`digest` of each of ``values``, in their order, 8 bytes each: one strided copy per
    digit over all of them when they all have the usual form (a range holds ~250,000)."""
    n = len(values)
    if n and set(map(len, values)) == {width}:
        try:
            joined = "".join(values).encode("ascii")
        except UnicodeEncodeError:
            joined = b""
        if joined:
            digits = bytearray(16 * n)
            k = 0
            for a, b in spans:
                for at in range(a, b):
                    digits[k::16] = joined[at::width]
                    k += 1
            try:
                packed = bytes.fromhex(digits.decode("ascii"))
            except ValueError:
                packed = b""
            if len(packed) == 8 * n:  # all hex, no whitespace: each id's 16 digits are its 8 bytes
                return packed
    return b"".join(digest(v, width, spans) for v in values)


def _shared(packed: list[bytes]) -> list[set[int]]:
    """For each range, the digests (as ints) it shares with some other range. One pass into
    one set when no digest occurs twice (an intact ledger without revisions across ranges:
    ~0.1 s a million ids); the ranges are compared only when one does."""
    union: set[int] = set()
    for p in packed:
        union.update(memoryview(p).cast("Q"))
    if len(union) == sum(len(p) for p in packed) // 8:
        return [set() for _ in packed]
    union.clear()
    shared: set[int] = set()
    for p in packed:
        mine = set(memoryview(p).cast("Q"))
        shared |= mine & union
        union |= mine
    del union
    return [set(memoryview(p).cast("Q")) & shared if shared else set() for p in packed]


def _owners(state: tuple[tuple, dict], wanted: set[int]) -> list[tuple[str, str]]:
    """On the worker that holds a range's state: (assertion id, its source) of each assertion
    of the range whose digest is in ``wanted`` (the digests are in the dict's order)."""
    assertions = state[1]
    keys = list(assertions)
    return [(keys[k], assertions[keys[k]][0]) for k, d in enumerate(memoryview(state[0][12]).cast("Q")) if d in wanted]


def _unique(summaries: list[tuple], owners: Any) -> bool:
    """Whether the ids that must be unique across the log are, across the ranges (each range
    checked its own): no event id in two ranges, and an assertion id in two ranges only for
    the same source (a revision records its unchanged assertions again; an assertion id of
    another source is rule 8 broken). Only the digests of ids found in two ranges are looked
    at: ``owners(j, digests)`` gives (assertion id, source) for those of range ``j``. An
    event id digest in two ranges is answered by the single-process replay (False), which
    names the id and its seq, or passes when only the digests coincided (about one verify in
    10^7 at a million events)."""
    if any(_shared([s[11] for s in summaries])):
        return False
    shared = _shared([s[12] for s in summaries])
    sources: dict[str, str] = {}
    for j, wanted in enumerate(shared):
        if wanted:
            for aid, sid in owners(j, wanted):
                if sources.setdefault(aid, sid) != sid:
                    return False
    return True


def _resolve(summaries: list[tuple], lookup: Any) -> bool:
    """Whether what the ranges could not judge alone holds across them: ``at`` never moves
    back at a cut; each source event follows the source's history in the whole log
    (appended once, each revision the next version); each deferred reference names an
    assertion recorded in an earlier range (a withdrawal: of the source it names, at a
    version already recorded). ``lookup(j, ids)``: which of ``ids`` range ``j`` records, with
    their sources. False on anything that fails: the single-process replay then reports it."""
    last_at = ""
    versions: dict[str, int] = {}
    history: dict[str, tuple[list[int], list[int]]] = {}  # source id -> (seqs, versions) of its source events
    for summary in summaries:
        first_at, range_last_at, sources = summary[7], summary[8], summary[9]
        if first_at.__class__ is not str or first_at < last_at:
            return False
        last_at = range_last_at
        for seq, appended, sid, version, revision_of in sources:
            last = versions.get(sid)
            if appended:
                if last is not None:
                    return False  # appended again
            elif last is None or version != last + 1 or revision_of != last:
                return False  # a revision of a source not in the log before it, or not its next version
            versions[sid] = version
            seqs, vs = history.setdefault(sid, ([], []))
            seqs.append(seq)
            vs.append(version)

    def version_at(sid: str, seq: int) -> int:
        seqs, vs = history.get(sid, ((), ()))
        k = bisect.bisect_left(seqs, seq)
        return vs[k - 1] if k else 0

    wanted: list[set[str]] = [set() for _ in summaries]  # by range: ids its deferred references need
    for k, summary in enumerate(summaries):
        for item in summary[10]:
            wanted[k].update(item[2] if item[0] == "ref" else (item[2],) if item[0] == "withdraw" else ())
    if not any(wanted):
        owners_before: list[dict[str, str]] = [{} for _ in summaries]
    else:
        later: set[str] = set()
        asks: list[set[str]] = [set() for _ in summaries]
        for j in range(len(summaries) - 1, -1, -1):  # range j is asked for what any later range needs
            asks[j] = set(later)
            later |= wanted[j]
        found = [lookup(j, sorted(asks[j])) if asks[j] else {} for j in range(len(summaries))]
        owners_before, seen = [], {}
        for j in range(len(summaries)):
            owners_before.append(seen)
            seen = {**seen, **found[j]}
    for k, summary in enumerate(summaries):
        owners = owners_before[k]
        for item in summary[10]:
            kind, seq = item[0], item[1]
            if kind == "ref":
                if not any(x in owners for x in item[2]):
                    return False
            elif kind == "withdraw":
                aid, sid, version = item[2], item[3], item[4]
                if owners.get(aid) != sid or version.__class__ is not int or version_at(sid, seq) < version:
                    return False
            elif version_at(item[2], seq) < item[3]:  # "version": the source's version before seq
                return False
    return True


def _chain(results: list[tuple]) -> tuple[int, str, dict[str, int], list] | None:
    """The links between the ranges' summaries (each range ok, starting at seq ``last + 1`` of
    the one before and chaining to its hash; the first at seq 1 from genesis): (next seq, head
    hash, unknown types, merged Merkle nodes), or None when a range or a link fails."""
    expected, prev = 1, GENESIS
    unknown: dict[str, int] = {}
    nodes: list = []
    for ok, first_seq, first_prev, last_seq, last_hash, types, range_nodes, *_rest in results:
        if not ok or first_seq != expected or first_prev != prev:
            return None
        expected, prev = last_seq + 1, last_hash
        for name, n in types.items():
            unknown[name] = unknown.get(name, 0) + n
        nodes = merkle.merge_nodes(nodes, range_nodes)
    return expected, prev, unknown, nodes


def verify_partitioned(store: LogStore, client: Any, workers: int, *, schemas: bool = True) -> VerifyReport:
    """:func:`ledger.audit.verify`'s report, computed on the cluster behind ``client``
    (its workers must read the ledger at the same path)."""
    return partitioned(store, client, workers, schemas=schemas, tree=False)[0]


def partitioned(
    store: LogStore, client: Any, workers: int, *, schemas: bool = True, tree: bool = True
) -> tuple[VerifyReport, bytes | None]:
    """:func:`verify_partitioned`, and the RFC 9162 Merkle root of the verified events merged
    from the ranges' subtree hashes (None when the single-process replay gave the answer, or
    ``tree=False``)."""
    started = time.perf_counter()
    path = os.path.abspath(store.path)
    head = store.head()

    def sequential() -> tuple[VerifyReport, None]:
        return verify(store, schemas=schemas, executor=client.get_executor(pure=False), executor_workers=workers), None

    try:
        size = os.stat(path).st_size
    except OSError:
        return sequential()  # it names what is wrong with the path
    if head.torn or size != head.size or size == 0:
        return sequential()
    ranges = split(path, size, RANGES_PER_WORKER * workers)
    states = [client.submit(_check, path, a, b, schemas, tree, pure=False) for a, b in ranges]
    try:
        results = client.gather([client.submit(operator.getitem, state, 0, pure=False) for state in states])
        chained = _chain(results)
        if chained is None or any(r[13] or r[14] for r in results):  # (no source offsets are sent here)
            return sequential()
        expected, prev, unknown, nodes = chained

        def lookup(j: int, ids: list[str]) -> dict[str, str]:
            return client.submit(_lookup, states[j], ids, pure=False).result()

        def owners(j: int, wanted: set[int]) -> list[tuple[str, str]]:
            return client.submit(_owners, states[j], wanted, pure=False).result()

        if not _resolve(results, lookup) or not _unique(results, owners):
            return sequential()
    finally:
        for state in states:
            state.release()
    report = VerifyReport(events=expected - 1, head_seq=expected - 1, head_hash=prev, unknown_types=unknown)
    report.seconds = time.perf_counter() - started
    return report, merkle.root_of_nodes(nodes) if tree else None


_ASKS = {"lookup": _lookup, "owners": _owners, "counts": _counts, "late": _late}
"""What the coordinator may ask of the worker that holds a range's state."""


# -- the same on this machine: ranges on forked worker processes and this one -----------------

LOCAL_MAX_RANGE = 16 << 20
"""Most bytes of a range on this machine (a range is read into memory whole): memory stays
bounded whatever the ledger's size, at the cost of more, shorter ranges."""

LOCAL_RANGES_PER_PROCESS = 8
"""Ranges per process: the last range to finish keeps the others waiting for at most an eighth
of a process's share."""


def verify_local(
    store: LogStore,
    processes: int,
    *,
    schemas: bool = True,
    progress: Any = None,
    min_range: int | None = None,
) -> VerifyReport | None:
    """:func:`ledger.audit.verify`'s report from byte ranges checked by ``processes - 1`` forked
    worker processes and this one (each range the full replay of :func:`_check`; the links,
    references, unique ids, borrowed texts and quote counts across them checked here), or None
    when anything fails or the file does not end cleanly: the caller's replay then gives the
    answer (first failure, reason, exit code). ``min_range``: bytes a range has at least
    (:data:`MIN_RANGE`). ``progress(events)``: the events of the ranges finished so far, after each range this process checks."""
    path = os.path.abspath(store.path)
    try:
        size = os.stat(path).st_size
        head = store.head()
    except (OSError, LedgerError):
        return None  # the replay names what is wrong
    if head.torn or size != head.size or size == 0:
        return None
    parts = max(processes * LOCAL_RANGES_PER_PROCESS, -(-size // LOCAL_MAX_RANGE))
    cuts = split(path, size, parts, min_range)
    if len(cuts) < 2:
        return None
    with _Workers(processes - 1, path, cuts, schemas) as workers:
        results = workers.check_all(progress)
        if results is None:
            return None
        chained = _chain(results)
        if chained is None or not _borrowed_ok(results):
            return None
        expected, prev, unknown, _nodes = chained
        try:
            if not _resolve(results, workers.lookup) or not _unique(results, workers.owners):
                return None
            if not _late_ok(results, workers.counts, workers.check_late):
                return None
        except _WorkerLost:
            return None
    return VerifyReport(events=expected - 1, head_seq=expected - 1, head_hash=prev, unknown_types=unknown, ranges=len(cuts))


class _WorkerLost(Exception):
    """A worker process died or failed: the single-process replay answers instead."""


def _take(counter: Any, n: int) -> int | None:
    """The next range nobody has taken (a shared counter: workers and this process take ranges
    as they free up, so none waits while another has work queued), None when none is left."""
    with counter.get_lock():
        k = counter.value
        if k >= n:
            return None
        counter.value = k + 1
    return k


def _serve(conn: Any, counter: Any, path: str, cuts: list[tuple[int, int]], schemas: bool) -> None:
    """A worker: checks ranges until none is left (or one fails), then answers the questions
    about the ranges it checked, whose state it keeps."""
    states: dict[int, tuple[tuple, dict, dict]] = {}
    sources: dict | None = None

    def offsets() -> dict:
        nonlocal sources
        if sources is None:  # the coordinator sends them first, once it has found them
            sources = conn.recv()[2]
        return sources

    try:
        while (k := _take(counter, len(cuts))) is not None:
            states[k] = _check(path, *cuts[k], schemas, tree=False, sources=offsets)
            conn.send(("done", k, states[k][0]))
            if not states[k][0][0]:
                with counter.get_lock():
                    counter.value = len(cuts)  # a failure: the others stop taking ranges
        conn.send(("idle", -1, None))
        while True:
            message = conn.recv()
            if message is None:
                return
            op, k, args = message
            if op == "sources":
                sources = args
                continue
            try:
                reply: Any = _ASKS[op](states[k], args)
            except Exception as exc:  # noqa: BLE001 - the coordinator falls back to one process
                reply = _WorkerLost(f"{exc.__class__.__name__}: {exc}")
            conn.send((op, k, reply))
    except (EOFError, OSError, KeyboardInterrupt):
        return


class _Workers:
    """Forked worker processes, one pipe each, taking ranges from a shared counter as this process
    does; a thread here reads their summaries as they come (a worker never waits on its pipe)."""

    def __init__(self, n: int, path: str, cuts: list[tuple[int, int]], schemas: bool) -> None:
        import multiprocessing

        # fork: a worker starts with this process's imports (a spawned one would pay ~0.3 s of them)
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.path, self.cuts, self.schemas = path, cuts, schemas
        self.counter = ctx.Value("q", 0)
        self.conns: list[Any] = []
        self.procs: list[Any] = []
        for _ in range(n):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(child, self.counter, path, cuts, schemas), daemon=True)
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)
        self.results: list[Any] = [None] * len(cuts)
        self.owner: dict[int, int] = {}  # range -> worker index, -1 for this process
        self.local: dict[int, tuple[tuple, dict, dict]] = {}  # states of the ranges checked here
        self.failed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        clean = not self.failed and exc[0] is None
        for conn in self.conns:
            try:
                if clean:
                    conn.send(None)
            except OSError:
                pass
            conn.close()
        for proc in self.procs:
            if not clean:
                proc.terminate()  # it may be in the middle of a range nobody needs any more
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join()

    def _receive(self) -> None:
        """The receiving thread: summaries until every worker is idle (or gone)."""
        from multiprocessing.connection import wait

        busy = list(self.conns)
        while busy:
            for conn in wait(busy):
                try:
                    op, k, summary = conn.recv()
                except (EOFError, OSError):
                    op = "lost"
                if op == "done":
                    self.results[k] = summary
                    self.owner[k] = self.conns.index(conn)
                    if not summary[0]:
                        self._stop()
                    continue
                if op == "lost":
                    self._stop()
                busy.remove(conn)

    def _stop(self) -> None:
        self.failed = True
        with self.counter.get_lock():
            self.counter.value = len(self.cuts)

    def check_all(self, progress: Any) -> list[tuple] | None:
        """Every range's summary, in order; None when one fails (or a worker does)."""
        import threading

        receiver = threading.Thread(target=self._receive, daemon=True)
        receiver.start()
        try:
            # The source events before the last range (a hint: see _check), found while the workers start on the first ranges.
            sources = source_offsets(self.path, self.cuts[-1][0])
            for conn in self.conns:
                conn.send(("sources", -1, sources))
            while (k := _take(self.counter, len(self.cuts))) is not None:
                self.local[k] = state = _check(self.path, *self.cuts[k], self.schemas, tree=False, sources=sources)
                self.owner[k] = -1
                self.results[k] = state[0]
                if not state[0][0]:
                    self._stop()
                    break
                if progress is not None:  # the events of every range finished so far, here or in a worker
                    progress(sum(r[3] - r[1] + 1 for r in list(self.results) if r is not None and r[0]))
        finally:
            receiver.join()
        if self.failed or any(r is None or not r[0] for r in self.results):
            return None
        return self.results

    def lookup(self, k: int, ids: list[str]) -> dict[str, str]:
        return self._ask("lookup", k, ids)

    def owners(self, k: int, wanted: set[int]) -> list[tuple[str, str]]:
        return self._ask("owners", k, wanted)

    def counts(self, k: int, wanted: set) -> dict:
        return self._ask("counts", k, wanted)

    def check_late(self, asks: list[tuple[int, dict]]) -> bool:
        """:func:`_late` of each (range, starts): the workers' at once, this process's meanwhile."""
        sent = []
        for k, starts in asks:
            w = self.owner[k]
            if w >= 0:
                self.conns[w].send(("late", k, starts))
                sent.append(w)
        ok = all(_late(self.local[k], starts) for k, starts in asks if self.owner[k] < 0)
        for w in sent:  # every reply is read, so no pipe is left with one in it
            ok = self._reply(w) and ok
        return ok

    def _ask(self, op: str, k: int, args: Any) -> Any:
        w = self.owner[k]
        if w < 0:
            return _ASKS[op](self.local[k], args)
        self.conns[w].send((op, k, args))
        return self._reply(w)

    def _reply(self, w: int) -> Any:
        try:
            _op, _k, reply = self.conns[w].recv()
        except (EOFError, OSError):
            raise _WorkerLost(f"worker {w} exited") from None
        if isinstance(reply, _WorkerLost):
            raise reply
        return reply
