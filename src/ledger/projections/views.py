"""The read views: sources, current assertions, entities, timeline, provenance trails.

Each view folds the small :mod:`catalog <ledger.projections.catalog>` (cached) and then
streams the log once more for the assertions, so memory follows the number of sources
and analyst actions, not the number of assertions (entities and timeline keep what they
report, nothing more).

The second pass decides on the parsed line whether a recording is live and passes the
filters, and builds a row only for those (lines at an older payload version are upcast
and structured first), so a million assertions cost about two reads of the log.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping

from attrs import evolve

from ..events import AssertionRecorded, Event, Mention, Selector, Value, current_data
from ..log import LogStore
from ..serialization import converter, structure_event
from .catalog import CATALOG, Catalog, provenance
from .machinery import fold
from .records import AssertionRow, EntityRow, Provenance, SourceRow, TimelineRow, anchor_of, claim_id_for

_RECORDED = AssertionRecorded.TYPE


def catalog(store: LogStore, as_of: int | None = None, *, cache: bool = True) -> Catalog:
    """The catalog as it stood at ``as_of``."""
    return fold(store, CATALOG, as_of, cache=cache).state


def _row(a: AssertionRecorded, raw: dict) -> AssertionRow:
    return AssertionRow(
        assertion_id=a.assertion_id, source_id=a.source_id, version=a.version, selector=a.selector, kind=a.kind,
        speaker=a.speaker, speaker_cue=a.speaker_cue, modality=a.modality, modality_cue=a.modality_cue,
        values=a.values, entities=a.entities, extractor=a.extractor, extractor_version=a.extractor_version,
        recorded=Provenance(seq=raw["seq"], hash=raw["hash"], at=raw["at"], actor=raw["actor"]),
    )


def _raw_row_builder() -> Callable[[dict], AssertionRow]:
    """``raw line -> AssertionRow`` for current-version lines, without an intermediate typed event.

    Uses the converter's hooks for the parts and the same coercions its generated
    ``AssertionRecorded`` hook applies (``str``/``int`` calls, ``str | None``), so the row
    equals ``_row(structure_event(raw).data, raw)``.
    """
    sel_t, values_t, entities_t = Selector, tuple[Value, ...], tuple[Mention, ...]
    sel_h = converter.get_structure_hook(sel_t)
    values_h = converter.get_structure_hook(values_t)
    entities_h = converter.get_structure_hook(entities_t)
    opt_h = converter.get_structure_hook(str | None)
    opt_t = str | None

    def build(raw: dict) -> AssertionRow:
        d = raw["data"]
        return AssertionRow(
            str(d["assertion_id"]), str(d["source_id"]), int(d["version"]), sel_h(d["selector"], sel_t),
            str(d["kind"]), opt_h(d["speaker"], opt_t), opt_h(d["speaker_cue"], opt_t), str(d["modality"]),
            opt_h(d["modality_cue"], opt_t), values_h(d["values"], values_t), entities_h(d["entities"], entities_t),
            str(d["extractor"]), str(d["extractor_version"]),
            Provenance(raw["seq"], raw["hash"], raw["at"], raw["actor"]),
        )

    return build


_raw_row = _raw_row_builder()


_WORD = re.compile(r"\w+")


def name_words(name: str) -> list[str]:
    return _WORD.findall(name.casefold())


def name_matches(query: str, name: str | None, variants: frozenset[str] = frozenset()) -> bool:
    """Does ``query`` name ``name``? Case-insensitively, any part of it (``Varga``, ``ilona varga``,
    ``Varg``), or ``name`` is a variant of an entity the query names (``variants``, casefolded)."""
    if not name:
        return False
    folded = name.casefold()
    if folded in variants:
        return True
    q = " ".join(query.casefold().split())
    if q and q in " ".join(folded.split()):
        return True
    words = name_words(query)
    return bool(words) and set(words) <= set(name_words(name))


class NameFilter:
    """A ``--speaker``/``--entity`` query with the variants of the entities it names."""

    def __init__(self, query: str, variants: frozenset[str] = frozenset()) -> None:
        self.query = query
        self.variants = variants

    def __call__(self, name: str | None) -> bool:
        return name_matches(self.query, name, self.variants)


def _as_filter(value) -> NameFilter | None:
    return None if value is None or isinstance(value, NameFilter) else NameFilter(value)


def _matches(row: AssertionRow, source, speaker, kind, entity) -> bool:
    if source is not None and row.source_id != source:
        return False
    if kind is not None and row.kind != kind:
        return False
    if speaker is not None:
        sp = speaker if isinstance(speaker, NameFilter) else NameFilter(speaker)
        if not sp(row.speaker):
            return False
    if entity is not None:
        e = entity if isinstance(entity, NameFilter) else NameFilter(entity)
        if not any(e(m.entity) or e(m.text) for m in row.entities):
            return False
    return True


def _raw_matches(d: dict, source, speaker, kind, entity) -> bool:
    """:func:`_matches` on a current-version line's data, before any structuring."""
    if source is not None and d["source_id"] != source:
        return False
    if kind is not None and d["kind"] != kind:
        return False
    if speaker is not None:
        sp = speaker if isinstance(speaker, NameFilter) else NameFilter(speaker)
        if not sp(d["speaker"]):
            return False
    if entity is not None:
        e = entity if isinstance(entity, NameFilter) else NameFilter(entity)
        if not any(e(m["entity"]) or e(m["text"]) for m in d["entities"]):
            return False
    return True


def current_assertions(
    store: LogStore, cat: Catalog, as_of: int | None = None, *, source=None, speaker=None, kind=None, entity=None
) -> Iterator[AssertionRow]:
    """Second pass: stream the recordings the catalog says are live.

    Lines at the current ``AssertionRecorded`` version are checked (live? filters?) on the
    parsed line and only the survivors become rows; older versions are upcast and
    structured first. Either way the rows are the same.
    """
    version_now = AssertionRecorded.VERSION
    filtered = source is not None or speaker is not None or kind is not None or entity is not None
    speaker, entity = _as_filter(speaker) or speaker, _as_filter(entity) or entity
    is_live = cat.is_live
    superseded = cat.superseded
    build = _raw_row
    redate = Redater(cat)
    for _offset, _line, raw in store.lines():
        if as_of is not None and raw["seq"] > as_of:
            return
        if raw["type"] != _RECORDED:
            if redate:
                redate.see(raw)
            continue
        if superseded and raw["seq"] in superseded:
            continue  # a re-extraction recorded this assertion again
        if raw["v"] == version_now:
            d = raw["data"]
            if not is_live(d["assertion_id"], d["version"]):
                continue
            if filtered and not _raw_matches(d, source, speaker, kind, entity):
                continue
            row = build(raw)
        else:
            a = structure_event(raw).data
            if not isinstance(a, AssertionRecorded) or not cat.is_current(a):
                continue
            row = _row(a, raw)
            if not _matches(row, source, speaker, kind, entity):
                continue
        yield redate(row) if redate else row


_SNAPSHOTS = ("SourceAppended", "SourceRevised")
DATE_TYPES = frozenset({"date", "daterange", "year"})
"""Value types that may be relative to the published date ("on Wednesday", "last year")."""


class Redater:
    """Applies :func:`redated` in a pass over the log: ``see`` every non-assertion line (it keeps
    the texts of sources whose published date was corrected), then call it on each row.
    False when the catalog holds no such correction, so a pass can skip it entirely."""

    def __init__(self, cat: Catalog) -> None:
        self.published = {sid: fix["published"] for sid, fix in cat.corrections.items() if fix.get("published")}
        self.texts: dict[tuple[str, int], str] = {}

    def __bool__(self) -> bool:
        return bool(self.published)

    def see(self, raw: dict) -> None:
        if raw["type"] in _SNAPSHOTS:
            d = current_data(raw)
            if d is not None and d.get("source_id") in self.published:
                self.texts[(d["source_id"], d["version"])] = d["text"]

    def __call__(self, row: AssertionRow) -> AssertionRow:
        published = self.published.get(row.source_id)
        text = self.texts.get((row.source_id, row.version)) if published else None
        return row if text is None else redated(row, text, published)


def redated(row: AssertionRow, text: str, published: str) -> AssertionRow:
    """``row`` with its dates found again against a corrected ``published`` date.

    The recorded dates were resolved (or, without a published date, left out) when the
    assertion was extracted; after a ``SourceMetadataCorrected`` the views read the dates
    of the quote again with the rules extractor's date reader and the corrected date, and
    keep every other value as recorded. The log is not changed.
    """
    from ..extractors.rules.values import find_values, parse_published

    found = [
        v for v in find_values(text, parse_published(published), row.selector.start, row.selector.end)
        if v.type in DATE_TYPES
    ]
    kept = [v for v in row.values if v.type not in DATE_TYPES and not any(v.start < f.end and f.start < v.end for f in found)]
    values = tuple(sorted((*kept, *found), key=lambda v: (v.start, v.end)))
    return row if values == row.values else evolve(row, values=values)


def iter_assertions(
    store: LogStore, as_of: int | None = None, *, source=None, speaker=None, kind=None, entity=None, cache: bool = True
) -> Iterator[AssertionRow]:
    """Current assertions in log order of their latest recording, optionally filtered.

    ``speaker`` and ``entity`` match case-insensitively on any part of a name, and on every
    variant of the entities they name (``Brandt`` finds ``Tomas Brandt`` and ``Mr Brandt``).
    """
    if speaker is not None or entity is not None:
        speaker = NameFilter(speaker, entity_variants(store, as_of, speaker, cache=cache)) if speaker is not None else None
        entity = NameFilter(entity, entity_variants(store, as_of, entity, cache=cache)) if entity is not None else None
    cat = catalog(store, as_of, cache=cache)
    yield from current_assertions(store, cat, as_of, source=source, speaker=speaker, kind=kind, entity=entity)


def entity_variants(store: LogStore, as_of: int | None, query: str, *, cache: bool = True) -> frozenset[str]:
    """Casefolded names and variants of every entity ``query`` names (any part, any case)."""
    found: set[str] = set()
    for e in iter_entities(store, as_of, cache=cache):
        names = (e.entity, *e.variants)
        if any(name_matches(query, n) for n in names):
            found.update(n.casefold() for n in names)
    return frozenset(found)


def known_names(store: LogStore, as_of: int | None = None, *, cache: bool = True) -> list[str]:
    """Every speaker and entity name (and variant) in the current assertions: what a query could have meant."""
    names: set[str] = set()
    for row in iter_assertions(store, as_of, cache=cache):
        if row.speaker:
            names.add(row.speaker)
        names.update(m.entity for m in row.entities)
    return sorted(names)


def count_current(store: LogStore, cat: Catalog, as_of: int | None = None) -> dict[str, dict[str, int]]:
    """``source_id -> {kind: n}`` of current assertions, sorted by kind; no rows are built."""
    version_now = AssertionRecorded.VERSION
    is_live = cat.is_live
    superseded = cat.superseded
    counts: dict[str, Counter] = defaultdict(Counter)
    for _offset, _line, raw in store.lines():
        if as_of is not None and raw["seq"] > as_of:
            break
        if raw["type"] != _RECORDED:
            continue
        if superseded and raw["seq"] in superseded:
            continue
        if raw["v"] == version_now:
            d = raw["data"]
            if is_live(d["assertion_id"], d["version"]):
                counts[str(d["source_id"])][str(d["kind"])] += 1
            continue
        a = structure_event(raw).data
        if isinstance(a, AssertionRecorded) and cat.is_current(a):
            counts[a.source_id][a.kind] += 1
    return {sid: dict(sorted(c.items())) for sid, c in counts.items()}


def source_row(s: SourceRow, counts: Mapping[str, int]) -> SourceRow:
    """A catalogued source with the given counts of current assertions."""
    return evolve(s, counts=counts)


def sources_of(store: LogStore, cat: Catalog, as_of: int | None = None) -> Iterator[SourceRow]:
    """:func:`iter_sources` for a catalog already folded (one pass, for the counts)."""
    counts = count_current(store, cat, as_of)
    for s in cat.sources.values():
        yield source_row(s, counts.get(s.source_id, {}))


def iter_sources(store: LogStore, as_of: int | None = None, *, cache: bool = True) -> Iterator[SourceRow]:
    """Every source with its current version, metadata and counts of current assertions by kind."""
    yield from sources_of(store, catalog(store, as_of, cache=cache), as_of)


class LazyCounts(Mapping[str, int]):
    """One source's counts of current assertions, counted on first read.

    Counting needs a pass over every assertion; an export that only wants sources' titles
    and URLs next to its rows should not pay for it. All sources of one index share one
    ``tally`` (memoised by the caller), so the pass runs at most once.
    """

    __slots__ = ("_source_id", "_tally")

    def __init__(self, source_id: str, tally: Callable[[], dict[str, dict[str, int]]]) -> None:
        self._source_id = source_id
        self._tally = tally

    def _counts(self) -> dict[str, int]:
        return self._tally().get(self._source_id, {})

    def __getitem__(self, kind: str) -> int:
        return self._counts()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts())

    def __len__(self) -> int:
        return len(self._counts())

    def __repr__(self) -> str:
        return repr(self._counts())


def iter_entities(store: LogStore, as_of: int | None = None, *, cache: bool = True) -> Iterator[EntityRow]:
    """Entities named in current assertions, most mentioned first, with variants and sources."""
    types: dict[str, Counter] = defaultdict(Counter)
    variants: dict[str, dict[str, None]] = defaultdict(dict)
    sources: dict[str, dict[str, None]] = defaultdict(dict)
    assertions: dict[str, dict[str, None]] = defaultdict(dict)
    mentions: Counter = Counter()
    for row in iter_assertions(store, as_of, cache=cache):
        for m in row.entities:
            types[m.entity][m.type] += 1
            variants[m.entity][m.text] = None
            sources[m.entity][row.source_id] = None
            assertions[m.entity][row.assertion_id] = None
            mentions[m.entity] += 1
    for name in sorted(mentions, key=lambda n: (-mentions[n], n.casefold())):
        yield EntityRow(
            entity=name, type=types[name].most_common(1)[0][0], variants=tuple(variants[name]),
            mentions=mentions[name], sources=tuple(sources[name]), assertions=tuple(assertions[name]),
        )


TIMELINE_TYPES = ("date", "daterange", "year")


def iter_timeline(store: LogStore, as_of: int | None = None, *, cache: bool = True) -> Iterator[TimelineRow]:
    """Statements that carry a date, ordered by the date they speak of (then log order)."""
    cat = catalog(store, as_of, cache=cache)
    rows: list[TimelineRow] = []
    for row in current_assertions(store, cat, as_of):
        if row.kind != "statement":
            continue
        src = cat.sources.get(row.source_id)
        seen = set()
        for v in row.values:
            if v.type not in TIMELINE_TYPES or v.value in seen:
                continue
            seen.add(v.value)
            rows.append(
                TimelineRow(
                    date=v.value, type=v.type, text=v.text, assertion_id=row.assertion_id, source_id=row.source_id,
                    outlet=src.outlet if src else None, title=src.title if src else None, quote=row.selector.exact,
                    recorded=row.recorded,
                )
            )
    rows.sort(key=lambda r: (r.date[:10], r.recorded.seq))
    yield from rows


def trail(
    store: LogStore, id: str, *, as_of: int | None = None, cache: bool = True, members: set[str] | None = None
) -> list[Event]:
    """Every event that touched an assertion, or every member of a claim, in log order.

    For an assertion: its recordings, retraction or withdrawal, the source versions its
    recordings point into, analyst links/unlinks naming it, verdicts on it or on its claim.
    For a claim id: the same for all its ``members`` (resolved by the claims view, which
    :func:`ledger.projections.trail` does; this module never imports the claims package),
    plus verdicts on the claim.
    """
    if id.startswith("src-"):
        return source_trail(store, id, as_of=as_of)
    ids: set[str]
    claim_ids: set[str] = set()
    if id.startswith("cl-"):
        if members is None:
            anchor = anchor_of(id)
            if not any(True for _ in iter_assertions(store, as_of, cache=cache) if _.assertion_id == anchor):
                raise LookupError(f"{store.path}: no claim {id}")
            ids = {anchor}
        else:
            ids = set(members)
        claim_ids = {id} | {claim_id_for(i) for i in ids}
    else:
        ids = {id}
        claim_ids = {claim_id_for(id)}
    wanted_versions: set[tuple[str, int]] = set()
    # First pass: which source versions do the recordings point into?
    for _offset, _line, raw in store.lines():
        if as_of is not None and raw["seq"] > as_of:
            break
        if raw["type"] == _RECORDED:
            d = current_data(raw)
            if d is not None and d.get("assertion_id") in ids:
                wanted_versions.add((d["source_id"], d["version"]))
    if not wanted_versions and not id.startswith("cl-"):
        raise LookupError(f"{store.path}: no assertion {id}")
    out: list[Event] = []
    for _offset, _line, raw in store.lines():
        if as_of is not None and raw["seq"] > as_of:
            break
        t, d = raw["type"], current_data(raw)
        hit = False
        if d is None:
            continue
        if t in ("SourceAppended", "SourceRevised"):
            hit = (d.get("source_id"), d.get("version")) in wanted_versions
        elif t in ("AssertionRecorded", "AssertionRetracted", "AssertionWithdrawn"):
            hit = d.get("assertion_id") in ids
        elif t in ("AssertionsLinked", "AssertionsUnlinked"):
            hit = d.get("a") in ids or d.get("b") in ids
        elif t == "VerdictRecorded":
            hit = d.get("target") in ids or d.get("target") in claim_ids
        if hit:
            out.append(structure_event(raw))
    return out


SOURCE_EVENTS = ("SourceAppended", "SourceRevised", "SourceMetadataCorrected", "AssertionWithdrawn")
"""Event types that make up a source's own trail (its assertions have theirs)."""


def source_trail(store: LogStore, source_id: str, *, as_of: int | None = None) -> list[Event]:
    """Every version of a source, every correction of its metadata and every withdrawal from it."""
    out: list[Event] = []
    for _offset, _line, raw in store.lines():
        if as_of is not None and raw["seq"] > as_of:
            break
        if raw["type"] in SOURCE_EVENTS:
            d = current_data(raw)
            if d is not None and d.get("source_id") == source_id:
                out.append(structure_event(raw))
    if not out:
        raise LookupError(f"{store.path}: no source {source_id}")
    return out


def context_of(row_or_event) -> str:
    """The quote with its stored context: ``…prefix[exact]suffix…``."""
    sel = row_or_event.selector
    return f"…{sel.prefix}[{sel.exact}]{sel.suffix}…"


def dump(value) -> object:
    """Plain JSON of a row (the project's converter)."""
    return converter.unstructure(value)


__all__ = [
    "catalog",
    "count_current",
    "current_assertions",
    "iter_assertions",
    "iter_sources",
    "sources_of",
    "source_row",
    "iter_entities",
    "iter_timeline",
    "trail",
    "source_trail",
    "provenance",
]
