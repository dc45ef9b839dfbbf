"""The rows views produce: what the CLI prints and exporters write.

These shapes are shared by projections (which build them) and exporters (which
serialise them), so they live apart from both.
"""

from __future__ import annotations

from attrs import frozen

from ..events import Mention, Selector, Value


@frozen
class Provenance:
    """The event that recorded something, for citations and audit trails.

    Attributes:
        seq: Sequence number of the event.
        hash: Its hash.
        at: When it was recorded (RFC 3339).
        actor: Who appended it.
    """

    seq: int
    hash: str
    at: str
    actor: str


@frozen
class SourceRow:
    """A source as it stands: its current version and metadata.

    Attributes:
        source_id: Ledger id.
        version: Current version number.
        versions: How many versions were recorded.
        uri: URL, if known.
        title: Headline.
        outlet: Publication.
        authors: Bylines.
        published: ISO 8601.
        retrieved: When fetched.
        media_type: Media type of what was read.
        raw_sha256: sha256 of the bytes read.
        text_sha256: sha256 of the stored text.
        counts: Current assertions by kind.
        recorded: The event that recorded the current version.
        first_recorded: The event that recorded version 1.
    """

    source_id: str
    version: int
    versions: int
    uri: str | None
    title: str | None
    outlet: str | None
    authors: tuple[str, ...]
    published: str | None
    retrieved: str | None
    media_type: str
    raw_sha256: str
    text_sha256: str
    counts: dict[str, int]
    recorded: Provenance
    first_recorded: Provenance


@frozen
class AssertionRow:
    """A current assertion with everything needed to cite it.

    Attributes:
        assertion_id: Content-derived id.
        source_id: Source it was found in.
        version: Version of the source the selector points into.
        selector: Exact quote and position.
        kind: statement, headline, caption, credit or boilerplate.
        speaker: Who the article says said it (None: the article itself).
        speaker_cue: Attribution words.
        modality: asserted, hedged or negated.
        modality_cue: Hedging or negating words.
        values: Quantities and dates.
        entities: People, organisations, places.
        extractor: Extractor name.
        extractor_version: Extractor version.
        recorded: The ``AssertionRecorded`` event (the latest one for this id).
    """

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
    recorded: Provenance


@frozen
class Conflict:
    """Two members of a claim that disagree, and why.

    Attributes:
        a: Assertion id.
        b: Assertion id (from another source).
        field: What differs: ``date``, ``quantity``, ``qualifier``, ``negation``.
        explanation: Human sentence built from the values (``day the video was released:
            2017-11-22 (Wednesday) in A vs 2017-11-21 (Tuesday) in B``).
    """

    a: str
    b: str
    field: str
    explanation: str


@frozen
class Verdict:
    """An analyst's verdict on a claim (the latest one wins).

    Attributes:
        status: supported, disputed, false or unverified.
        note: Free text.
        recorded: The ``VerdictRecorded`` event.
    """

    status: str
    note: str | None
    recorded: Provenance


@frozen
class Claim:
    """Assertions from different sources that state the same fact.

    Attributes:
        claim_id: Stable id derived from the member assertion ids (``cl-`` + hash).
        label: A representative quote (the longest member statement, say).
        members: Assertion rows, ordered by source then position.
        sources: Distinct source ids of the members.
        status: ``corroborated`` (2+ sources agree), ``conflict`` (2+ sources disagree) or
            ``single`` (one source only).
        conflicts: The disagreeing pairs, with explanations.
        links: ``(a, b, how)`` pairs that put members together: ``auto`` or ``analyst``.
        verdict: The analyst's verdict, if any.
    """

    claim_id: str
    label: str
    members: tuple[AssertionRow, ...]
    sources: tuple[str, ...]
    status: str
    conflicts: tuple[Conflict, ...]
    links: tuple[tuple[str, str, str], ...]
    verdict: Verdict | None = None


@frozen
class EntityRow:
    """An entity as the sources name it (added by the projections, #4).

    Attributes:
        entity: Canonical name (``Mention.entity``).
        type: ``person``, ``org``, ``place`` or ``other`` (the most frequent type given).
        variants: Distinct surface forms used (``UNC``, ``United Nations Command``).
        mentions: How many mentions in current assertions.
        sources: Distinct source ids that mention it.
        assertions: Ids of the current assertions that mention it, in log order.
    """

    entity: str
    type: str
    variants: tuple[str, ...]
    mentions: int
    sources: tuple[str, ...]
    assertions: tuple[str, ...]


@frozen
class TimelineRow:
    """A dated statement, placed at the date it speaks of (added by the projections, #4).

    Attributes:
        date: Normalised date the assertion speaks of (``2017-11-13``, ``1953``, ``1950/1953``).
        type: The value type: ``date``, ``daterange`` or ``year``.
        text: The words that gave the date (``Nov. 13``).
        assertion_id: The assertion.
        source_id: Its source.
        outlet: The source's outlet, if known.
        title: The source's title, if known.
        quote: The assertion's exact quote.
        recorded: The event that recorded the assertion.
    """

    date: str
    type: str
    text: str
    assertion_id: str
    source_id: str
    outlet: str | None
    title: str | None
    quote: str
    recorded: Provenance
