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
3. **Scoring.** IDF-weighted overlap of tokens (mixing the overlap coefficient and the
   cosine so a short statement can match a long one), with each source pair's *topic*
   discounted: tokens the two sources repeat across their statements tell none of them
   apart. An edge needs strong evidence (a shared specific value, or rare shared words), two
   specific shared tokens (or one value), and a score past ``weak`` -- or past ``floor`` as
   one side's best match that shares the action (an inflected verb) or a value. A pair that
   shares a name and content but disagrees on a date or number of the same kind is an edge
   too: a *conflict*.
4. **Clustering.** Analyst links first, then automatic edges strongest first; a merge must
   leave every member linked to at least half of its other-source co-members, two grown
   claims join only through a strong edge and never into a claim holding a conflict, no
   analyst-unlinked pair may end up together, and no claim grows past ``max_members``. So a
   shared topic cannot chain statements of different facts into one claim.
5. **Conflicts** are checked on every direct cross-source link inside a claim: different
   dates for the same happening, different numbers of the same unit (qualifiers read as
   intervals: ``more than 30,000`` and ``about 30,000`` agree), one side negated.

Claim ids: ``cl-`` + the hex of the claim's smallest member id (its *anchor*), so an id
survives unrelated appends and maps back to an assertion; a verdict given on a claim id
follows its anchor assertion into whatever claim holds it later.
"""

from __future__ import annotations

import gc
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date as _date

from attrs import frozen

from ..log import LogStore
from .catalog import Catalog
from .records import AssertionRow, Claim, Conflict, Verdict
from .text import STOPWORDS, content_stems, name_keys, number_keys, stem, verb_stems
from .views import catalog as _catalog
from .views import current_assertions


@frozen
class ClaimsConfig:
    """Matching knobs. General rules only; the thresholds were set by reading score spreads on
    the shared corpus and hand-written articles, so treat them as tuned, not derived."""

    strong: float = 0.45
    weak: float = 0.25
    floor: float = 0.2
    conflict_threshold: float = 0.2
    min_shared: int = 2
    df_cap: int = 60
    probe_keys: int = 8
    max_members: int = 12
    value_weight: float = 1.5
    topic_share: float = 0.5
    min_evidence: float = 0.8
    quorum: float = 0.5


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
    verbs: frozenset[str] = frozenset()


_NUMERIC = ("quantity", "ordinal", "percent", "age")
_NUM_PREFIX = {"quantity": "n:", "ordinal": "o:", "percent": "p:", "age": "a:"}
_VALUE_PREFIXES = ("d:", "n:", "o:", "p:", "a:")


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
    spans = []
    for v in row.values:
        if not (lo <= v.start - base and v.end - base <= hi):
            continue  # said *Wednesday*: when it was told, not when it happened
        spans.append((v.start - base - lo, v.end - base - lo))
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
            names.add(m.entity.lower().rstrip("."))
    # A one-word name is already a stem (``Suwon``/``suwon``); counting it twice would make
    # every capitalised word double evidence.
    tokens = set(stems)
    tokens.update("e:" + n for n in names if " " in n or stem(n) not in stems)
    tokens.update("d:" + d for d in dates)
    tokens.update(f"{_NUM_PREFIX[n.type]}{n.value:g}" for n in nums)  # "third" is not "three"
    tokens.update("n:" + k for k in number_keys(text, tuple(spans)))
    return Features(
        index=i, source=row.source_id, stems=stems, tokens=frozenset(tokens), dates=frozenset(dates), dates_text=tuple(dates_text),
        nums=tuple(nums), names=frozenset(names), negated=row.modality == "negated",
        verbs=frozenset(verb_stems(text)) & stems,
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
    """IDF-weighted token overlap, with the topic of the two sources discounted.

    Values weigh more than words (they are what facts hinge on). A token that most statements
    of *both* sources carry (``north``, ``korean`` in two articles on one North Korean story)
    names the shared topic, not a fact: it tells none of their statements apart, so for a pair
    from sources S and T its weight shrinks with its share of the statements of S and T
    (repeats only: a one-statement source discounts nothing). Corpus-wide IDF alone cannot do
    this: in a ledger of many stories, a story's topic words are rare.
    """

    def __init__(self, feats: list[Features], config: ClaimsConfig) -> None:
        self.feats = feats
        self.config = config
        df: dict[str, int] = defaultdict(int)
        self.n_src: dict[str, int] = defaultdict(int)
        df_src: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for f in feats:
            self.n_src[f.source] += 1
            d = df_src[f.source]
            for t in f.tokens:
                df[t] += 1
                d[t] += 1
        # Only tokens a source repeats can be its topic; keep just those (memory ~ repeats).
        self.rep: dict[str, dict[str, int]] = {s: {t: c - 1 for t, c in d.items() if c > 1} for s, d in df_src.items()}
        n = max(len(feats), 2)
        vw = config.value_weight
        self.idf = {
            t: math.log((n + 1) / (c + 0.5)) * (vw if t[:2] in _VALUE_PREFIXES else 1.0) for t, c in df.items()
        }
        self.idf_max = math.log((n + 1) / 1.5)
        # math.fsum is exactly rounded, so no sum here depends on set iteration order (which
        # follows PYTHONHASHSEED): the same log always gives the same scores, ties and claims.
        self.weight = [math.fsum([self.idf[t] for t in f.tokens]) for f in feats]

    def _repeats(self, a: Features, b: Features) -> dict[str, int]:
        """Tokens of ``a`` or ``b`` that their sources repeat, with the number of repeats."""
        rs, ru = self.rep.get(a.source) or {}, self.rep.get(b.source) or {}
        if not rs and not ru:
            return {}
        ta, tb = a.tokens, b.tokens
        out: dict[str, int] = {}
        if len(rs) + len(ru) < len(ta) + len(tb):  # walk whichever side is shorter
            for r in (rs, ru):
                for t, c in r.items():
                    if t in ta or t in tb:
                        out[t] = out.get(t, 0) + c
        else:
            for t in ta | tb:
                c = rs.get(t, 0) + ru.get(t, 0)
                if c:
                    out[t] = c
        return out

    def lexical(self, a: Features, b: Features) -> tuple[float, float, int, bool]:
        """(similarity in [0, 1], shared weight, shared tokens not mostly topic, a value shared).

        The value must be specific to the pair too: a number every statement of both sources
        repeats is the topic, not a fact they agree on.
        """
        shared = a.tokens & b.tokens
        if not shared:
            return 0.0, 0.0, 0, False
        idf = self.idf
        reps = self._repeats(a, b)
        wa, wb = self.weight[a.index], self.weight[b.index]
        factor: dict[str, float] = {}
        if reps:
            span = (self.n_src[a.source] + self.n_src[b.source]) * self.config.topic_share
            lost_a, lost_b = [wa], [wb]
            for t, r in reps.items():
                f = max(0.0, 1.0 - r / span)
                factor[t] = f
                lost = idf[t] * (1.0 - f)
                if t in a.tokens:
                    lost_a.append(-lost)
                if t in b.tokens:
                    lost_b.append(-lost)
            wa, wb = math.fsum(lost_a), math.fsum(lost_b)
        wa, wb = max(wa, 1e-9), max(wb, 1e-9)
        parts = []
        n = 0
        value = False
        for t in shared:
            f = factor.get(t, 1.0)
            parts.append(idf[t] * f)
            if f >= 0.5 and idf[t] > 0:
                n += 1
                if t[:2] in _VALUE_PREFIXES:
                    value = True
        w = math.fsum(parts)
        return 0.5 * w / min(wa, wb) + 0.5 * w / math.sqrt(wa * wb), w, n, value

    def score(self, a: Features, b: Features) -> tuple[float, int, bool, bool, bool]:
        """(score, specific shared tokens, strong evidence, a value shared, same happening told
        with a different value).

        Strong evidence is a shared specific value, or shared words together at least
        ``min_evidence`` times as informative as a word seen once among these statements.
        """
        lex, w, n_shared, value = self.lexical(a, b)
        strong = value or w >= self.config.min_evidence * self.idf_max
        differs = bool(a.dates and b.dates and not (a.dates & b.dates)) or bool(_num_conflicts(a, b))
        happening = differs and bool(a.names & b.names) and n_shared >= 3 and lex >= self.config.conflict_threshold
        return lex, n_shared, strong, value, happening


def _num_conflicts(a: Features, b: Features) -> list[tuple[Num, Num]]:
    out = []
    for x in a.nums:
        if x.unit is None:
            continue
        same_unit = [y for y in b.nums if y.unit == x.unit and y.type == x.type]
        if same_unit and not any(_overlaps(x, y) for y in same_unit):
            out.append((x, same_unit[0]))
    return out


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


_PIECE = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\S")


def _topic(a: Features, b: Features, row_a: AssertionRow) -> str:
    """What two statements disagree about: the longest run of words ``a`` shares with ``b``.

    A run is read in ``a``'s wording and order (``United Nations Command released video``);
    stop words may sit inside it, while a content word the other side lacks, a number or
    punctuation ends it. Without a run of two shared words, the shared words in order.
    """
    shared = a.stems & b.stems
    lo, hi = content_region(row_a)
    pieces = _PIECE.findall(row_a.selector.exact[lo:hi].replace("\n", " "))
    best: list[str] = []
    run: list[str] = []
    hits = best_hits = 0

    def close() -> None:
        nonlocal best, best_hits
        while run and run[-1].lower() in STOPWORDS:
            run.pop()
        if hits > best_hits:
            best, best_hits = list(run), hits

    for w in pieces:
        lw = w.lower()
        if w[0].isalpha() and lw in STOPWORDS:
            if run:
                run.append(w)
            continue
        stems = content_stems(w) if w[0].isalpha() else []
        if stems and stems[0] in shared:
            run.append(w)
            hits += 1
            continue
        close()
        run, hits = [], 0
    close()
    if best_hits >= 2:
        return " ".join(best)
    words, seen = [], set()
    for w in pieces:
        st = content_stems(w) if w[0].isalpha() else []
        if st and st[0] in shared and st[0] not in seen:
            seen.add(st[0])
            words.append(w)
    return " ".join(words[:6]) or "the same statement"


def _day(iso: str, text: str) -> str:
    """``2017-11-22 (Wednesday)``; the words too when they are not just the weekday (``Nov. 13``)."""
    wd = _weekday(iso)
    if not wd:
        return f'{iso} ("{text}")' if text and text != iso else iso
    return f"{iso} ({wd})" if text.strip().lower() in (wd.lower(), "") else f'{iso} ({wd}, "{text}")'


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
                explanation=f'{"day" if len(da) == 10 else "date"} "{topic}": {_day(da, ta)} in {na} vs {_day(db, tb)} in {nb}',
            )
        )
    for x, y in nums:
        field = "qualifier" if x.value == y.value else "quantity"
        out.append(
            Conflict(
                a=ra.assertion_id, b=rb.assertion_id, field=field,
                explanation=f'number "{topic}": "{x.text}" ({x.value:g}) in {na} vs "{y.text}" ({y.value:g}) in {nb}',
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


class _Clusters:
    """Claims grown by merging, where every member keeps most of its other-source company.

    Plain union-find chains: A~B and B~C put A with C although they share nothing but a
    topic. Here a merge is allowed only when afterwards every member is linked (by an
    accepted edge or an analyst) to at least ``quorum`` of the claim's members from other
    sources, and no analyst-unlinked pair ends up together. Checking a merge costs the product
    of the two sizes, and automatic merges never pass ``max_members``, so the work per edge is
    bounded.
    """

    def __init__(self, sources: list[str], linked: set[tuple[int, int]], unlinked: dict[int, set[int]], quorum: float):
        n = len(sources)
        self.sources = sources
        self.linked = linked
        self.unlinked = unlinked
        self.quorum = quorum
        self.root = list(range(n))
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}
        self.n_linked = [0] * n  # other-source co-members linked to i
        self.n_other = [0] * n  # other-source co-members of i
        self.disputed: set[int] = set()  # roots of claims holding a conflict link

    def _plan(self, ra: int, rb: int, check_quorum: bool) -> dict[int, tuple[int, int]] | None:
        add: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        src, linked, unlinked = self.sources, self.linked, self.unlinked
        for x in self.members[ra]:
            ux = unlinked.get(x)
            for y in self.members[rb]:
                if ux and y in ux:
                    return None
                if src[x] == src[y]:
                    continue
                ax, ay = add[x], add[y]
                ax[1] += 1
                ay[1] += 1
                if ((x, y) if x < y else (y, x)) in linked:
                    ax[0] += 1
                    ay[0] += 1
        if check_quorum:
            for x, (dl, do) in add.items():
                if self.n_linked[x] + dl < self.quorum * (self.n_other[x] + do):
                    return None
        return {x: (dl, do) for x, (dl, do) in add.items()}

    def merge(
        self, i: int, j: int, *, check_quorum: bool = True, max_members: int | None = None, bridge: bool = True,
        conflict: bool = False,
    ) -> bool:
        """Join the claims of ``i`` and ``j`` if the rules allow; True if they end up together.

        Joining two claims that both already hold 2+ statements takes a ``bridge`` (a link with
        strong evidence), and neither may hold a conflict yet: a conflict must stay about one
        fact, or a reader cannot tell which fact is disputed. A lone statement may still join a
        disputed claim (a third source giving one of the two values). ``conflict`` marks the
        link as a disagreement on a value.
        """
        ra, rb = self.root[i], self.root[j]
        if ra == rb:
            if conflict:
                self.disputed.add(ra)
            return True
        if len(self.members[ra]) > 1 and len(self.members[rb]) > 1:
            if not bridge or ra in self.disputed or rb in self.disputed:
                return False
        if max_members is not None and len(self.members[ra]) + len(self.members[rb]) > max_members:
            return False
        plan = self._plan(ra, rb, check_quorum)
        if plan is None:
            return False
        for x, (dl, do) in plan.items():
            self.n_linked[x] += dl
            self.n_other[x] += do
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        moved = self.members.pop(rb)
        if rb in self.disputed or conflict:
            self.disputed.discard(rb)
            self.disputed.add(ra)
        for x in moved:
            self.root[x] = ra
        self.members[ra].extend(moved)
        return True


def cluster(rows: list[AssertionRow], cat: Catalog, config: ClaimsConfig = DEFAULT_CONFIG) -> list[Claim]:
    """Claims from current assertion rows (statements, plus anything an analyst linked)."""
    feats = [features(i, r) for i, r in enumerate(rows)]
    position = {r.assertion_id: i for i, r in enumerate(rows)}
    scorer = _Scorer(feats, config)
    scored: list[tuple[float, int, int, bool, bool]] = []  # (score, i, j, may join two claims, conflict)
    best = [0.0] * len(rows)
    min_shared = config.min_shared
    for i, j in candidate_pairs(feats, config):
        fi, fj = feats[i], feats[j]
        shared = fi.tokens & fj.tokens
        if len(shared) < min_shared and not any(t[:2] in _VALUE_PREFIXES for t in shared):
            continue  # the checks below would reject it (too few shared tokens, no value): skip the scoring
        score, specific, strong, value, happening = scorer.score(fi, fj)
        if not (strong or happening) or (score < config.floor and not happening):
            continue
        if specific < config.min_shared and not (value and score >= config.weak):
            continue  # one shared word is no evidence; one shared value (320 people / 320 staff) is
        if score < config.weak and not (value or happening or fi.verbs & fj.stems or fj.verbs & fi.stems):
            continue  # a weak link must at least share the action (crossed / cross), not only nouns
        scored.append((score, i, j, happening or score >= config.strong or value, happening))
        best[i] = max(best[i], score)
        best[j] = max(best[j], score)
    # Below ``weak`` a pair links only as the best cross-source match of one of the two: the
    # closest counterpart a statement has, when it has evidence, is likelier the same fact.
    edges = [e for e in scored if e[0] >= config.weak or e[4] or e[0] >= best[e[1]] or e[0] >= best[e[2]]]
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
    linked = {(min(i, j), max(i, j)) for _s, i, j, _b, _c in edges if j not in unlinked.get(i, ())}
    linked.update((min(i, j), max(i, j)) for i, j in analyst)
    groups = _Clusters([f.source for f in feats], linked, unlinked, config.quorum)
    links: list[tuple[int, int, str]] = []
    lex: dict[tuple[int, int], float] = {}  # score of each automatic link, so claims do not score it again
    for i, j in analyst:  # an analyst link always joins, unless it would join an unlinked pair
        if groups.merge(i, j, check_quorum=False):
            links.append((i, j, "analyst"))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    for _score, i, j, bridges, conflict in edges:
        if j in unlinked.get(i, ()):
            continue
        if groups.merge(i, j, max_members=config.max_members, bridge=bridges, conflict=conflict):
            links.append((i, j, "auto"))
            lex.setdefault((i, j), _score)
    links_by_root: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for i, j, how in links:
        links_by_root[groups.root[i]].append((i, j, how))
    claims = []
    for root, idx in groups.members.items():
        members = sorted(idx, key=lambda k: (rows[k].source_id, rows[k].selector.start, rows[k].assertion_id))
        claims.append(_claim(members, rows, feats, scorer, links_by_root[root], cat, config, lex))
    claims.sort(key=lambda c: (len(c.sources) < 2, -len(c.sources), min(m.recorded.seq for m in c.members)))
    return claims


def _claim(members, rows, feats, scorer, links, cat: Catalog, config: ClaimsConfig, lex: dict | None = None) -> Claim:
    mrows = tuple(rows[k] for k in members)
    sources = tuple(dict.fromkeys(r.source_id for r in mrows))
    conflicts: list[Conflict] = []
    seen: set[tuple[int, int]] = set()
    for i, j, _how in links:  # only direct links: two statements said to be about the same thing
        if rows[i].source_id == rows[j].source_id or (i, j) in seen:
            continue
        seen.add((i, j))
        sim = (lex or {}).get((i, j))
        if sim is None:
            sim = scorer.lexical(feats[i], feats[j])[0]
        conflicts.extend(conflicts_between(feats[i], feats[j], rows[i], rows[j], cat, sim, config.strong))
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


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a view is built.

    The build allocates millions of small acyclic objects (features, tuples, sets) that all stay
    alive until it ends, so every collection finds nothing to free; but each full collection walks
    every live object, and the number of collections grows with the allocations: the collector's
    share of the time grew from ~10 % at 1,000 articles to ~13 % at 10,000 in the bench. Reference
    counting still frees everything; the collector resumes (if it was on) when the build ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_claims(
    store: LogStore, as_of: int | None = None, *, cache: bool = True, config: ClaimsConfig = DEFAULT_CONFIG
) -> list[Claim]:
    """Claims as of ``as_of``: multi-source claims first, then single-source statements."""
    with _no_cyclic_gc():
        cat = _catalog(store, as_of, cache=cache)
        linked = {d.a for d in cat.pairs.values() if d.linked} | {d.b for d in cat.pairs.values() if d.linked}
        rows = [r for r in current_assertions(store, cat, as_of) if r.kind == "statement" or r.assertion_id in linked]
        return cluster(rows, cat, config)
