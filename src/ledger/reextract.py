"""Re-extraction: bring a ledger's conclusions up to date with a newer extractor.

The stored text of each source's latest version is extracted again and compared with the
assertions that are current for that version. The difference is recorded as events, in
one batch per source, so the log says which conclusions changed because the extractor
changed (and when, and with which extractor version):

* an assertion the new run finds and the ledger lacks: ``AssertionRecorded``;
* one the new run no longer finds: ``AssertionWithdrawn`` (``reason`` names the extractor);
* one it reads differently (speaker, cue, modality, values, entities, quotation mode,
  antecedent, kind): a new ``AssertionRecorded`` of the same id whose ``supersedes`` is
  the seq of the recording it replaces.

Unchanged assertions record nothing, and an analyst's retraction stands. The views fold
these events like any others, so after ``reextract`` they equal what appending the same
texts with the new extractor would give (ids are derived from the quote, not the run).
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import evolve, frozen

from .events import AssertionWithdrawn, Payload
from .extractors import ExtractorSpec
from .ingest import Extraction, _recorded, extract
from .log import LedgerError, LogStore
from .serialization import converter
from .sources import Document

COMPARED = (
    "kind", "speaker", "speaker_cue", "modality", "modality_cue", "values", "entities", "quotation",
    "speaker_antecedent",
)
"""What a re-extraction compares: the conclusions, not the extractor's name or version."""


@frozen
class Change:
    """One assertion a re-extraction records: ``added``, ``withdrawn`` or ``changed``."""

    what: str
    assertion_id: str
    exact: str
    fields: tuple[tuple[str, object, object], ...] = ()  # (field, before, after) for changed


@frozen
class SourceChanges:
    source_id: str
    version: int
    changes: tuple[Change, ...]
    first_seq: int | None = None

    def count(self, what: str) -> int:
        return sum(c.what == what for c in self.changes)


class _State:
    """What the log says, as re-extraction needs it (folded like the catalog does)."""

    def __init__(self) -> None:
        self.sources: dict[str, dict] = {}  # id -> latest SourceAppended/Revised data
        self.latest: dict[str, tuple[int, dict]] = {}  # assertion id -> (seq, data) of its latest recording
        self.withdrawn: dict[str, int] = {}
        self.retracted: set[str] = set()

    def fold(self, store: LogStore) -> None:
        for raw in store.current_events():
            t, d = raw["type"], raw["data"]
            if t in ("SourceAppended", "SourceRevised"):
                self.sources[d["source_id"]] = d
            elif t == "AssertionRecorded":
                aid = d["assertion_id"]
                self.latest[aid] = (raw["seq"], d)
                gone = self.withdrawn.get(aid)
                if gone is not None and gone <= d["version"]:
                    del self.withdrawn[aid]
            elif t == "AssertionWithdrawn":
                self.withdrawn[d["assertion_id"]] = d["version"]
            elif t == "AssertionRetracted":
                self.retracted.add(d["assertion_id"])

    def current(self, source_id: str, version: int) -> dict[str, tuple[int, dict]]:
        return {
            aid: (seq, d) for aid, (seq, d) in self.latest.items()
            if d["source_id"] == source_id and d["version"] == version and aid not in self.withdrawn
            and aid not in self.retracted
        }


def _document(d: dict) -> Document:
    return Document(
        origin=d["source_id"], raw=b"", text=d["text"], media_type=d["media_type"], uri=d["uri"], title=d["title"],
        outlet=d["outlet"], authors=tuple(d["authors"]), published=d["published"], retrieved=d["retrieved"],
    )


def _comparable(d: dict, name: str):
    v = d.get(name)
    return [] if v is None and name in ("values", "entities") else v


def plan_source(state: _State, source_id: str, extractor: ExtractorSpec) -> tuple[list[Payload], list[Change]]:
    """The events that bring one source's current assertions up to ``extractor``'s reading."""
    src = state.sources[source_id]
    version, text = src["version"], src["text"]
    extraction: Extraction = extract(_document(src), source_id, extractor)
    now = state.current(source_id, version)
    payloads: list[Payload] = []
    changes: list[Change] = []
    seen = set()
    for new in _recorded(text, source_id, version, extraction):
        aid = new.assertion_id
        seen.add(aid)
        if aid in state.retracted:
            continue  # an analyst's retraction stands
        old = now.get(aid)
        if old is None:
            earlier = state.latest.get(aid)  # withdrawn by an earlier re-extraction of this version?
            if earlier is not None and earlier[1]["source_id"] == source_id and earlier[1]["version"] == version:
                new = evolve(new, supersedes=earlier[0])
            payloads.append(new)
            changes.append(Change("added", aid, new.selector.exact))
            continue
        seq, data = old
        fresh = converter.unstructure(new)
        diffs = tuple(
            (name, _comparable(data, name), fresh[name]) for name in COMPARED if _comparable(data, name) != fresh[name]
        )
        if diffs:
            payloads.append(evolve(new, supersedes=seq))
            changes.append(Change("changed", aid, new.selector.exact, diffs))
    for aid in sorted(now.keys() - seen):
        payloads.append(AssertionWithdrawn(
            assertion_id=aid, source_id=source_id, version=version,
            reason=f"re-extraction with {extractor.name} {extractor.version} no longer finds it",
        ))
        changes.append(Change("withdrawn", aid, now[aid][1]["selector"]["exact"]))
    return payloads, changes


def reextract(
    store: LogStore, extractor: ExtractorSpec, sources: Iterable[str] | None = None, *,
    actor: str | None = None, dry_run: bool = False,
) -> list[SourceChanges]:
    """Re-run ``extractor`` on the latest stored text of ``sources`` (default: all) and
    record the differences, one batch per source, under the ledger's lock."""
    out = []
    with store.writer() as writer:
        writer.check_appendable()
        state = _State()
        state.fold(store)
        wanted = list(state.sources) if sources is None else list(sources)
        for sid in wanted:
            if sid not in state.sources:
                raise LedgerError(f"{store.path}: no source {sid}")
        for sid in wanted:
            payloads, changes = plan_source(state, sid, extractor)
            first = None
            if payloads and not dry_run:
                first = writer.append(payloads, actor=actor).first_seq
            out.append(SourceChanges(sid, state.sources[sid]["version"], tuple(changes), first))
    return out


def history(store: LogStore, source: str | None = None) -> list[tuple[int, str, str, str]]:
    """What past re-extractions changed, from the log alone: (seq, what, assertion id, detail)."""
    rows = []
    by_seq: dict[int, dict] = {}
    for raw in store.current_events():
        t, d = raw["type"], raw["data"]
        if source is not None and d.get("source_id") not in (None, source):
            continue
        if t == "AssertionRecorded":
            by_seq[raw["seq"]] = d
            old = by_seq.get(d.get("supersedes") or 0)
            if old is not None:
                diffs = [f"{n}: {_comparable(old, n)!r} -> {_comparable(d, n)!r}" for n in COMPARED
                         if _comparable(old, n) != _comparable(d, n)]
                rows.append((raw["seq"], "changed", d["assertion_id"],
                             f"{d['extractor']} {d['extractor_version']}: " + "; ".join(diffs)))
        elif t == "AssertionWithdrawn" and d["reason"].startswith("re-extraction"):
            rows.append((raw["seq"], "withdrawn", d["assertion_id"], d["reason"]))
    return rows
