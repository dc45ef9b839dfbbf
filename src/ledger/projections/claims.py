"""The claims view: statements from different sources that state the same fact.

Pipeline (see docs/projections.md):

1. **Features.** Each current statement becomes content-word stems (light stemming and
   synonym folding, :mod:`.text`), normalised values from the extractor (dates, numbers
   with their unit and qualifier) and names (extractor mentions plus capitalised phrases
   and their acronyms).
2. **Blocking.** An inverted index maps keys (stems, ``date:``/``num:`` values, names) to
   statements. Keys held by more than ``df_cap`` statements are not indexed, and each
   statement probes only its ``probe_keys`` rarest keys, so the candidates per statement
   are bounded and the whole build is linear in the number of statements. Candidates
   are pairs from different sources only.
3. **Scoring.** IDF-weighted overlap of stems (mixing the overlap coefficient and the
   cosine so a short statement can match a long one), plus bonuses for shared values and
   shared names. A pair is linked when the score passes ``threshold`` and it shares at
   least ``min_shared`` informative features. A pair that shares a name and content but
   disagrees on a date or number of the same kind is linked as a *conflict*.
4. **Clustering.** Union-find over analyst links first, then automatic edges strongest
   first; a union that would grow a claim past ``max_members`` or join a pair an analyst
   unlinked is refused (weakest edges are the ones cut).
5. **Conflicts** are checked on every cross-source pair inside a claim that shares
   content: different dates for the same happening, different numbers of the same unit
   (qualifiers read as intervals: ``more than 30,000`` and ``about 30,000`` agree),
   one side negated.

Claim ids: ``cl-`` + the hex of the claim's smallest member id (its *anchor*), so an id
survives unrelated appends and maps back to an assertion; a verdict given on a claim id
follows its anchor assertion into whatever claim holds it later.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date as _date

from attrs import frozen

from ..log import LogStore
from .catalog import Catalog
from .records import AssertionRow, Claim, Conflict, Verdict
from .text import content_stems, name_keys, number_keys, stem
from .views import catalog as _catalog
from .views import current_assertions


@frozen
class ClaimsConfig:
    """Matching knobs; defaults are general, not fitted to any article."""

    strong: float = 0.45
    weak: float = 0.25
    conflict_threshold: float = 0.2
    min_shared: int = 2
    df_cap: int = 60
    probe_keys: int = 8
    max_members: int = 12
    value_weight: float = 1.5


DEFAULT_CONFIG = ClaimsConfig()


def claim_id_for(assertion_id: str) -> str:
    """The id of the claim anchored at ``assertion_id``."""
    return "cl-" + (assertion_id[3:] if assertion_id.startswith("as-") else assertion_id)


def anchor_of(claim_id: str) -> str:
    """The anchor assertion id of a claim id (inverse of :func:`claim_id_for`)."""
    return "as-" + claim_id[3:]


@frozen
class Num:
    value: float
    unit: str | None
    qualifier: str | None
    text: str
    type: str


@frozen
class Features:
    index: int
    source: str
    stems: frozenset[str]
    tokens: frozenset[str]
    dates: frozenset[str]
    dates_text: tuple[tuple[str, str], ...]
    nums: tuple[Num, ...]
    names: frozenset[str]
    negated: bool


_NUMERIC = ("quantity", "ordinal", "percent", "age")


def _unit_key(unit: str | None) -> str | None:
    if not unit:
        return None
    words = [w for w in unit.split() if w]
    return stem(words[-1]) if words else None


def content_region(row: AssertionRow) -> tuple[int, int]:
    """The part of the quote that states the fact, without the attribution clause.

    ``Carroll said in a Wednesday briefing that Oh was shot`` states that Oh was shot; the
    speaker, the reporting verb and the time of the briefing are about the telling, not the
    fact, so they are neither matching evidence nor a date to compare.
    """
    text = row.selector.exact
    cue = row.speaker_cue
    if not cue:
        return 0, len(text)
    pos = text.find(cue)
    if pos < 0:
        return 0, len(text)
    if pos > len(text) // 2:  # "...," Chad Carroll, director of public affairs, told reporters.
        cut = pos
        if row.speaker:
            first = row.speaker.split()[0]
            k = text.rfind(first, 0, pos)
            if k > 0:
                cut = k
        return 0, cut
    start = pos + len(cue)
    that = text.find(" that ", start, start + 60)
    if that >= 0:
        start = that + len(" that ")
    return start, len(text)


def features(i: int, row: AssertionRow) -> Features:
    full = row.selector.exact
    lo, hi = content_region(row)
    text = full[lo:hi]
    base = row.selector.start
    stems = frozenset(content_stems(text))
    dates, dates_text, nums = set(), [], []
    for v in row.values:
        if not (lo <= v.start - base and v.end - base <= hi):
            continue  # said *Wednesday*: when it was told, not when it happened
        if v.type == "date":
            dates.add(v.value[:10])
            dates_text.append((v.value[:10], v.text))
        elif v.type in _NUMERIC:
            try:
                n = float(v.value)
            except ValueError:
                continue
            nums.append(Num(n, _unit_key(v.unit), (v.qualifier or "").lower() or None, v.text, v.type))
    names = set(name_keys(text))
    for m in row.entities:
        if lo <= m.start - base and m.end - base <= hi:
            names.add(m.entity.lower())
    tokens = set(stems)
    tokens.update("e:" + n for n in names)
    tokens.update("d:" + d for d in dates)
    tokens.update(f"n:{n.value:g}" for n in nums)
    tokens.update("n:" + k for k in number_keys(text))
    return Features(
        index=i, source=row.source_id, stems=stems, tokens=frozenset(tokens), dates=frozenset(dates), dates_text=tuple(dates_text),
        nums=tuple(nums), names=frozenset(names), negated=row.modality == "negated",
    )


def _keys(f: Features) -> frozenset[str]:
    return f.tokens


_INTERVAL = {
    "at least": (1.0, math.inf), "more than": (1.0000001, math.inf), "over": (1.0000001, math.inf),
    "as many as": (0.0, 1.0), "up to": (0.0, 1.0), "at most": (0.0, 1.0), "less than": (0.0, 0.9999999),
    "fewer than": (0.0, 0.9999999), "under": (0.0, 0.9999999), "nearly": (0.85, 1.0), "almost": (0.85, 1.0),
    "about": (0.85, 1.15), "around": (0.85, 1.15), "approximately": (0.85, 1.15), "roughly": (0.85, 1.15),
    "some": (0.85, 1.15), "an estimated": (0.8, 1.2), "estimated": (0.8, 1.2),
}


def _interval(n: Num) -> tuple[float, float]:
    lo, hi = _INTERVAL.get(n.qualifier or "", (1.0, 1.0))
    return n.value * lo, n.value * hi


def _overlaps(a: Num, b: Num) -> bool:
    (alo, ahi), (blo, bhi) = _interval(a), _interval(b)
    return alo <= bhi and blo <= ahi


class _Scorer:
    """IDF-weighted token overlap; values weigh more than words (they are what facts hinge on)."""

    def __init__(self, feats: list[Features], config: ClaimsConfig) -> None:
        self.feats = feats
        self.config = config
        df: dict[str, int] = defaultdict(int)
        for f in feats:
            for t in f.tokens:
                df[t] += 1
        n = max(len(feats), 2)
        vw = config.value_weight
        self.idf = {
            t: math.log((n + 1) / (c + 0.5)) * (vw if t[:2] in ("d:", "n:") else 1.0) for t, c in df.items()
        }
        self.weight = [sum(self.idf[t] for t in f.tokens) or 1.0 for f in feats]

    def lexical(self, a: Features, b: Features) -> tuple[float, int]:
        """(similarity in [0, 1], number of shared tokens)."""
        shared = a.tokens & b.tokens
        if not shared:
            return 0.0, 0
        w = sum(self.idf[t] for t in shared)
        wa, wb = self.weight[a.index], self.weight[b.index]
        return 0.5 * w / min(wa, wb) + 0.5 * w / math.sqrt(wa * wb), len(shared)

    def score(self, a: Features, b: Features) -> tuple[float, int, bool]:
        """(score, shared tokens, same happening told with a different value)."""
        lex, n_shared = self.lexical(a, b)
        differs = bool(a.dates and b.dates and not (a.dates & b.dates)) or bool(_num_conflicts(a, b))
        happening = differs and bool(a.names & b.names) and n_shared >= 3 and lex >= self.config.conflict_threshold
        return lex, n_shared, happening


def _num_conflicts(a: Features, b: Features) -> list[tuple[Num, Num]]:
    out = []
    for x in a.nums:
        if x.unit is None:
            continue
        same_unit = [y for y in b.nums if y.unit == x.unit and y.type == x.type]
        if same_unit and not any(_overlaps(x, y) for y in same_unit):
            out.append((x, same_unit[0]))
    return out


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return ra


def candidate_pairs(feats: list[Features], config: ClaimsConfig) -> Iterable[tuple[int, int]]:
    """Pairs from different sources sharing a rare key; bounded work per statement."""
    keys = [_keys(f) for f in feats]
    df: dict[str, int] = defaultdict(int)
    for ks in keys:
        for k in ks:
            df[k] += 1
    index: dict[str, list[int]] = defaultdict(list)
    for i, ks in enumerate(keys):
        for k in ks:
            if 2 <= df[k] <= config.df_cap:
                index[k].append(i)
    seen: set[tuple[int, int]] = set()
    for i, ks in enumerate(keys):
        usable = sorted((k for k in ks if 2 <= df[k] <= config.df_cap), key=lambda k: (df[k], k))
        src = feats[i].source
        for k in usable[: config.probe_keys]:
            for j in index[k]:
                if j == i or feats[j].source == src:
                    continue
                pair = (i, j) if i < j else (j, i)
                if pair not in seen:
                    seen.add(pair)
                    yield pair


def _weekday(iso: str) -> str:
    try:
        return _date.fromisoformat(iso[:10]).strftime("%A")
    except ValueError:
        return ""


def _topic(a: Features, b: Features, row_a: AssertionRow) -> str:
    """The shared wording, in the order ``a`` says it: names what the disagreement is about."""
    shared = a.stems & b.stems
    words, seen = [], set()
    for w in row_a.selector.exact.replace("\n", " ").split():
        core = w.strip(".,;:!?\"'“”()")
        if not core:
            continue
        s = content_stems(core)
        if s and s[0] in shared and s[0] not in seen:
            seen.add(s[0])
            words.append(core)
    return " ".join(words[:6]) or "the same statement"


def _source_name(cat: Catalog, source_id: str) -> str:
    s = cat.sources.get(source_id)
    if s is None:
        return source_id
    name = s.outlet or (f'"{s.title}"' if s.title else None)
    return f"{name} ({source_id})" if name else source_id


def conflicts_between(
    fa: Features, fb: Features, ra: AssertionRow, rb: AssertionRow, cat: Catalog, lex: float = 1.0, strong: float = 0.0
) -> list[Conflict]:
    """The ways two statements about the same thing disagree, explained from their values."""
    out: list[Conflict] = []
    na, nb = _source_name(cat, ra.source_id), _source_name(cat, rb.source_id)
    date_differs = bool(fa.dates and fb.dates and not (fa.dates & fb.dates))
    nums = _num_conflicts(fa, fb)
    negation = fa.negated != fb.negated and lex >= strong
    if not (date_differs or nums or negation):
        return out
    topic = _topic(fa, fb, ra)
    if date_differs:
        da = sorted(fa.dates)[0]
        db = sorted(fb.dates)[0]
        ta = dict(fa.dates_text).get(da, da)
        tb = dict(fb.dates_text).get(db, db)
        out.append(
            Conflict(
                a=ra.assertion_id, b=rb.assertion_id, field="date",
                explanation=(
                    f'date of "{topic}": {da} ({_weekday(da)}, "{ta}") in {na} '
                    f'vs {db} ({_weekday(db)}, "{tb}") in {nb}'
                ),
            )
        )
    for x, y in nums:
        field = "qualifier" if x.value == y.value else "quantity"
        out.append(
            Conflict(
                a=ra.assertion_id, b=rb.assertion_id, field=field,
                explanation=f'{x.unit} in "{topic}": "{x.text}" ({x.value:g}) in {na} vs "{y.text}" ({y.value:g}) in {nb}',
            )
        )
    if negation:
        neg, pos = (ra, rb) if fa.negated else (rb, ra)
        out.append(
            Conflict(
                a=ra.assertion_id, b=rb.assertion_id, field="negation",
                explanation=(
                    f'"{topic}" is negated in {_source_name(cat, neg.source_id)} ("{neg.modality_cue or "not"}") '
                    f"but asserted in {_source_name(cat, pos.source_id)}"
                ),
            )
        )
    return out


def cluster(rows: list[AssertionRow], cat: Catalog, config: ClaimsConfig = DEFAULT_CONFIG) -> list[Claim]:
    """Claims from current assertion rows (statements, plus anything an analyst linked)."""
    feats = [features(i, r) for i, r in enumerate(rows)]
    position = {r.assertion_id: i for i, r in enumerate(rows)}
    scorer = _Scorer(feats, config)
    scored: list[tuple[float, int, int, bool]] = []
    best = [0.0] * len(rows)
    for i, j in candidate_pairs(feats, config):
        score, evidence, happening = scorer.score(feats[i], feats[j])
        if evidence < config.min_shared or (score < config.weak and not happening):
            continue
        scored.append((score, i, j, happening))
        best[i] = max(best[i], score)
        best[j] = max(best[j], score)
    # Strong pairs link; weaker ones only when each is the other's (or one's) best match across
    # sources, which keeps a common topic from chaining every statement into one claim.
    edges = [e for e in scored if e[0] >= config.strong or e[3] or e[0] >= best[e[1]] or e[0] >= best[e[2]]]
    unlinked: dict[int, set[int]] = defaultdict(set)
    analyst: list[tuple[int, int]] = []
    for d in sorted(cat.pairs.values(), key=lambda d: d.recorded.seq):
        if d.a not in position or d.b not in position:
            continue
        i, j = position[d.a], position[d.b]
        if d.linked:
            analyst.append((i, j))
        else:
            unlinked[i].add(j)
            unlinked[j].add(i)
    uf = _UnionFind(len(rows))
    members_of: dict[int, set[int]] = {}  # root -> members, only for roots with unlink constraints

    def blocked(ra: int, rb: int) -> bool:
        if not unlinked:
            return False
        ma = members_of.get(ra, {ra})
        mb = members_of.get(rb, {rb})
        return any(uf.find(y) == rb for x in ma for y in unlinked.get(x, ())) or any(
            uf.find(y) == ra for x in mb for y in unlinked.get(x, ())
        )

    def join(i: int, j: int) -> bool:
        ra, rb = uf.find(i), uf.find(j)
        if ra == rb:
            return True
        if blocked(ra, rb):
            return False
        ma, mb = members_of.pop(ra, {ra}), members_of.pop(rb, {rb})
        root = uf.union(i, j)
        if unlinked:
            members_of[root] = ma | mb
        return True

    links: list[tuple[int, int, str]] = []
    for i, j in analyst:
        if join(i, j):
            links.append((i, j, "analyst"))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    for score, i, j, _happening in edges:
        if j in unlinked.get(i, ()):
            continue
        ra, rb = uf.find(i), uf.find(j)
        if ra != rb and uf.size[ra] + uf.size[rb] > config.max_members:
            continue
        if ra == rb:
            links.append((i, j, "auto"))
        elif join(i, j):
            links.append((i, j, "auto"))
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        groups[uf.find(i)].append(i)
    links_by_root: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for i, j, how in links:
        links_by_root[uf.find(i)].append((i, j, how))
    claims = []
    for root, idx in groups.items():
        members = sorted(idx, key=lambda k: (rows[k].source_id, rows[k].selector.start, rows[k].assertion_id))
        claims.append(_claim(members, rows, feats, scorer, links_by_root[root], cat, config))
    claims.sort(key=lambda c: (len(c.sources) < 2, -len(c.sources), min(m.recorded.seq for m in c.members)))
    return claims


def _claim(members, rows, feats, scorer, links, cat: Catalog, config: ClaimsConfig) -> Claim:
    mrows = tuple(rows[k] for k in members)
    sources = tuple(dict.fromkeys(r.source_id for r in mrows))
    conflicts: list[Conflict] = []
    seen: set[tuple[int, int]] = set()
    for i, j, _how in links:  # only direct links: two statements said to be about the same thing
        if rows[i].source_id == rows[j].source_id or (i, j) in seen:
            continue
        seen.add((i, j))
        lex, _n = scorer.lexical(feats[i], feats[j])
        conflicts.extend(conflicts_between(feats[i], feats[j], rows[i], rows[j], cat, lex, config.strong))
    anchor = min(r.assertion_id for r in mrows)
    cid = claim_id_for(anchor)
    verdict: Verdict | None = None
    for r in mrows:
        v = cat.verdicts.get(claim_id_for(r.assertion_id))
        if v is not None and (verdict is None or v.recorded.seq > verdict.recorded.seq):
            verdict = v
    status = "conflict" if conflicts else ("corroborated" if len(sources) > 1 else "single")
    label = max((r.selector.exact for r in mrows), key=len)
    return Claim(
        claim_id=cid, label=label, members=mrows, sources=sources, status=status, conflicts=tuple(conflicts),
        links=tuple((rows[i].assertion_id, rows[j].assertion_id, how) for i, j, how in links), verdict=verdict,
    )


def build_claims(
    store: LogStore, as_of: int | None = None, *, cache: bool = True, config: ClaimsConfig = DEFAULT_CONFIG
) -> list[Claim]:
    """Claims as of ``as_of``: multi-source claims first, then single-source statements."""
    cat = _catalog(store, as_of, cache=cache)
    linked = {d.a for d in cat.pairs.values() if d.linked} | {d.b for d in cat.pairs.values() if d.linked}
    rows = [r for r in current_assertions(store, cat, as_of) if r.kind == "statement" or r.assertion_id in linked]
    return cluster(rows, cat, config)
