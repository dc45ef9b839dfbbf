"""The claims view: typed links between assertions of different sources, and display groups.

Stages, one module each (see docs/projections.md):

* :mod:`.features` -- per assertion, once: core, lemmas, weights, names, typed slot values.
* :mod:`.frames` -- event frames from a general news verb lexicon.
* :mod:`.links` -- candidate pairs (bounded blocking), matchers, the link decision.
* :mod:`.conflicts` -- slot comparisons, hard/soft grades, negation.
* :mod:`.groups` -- display groups by the anchor rule (no chaining), analyst link/unlink.
* :mod:`.explain` -- one line per disagreeing slot; evidence sentences for exports.

:func:`claims_view` returns both outputs: every accepted link, and the groups (claims). This
package imports :mod:`..views` for the rows; :mod:`..views` imports nothing from here at
module level, so there is no import cycle.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import orjson
from attrs import frozen

from ...events import AssertionRecorded
from ...log import LogStore
from ...serialization import structure_event
from ..catalog import Catalog
from ..records import AssertionRow, Claim, Link, Verdict, anchor_of, claim_id_for
from ..views import Redater, _raw_row, _row, catalog as _catalog
from ..views import trail as _views_trail
from .explain import conflict_lines, evidence
from .features import FEATURES_VERSION, Features, features
from .groups import display_groups
from .links import DEFAULT_LINK_CONFIG, LinkConfig, MatcherSpec, build_links

ClaimsConfig = LinkConfig
DEFAULT_CONFIG = DEFAULT_LINK_CONFIG

__all__ = [
    "FEATURES_VERSION", "ClaimsConfig", "ClaimsView", "Features", "LinkConfig", "MatcherSpec", "anchor_of",
    "build_claims", "build_links", "claim_id_for", "claims_view", "evidence", "features", "listed_claims_json", "trail",
]


def trail(store: LogStore, id: str, *, as_of: int | None = None, cache: bool = True) -> list:
    """Every event that touched an assertion, a source, or every member of a claim (see
    :func:`..views.trail`); a claim id is resolved here, so the views never import the claims."""
    if not id.startswith("cl-"):
        return _views_trail(store, id, as_of=as_of, cache=cache)
    claim = next((c for c in build_claims(store, as_of, cache=cache) if c.claim_id == id), None)
    members = None if claim is None else {m.assertion_id for m in claim.members}
    return _views_trail(store, id, as_of=as_of, cache=cache, members=members)


@frozen
class ClaimsView:
    """Both outputs of the claims view at one point in the log.

    Attributes:
        claims: Display groups, multi-source first.
        links: Every accepted link (automatic and analyst), in recorded order of their first side.
    """

    claims: tuple[Claim, ...]
    links: tuple[Link, ...]


_FEATURE_MEMO: dict[tuple[str, str, str], Features] = {}
_MEMO_CAP = 400_000


def cached_features(row: AssertionRow, source_meta: object | None) -> Features:
    """:func:`features` memoised by (assertion id, recording hash, version): computed once per process.

    A store can persist the same function's output under :data:`FEATURES_VERSION`.
    """
    # the published date is in the key: a SourceMetadataCorrected re-dates the row's values
    key = (row.assertion_id, row.recorded.hash, FEATURES_VERSION, getattr(source_meta, "published", None))
    f = _FEATURE_MEMO.get(key)
    if f is None:
        if len(_FEATURE_MEMO) >= _MEMO_CAP:
            _FEATURE_MEMO.clear()
        f = _FEATURE_MEMO[key] = features(row, source_meta)
    return f


def claim_rows(
    store: LogStore, cat: Catalog, as_of: int | None = None, first_seen: dict[str, int] | None = None,
) -> Iterator[tuple[AssertionRow, bool]]:
    """``(row, superseded)``: current statements and analyst-linked assertions, plus the statements
    of earlier versions of revised sources that a later version withdrew (compared as versions).

    ``first_seen`` (if given) receives each id's first recording seq: the recorded order claims
    use, which a revision that carries a statement over does not change."""
    first = first_seen if first_seen is not None else {}
    linked = {d.a for d in cat.pairs.values() if d.linked} | {d.b for d in cat.pairs.values() if d.linked}
    version_now = AssertionRecorded.VERSION
    is_live = cat.is_live
    withdrawn, retracted = cat.withdrawn, cat.retracted
    redate = Redater(cat)  # relative dates against a corrected published date
    fix = redate if redate else _same
    superseded = cat.superseded
    for _offset, _line, raw in store.lines():
        if as_of is not None and raw["seq"] > as_of:
            return
        if raw["type"] != AssertionRecorded.TYPE:
            if redate:
                redate.see(raw)
            continue
        if superseded and raw["seq"] in superseded:
            # a re-extraction recorded this assertion again: its new reading is the one compared,
            # in the order of the first recording
            first.setdefault(raw["data"]["assertion_id"], raw["seq"])
            continue
        if raw["v"] == version_now:
            d = raw["data"]
            aid, version, kind = d["assertion_id"], d["version"], d["kind"]
            first.setdefault(aid, raw["seq"])
            if kind != "statement" and aid not in linked:
                continue
            if is_live(aid, version):
                yield fix(_raw_row(raw)), False
            elif kind == "statement" and aid not in retracted and withdrawn.get(aid, 0) > version:
                yield fix(_raw_row(raw)), True
            continue
        a = structure_event(raw).data
        if isinstance(a, AssertionRecorded):
            first.setdefault(a.assertion_id, raw["seq"])
        if not isinstance(a, AssertionRecorded) or (a.kind != "statement" and a.assertion_id not in linked):
            continue
        if cat.is_current(a):
            yield fix(_row(a, raw)), False
        elif a.kind == "statement" and a.assertion_id not in retracted and withdrawn.get(a.assertion_id, 0) > a.version:
            yield fix(_row(a, raw)), True


def _same(row: AssertionRow) -> AssertionRow:
    return row


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic collector during a build: millions of acyclic objects, nothing to collect."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _matchers() -> list[MatcherSpec]:
    try:
        from ... import plugins

        return [r.item for r in plugins.matchers().values()]
    except Exception:  # noqa: BLE001 - a broken plugin must not break the view; plugins reports it
        return []


def view_from_rows(
    rows: Sequence[tuple[AssertionRow, bool]], cat: Catalog, config: LinkConfig = DEFAULT_LINK_CONFIG,
    matchers: Sequence[MatcherSpec] | None = None, first_seen: dict[str, int] | None = None,
) -> ClaimsView:
    """The claims view from rows already read (see :func:`claim_rows`), in recorded order
    (``first_seen``: each id's first recording seq; default: the row's own recording)."""
    matchers = _matchers() if matchers is None else matchers
    first = first_seen or {}
    rows = sorted(rows, key=lambda rs: (first.get(rs[0].assertion_id, rs[0].recorded.seq), rs[0].assertion_id))
    by_id = {r.assertion_id: r for r, _s in rows}
    superseded = {r.assertion_id for r, s in rows if s}
    order = {r.assertion_id: k for k, (r, _s) in enumerate(rows)}
    feats = [cached_features(r, cat.sources.get(r.source_id)) for r, _s in rows]
    auto = build_links(feats, config, matchers, order)
    unlinked: set[frozenset[str]] = set()
    analyst: list[tuple[str, str]] = []
    for d in sorted(cat.pairs.values(), key=lambda d: d.recorded.seq):
        if d.a in by_id and d.b in by_id:
            if d.linked:
                analyst.append((d.a, d.b) if order[d.a] < order[d.b] else (d.b, d.a))
            else:
                unlinked.add(frozenset((d.a, d.b)))
    links = [link for link in auto if frozenset((link.a, link.b)) not in unlinked]
    have = {frozenset((link.a, link.b)): k for k, link in enumerate(links)}
    for a, b in analyst:
        k = have.get(frozenset((a, b)))
        if k is not None:
            old = links[k]
            links[k] = Link(a=old.a, b=old.b, relation=old.relation, how="analyst", score=old.score, shared=old.shared,
                            frames=old.frames, slots=old.slots, grade=old.grade, revision=old.revision, signals=old.signals)
        else:
            links.append(Link(a=a, b=b, relation="corroborates", how="analyst",
                              revision=by_id[a].source_id == by_id[b].source_id))
    links.sort(key=lambda link: (order[link.a], order[link.b]))
    groups = display_groups([r.assertion_id for r, _s in rows], [(x.a, x.b) for x in links], analyst, unlinked)
    version_of = {r.assertion_id: (r.source_id, r.version) for r, _s in rows}
    links_of: dict[str, list[Link]] = {}
    group_of = {x: k for k, g in enumerate(groups) for x in g}
    for link in links:
        if group_of[link.a] == group_of[link.b]:
            links_of.setdefault(groups[group_of[link.a]][0], []).append(link)
    claims = []
    in_links = {x for link in links for x in (link.a, link.b)}
    for g in groups:
        if len(g) == 1 and g[0] in superseded and g[0] not in in_links:
            continue  # a withdrawn statement matters only as a side of a link
        anchor = g[0]
        members = sorted((by_id[x] for x in g), key=lambda r: (r.source_id, r.version, r.selector.start, r.assertion_id))
        inner = tuple(links_of.get(anchor, ()))
        conflicts = tuple(c for link in inner for c in conflict_lines(link, cat, version_of))
        sources = tuple(dict.fromkeys(r.source_id for r in members))
        verdict: Verdict | None = None
        for r in members:
            v = cat.verdicts.get(claim_id_for(r.assertion_id))
            if v is not None and (verdict is None or v.recorded.seq > verdict.recorded.seq):
                verdict = v
        versions = {(r.source_id, r.version) for r in members}
        status = "conflict" if conflicts else ("corroborated" if len(versions) > 1 else "single")
        label = feats[order[anchor]].core.strip() or by_id[anchor].selector.exact
        claims.append(Claim(
            claim_id=claim_id_for(anchor), label=label, members=tuple(members), sources=sources, status=status,
            conflicts=conflicts, links=inner, verdict=verdict, anchor=anchor,
            superseded=tuple(x for x in g if x in superseded),
        ))
    claims.sort(key=lambda c: (len(c.members) < 2, order[c.anchor]))
    return ClaimsView(claims=tuple(claims), links=tuple(links))


def _open_cache(store: LogStore, as_of: int | None, config: LinkConfig):
    """``(projection store, key, seq)`` for a claims view at ``as_of``; ``(None, None, None)`` without a store."""
    from .. import claims_cache
    from ..store import open_store

    head = store.head()
    pstore = open_store(store, head)
    if pstore is None:
        return None, None, None
    seq = head.seq if as_of is None else min(as_of, head.seq)
    return pstore, claims_cache.view_key(pstore, head, seq, config, _matchers()), seq


def _compute(store: LogStore, as_of: int | None, cache: bool, config: LinkConfig, pstore, key, seq) -> ClaimsView:
    from .. import claims_cache

    cat = _catalog(store, as_of, cache=cache)
    first: dict[str, int] = {}
    rows = list(claim_rows(store, cat, as_of, first))
    stored = None if pstore is None else claims_cache.with_store(pstore, rows, cat)
    view = view_from_rows(rows, cat, config, first_seen=first)
    if pstore is not None:
        stored()
        parts = claims_cache.encode_view(view)
        if parts is not None:
            pstore.keep_claims_view(key, seq, parts)
    return view


def claims_view(
    store: LogStore, as_of: int | None = None, *, cache: bool = True, config: LinkConfig = DEFAULT_LINK_CONFIG,
) -> ClaimsView:
    """Links and claims as of ``as_of`` (one snapshot: the catalog and the rows stop at the same seq).

    With ``cache``, the view is kept whole in the projection store under a key made of everything it
    depends on (:func:`..claims_cache.view_key`), and the per-assertion features too: a second call
    at the same point of the same log reads the answer instead of computing it (#12)."""
    from .. import claims_cache

    with _no_cyclic_gc():
        pstore, key, seq = _open_cache(store, as_of, config) if cache else (None, None, None)
        try:
            found = None if pstore is None else claims_cache.decode_view(pstore, key)
            return found if found is not None else _compute(store, as_of, cache, config, pstore, key, seq)
        finally:
            if pstore is not None:
                pstore.close()


def listed_claims_json(
    store: LogStore, as_of: int | None = None, *, cache: bool = True, show_all: bool = False,
    config: LinkConfig = DEFAULT_LINK_CONFIG,
) -> Iterator[bytes]:
    """The claims ``factledger claims`` lists (``show_all``: every claim), each as ``--json`` prints it.

    A view kept in the projection store is streamed from its stored lines without building a claim."""
    from .. import claims_cache
    from ...serialization import converter

    with _no_cyclic_gc():
        pstore, key, seq = _open_cache(store, as_of, config) if cache else (None, None, None)
        try:
            if pstore is not None and pstore.claims_part(key, "order") is not None:
                if not show_all:
                    yield from claims_cache.lines(pstore.claims_part(key, "listed"))
                    return
                order = pstore.claims_part(key, "order")
                shown = iter(claims_cache.lines(pstore.claims_part(key, "listed")))
                others = iter(claims_cache.lines(pstore.claims_part(key, "others")))
                for flag in order:
                    yield next(shown) if flag == 49 else next(others)
                return
            view = _compute(store, as_of, cache, config, pstore, key, seq)
        finally:
            if pstore is not None:
                pstore.close()
    for claim in view.claims:
        if show_all or claims_cache.listed(claim):
            yield orjson.dumps(converter.unstructure(claim))


def build_claims(
    store: LogStore, as_of: int | None = None, *, cache: bool = True, config: LinkConfig = DEFAULT_LINK_CONFIG,
) -> list[Claim]:
    """Claims (display groups) as of ``as_of``: multi-member claims first, in recorded order of their anchors."""
    return list(claims_view(store, as_of, cache=cache, config=config).claims)
