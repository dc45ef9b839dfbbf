"""The rows views produce: what the CLI prints and exporters write.

These shapes are shared by projections (which build them) and exporters (which
serialise them), so they live apart from both.
"""

from __future__ import annotations

from attrs import frozen

from ..events import Mention, Selector, Value


def claim_id_for(assertion_id: str) -> str:
    """The id of the claim anchored at ``assertion_id`` (``as-1b3e`` -> ``cl-1b3e``)."""
    return "cl-" + (assertion_id[3:] if assertion_id.startswith("as-") else assertion_id)


def anchor_of(claim_id: str) -> str:
    """The anchor assertion id of a claim id (inverse of :func:`claim_id_for`)."""
    return "as-" + claim_id[3:]


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
class SlotComparison:
    """One slot two statements both fill, and how their values compare.

    Attributes:
        slot: ``age:kunan`` (age of a person), ``count:person``, ``distance``, ``time``,
            ``title:osatanakorn``, ``negation``, ``date``...
        a_text: The words that gave side a's value.
        b_text: The words that gave side b's value.
        a_value: Side a's value, normalised for reading (``37``, ``3200 m``, ``former governor``).
        b_value: Side b's value.
        outcome: ``agree``, ``hard`` (cannot both be true) or ``soft`` (compatible bounds that
            still disagree as reported).
        hedged: Which side's value is hedged (``a``, ``b``, ``both``) or ``None``.
    """

    slot: str
    a_text: str
    b_text: str
    a_value: str
    b_value: str
    outcome: str
    hedged: str | None = None


@frozen
class Link:
    """A typed link between two assertions from different sources (or two versions of one).

    Attributes:
        a: Assertion id (the earlier recorded).
        b: Assertion id.
        relation: ``corroborates`` (same fact, compatible values) or ``conflicts`` (same fact,
            a slot disagrees). A corroboration may still carry a disagreeing measure in
            ``slots`` (one sentence, two facts: the same find, told alike, at two distances);
            that disagreement is a conflict between those two parts only.
        how: ``auto`` (the matchers) or ``analyst`` (``factledger link``).
        score: The combined similarity the decision used.
        shared: Shared content lemmas with their weights, heaviest first.
        frames: Event frame classes both statements report.
        slots: Every slot both fill, compared.
        grade: For a conflict (or a corroboration's disagreeing part): ``hard`` or ``soft``.
        revision: The two are versions of one source: a disagreement is a revision change.
        signals: ``(matcher, score)`` of every matcher (built-in and plugins).
    """

    a: str
    b: str
    relation: str
    how: str = "auto"
    score: float = 0.0
    shared: tuple[tuple[str, float], ...] = ()
    frames: tuple[str, ...] = ()
    slots: tuple[SlotComparison, ...] = ()
    grade: str | None = None
    revision: bool = False
    signals: tuple[tuple[str, float], ...] = ()


@frozen
class Conflict:
    """Two members of a claim that disagree on one slot, and why (one per slot).

    Attributes:
        a: Assertion id.
        b: Assertion id (from another source, or another version of the same one).
        field: What differs: the slot's measure (``age``, ``count``, ``distance``, ``time``,
            ``title``, ``date``, ``negation``...).
        explanation: One line built from the words that gave each value
            (``age of Kunan: "37" (37) in Extra.ie vs "38" (38) in BenarNews [hard]``).
        grade: ``hard`` or ``soft``.
        hedged: Which side's value is hedged (``a``, ``b``, ``both``) or ``None``.
        revision: Between two versions of one source: a change made by a revision.
    """

    a: str
    b: str
    field: str
    explanation: str
    grade: str = "hard"
    hedged: str | None = None
    revision: bool = False


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
    """A display group: assertions that state one fact, each linked to the group's anchor.

    Attributes:
        claim_id: ``cl-`` + the anchor's id (its earliest-recorded member): stable under appends.
        label: The anchor's core text (the fact without its attribution).
        members: Assertion rows, ordered by source then position.
        sources: Distinct source ids of the members.
        status: ``corroborated`` (2+ sources agree), ``conflict`` (a slot disagrees) or
            ``single`` (one source only).
        conflicts: One line per disagreeing slot between linked members.
        links: The accepted links between members (every link is also in the links view).
        verdict: The analyst's verdict, if any.
        anchor: The anchor assertion id.
        superseded: Members from an earlier version of a revised source (compared as versions).
    """

    claim_id: str
    label: str
    members: tuple[AssertionRow, ...]
    sources: tuple[str, ...]
    status: str
    conflicts: tuple[Conflict, ...]
    links: tuple[Link, ...]
    verdict: Verdict | None = None
    anchor: str = ""
    superseded: tuple[str, ...] = ()


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
