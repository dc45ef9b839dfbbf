"""The append service: a document becomes one batch of events.

Extraction runs before the lock (it is the slow part); deciding what to record
(new source, unchanged, new version) runs under the lock against the ledger as it is
at that moment, so concurrent appenders never record the same content twice or give
two revisions the same version number.
"""

from __future__ import annotations

import pickle
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate

import orjson
from attrs import define, evolve, field, frozen
from attrs import fields as attrs_fields

from .checks import assertion_id_for
from .checks import source_id_for as derive_source_id
from .events import (
    GENESIS,
    AssertionRecorded,
    AssertionWithdrawn,
    Payload,
    SourceAppended,
    SourceRevised,
    SourceSnapshot,
    current_data,
)
from .extractors import Extracted, ExtractorSpec, SourceInfo, anchor, check_extracted
from .log import DamagedLogError, Head, LedgerError, LogStore, Writer, default_actor
from .sources import MAX_BYTES, Document, SourceError
from .sources.collect import Input
from .sources.meta import Metadata
from .sources.meta import apply as apply_metadata


def source_id_for(doc: Document) -> str:
    """Stable id: from the URL when there is one, else from the text (``checks.source_id_for``,
    the derivation ``verify`` recomputes)."""
    return derive_source_id(doc.uri, doc.text_sha256)


assertion_id = assertion_id_for
"""Content-derived: the same quote in the same source always gets the same id."""


@frozen
class Extraction:
    """Assertions found in a document, ready to be numbered into a version."""

    items: tuple[tuple[str, Extracted], ...]  # (assertion id, extracted)
    extractor: str
    extractor_version: str


def extract(doc: Document, source_id: str, extractor: ExtractorSpec) -> Extraction:
    info = SourceInfo(
        source_id=source_id,
        title=doc.title,
        published=doc.published,
        outlet=doc.outlet,
        uri=doc.uri,
        media_type=doc.media_type,
    )
    found = check_extracted(doc.text, extractor.extract(doc.text, info))
    found.sort(key=lambda e: (e.start, e.end))
    seen_spans: set[tuple[int, int]] = set()
    occurrences: Counter[str] = Counter()
    items = []
    for item in found:
        if (item.start, item.end) in seen_spans:
            continue
        seen_spans.add((item.start, item.end))
        exact = doc.text[item.start : item.end]
        items.append((assertion_id(source_id, exact, occurrences[exact]), item))
        occurrences[exact] += 1
    return Extraction(tuple(items), extractor.name, extractor.version)


@define
class KnownSource:
    """What the index keeps of one source: a few hundred bytes, since a sequencer holds one
    per source of the ledger (millions). The assertion ids of its last version are packed
    as 8 bytes each when they have the usual ``as-`` + 16 hex form."""

    version: int
    raw_sha256: str
    # a bytearray grows in place: folding a source's assertions one by one (catching up
    # with the log) stays linear, where bytes += or a frozenset union per id was quadratic
    packed: bytearray | set[str] = field(factory=bytearray)

    @property
    def assertion_ids(self) -> frozenset[str]:
        if isinstance(self.packed, set):
            return frozenset(self.packed)
        h = self.packed.hex()
        return frozenset("as-" + h[i : i + 16] for i in range(0, len(h), 16))

    def add(self, assertion_ids: Iterable[str] | bytes) -> None:
        """Add ids, given as strings or (as a worker sends them, :func:`encode`) as their 16 hex
        digits packed into 8 bytes each."""
        if isinstance(assertion_ids, bytes):
            if isinstance(self.packed, bytearray):
                self.packed += assertion_ids
                return
            h = assertion_ids.hex()
            assertion_ids = ["as-" + h[i : i + 16] for i in range(0, len(h), 16)]
        ids = list(assertion_ids)
        if isinstance(self.packed, bytearray):
            packed = _pack(ids)  # all at once: the sequencer adds ~33 per source
            if packed is not None:
                self.packed += packed
                return
            self.packed = set(self.assertion_ids)
        self.packed.update(ids)


_ONE_ID = re.compile("as-[0-9a-f]{16}").fullmatch


def _pack(ids: list[str]) -> bytes | None:
    """``ids`` as 8 bytes each when every one is ``as-`` and 16 lowercase hex digits (so that
    :attr:`KnownSource.assertion_ids` gives them back), else None. Checked with a few calls
    over all of them (each id 19 long, ``as-`` at every 19th place, the digits hex and
    lowercase), which cost a third of one regex over the joined ids."""
    n = len(ids)
    if n == 1:  # catching up with the log folds the assertions one by one
        return bytes.fromhex(ids[0][3:]) if _ONE_ID(ids[0]) else None
    if not n:
        return b""
    joined = "".join(ids)
    if len(joined) != 19 * n or set(map(len, ids)) != {19}:
        return None
    if joined[0::19] != "a" * n or joined[1::19] != "s" * n or joined[2::19] != "-" * n:
        return None
    digits = joined.replace("as-", "")
    if len(digits) != 16 * n or digits != digits.lower():
        return None
    try:
        packed = bytes.fromhex(digits)
    except ValueError:
        return None
    return packed if len(packed) == 8 * n else None  # fewer: there was whitespace, which fromhex skips


@define
class SourceIndex:
    """What the append service needs to know of the ledger, folded incrementally.

    ``seq`` and ``hash`` are those of the last event folded: catching up checks that each
    new line follows on (next seq, ``prev`` equal to the last hash), so an append refuses
    a ledger with a dropped or reordered line instead of chaining onto it. (Cheap: no
    re-hashing; ``verify`` proves the hashes.)
    """

    offset: int = 0
    seq: int = 0
    hash: str = GENESIS
    sources: dict[str, KnownSource] = field(factory=dict)
    _pending: dict[tuple[str, int], set[str]] = field(factory=dict)

    def catch_up(self, store: LogStore) -> None:
        seq, prev = self.seq, self.hash
        for offset, line, raw in store.lines(self.offset):
            seq += 1
            if raw["seq"] != seq:
                raise DamagedLogError(
                    f"{store.path}: seq {seq} is missing or out of place (found seq {raw['seq']} at byte {offset}): "
                    "a line was removed or reordered; run 'factledger verify' for details"
                )
            if raw.get("prev") != prev:
                raise DamagedLogError(
                    f"{store.path}: seq {seq} does not chain to seq {seq - 1} (its prev is not that event's hash); "
                    "run 'factledger verify' for details"
                )
            prev = raw["hash"]
            self._apply(raw)
            self.offset = offset + len(line)
            self.seq, self.hash = seq, prev

    def advance(self, head: Head, payloads: Sequence[Payload]) -> None:
        """Fold a batch this process just wrote (under the lock, so it follows on)."""
        for p in payloads:
            if isinstance(p, SourceSnapshot):
                self._source(p.source_id, p.version, p.raw_sha256)
            elif isinstance(p, AssertionRecorded):
                self._assertion(p.source_id, p.version, p.assertion_id)
        self.offset, self.seq, self.hash = head.size, head.seq, head.hash

    def advance_source(self, head: Head, source_id: str, version: int, raw_sha256: str, assertion_ids: Iterable[str] | bytes) -> None:
        """Fold one source's batch written from worker bytes (see :class:`Encoded`)."""
        known = self.sources[source_id] = KnownSource(version, raw_sha256)
        known.add(assertion_ids)
        self.offset, self.seq, self.hash = head.size, head.seq, head.hash

    def _apply(self, raw: dict) -> None:
        t = raw["type"]
        if t not in _INDEXED:
            return
        d = current_data(raw)
        if d is None:
            return
        if t == "AssertionRecorded":
            self._assertion(d["source_id"], d["version"], d["assertion_id"])
        else:
            self._source(d["source_id"], d["version"], d["raw_sha256"])

    def _source(self, source_id: str, version: int, raw_sha256: str) -> None:
        self.sources[source_id] = KnownSource(version, raw_sha256)

    def _assertion(self, source_id: str, version: int, assertion_id: str) -> None:
        src = self.sources.get(source_id)
        if src is not None and src.version == version:
            src.add((assertion_id,))


_INDEXED = frozenset({"SourceAppended", "SourceRevised", "AssertionRecorded"})


@frozen
class AppendResult:
    """What one append recorded (or did not)."""

    origin: str
    source_id: str
    status: str  # "appended", "revised", "unchanged"
    version: int
    counts: dict[str, int]
    withdrawn: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    unresolved_dates: tuple[str, ...] = ()
    """Relative dates ("on Wednesday") the source holds but that nothing resolves: it has no published date."""


def plan(doc: Document, source_id: str, extraction: Extraction, known: KnownSource | None) -> tuple[str, int, list[Payload]]:
    """Decide what to record for ``doc`` given what the ledger knows of its source."""
    if known is not None and known.raw_sha256 == doc.raw_sha256:
        return "unchanged", known.version, []
    fresh = fresh_payloads(doc, source_id, extraction)
    if known is None:
        return "appended", 1, fresh
    return "revised", known.version + 1, as_revision(fresh, known)


def fresh_payloads(doc: Document, source_id: str, extraction: Extraction) -> list[Payload]:
    """The batch of a source the ledger does not know yet: ``SourceAppended`` and its assertions."""
    source = SourceAppended(
        source_id=source_id,
        version=1,
        uri=doc.uri,
        title=doc.title,
        outlet=doc.outlet,
        authors=tuple(doc.authors),
        published=doc.published,
        retrieved=doc.retrieved,
        media_type=doc.media_type,
        raw_sha256=doc.raw_sha256,
        text_sha256=doc.text_sha256,
        text=doc.text,
    )
    return [source, *_recorded(doc.text, source_id, 1, extraction)]


def as_revision(fresh: Sequence[Payload], known: KnownSource) -> list[Payload]:
    """:func:`fresh_payloads` turned into the next version of a known source: ``SourceRevised``,
    the assertions renumbered, and a withdrawal for each assertion the new text lacks."""
    version = known.version + 1
    source, recorded = fresh[0], fresh[1:]
    meta = {a.name: getattr(source, a.name) for a in attrs_fields(SourceAppended)}
    meta["version"] = version
    payloads: list[Payload] = [SourceRevised(revision_of=known.version, **meta)]
    payloads.extend(evolve(p, version=version) for p in recorded)
    current = {p.assertion_id for p in recorded}  # type: ignore[attr-defined]
    for aid in sorted(known.assertion_ids - current):
        payloads.append(
            AssertionWithdrawn(
                assertion_id=aid, source_id=source.source_id, version=version,  # type: ignore[attr-defined]
                reason=f"not in version {version} of the source",
            )
        )
    return payloads


def relative_dates(text: str) -> tuple[str, ...]:
    """Dates in ``text`` that only a published date can resolve ("Wednesday", "last month").

    Found by reading the dates twice with the rules extractor's date reader, with and
    without a reference day: what appears only with one is relative.
    """
    import datetime as dt

    from .extractors.rules.values import find_values

    kinds = ("date", "daterange", "year")
    absolute = {(v.start, v.end) for v in find_values(text, None) if v.type in kinds}
    return tuple(
        v.text for v in find_values(text, dt.date(2000, 1, 5)) if v.type in kinds and (v.start, v.end) not in absolute
    )


def _recorded(text: str, source_id: str, version: int, extraction: Extraction) -> Iterable[AssertionRecorded]:
    for aid, item in extraction.items:
        yield AssertionRecorded(
            assertion_id=aid,
            source_id=source_id,
            version=version,
            selector=anchor(text, item.start, item.end),
            kind=item.kind,
            speaker=item.speaker,
            speaker_cue=item.speaker_cue,
            modality=item.modality,
            modality_cue=item.modality_cue,
            values=tuple(item.values),
            entities=tuple(item.entities),
            extractor=extraction.extractor,
            extractor_version=extraction.extractor_version,
            quotation=item.quotation if item.speaker is not None else None,
            speaker_antecedent=anchor(text, *item.antecedent) if item.antecedent is not None else None,
        )


class Ingestor:
    """Appends documents to one ledger, keeping its source index warm between appends."""

    def __init__(self, store: LogStore, extractor: ExtractorSpec, *, actor: str | None = None) -> None:
        self.store = store
        self.extractor = extractor
        self.actor = actor or default_actor()  # once: looking it up costs a passwd read per batch
        self.index = SourceIndex()

    def append(self, doc: Document, source_id: str | None = None) -> AppendResult:
        source_id = source_id or source_id_for(doc)
        extraction = extract(doc, source_id, self.extractor)
        return self.record(doc, source_id, extraction)

    def append_many(
        self,
        inputs: Iterable[Input],
        options: ReadOptions,
        *,
        jobs: int = 1,
        note: Callable[[str], None] | None = None,
        stream: Iterator[tuple[Ready | Failed, bool]] | None = None,
    ) -> Iterator[AppendResult | Failed]:
        """Read, extract and record ``inputs``; yields one outcome per input, in input order.

        Reading and extraction run in ``jobs`` worker processes (or on a cluster, when
        ``stream`` comes from :mod:`ledger.cluster`); recording stays here, one batch per
        source, in input order, so the log does not depend on where extraction ran.
        Sources are recorded in groups that share one fsync (group commit, :data:`GROUP_WINDOW`)
        and each outcome is yielded only after that fsync. A failed input records nothing
        and does not stop the others, even when the failure is the ledger's (disk full, file
        too large): each remaining input is still tried and reported, so the caller can
        print its summary.
        """
        if stream is None:
            stream = ready_stream(inputs, options, self.extractor, jobs=jobs, note=note)
        group: list[Ready | Failed] = []
        size = 0
        opened = 0.0
        for item, more in stream:
            if not group:
                opened = time.monotonic()
            group.append(item)
            size += item.size
            if not more or len(group) >= GROUP_MAX or size >= GROUP_BYTES or time.monotonic() - opened >= GROUP_WINDOW:
                yield from self._commit(group)
                group, size = [], 0
        if group:
            yield from self._commit(group)

    def _commit(self, group: list[Ready | Failed]) -> Iterator[AppendResult | Failed]:
        ready = [item for item in group if not isinstance(item, Failed)]
        try:
            results = iter(self.record_group(ready) if ready else ())
        except (LedgerError, OSError) as exc:
            message = str(exc) if isinstance(exc, LedgerError) else f"{self.store.path}: {exc.strerror or exc}"
            results = iter([Failed(item.origin, f"{item.origin}: not recorded: {message}") for item in ready])
        for item in group:
            yield item if isinstance(item, Failed) else next(results)

    def record(self, doc: Document, source_id: str, extraction: Extraction) -> AppendResult:
        """Record an extraction made earlier (perhaps in another process)."""
        return self.record_group([Prepared(doc, source_id, extraction)])[0]

    def record_group(self, items: Sequence[Ready]) -> list[AppendResult]:
        """Record several sources under one hold of the lock with one fsync (group commit).

        Each source is still a batch of its own, planned against the ledger as it is, in
        order. Nothing is reported before the fsync; if anything fails (or is interrupted)
        part way, the file is cut back to where the group began, so none of it stays.
        """
        results: list[AppendResult] = []
        with self.store.writer() as writer:
            self._catch_up(writer)
            before = writer.head
            try:
                for item in items:
                    results.append(self._record_one(writer, item))
                writer.sync()
            except BaseException:
                writer.roll_back(before)
                self.index = SourceIndex()  # it may hold batches that are gone: rebuild on next use
                raise
        return results

    def _record_one(self, writer: Writer, item: Ready) -> AppendResult:
        known = self.index.sources.get(item.source_id)
        if known is None:
            _refuse_unknown_source_id(item, self.store)
        if isinstance(item, Encoded):
            return self._record_encoded(writer, item, known)
        doc = item.doc
        status, version, payloads = plan(doc, item.source_id, item.extraction, known)
        appended = writer.append(payloads, actor=self.actor, sync=False)
        self.index.advance(writer.head, payloads)
        counts = Counter(p.kind for p in payloads if isinstance(p, AssertionRecorded))
        unresolved = (item.unresolved_dates if item.unresolved_dates is not None else relative_dates(doc.text)) if payloads and not doc.published else ()
        return AppendResult(
            unresolved_dates=unresolved,
            origin=doc.origin,
            source_id=item.source_id,
            status=status,
            version=version,
            counts=dict(sorted(counts.items())),
            withdrawn=sum(isinstance(p, AssertionWithdrawn) for p in payloads),
            first_seq=appended.first_seq if payloads else None,
            last_seq=appended.last_seq if payloads else None,
        )

    def _record_encoded(self, writer: Writer, item: Encoded, known: KnownSource | None) -> AppendResult:
        """The worker's bytes are the batch of a new source; a known one is planned from them."""
        if known is not None and known.raw_sha256 == item.raw_sha256:
            return AppendResult(item.origin, item.source_id, "unchanged", known.version, {})
        if known is None:
            if item.lengths is None:  # a worker of a version before lengths
                written = writer.append_encoded(item.bodies(), actor=self.actor, sync=False)
            else:  # the bodies are cut from the blob as they are written
                written = writer.append_lines(
                    item.blob, item.blob.find(b"\n") + 1, item.lengths, SourceAppended, AssertionRecorded,
                    actor=self.actor, sync=False,
                )
            self.index.advance_source(writer.head, item.source_id, 1, item.raw_sha256, item.assertion_ids)
            return AppendResult(
                item.origin, item.source_id, "appended", 1, item.counts, 0, written.first_seq, written.last_seq,
                item.unresolved_dates,
            )
        payloads = as_revision(item.payloads(), known)
        appended = writer.append(payloads, actor=self.actor, sync=False)
        self.index.advance(writer.head, payloads)
        return AppendResult(
            item.origin, item.source_id, "revised", known.version + 1, item.counts,
            sum(isinstance(p, AssertionWithdrawn) for p in payloads), appended.first_seq, appended.last_seq,
            item.unresolved_dates,
        )

    def _catch_up(self, writer: Writer) -> None:
        writer.check_appendable()
        if self.index.offset != writer.head.size:
            self.index.catch_up(self.store)


GROUP_WINDOW = 0.05
"""Seconds a group of sources may wait for more before its one fsync (group commit)."""

GROUP_MAX = 256
"""Sources per group at most."""

GROUP_BYTES = 16 << 20
"""Bytes of sources per group at most (what the group holds in memory before writing)."""


# ---------------------------------------------------------------------------
# Many inputs: read and extract (perhaps in worker processes), in input order


@frozen
class ReadOptions:
    """How to read inputs and what the command line says about them (picklable)."""

    max_bytes: int = MAX_BYTES
    timeout: float = 20.0
    max_batch_bytes: int = 0  # 0: MAX_BATCH_BYTES
    flags: Metadata = Metadata()
    source_id: str | None = None


@frozen
class Prepared:
    """An input read and extracted in this process, ready to be recorded under the lock."""

    doc: Document
    source_id: str
    extraction: Extraction
    unresolved_dates: tuple[str, ...] | None = None
    """:func:`relative_dates` of an undated text, found right after extraction (when the date
    reader's last answer is that text's, see ``find_values``); None: not looked for yet."""

    @property
    def size(self) -> int:
        return len(self.doc.raw) + len(self.doc.text)

    @property
    def origin(self) -> str:
        return self.doc.origin


@frozen
class Failed:
    """An input that could not become a source; ``message`` is one line naming it."""

    origin: str
    message: str

    size = 0


def _refuse_unknown_source_id(item: Ready, store: LogStore) -> None:
    """A new source's id is derived (verify recomputes it): ``--source-id`` names one already there."""
    if isinstance(item, Encoded) and item.derived_id is not None:
        derived, origin = item.derived_id, item.origin  # the worker derived it: no parse of the source here
    elif isinstance(item, Encoded):
        source = orjson.loads(item.blob.split(b"\n", 2)[1])
        derived, origin = derive_source_id(source.get("uri"), source.get("text_sha256", "")), item.origin
    else:
        derived, origin = source_id_for(item.doc), item.doc.origin
    if item.source_id != derived:
        raise SourceError(
            f"{origin}: --source-id {item.source_id}: no such source in {store.path}; it names a source "
            "already there, to record a new version of it (a new source's id is derived from its URL or text)"
        )


@frozen
class Encoded:
    """An input read and extracted elsewhere, as it crossed the process boundary: one
    ``bytes`` holding a JSON header line, then the canonical data JSON of the source's
    ``SourceAppended`` (v1) and of each ``AssertionRecorded`` (version 1), one per line
    (canonical JSON has no raw newline). For a new source those are the batch as written;
    nothing is unpickled or re-serialised here."""

    blob: bytes
    origin: str
    source_id: str
    raw_sha256: str
    assertion_ids: tuple[str, ...] | bytes
    """The ids of the source's assertions; as workers send them (when all are ``as-`` and 16
    lowercase hex digits, which derived ids are), those digits packed into 8 bytes each: the
    form the sequencer's source index keeps, so it neither parses nor packs 33 strings per source."""
    counts: dict[str, int]
    unresolved_dates: tuple[str, ...] = ()  # see AppendResult
    derived_id: str | None = None
    """The id derived from the source's URL or text (what a new source must be recorded under)."""
    lengths: list[int] | None = None
    """Bytes of each data line after the header."""

    @property
    def size(self) -> int:
        return len(self.blob)

    def bodies(self) -> list[tuple[type, bytes]]:
        if self.lengths is None:  # a worker of a version before lengths: scan for the lines
            lines = self.blob.split(b"\n")
            return [(SourceAppended, lines[1]), *((AssertionRecorded, body) for body in lines[2:])]
        # the header gives each line's length: slices, no scan of the ~40 KB for newlines
        blob, lengths = self.blob, self.lengths
        starts = list(accumulate([n + 1 for n in lengths], initial=blob.find(b"\n") + 1))
        first = starts[0]
        return [
            (SourceAppended, blob[first : first + lengths[0]]),
            *[(AssertionRecorded, blob[a : a + n]) for a, n in zip(starts[1:], lengths[1:])],
        ]

    def payloads(self) -> list[Payload]:
        """The batch as typed payloads (only a revision needs them)."""
        from .serialization import loads

        return [loads(body, cls) for cls, body in self.bodies()]


Ready = Prepared | Encoded


def encode(outcome: Prepared | Failed) -> bytes:
    """Worker side of :class:`Encoded` (or a failure: a header with ``error``)."""
    if isinstance(outcome, Failed):
        return orjson.dumps({"origin": outcome.origin, "error": outcome.message})
    from .serialization import payload_json_fn

    payloads = fresh_payloads(outcome.doc, outcome.source_id, outcome.extraction)
    recorded = payloads[1:]
    counts = Counter(p.kind for p in recorded)  # type: ignore[attr-defined]
    ids = [p.assertion_id for p in recorded]  # type: ignore[attr-defined]
    packed = _pack(ids)
    header = {
        "origin": outcome.doc.origin,
        "source_id": outcome.source_id,
        "raw_sha256": payloads[0].raw_sha256,  # type: ignore[attr-defined]
        **({"assertion_ids": ids} if packed is None else {"ids": packed.hex()}),
        "counts": dict(sorted(counts.items())),
        "unresolved_dates": [] if outcome.doc.published else list(
            outcome.unresolved_dates if outcome.unresolved_dates is not None else relative_dates(outcome.doc.text)
        ),
        "derived_id": source_id_for(outcome.doc),
    }
    source_json, recorded_json = payload_json_fn(SourceAppended), payload_json_fn(AssertionRecorded)
    lines = [source_json(payloads[0]), *map(recorded_json, recorded)]
    header["lengths"] = [len(line) for line in lines]
    return b"\n".join([orjson.dumps(header), *lines])


def decode(blob: bytes) -> Encoded | Failed:
    """Sequencer side: only the header is parsed."""
    end = blob.find(b"\n")
    header = orjson.loads(blob if end < 0 else blob[:end])
    if "error" in header:
        return Failed(header["origin"], header["error"])
    packed = header.get("ids")
    return Encoded(
        blob, header["origin"], header["source_id"], header["raw_sha256"],
        bytes.fromhex(packed) if packed is not None else tuple(header["assertion_ids"]), header["counts"],
        tuple(header.get("unresolved_dates", ())), header.get("derived_id"), header.get("lengths"),
    )


MAX_BATCH_BYTES = 128 * 1024 * 1024
"""The largest batch one source may append (several times its text for news prose, see
:func:`batch_estimate`): the batch is
built and written whole, so this bounds the memory and the size of one all-or-nothing write."""

_EVENT_OVERHEAD = 560
"""Bytes an AssertionRecorded line takes besides its quote, values and entities (envelope,
ids, hashes, selector context, extractor): measured on generated news, rounded up."""


def batch_estimate(doc: Document, extraction: Extraction) -> int:
    """Roughly how many bytes the batch for ``doc`` will take in the log (tests/test_large_input.py
    holds it between 0.7 and 1.5 times what is written)."""
    size = len(doc.text) + len(doc.text) // 10 + 1000
    for _aid, item in extraction.items:
        size += _EVENT_OVERHEAD + (item.end - item.start) + 120 * (len(item.values) + len(item.entities))
    return size


def prepare(item: Input, options: ReadOptions, extractor: ExtractorSpec) -> Prepared | Failed:
    """Read, normalise and extract one input; every expected failure becomes :class:`Failed`."""
    from .sources.read import load

    try:
        doc = apply_metadata(load(item, max_bytes=options.max_bytes, timeout=options.timeout), options.flags)
    except SourceError as exc:
        return Failed(item.origin, str(exc))
    except Exception as exc:  # a reader's unforeseen failure on hostile input fails this input, not the batch
        return Failed(item.origin, f"{item.origin}: could not be read: {type(exc).__name__}: {_first_line(exc)}")
    cap = options.max_batch_bytes or MAX_BATCH_BYTES
    if len(doc.text) > cap:  # the text alone is in the batch: no need to extract to know
        return Failed(item.origin, _too_big(item.origin, len(doc.text), None, cap))
    source_id = options.source_id or source_id_for(doc)
    try:
        extraction = extract(doc, source_id, extractor)
    except Exception as exc:  # a plugin's bug must fail this input, not the batch
        return Failed(item.origin, f"{item.origin}: extractor {extractor.name!r} failed: {type(exc).__name__}: {exc}")
    estimate = batch_estimate(doc, extraction)
    if estimate > cap:
        return Failed(item.origin, _too_big(item.origin, estimate, len(extraction.items), cap))
    # an undated text's relative dates now, while the extractor's reading of its dates is the last one kept
    return Prepared(doc, source_id, extraction, None if doc.published else relative_dates(doc.text))


def _too_big(origin: str, estimate: int, assertions: int | None, cap: int) -> str:
    what = f" ({assertions:,} assertions)" if assertions is not None else ""
    return (
        f"{origin}: would append a batch of about {estimate / 2**20:,.1f} MB{what}, over the "
        f"{cap / 2**20:,.1f} MB limit of one batch; split the source into smaller files"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else "no details"


def prepare_encoded(items: Sequence[Input], options: ReadOptions, extractor: ExtractorSpec) -> list[bytes]:
    """A worker's task: each input read, extracted and encoded (see :class:`Encoded`)."""
    return [encode(prepare(item, options, extractor)) for item in items]


def parallel_jobs(extractor: ExtractorSpec, jobs: int) -> tuple[int, str | None]:
    """How many workers can really run ``extractor``, and a note when fewer than asked.

    Workers receive the extractor spec pickled (a module-level function pickles by
    reference). An extractor made of a lambda or closure cannot travel; then extraction
    runs in this process.
    """
    if jobs <= 1:
        return 1, None
    try:
        pickle.dumps(extractor)
    except Exception:
        return 1, (
            f"extractor {extractor.name!r} cannot be sent to worker processes (not picklable); "
            "running with --jobs 1"
        )
    return jobs, None


_WORKER: dict[str, object] = {}


def _init_worker(spec_bytes: bytes) -> None:
    _WORKER["extractor"] = pickle.loads(spec_bytes)


def _prepare_chunk(items: list[Input], options: ReadOptions) -> list[bytes]:
    return prepare_encoded(items, options, _WORKER["extractor"])  # type: ignore[arg-type]


CHUNK = 8
"""Inputs per task sent to a worker: fewer round trips, still fine-grained."""


def ready_stream(
    inputs: Iterable[Input],
    options: ReadOptions,
    extractor: ExtractorSpec,
    *,
    jobs: int = 1,
    note: Callable[[str], None] | None = None,
) -> Iterator[tuple[Ready | Failed, bool]]:
    """Inputs read and extracted, in input order, each with whether the next one is ready
    now (when it is not, a group commit has no reason to wait). With ``jobs`` > 1, at most
    ``4 * jobs`` chunks are in flight at once and results come back as :class:`Encoded`."""
    jobs, why = parallel_jobs(extractor, jobs)
    if why and note:
        note(why)
    if jobs == 1:
        it = iter(inputs)
        item = next(it, None)
        while item is not None:
            following = next(it, None)
            # Reading a URL may take seconds: record what is ready before it.
            yield prepare(item, options, extractor), following is not None and following.kind != "url"
            item = following
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pending: deque = deque()
    it = iter(inputs)
    spec = pickle.dumps(extractor)
    broken: list[list[Input]] = []
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(spec,)) as pool:

        def submit() -> bool:
            chunk = [item for _, item in zip(range(CHUNK), it)]
            if chunk:
                pending.append((chunk, pool.submit(_prepare_chunk, chunk, options)))
            return bool(chunk)

        while len(pending) < 4 * jobs and submit():
            pass
        while pending:
            chunk, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                # a worker died (a C extension crashed, the OOM killer) on some input of
                # some chunk in flight: those inputs are retried one by one, each in a
                # process of its own, so only the input that kills its process fails
                broken = [chunk, *(c for c, _ in pending)]
                pending.clear()
                break
            submit()
            last = len(results) - 1
            for i, blob in enumerate(results):
                yield decode(blob), i < last or bool(pending and pending[0][1].done())
    if broken:
        for chunk in broken:
            for item in chunk:
                yield _prepare_isolated(item, options, spec), False
        yield from ready_stream(it, options, extractor, jobs=jobs, note=None)


def _prepare_isolated(item: Input, options: ReadOptions, spec: bytes) -> Encoded | Failed:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=1, initializer=_init_worker, initargs=(spec,)) as pool:
        try:
            return decode(pool.submit(_prepare_chunk, [item], options).result()[0])
        except BrokenProcessPool:
            return Failed(item.origin, f"{item.origin}: the process reading and extracting it died (out of memory or a crash); nothing recorded")
