"""Domain events: the only things the ledger ever stores.

Every line of a ledger is one :class:`Event`: an envelope (sequence, id, time, actor,
hash chain) around a payload. Payloads are small frozen records; nothing here does I/O.
A payload class is identified in the log by its explicit ``TYPE`` name and schema
version ``VERSION``, never by its Python path, so classes can move without breaking
old ledgers. Older payload versions are upgraded on read by the upcasters registered
with :func:`upcaster`.

The classes are frozen but not slotted (``slots=False``): attrs builds a frozen dict class
by writing its ``__dict__`` directly, while a frozen slotted one goes through
``object.__setattr__`` once per field. Replay builds about five of these per event, a
million times over. ``bench/micro_bench.py`` (row ``dictclass``) times building one both
ways and prints their sizes: the dict class takes more memory per instance, which matters
only for events held in a list (streaming replay holds one at a time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from attrs import field, frozen

GENESIS = "0" * 64
"""``prev`` of the first event: there is nothing before it to hash."""

# ---------------------------------------------------------------------------
# Parts of payloads


@frozen(slots=False)
class Selector:
    """Where a quote sits in the stored source text.

    Attributes:
        start: Offset of the first code point (Python ``str`` index).
        end: Offset one past the last code point.
        exact: ``text[start:end]``, always.
        prefix: Up to 32 code points before ``start``.
        suffix: Up to 32 code points after ``end``.
    """

    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


@frozen(slots=False)
class Value:
    """A quantity or date a statement carries, with its surface text and span.

    Attributes:
        type: What kind of value: the ``rules`` extractor writes ``quantity``, ``ordinal``,
            ``percent``, ``age``, ``fraction``, ``range``, ``year``, ``date``, ``daterange`` and
            ``time``; other extractors may add types (the schema keeps this open).
        text: The words in the article (``at least five``, ``Nov. 13``).
        start: Offset of ``text`` in the source text.
        end: Offset one past ``text``.
        value: Normalised: plain decimal (``30000``, ``2.5``), ISO 8601 (``2017-11-13``,
            ``1950/1953`` for a span of years, ``03:42`` for a time), or ``low/high`` for a range.
        unit: What is counted (``gunshot wounds``, ``percent``), if said.
        qualifier: ``at least``, ``more than``, ``about``... when the number is bounded.
    """

    type: str
    text: str
    start: int
    end: int
    value: str
    unit: str | None = None
    qualifier: str | None = None


@frozen(slots=False)
class Mention:
    """A person, organisation or place named in a statement.

    Attributes:
        text: The words used here (``UNC``).
        start: Offset in the source text.
        end: Offset one past the mention.
        type: ``person``, ``org``, ``place`` or ``other``.
        entity: The canonical name of the entity within the source (``United Nations Command``).
    """

    text: str
    start: int
    end: int
    type: str
    entity: str


# ---------------------------------------------------------------------------
# Payloads


@frozen(slots=False)
class Payload:
    """Base of every payload; subclasses set ``TYPE`` and ``VERSION``."""

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1


@frozen(slots=False)
class SourceSnapshot(Payload):
    """What every version of a source records: its metadata and full normalised text.

    The text is stored in the log itself so the log alone can prove every quote.
    Not an event type of its own: see :class:`SourceAppended` and :class:`SourceRevised`.
    """

    source_id: str
    version: int
    uri: str | None
    title: str | None
    outlet: str | None
    authors: tuple[str, ...]
    published: str | None
    retrieved: str | None
    media_type: str
    raw_sha256: str
    text_sha256: str
    text: str


@frozen(slots=False)
class SourceAppended(SourceSnapshot):
    """A source (article) entered the ledger: its version 1."""

    TYPE: ClassVar[str] = "SourceAppended"


@frozen(slots=False)
class SourceRevised(SourceSnapshot):
    """A new version of a source already in the ledger (the article changed)."""

    TYPE: ClassVar[str] = "SourceRevised"

    revision_of: int


@frozen(slots=False)
class SourceMetadataCorrected(Payload):
    """An analyst corrects a source's metadata (a missing or wrong published date, outlet...).

    Fields left ``None`` are unchanged. The correction holds for every version of the
    source from then on (a later correction overrides it); the views re-resolve what
    depends on it, such as relative dates ("on Wednesday") against a corrected
    ``published``. The snapshots themselves are never rewritten.
    """

    TYPE: ClassVar[str] = "SourceMetadataCorrected"

    source_id: str
    title: str | None = None
    outlet: str | None = None
    authors: tuple[str, ...] | None = None
    published: str | None = None
    reason: str | None = None


@frozen(slots=False)
class AssertionRecorded(Payload):
    """One assertion found in one version of a source, anchored by its selector.

    ``assertion_id`` is derived from the source and the quote, so extracting the same
    text again gives the same id; ``version`` says which stored text the selector
    points into. v2 (issue #16) adds ``quotation`` (``direct``: the speaker's words are
    quoted; ``reported``: reported speech; null: no speaker) and ``speaker_antecedent``
    (a selector on the mention a pronoun, role phrase or quotation continuation was
    resolved to, so a reader can see why the speaker is who it is) and ``supersedes``
    (the seq of an earlier recording of the same assertion in the same source version that
    this one replaces: a re-extraction that reads it differently; null otherwise).
    """

    TYPE: ClassVar[str] = "AssertionRecorded"
    VERSION: ClassVar[int] = 2

    assertion_id: str
    source_id: str
    version: int
    selector: Selector
    kind: str
    speaker: str | None
    speaker_cue: str | None
    modality: str
    modality_cue: str | None
    values: tuple[Value, ...]
    entities: tuple[Mention, ...]
    extractor: str
    extractor_version: str
    quotation: str | None = None
    speaker_antecedent: Selector | None = None
    supersedes: int | None = None


@frozen(slots=False)
class AssertionRetracted(Payload):
    """An analyst retracts an assertion (wrongly extracted, not a claim...)."""

    TYPE: ClassVar[str] = "AssertionRetracted"

    assertion_id: str
    reason: str


@frozen(slots=False)
class AssertionWithdrawn(Payload):
    """A revision of the source no longer contains this assertion."""

    TYPE: ClassVar[str] = "AssertionWithdrawn"

    assertion_id: str
    source_id: str
    version: int
    reason: str


@frozen(slots=False)
class AssertionsLinked(Payload):
    """An analyst says two assertions state the same fact (overrides clustering)."""

    TYPE: ClassVar[str] = "AssertionsLinked"

    a: str
    b: str
    note: str | None = None


@frozen(slots=False)
class AssertionsUnlinked(Payload):
    """An analyst says two assertions do not state the same fact (overrides clustering)."""

    TYPE: ClassVar[str] = "AssertionsUnlinked"

    a: str
    b: str
    note: str | None = None


@frozen(slots=False)
class VerdictRecorded(Payload):
    """An analyst's verdict on a claim or an assertion."""

    TYPE: ClassVar[str] = "VerdictRecorded"

    target: str
    status: str
    note: str | None = None


@frozen(slots=False)
class BatchStarted(Payload):
    """Opens a batch of ``events`` more events written by one append.

    An append of two or more events writes this first, so a reader can tell a batch cut
    short by a crash (fewer events follow than it declares) from a complete one; ``repair``
    then sets the whole batch aside and the append can be run again. A batch of one event
    needs no marker: a single line is complete or torn.
    """

    TYPE: ClassVar[str] = "BatchStarted"

    events: int


@frozen(slots=False)
class UnknownPayload(Payload):
    """A payload this version does not know (written by a newer factledger).

    It is kept whole, so nothing is lost and the hash still verifies.
    """

    TYPE: ClassVar[str] = ""

    type: str
    v: int
    data: dict[str, Any]


PAYLOAD_TYPES: dict[str, type[Payload]] = {
    cls.TYPE: cls
    for cls in (
        BatchStarted,
        SourceAppended,
        SourceRevised,
        SourceMetadataCorrected,
        AssertionRecorded,
        AssertionRetracted,
        AssertionWithdrawn,
        AssertionsLinked,
        AssertionsUnlinked,
        VerdictRecorded,
    )
}
"""Stable type name -> payload class. The names are the log's contract."""

VERDICT_STATUSES = ("supported", "disputed", "false", "unverified")
ASSERTION_KINDS = ("statement", "headline", "caption", "credit", "boilerplate")
MODALITIES = ("asserted", "hedged", "negated")


# ---------------------------------------------------------------------------
# Envelope


@frozen(slots=False)
class Event:
    """One line of the ledger.

    Attributes:
        seq: 1-based position, gapless.
        id: Unique, time-ordered (UUIDv7 text).
        type: The payload's stable type name.
        v: The payload's schema version as written.
        at: When it was recorded, UTC RFC 3339.
        actor: Who appended it.
        prev: ``hash`` of the previous event (:data:`GENESIS` for seq 1).
        hash: sha256 hex of the canonical bytes of this event without ``hash``.
        data: The payload.
        unknown: Payload fields this version does not know, kept as read.
    """

    seq: int
    id: str
    type: str
    v: int
    at: str
    actor: str
    prev: str
    hash: str
    data: Payload
    unknown: dict[str, Any] = field(factory=dict)

    def __getattr__(self, name: str) -> Any:
        """``data`` and ``unknown`` of an event read from the log, structured on first use.

        :meth:`ledger.log.LogStore.events` makes events whose payload is still the line's
        ``data`` dict (under ``_pending``): replay pays for the typed payload only when a caller
        reads it (issue #12). Python calls this only for an attribute not in ``__dict__``.
        """
        if name == "data" or name == "unknown":
            d = self.__dict__
            pending = d.get("_pending")
            if pending is not None:
                from .serialization import payload_of

                d["data"], d["unknown"] = payload_of(d["type"], d["v"], pending)
                d.pop("_pending", None)
            if name in d:
                return d[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


# ---------------------------------------------------------------------------
# Upcasting

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function that turns payload ``data`` of ``from_version`` into ``from_version + 1``.

    When ``AssertionRecorded`` moves to v2, write::

        @upcaster("AssertionRecorded", 1)
        def _assertion_v1_v2(data):
            return {**data, "new_field": None}

    and every v1 line is upgraded on read; the line itself is never rewritten.
    """

    def decorate(fn: Upcaster) -> Upcaster:
        UPCASTERS[(type_name, from_version)] = fn
        return fn

    return decorate


@upcaster("AssertionRecorded", 1)
def _assertion_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 recorded no quotation mode and no antecedent: both unknown (null)."""
    return {**data, "quotation": None, "speaker_antecedent": None, "supersedes": None}


def current_data(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The gate for every reader of parsed lines: ``raw``'s ``data`` in the shape of its type's
    current version.

    The line's own dict when its ``v`` is current (no copy: the fast path), the upcast
    dict when it is older, ``None`` when it is newer than this code knows (a reader skips it,
    as typed reads turn it into :class:`UnknownPayload`). Types this code does not know
    pass through as they are. Reading ``raw["data"]`` directly is right only after this
    (or :func:`ledger.serialization.structure_event`, which applies the same rule) said so.
    """
    data = raw["data"]
    cls = PAYLOAD_TYPES.get(raw["type"])
    if cls is None:
        return data
    v = raw["v"]
    if v == cls.VERSION:
        return data
    return upcast(cls.TYPE, v, data) if v < cls.VERSION else None


def as_current(raw: dict[str, Any]) -> dict[str, Any] | None:
    """A parsed line in its type's current shape (:func:`current_data` for the whole line):
    ``raw`` itself when current or of an unknown type, a copy with the upcast ``data`` and the
    current ``v`` when older, ``None`` when newer than this code knows."""
    data = current_data(raw)
    if data is None or data is raw["data"]:
        return None if data is None else raw
    return {**raw, "v": PAYLOAD_TYPES[raw["type"]].VERSION, "data": data}


def upcast(type_name: str, v: int, data: dict[str, Any]) -> dict[str, Any]:
    """Bring ``data`` written as version ``v`` up to the current class version."""
    cls = PAYLOAD_TYPES[type_name]
    while v < cls.VERSION:
        data = UPCASTERS[(type_name, v)](data)
        v += 1
    return data
