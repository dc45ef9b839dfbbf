"""The rules extractor's pipeline (imported on the first ``extract``; see the package for why).

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
5. speakers resolved in document order by a speaker model (:class:`_Speakers`): each
   speaker has a class (person, group, org, doc); ``he/she`` go to the last person who
   spoke or was introduced as speaking, ``it`` and ``the unit``/``their statement`` to
   the last non-person speaker, ``they`` to the last group; short names (``Brooks``) to
   the fullest form seen so far; sentences of one quotation share its speaker, a
   quote-only sentence after an attributed one continues it, a pull quote takes the next
   paragraph's speaker. The mention resolved through is kept as the antecedent, and
   whether the words are quoted as the quotation mode.
"""

from __future__ import annotations

import bisect
import re

import attrs

from .. import Extracted, SourceInfo
from . import entities as _entities
from . import kinds as _kinds
from . import modality as _modality
from . import segment as _segment
from . import speakers as _speakers
from . import values as _values

from . import NAME, VERSION  # noqa: F401 - the package owns them: it registers without importing this module

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
        "has_quote", "speaker", "cue", "ments", "dateline", "intro", "quote_only", "sp_span",
        "antecedent", "mode", "cls", "inherit", "open_end",
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
        self.intro = None  # a person introduced as about to speak ("X spoke to reporters")
        self.quote_only = False  # the whole unit is one quotation
        self.sp_span = None  # where its own speaker phrase is, in the text
        self.antecedent = None  # span of the mention a pronoun or continuation resolved to
        self.mode = None  # "direct" (quoted) or "reported", when attributed
        self.cls = None  # person, group, org, doc or other
        self.inherit = None  # a clause with no attribution of its own takes this unit's
        self.open_end = False  # its paragraph ends inside a quotation left open


def _differs(a: _speakers.Attribution | None, b: _speakers.Attribution | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return a.speaker.lower() != b.speaker.lower()


AND_THAT_RE = re.compile(r"(?:and|but)\s+that\b")
"""Where one sentence may hold two clauses (read on masked text): ``, and`` / ``, but`` /
``, as`` / ``, while`` / ``;`` (as :data:`.segment.JOINT_RE`), and ``and that`` inside
reported speech (``X said A and that B``)."""
REL_RE = re.compile(r",\s+(?=(?:which|who|whose|where)\b)")
"""A non-restrictive relative clause: a hedge inside it governs only it."""


def _clauses(sent: str, msent: str, attribution) -> list[tuple[int, int, int | None]]:
    """Clause spans (relative to ``sent``) by the clause policy in the module docstring,
    each with the index of the earlier clause whose speaker it keeps (``None``: its own).

    ``attribution(clause, masked)`` is :func:`.speakers.find_attribution`, memoised per article.
    A right part starts at its conjunction (``but he confirmed``), so only the comma or
    semicolon of a joint is left outside the spans.
    """
    joints = [(j.start(), j.end(), j.group()) for j in _segment.JOINT_RE.finditer(msent)]
    if " and that" in msent or " but that" in msent:
        extra = [
            (a.start() - 1, a.end() - 4, " " + a.group()[:-4]) for a in AND_THAT_RE.finditer(msent)
            if a.start() and msent[a.start() - 1] == " " and msent[a.start() - 2 : a.start() - 1] not in (",", ";")
        ]
        if extra:
            joints = sorted(joints + extra)
    if not joints:
        return [(0, len(sent), None)] if ", wh" not in msent else _relative_split(sent, msent, [(0, len(sent), None)])
    out: list[tuple[int, int, int | None]] = []
    cur = 0
    inherit: int | None = None
    for i, (js, je, g) in enumerate(joints):
        conj_at = js + len(g) - len(g.lstrip(",; \t\n"))
        r_end = joints[i + 1][0] if i + 1 < len(joints) else len(sent)
        left, mleft = sent[cur:js], msent[cur:js]
        right, mright = sent[je:r_end], msent[je:r_end]
        if not left.strip() or not right.strip():
            continue
        split = False
        keep = None
        if g[0] == "," and mright.startswith("that "):
            g = " and "  # ", and that B" in reported speech: as "and that B"
        if g[0] in ",;":
            a_right = attribution(right, mright)
            if a_right is not None and a_right.np_start <= 12 and a_right.verb_start > a_right.np_start:
                split = _differs(attribution(left, mleft), a_right)
            if not split and SUBJ_VERB_RE.match(mright):
                split = _modality.is_hedged(left, mleft) != _modality.is_hedged(right, mright)
        elif _modality.is_hedged(left, mleft) != _modality.is_hedged(right, mright):
            split, keep = True, len(out)  # "X said A and that B": B is still X's
        if split:
            out.append((cur, conj_at, inherit))  # with the joint's comma: every character is recorded
            inherit = keep
            cur = conj_at
    out.append((cur, len(sent), inherit))
    return _relative_split(sent, msent, out)


def _relative_split(sent: str, msent: str, spans):
    """Split off a non-restrictive relative clause (``, which is believed to ...,``) when it
    is hedged and the rest of its clause is not; it and the clause's tail keep the clause's
    speaker."""
    if ", wh" not in msent:
        return spans
    out = []
    for cs, ce, inh in spans:
        r = REL_RE.search(msent, cs, ce)
        if r is None:
            out.append((cs, ce, inh))
            continue
        rs = r.end()
        comma = msent.find(",", rs, ce)
        re_ = comma if comma >= 0 else ce
        rel, mrel = sent[rs:re_], msent[rs:re_]
        rest = sent[cs : r.start()] + " " + sent[re_ + 1 : ce]
        mrest = msent[cs : r.start()] + " " + msent[re_ + 1 : ce]
        if not _modality.is_hedged(rel, mrel) or _modality.is_hedged(rest, mrest):
            out.append((cs, ce, inh))
            continue
        head = len(out)
        if comma >= 0:
            # "X, which is believed to ..., was Y": the clause up to the relative clause's
            # end (its comma kept), then the tail, which keeps the clause's speaker
            out.append((cs, comma + 1, inh))
            t = comma + 1
            while t < ce and sent[t].isspace():
                t += 1
            if t < ce:
                out.append((t, ce, head if inh is None else inh))
        else:  # "..., which was thought to ...": the clause, then the relative clause
            out.append((cs, r.start() + 1, inh))
            out.append((rs, re_, head if inh is None else inh))
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
                sent_units: list[_Unit | None] = []
                for cs, ce, inh in _clauses(sent, msent, attribution):
                    c_text = sent[cs:ce]
                    m_text = msent[cs:ce]
                    # trim the joint and spaces so each clause is a clean quote
                    lead = len(c_text) - len(c_text.lstrip())
                    c_end = len(c_text.rstrip())  # a joint's comma stays with its clause: nothing unrecorded
                    if c_end <= lead:
                        sent_units.append(None)
                        continue
                    u = _Unit(ss + cs + lead, ss + cs + c_end, "statement", para, sent_no)
                    sent_units.append(u)
                    if inh is not None:
                        u.inherit = sent_units[inh]
                    c_text, m_text = c_text[lead:c_end], m_text[lead:c_end]
                    u.attr = attribution(c_text, m_text)
                    if u.attr is not None:
                        a = u.attr
                        at = c_text.find(a.speaker, a.np_start) if a.form not in ("pronoun", "anaphor") else -1
                        if at < 0:
                            at = a.np_start
                            end = at + len(c_text[at : a.verb_start].rstrip(" ,"))
                        else:
                            end = at + len(a.speaker)
                        if end > at:
                            u.sp_span = (u.start + at, u.start + end)
                    elif "spo" in m_text or "talk" in m_text or "addressed" in m_text:
                        u.intro = _speakers.find_introduction(m_text)
                    u.modality, u.mcue = _modality.modality(c_text, m_text)
                    u.quote_start = m_text[:1] in "\"“"  # single quotes are masked as "
                    u.has_quote = "\x00" in m_text or u.quote_start
                    u.quote_only = u.quote_start and _QUOTE_ONLY_RE.fullmatch(m_text) is not None
                    units.append(u)
            if qspans and qspans[-1][1] == len(part) and part[-1] not in "\"”’'":
                for u in units[part_first_unit:]:
                    u.open_end = True  # "...a paragraph that ends with its quotation still open
            # sentences sharing one quotation share its speaker; the line's units are in
            # text order, so each quotation bisects to its first unit (a scan of every unit
            # per quotation was quadratic on a one-line megabyte)
            if qspans:
                ends = [units[i].end for i in range(part_first_unit, len(units))]
                for qa, qb in qspans:
                    i = part_first_unit + bisect.bisect_right(ends, s + qa)
                    members = []
                    while i < len(units) and units[i].start < s + qb:
                        if units[i].kind == "statement" and s + qa < units[i].end:
                            members.append(i)
                        i += 1
                    if len({units[i].sent for i in members}) > 1:
                        groups.append(members)
    _resolve_speakers(text, units, groups)
    return _build(text, units, published)


_QUOTE_ONLY_RE = re.compile(r"[\"“][\x00]*[\"”]?[\s.,!?]*")

PERSON_PRONOUNS = ("he", "she")
_TOPIC_NEXT_RE = re.compile(r",\s+(?:who|a|an|the)\s|\s+(?:was|is|had|has|died|said)\b")
"""A one-word name opening a paragraph as a person's subject: ``Kunan, who ...``, ``Kunan was ...``."""


class _Speakers:
    """The speaker model of one article: who spoke last, by class, and where they were named.

    ``he``/``she`` and a person role (``the commander``) resolve to the last person who
    spoke or was introduced as speaking (``X spoke to reporters``), unless a later
    paragraph opens with another person as its subject; ``it`` and an organisation or
    document phrase (``the unit``, ``the tribute``, ``another post``) to the last speaker
    that is not a person; ``they`` to the last group or organisation. Each entry keeps the
    span of the mention, so the assertion can record its antecedent.
    """

    def __init__(self, text: str) -> None:
        self.last = None  # (speaker, cls, span, unit index)
        self.person = None
        self.nonperson = None
        self.group = None
        self.topic = None  # a person who opened a paragraph as its subject, after the last person speaker
        self.spans: dict[str, list[tuple[int, int]]] = {}  # speaker -> the statements that named them
        self.text = text

    def named(self, speaker: str, start: int, end: int) -> None:
        """``text[start:end]`` named ``speaker`` (read back by :meth:`context` only when asked)."""
        spans = self.spans.get(speaker)
        if spans is None:
            self.spans[speaker] = [(start, end)]
        else:
            spans.append((start, end))

    def context(self, speaker: str) -> str:
        """The statements that named ``speaker``, the older ones cut to their last 400 characters."""
        out = ""
        for a, b in self.spans.get(speaker, ()):
            out = out[-400:] + " " + self.text[a:b]
        return out

    def note(self, speaker: str, cls: str, span, idx: int) -> None:
        entry = (speaker, cls, span, idx)
        self.last = entry
        if cls == "person":
            self.person = entry
            self.topic = None
        else:
            self.nonperson = entry
            if cls in ("group", "org"):
                self.group = entry

    def resolve(self, word: str, cls: str | None, text: str = ""):
        """The entry ``word`` refers to; for a role or organisation phrase (``cls`` given),
        None when no compatible speaker was seen (the phrase then stands for itself)."""
        if cls is not None:
            if cls == "person":
                # "the commander" is the last person speaker only if that person was
                # introduced with the role word ("X, the commander of Y, spoke")
                ent = self.person
                head = word.split()[-1].lower()
                if ent is not None and head in self.context(ent[0]).lower():
                    return ent
                return None
            return self.nonperson  # the unit, the ministry, the statement, another post
        if word in PERSON_PRONOUNS:
            if self.topic is not None and (self.person is None or self.topic[3] > self.person[3]):
                return self.topic
            return self.person or self.last
        if word == "they":
            return self.group or self.last
        return self.nonperson or self.last  # it


def _resolve_speakers(text: str, units: list[_Unit], groups: list[list[int]]) -> None:
    names = _speakers.Names()
    named = [u for u in units if u.kind in ("statement", "caption", "credit")]
    mentions = _entities.find_mentions(text, [(u.start, u.end) for u in named])
    for u, ments in zip(named, mentions):
        u.ments = tuple(ments)
    statements = [u for u in units if u.kind == "statement"]
    model = _Speakers(text)
    class_memo: dict[str, str] = {}
    group_of: dict[int, list[int]] = {}
    pos = {id(u): k for k, u in enumerate(statements)} if groups else {}
    for members in groups:
        ks = [pos[id(units[i])] for i in members if id(units[i]) in pos]
        for k in ks:
            group_of[k] = ks
    prev = None
    for k, u in enumerate(statements):
        para_start = prev is None or prev.para != u.para
        for mn in u.ments:
            if mn.type == "person":
                names.add(mn.entity)
        a = u.attr
        if a is None and u.inherit is not None and u.inherit.speaker is not None:
            h = u.inherit  # a clause split off a sentence keeps the sentence's speaker
            u.speaker, u.cue, u.cls, u.antecedent, u.mode = h.speaker, h.cue, h.cls, h.sp_span or h.antecedent, h.mode
        elif a is not None:
            u.cue = a.cue
            if a.form in ("pronoun", "anaphor"):
                cls = _speakers.speaker_class(a.speaker, "desc") if a.form == "anaphor" else None
                ent = model.resolve(a.speaker, cls)
                if ent is not None:
                    u.speaker, u.cls, u.antecedent = ent[0], ent[1], ent[2]
                elif a.form == "anaphor":
                    u.speaker, u.cls = a.speaker, cls
            elif a.form == "name":
                u.speaker = names.resolve(a.speaker)
                names.add(u.speaker)
                u.cls = _name_class(u.speaker, class_memo, u.ments)
                if u.cls == "person" and u.sp_span and text[max(0, u.sp_span[0] - 4) : u.sp_span[0]].lower() == "the ":
                    u.cls = "group"  # "the Thai Navy Seals": people's names take no article
            else:
                u.speaker = a.speaker
                u.cls = _speakers.speaker_class(a.speaker, a.form)
            if u.speaker is not None:
                u.mode = "direct" if u.has_quote else "reported"
        else:
            members = group_of.get(k)
            src = None
            if members:  # a sentence of a quotation another sentence attributes
                src = next((statements[j] for j in members if statements[j].attr is not None and j != k), None)
                if src is not None and src.speaker is None and pos[id(src)] > k:
                    src = None  # attributed later in the quotation: resolved below
            if src is None and u.quote_start and prev is not None and prev.speaker is not None and (
                prev.para == u.para or (prev.open_end and prev.mode == "direct")
            ):
                src = prev  # '"..." he said. "More."' continues the quotation
            if src is not None and src.speaker is not None:
                u.speaker, u.cue, u.cls, u.mode = src.speaker, src.cue, src.cls, "direct"
                u.antecedent = src.sp_span or src.antecedent
        if u.speaker is not None:
            model.note(u.speaker, u.cls or "other", u.sp_span or u.antecedent, k)
            if u.sp_span is not None:
                model.named(u.speaker, u.start, u.end)
        elif u.intro is not None:
            sp = names.resolve(u.intro.speaker) if u.intro.form == "name" else u.intro.speaker
            span = None
            at = text.find(u.intro.speaker, u.start, u.end)
            if at >= 0:
                span = (at, at + len(u.intro.speaker))
            model.note(sp, _name_class(sp, class_memo, u.ments) if u.intro.form == "name" else "person", span, k)
            model.named(sp, u.start, u.end)
        elif para_start and u.ments and u.ments[0].start == u.start and u.ments[0].type in ("person", "other"):
            ent = names.resolve(u.ments[0].entity)
            if _name_class(ent, class_memo) == "person" and (len(ent.split()) >= 2 or _TOPIC_NEXT_RE.match(text, u.ments[0].end)):
                model.topic = (ent, "person", (u.ments[0].start, u.ments[0].end), k)
        prev = u
    # sentences of one quotation attributed at its end ('"A. B," he said.')
    for k, u in enumerate(statements):
        members = group_of.get(k)
        if u.speaker is None and members and u.attr is None and u.inherit is None:
            src = next((statements[j] for j in members if statements[j].speaker is not None and statements[j].attr is not None), None)
            if src is not None:
                u.speaker, u.cue, u.cls, u.mode = src.speaker, src.cue, src.cls, "direct"
                u.antecedent = src.sp_span or src.antecedent
    # a pull quote (a paragraph that is only a quotation) is the next paragraph's speaker's
    for k, u in enumerate(statements):
        if u.speaker is None and u.quote_only and u.attr is None:
            nxt = [w for w in statements[k + 1 : k + 8] if w.para == u.para + 1]
            src = next((w for w in nxt if w.speaker is not None and w.attr is not None), None)
            if src is not None and (k == 0 or statements[k - 1].para != u.para) and (
                k + 1 >= len(statements) or statements[k + 1].para != u.para
            ):
                u.speaker, u.cue, u.cls, u.mode = src.speaker, src.cue, src.cls, "direct"
                u.antecedent = src.sp_span or src.antecedent
    people = set()
    for u in statements:
        if u.speaker is not None and u.cls == "person" and len(u.speaker.split()) >= 2:
            people.add(u.speaker)
    _retype(named, {sp for sp in people if not any(_entities._is_acronym(t) for t in sp.split())})


def _name_class(name: str, memo: dict[str, str], ments=()) -> str:
    """person, org or group for a proper name: the type the entity pass gave its mention in
    this unit, else the entity typer's words, then the lexicons (memoised per article)."""
    c = memo.get(name)
    if c is None:
        k = next((m.type for m in ments if m.entity == name), None)
        if k is None or k == "other":
            k = _entities._kind(name.split(), False)
        c = "org" if k in ("org", "place") else _speakers.speaker_class(name, "name")
        memo[name] = c
    return c


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
        # modality modality_cue values entities quotation antecedent
        ante = u.antecedent if u.speaker is not None and u.antecedent is not None and u.antecedent[0] < u.antecedent[1] else None
        out.append(Extracted(
            u.kind, u.start, u.end, u.speaker, u.cue, u.modality, u.mcue, tuple(vs), u.ments,
            u.mode if u.speaker is not None else None, ante,
        ))
    return out
