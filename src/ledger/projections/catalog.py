"""The catalog projection: everything about the log that is small.

Sources and their versions, retractions, withdrawals, ids re-recorded in later source
versions, analyst link/unlink decisions and verdicts. Its size grows with sources and
analyst actions, not with assertions, so every view can afford to fold it first and then
stream the assertions in a second pass.

``AssertionRecorded`` lines are the bulk of a log and the fold needs only their id and
version, so lines at the current payload version are read from the parsed line without
structuring (see ``Projection.raw``); older versions are upcast and structured as usual.
"""

from __future__ import annotations

from attrs import define, evolve, field

from ..events import (
    AssertionRecorded,
    AssertionRetracted,
    AssertionsLinked,
    AssertionsUnlinked,
    AssertionWithdrawn,
    Event,
    SourceAppended,
    SourceMetadataCorrected,
    SourceRevised,
    SourceSnapshot,
    VerdictRecorded,
)
from .machinery import Projection, register
from .records import Provenance, SourceRow, Verdict


def provenance(event: Event) -> Provenance:
    return Provenance(seq=event.seq, hash=event.hash, at=event.at, actor=event.actor)


@define
class PairDecision:
    """The latest analyst decision on a pair of assertions."""

    a: str
    b: str
    linked: bool
    note: str | None
    recorded: Provenance


@define
class Retraction:
    reason: str
    recorded: Provenance


@define
class Catalog:
    """State of the catalog fold."""

    sources: dict[str, SourceRow] = field(factory=dict)  # counts left empty: views count
    retracted: dict[str, Retraction] = field(factory=dict)
    withdrawn: dict[str, int] = field(factory=dict)  # id -> version it is absent from
    rerecorded: dict[str, int] = field(factory=dict)  # id -> latest version > 1 it was recorded in
    pairs: dict[str, PairDecision] = field(factory=dict)  # "a|b" (sorted) -> latest decision
    verdicts: dict[str, Verdict] = field(factory=dict)  # target -> latest verdict
    corrections: dict[str, dict] = field(factory=dict)  # source_id -> corrected metadata fields (latest value each)
    assertion_events: int = 0
    superseded: set[int] = field(factory=set)  # seqs of recordings a re-extraction replaced

    def corrected_published(self, source_id: str) -> str | None:
        """The published date an analyst set for a source (None: never corrected)."""
        return self.corrections.get(source_id, {}).get("published")

    def is_current(self, a: AssertionRecorded) -> bool:
        """Is this recording the live one: not retracted, withdrawn or superseded?"""
        return self.is_live(a.assertion_id, a.version)

    def is_live(self, aid: str, version: int) -> bool:
        """:meth:`is_current` from the id and source version alone (no typed event needed)."""
        if aid in self.retracted:
            return False
        if self.rerecorded.get(aid, 0) > version:
            return False  # a later version of the source recorded it again: that one wins
        # a withdrawal still standing hides every recording: one in a later version would
        # have lifted it, and one in the same version is what a re-extraction withdrew
        return aid not in self.withdrawn


def _source_row(d: SourceSnapshot, previous: SourceRow | None, recorded: Provenance) -> SourceRow:
    """The source as this version leaves it: its metadata, with the version count and first recording kept."""
    return SourceRow(
        source_id=d.source_id, version=d.version, versions=1 if previous is None else previous.versions + 1,
        uri=d.uri, title=d.title, outlet=d.outlet, authors=tuple(d.authors), published=d.published,
        retrieved=d.retrieved, media_type=d.media_type, raw_sha256=d.raw_sha256, text_sha256=d.text_sha256,
        counts={}, recorded=recorded, first_recorded=recorded if previous is None else previous.first_recorded,
    )


def _recorded(state: Catalog, aid: str, version: int) -> None:
    """One ``AssertionRecorded``, typed or raw: the fold needs only its id and version."""
    state.assertion_events += 1
    if version > 1:
        rerecorded = state.rerecorded
        if rerecorded.get(aid, 0) < version:
            rerecorded[aid] = version
    if state.withdrawn:
        gone = state.withdrawn.get(aid)
        if gone is not None and gone <= version:
            del state.withdrawn[aid]  # recorded again after being withdrawn


def _apply_recorded_raw(state: Catalog, raw: dict) -> Catalog:
    """Fast path for current-version lines: same as ``_apply`` without structuring the event."""
    data = raw["data"]
    _recorded(state, data["assertion_id"], data["version"])
    if data.get("supersedes") is not None:
        state.superseded.add(data["supersedes"])
    return state


_CORRECTABLE = ("title", "outlet", "authors", "published")


def _apply(state: Catalog, event: Event) -> Catalog:
    d = event.data
    if isinstance(d, (SourceAppended, SourceRevised)):
        row = _source_row(d, state.sources.get(d.source_id), provenance(event))
        fixed = state.corrections.get(d.source_id)
        state.sources[d.source_id] = evolve(row, **fixed) if fixed else row
    elif isinstance(d, SourceMetadataCorrected):
        given = {k: getattr(d, k) for k in _CORRECTABLE if getattr(d, k) is not None}
        state.corrections[d.source_id] = {**state.corrections.get(d.source_id, {}), **given}
        if d.source_id in state.sources:
            state.sources[d.source_id] = evolve(state.sources[d.source_id], **given)
    elif isinstance(d, AssertionRecorded):
        _recorded(state, d.assertion_id, d.version)
        if d.supersedes is not None:
            state.superseded.add(d.supersedes)
    elif isinstance(d, AssertionRetracted):
        state.retracted[d.assertion_id] = Retraction(d.reason, provenance(event))
    elif isinstance(d, AssertionWithdrawn):
        state.withdrawn[d.assertion_id] = d.version
    elif isinstance(d, (AssertionsLinked, AssertionsUnlinked)):
        a, b = sorted((d.a, d.b))
        state.pairs[f"{a}|{b}"] = PairDecision(a, b, isinstance(d, AssertionsLinked), d.note, provenance(event))
    elif isinstance(d, VerdictRecorded):
        state.verdicts[d.target] = Verdict(status=d.status, note=d.note, recorded=provenance(event))
    return state


CATALOG = register(
    Projection(
        name="catalog",
        version="4",  # 2: sources are SourceRow; 3: metadata corrections; 4: superseded recordings (older caches are refolded)
        types=frozenset(
            cls.TYPE
            for cls in (
                SourceAppended, SourceRevised, SourceMetadataCorrected, AssertionRecorded, AssertionRetracted, AssertionWithdrawn,
                AssertionsLinked, AssertionsUnlinked, VerdictRecorded,
            )
        ),
        state_type=Catalog,
        init=Catalog,
        apply=_apply,
        raw={AssertionRecorded.TYPE: _apply_recorded_raw},
    )
)
