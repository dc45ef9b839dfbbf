"""What changed between two versions of a source: the text, and the assertions.

Assertion ids are derived from the quote, so an assertion whose words survive a
revision keeps its id; comparing id sets of two versions therefore tells added,
withdrawn and carried-over assertions apart without re-running any extractor, and a
carried one whose offsets moved was re-anchored.
"""

from __future__ import annotations

import difflib

from attrs import frozen

from ..events import current_data
from ..log import LogStore


@frozen
class VersionInfo:
    """One stored version of a source."""

    version: int
    seq: int
    at: str
    uri: str | None
    title: str | None
    raw_sha256: str
    text: str


@frozen
class AssertionAt:
    """An assertion as recorded in one version: its quote and where it sits."""

    assertion_id: str
    kind: str
    exact: str
    start: int
    end: int


@frozen
class Carried:
    """An assertion present in both versions; ``moved`` when its offsets changed."""

    assertion_id: str
    kind: str
    exact: str
    old_start: int
    old_end: int
    new_start: int
    new_end: int

    @property
    def moved(self) -> bool:
        return (self.old_start, self.old_end) != (self.new_start, self.new_end)


@frozen
class SourceDiff:
    """The difference between versions ``from_version`` and ``to_version`` of a source."""

    source_id: str
    from_version: int
    to_version: int
    versions: tuple[int, ...]
    text_diff: tuple[str, ...]
    added: tuple[AssertionAt, ...]
    withdrawn: tuple[AssertionAt, ...]
    carried: tuple[Carried, ...]


@frozen
class SourceHistory:
    """Every version of one source and the assertions recorded for each."""

    source_id: str
    versions: dict[int, VersionInfo]
    assertions: dict[int, dict[str, AssertionAt]]


def resolve(store: LogStore, source: str) -> str:
    """The source id ``source`` names: an id as-is, or a URL any version was recorded under."""
    by_uri = None
    for _offset, _line, raw in store.lines():
        if raw.get("type") not in ("SourceAppended", "SourceRevised"):
            continue
        data = current_data(raw)
        if data is None:
            continue
        if data.get("source_id") == source:
            return source
        if by_uri is None and data.get("uri") == source:
            by_uri = data["source_id"]
    if by_uri is None:
        raise LookupError(f"no source {source!r} in {store.path} (give a source id or a URL it was appended with)")
    return by_uri


_HISTORY_TYPES = frozenset({"SourceAppended", "SourceRevised", "AssertionRecorded"})


def history(store: LogStore, source_id: str) -> SourceHistory:
    """Fold the log into the versions of one source (streamed; keeps only this source)."""
    versions: dict[int, VersionInfo] = {}
    assertions: dict[int, dict[str, AssertionAt]] = {}
    for _offset, _line, raw in store.lines():
        t = raw["type"]
        if t not in _HISTORY_TYPES:
            continue
        data = current_data(raw)
        if data is None or data.get("source_id") != source_id:
            continue
        if t in ("SourceAppended", "SourceRevised"):
            v = data["version"]
            versions[v] = VersionInfo(v, raw["seq"], raw["at"], data.get("uri"), data.get("title"),
                                      data["raw_sha256"], data["text"])
            assertions.setdefault(v, {})
        elif t == "AssertionRecorded":
            sel = data["selector"]
            assertions.setdefault(data["version"], {})[data["assertion_id"]] = AssertionAt(
                data["assertion_id"], data["kind"], sel["exact"], sel["start"], sel["end"]
            )
    if not versions:
        raise LookupError(f"no source {source_id!r} in {store.path}")
    return SourceHistory(source_id, versions, assertions)


def diff(store: LogStore, source: str, from_version: int | None = None, to_version: int | None = None) -> SourceDiff:
    """Compare two versions; by default the latest with the one before it."""
    source_id = resolve(store, source)
    hist = history(store, source_id)
    known = sorted(hist.versions)
    if len(known) == 1 and from_version is None and to_version is None:
        raise LookupError(
            f"source {source_id} has only one version (v{known[0]}): nothing to compare yet "
            "(appending it again with changed content records v2)"
        )
    to_v = known[-1] if to_version is None else to_version
    if from_version is None:
        earlier = [v for v in known if v < to_v]
        from_v = earlier[-1] if earlier else to_v
    else:
        from_v = from_version
    for v in (from_v, to_v):
        if v not in hist.versions:
            listed = ", ".join(str(k) for k in known)
            raise LookupError(f"source {source_id} has no version {v} (versions: {listed})")
    old, new = hist.versions[from_v], hist.versions[to_v]
    text_diff = tuple(
        difflib.unified_diff(
            old.text.splitlines(keepends=True),
            new.text.splitlines(keepends=True),
            fromfile=f"{source_id} v{from_v}",
            tofile=f"{source_id} v{to_v}",
        )
    )
    a, b = hist.assertions.get(from_v, {}), hist.assertions.get(to_v, {})
    added = tuple(sorted((b[i] for i in b.keys() - a.keys()), key=lambda x: (x.start, x.end)))
    withdrawn = tuple(sorted((a[i] for i in a.keys() - b.keys()), key=lambda x: (x.start, x.end)))
    carried = tuple(
        sorted(
            (Carried(i, b[i].kind, b[i].exact, a[i].start, a[i].end, b[i].start, b[i].end) for i in a.keys() & b.keys()),
            key=lambda x: (x.new_start, x.new_end),
        )
    )
    return SourceDiff(source_id, from_v, to_v, tuple(known), text_diff, added, withdrawn, carried)
