"""The default extractor, ``rules``: deterministic, offline, pure Python and regexes.

It is a plugin like any other, registered through ``register_extractors``; a better
extractor (spaCy, an LLM) can replace it by registering under another name.

Pipeline, all on exact offsets into the text it was given:

1. lines (:mod:`.segment`), then the kind of each line (:mod:`.kinds`): headline,
   credit, caption, boilerplate or prose. Nothing is dropped: every non-space character
   of the text lies in some recorded span, except the joints between split clauses.
2. prose -> sentences (:func:`.segment.sentences`) -> clauses.
3. **Clause policy.** An assertion is a sentence. A sentence is split into clause-level
   assertions at ``, and`` / ``, but`` / ``, as`` / ``, while`` / ``;`` (outside
   quotations) only when the part after the joint has its own subject and verb AND the
   two parts differ in attribution (``X happened, but Y said Wednesday that Z``) or in
   hedging. A compound sentence in one voice stays one assertion, with all its values
   and entities, so a reader's quote of the whole sentence is found whole. Split parts
   are trimmed of the joint (punctuation, conjunction, spaces); an assertion never
   crosses a sentence boundary.
4. per clause: attribution (:mod:`.speakers`), modality (:mod:`.modality`), values
   (:mod:`.values`), entities (:mod:`.entities`).
5. speakers resolved in document order: pronouns (``He added``) to the last speaker;
   short names (``Brooks``) to the fullest form seen so far; sentences of one quotation
   share its speaker, and a quote-only sentence right after an attributed quote in the
   same paragraph continues it.
"""

from __future__ import annotations

import bisect
import re

import attrs

from ... import hookimpl
from .. import Extracted, ExtractorSpec, SourceInfo
from . import entities as _entities
from . import kinds as _kinds
from . import modality as _modality
from . import segment as _segment
from . import speakers as _speakers
from . import values as _values

NAME = "rules"
VERSION = "1.1.0"

IRREGULAR_VERBS = frozenset(
    """rose fell went came took gave made said told got saw ran won lost left hit shot held kept met
    paid put set sent spent stood brought bought built caught fought found heard knew led meant sold
    thought wrote began broke chose drove flew grew threw became struck fled sank swam stole hid
    remain remains rise rise face say know think want need plan hope expect fear""".split()
)
SUBJ_VERB_RE = re.compile(
    r"^(?:(?:then|also|still|now|so|yet|in fact|however),?\s+)?"
    r"(?:he|she|it|they|we|i|there|this|these|those|you"
    r"|[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*"
    r"|(?:the|a|an|his|her|their|its|our|my|some|most|many|both|all|no|each|other|several|few|one|two|three)"
    r"(?:\s+[\w'’-]+){1,4}?)"
    r"\s+(?:[a-z]+ly\s+)?(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|shall"
    r"|do|does|did|[a-z]+ed|[a-z]+s|'s|’s|" + "|".join(sorted(IRREGULAR_VERBS)) + r")\b",
)


class _Unit:
    """One span to record, with what was found in it before speaker resolution."""

    __slots__ = (
        "start", "end", "kind", "para", "sent", "attr", "modality", "mcue", "quote_start",
        "has_quote", "speaker", "cue", "ments", "dateline",
    )

    def __init__(self, start, end, kind, para=-1, sent=-1):
        self.start, self.end, self.kind, self.para, self.sent = start, end, kind, para, sent
        self.attr = None
        self.modality, self.mcue = "asserted", None
        self.quote_start = False
        self.has_quote = False
        self.speaker = None
        self.cue = None
        self.ments = ()
        self.dateline = False


def _differs(a: _speakers.Attribution | None, b: _speakers.Attribution | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return a.speaker.lower() != b.speaker.lower()


def _clauses(sent: str, msent: str, attribution) -> list[tuple[int, int]]:
    """Clause spans (relative to ``sent``) by the clause policy in the module docstring.

    ``attribution(clause, masked)`` is :func:`.speakers.find_attribution`, memoised per article.
    """
    joints = list(_segment.JOINT_RE.finditer(msent))
    if not joints:
        return [(0, len(sent))]
    out = []
    cur = 0
    for i, j in enumerate(joints):
        r_end = joints[i + 1].start() if i + 1 < len(joints) else len(sent)
        left, mleft = sent[cur : j.start()], msent[cur : j.start()]
        right, mright = sent[j.end() : r_end], msent[j.end() : r_end]
        if not left.strip() or not right.strip():
            continue
        a_right = attribution(right, mright)
        split = False
        if a_right is not None and a_right.np_start <= 12 and a_right.verb_start > a_right.np_start:
            split = _differs(attribution(left, mleft), a_right)
        if not split and SUBJ_VERB_RE.match(mright):
            split = _modality.is_hedged(left, mleft) != _modality.is_hedged(right, mright)
        if split:
            out.append((cur, j.start()))
            cur = j.end()
    out.append((cur, len(sent)))
    return out


def _normalise_title(title: str | None) -> str | None:
    return _kinds.norm(title) if title else None


def extract(text: str, info: SourceInfo) -> list[Extracted]:
    """Assertions of every kind in ``text``, in document order (see the module docstring)."""
    published = _values.parse_published(info.published)
    title = _normalise_title(info.title)
    headline = None
    units: list[_Unit] = []
    groups: list[list[int]] = []  # indices of units that share one quotation
    first = True
    para = 0
    sent_no = 0
    memo: dict[tuple[str, str], _speakers.Attribution | None] = {}

    def attribution(c: str, m: str):
        key = (c, m)
        if key not in memo:
            memo[key] = _speakers.find_attribution(c, m)
        return memo[key]

    after_byline = False
    for ls, le in _segment.lines(text):
        parts = _kinds.classify_line(text, ls, le, first, title, headline, after_byline)
        after_byline = len(parts) == 1 and parts[0][2] == "boilerplate" and _kinds.is_byline(text[ls:le])
        if first:
            first = False
            for s, e, k in parts:
                if k == "headline":
                    headline = _kinds.norm(text[s:e])
        para += 1
        for s, e, kind in parts:
            if kind != "prose":
                units.append(_Unit(s, e, kind, para))
                continue
            part = text[s:e]
            qspans = _segment.quote_spans(part)
            masked = _segment.mask_quotes(part, qspans)
            sents = _segment.sentences(text, s, e)
            part_first_unit = len(units)
            for si, (ss, se) in enumerate(sents):
                sent_no += 1
                sent = text[ss:se]
                if _kinds.is_prompt(sent):
                    units.append(_Unit(ss, se, "boilerplate", para, sent_no))
                    continue
                if si == 0:
                    d = _kinds.dateline(sent)
                    if d and d < len(sent):
                        head = sent[:d].rstrip()
                        units.append(_Unit(ss, ss + len(head), "credit", para, sent_no))
                        units[-1].dateline = True
                        ss += d
                        sent = text[ss:se]
                msent = masked[ss - s : se - s]
                for cs, ce in _clauses(sent, msent, attribution):
                    c_text = sent[cs:ce]
                    m_text = msent[cs:ce]
                    # trim the joint and spaces so each clause is a clean quote
                    lead = len(c_text) - len(c_text.lstrip())
                    tail = _segment.TRIM_RE.search(c_text) if ce < len(sent) else None
                    c_end = tail.start() if tail else len(c_text.rstrip())
                    if c_end <= lead:
                        continue
                    u = _Unit(ss + cs + lead, ss + cs + c_end, "statement", para, sent_no)
                    c_text, m_text = c_text[lead:c_end], m_text[lead:c_end]
                    u.attr = attribution(c_text, m_text)
                    u.modality, u.mcue = _modality.modality(c_text, m_text)
                    u.quote_start = m_text[:1] in "\"“"  # single quotes are masked as "
                    u.has_quote = "\x00" in m_text or u.quote_start
                    units.append(u)
            # sentences sharing one quotation share its speaker
            for qa, qb in qspans:
                members = [
                    i for i in range(part_first_unit, len(units)) if units[i].kind == "statement"
                    and units[i].start < s + qb and s + qa < units[i].end
                ]
                if len({units[i].sent for i in members}) > 1:
                    groups.append(members)
    _resolve_speakers(text, units, groups)
    return _build(text, units, published)


def _resolve_speakers(text: str, units: list[_Unit], groups: list[list[int]]) -> None:
    for members in groups:
        attrs = [units[i].attr for i in members if units[i].attr is not None]
        if attrs:
            for i in members:
                if units[i].attr is None:
                    units[i].attr = attrs[0]
    names = _speakers.Names()
    named = [u for u in units if u.kind in ("statement", "caption", "credit")]
    mentions = _entities.find_mentions(text, [(u.start, u.end) for u in named])
    for u, ments in zip(named, mentions):
        u.ments = tuple(ments)
    statements = [u for u in units if u.kind == "statement"]
    person_like: dict[str, bool] = {}  # speaker -> not typed org or place by its words
    last = None
    last_person = None
    prev = None
    for u in statements:
        for mn in u.ments:
            if mn.type == "person":
                names.add(mn.entity)
        a = u.attr
        if a is not None:
            u.cue = a.cue
            if a.form == "pronoun":
                u.speaker = (last_person or last) if a.speaker in ("he", "she") else last
            elif a.form == "name":
                u.speaker = names.resolve(a.speaker)
                names.add(u.speaker)
            else:
                u.speaker = a.speaker
            if u.speaker is not None:
                last = u.speaker
                if a.form != "desc":
                    sp = u.speaker
                    ok = person_like.get(sp)
                    if ok is None:
                        toks = sp.split()
                        ok = person_like[sp] = len(toks) >= 2 and _entities._kind(toks, False) not in ("org", "place")
                    if ok:
                        last_person = sp
        elif (
            u.quote_start and prev is not None and prev.para == u.para and prev.speaker is not None
            and prev.has_quote
        ):
            u.speaker, u.cue = prev.speaker, prev.cue
        prev = u
    _retype(named, {sp for sp, ok in person_like.items() if ok and not any(_entities._is_acronym(t) for t in sp.split())})


def _retype(named: list[_Unit], people: set[str]) -> None:
    """Mentions the words alone left ``other`` become ``person`` when that name spoke
    (``said Jorge Pérez, 54``), and a dateline's capitals (``VALDIVIA, Chile (AP)``) a place."""
    for u in named:
        if not u.ments:
            continue
        ments = list(u.ments)
        changed = False
        for i, mn in enumerate(ments):
            if mn.type == "other" and mn.entity in people:
                ments[i] = attrs.evolve(mn, type="person")
                changed = True
        if u.dateline and ments[0].type != "place" and ments[0].text.isupper():
            ments[0] = attrs.evolve(ments[0], type="place")
            changed = True
        if changed:
            u.ments = tuple(ments)


def _build(text: str, units: list[_Unit], published) -> list[Extracted]:
    vals = _values.find_values(text, published)
    starts = [v.start for v in vals]
    n = len(vals)
    out = []
    for u in units:
        i = bisect.bisect_left(starts, u.start)
        vs = []
        while i < n and vals[i].start < u.end:
            if vals[i].end <= u.end:
                vs.append(vals[i])
            i += 1
        # positional, in Extracted's field order: kind start end speaker speaker_cue
        # modality modality_cue values entities
        out.append(Extracted(u.kind, u.start, u.end, u.speaker, u.cue, u.modality, u.mcue, tuple(vs), u.ments))
    return out


SPEC = ExtractorSpec(
    name=NAME,
    version=VERSION,
    extract=extract,
    description="Rule-based sentence/clause extractor (offline, deterministic): kinds, speakers, hedges, values, entities",
)


@hookimpl
def register_extractors(register):
    register(SPEC)
