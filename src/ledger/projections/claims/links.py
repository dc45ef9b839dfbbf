"""Stage 3: typed links between assertions of different sources, with their evidence.

1. **Candidates** (:func:`candidate_pairs`): an inverted index from each statement's keys (its
   heaviest content lemmas, names, person keys of ages and titles, non-bare slot values) to
   statements; keys held by more than ``df_cap`` statements are not indexed, and each statement
   probes only its ``probe_keys`` heaviest keys, so the work per statement is bounded and
   nothing compares every pair.
2. **Signals**: the built-in ``lexical+frames`` matcher (shared content lemmas weighted by word
   rarity, with each source pair's topic discounted; shared event frames; agreeing slots) and
   any plugin matcher (``register_matchers``).
3. **Decision** (:func:`decide`): same fact or not, then ``corroborates`` or ``conflicts`` from
   the slot comparisons (:mod:`.conflicts`). Evidence rules: a bare date, weekday, ordinal or
   unit-less number never links on its own; two statements giving different dates for their
   happening are two occurrences unless they share a name and a frame (then a date conflict).

A link depends only on the two statements and their two sources, so appending unrelated
sources never changes an existing link.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from attrs import frozen

from ..records import Link, SlotComparison
from .conflicts import dates_agree, dates_differ, day_keys, negation_conflict, slot_comparisons
from .frames import REPORTING_CLASSES
from .features import Features, same_person
from .groups import union_find

MATCHER_VERSION = "claims-links/2"
"""Bump whenever the links, groups or conflicts a set of features gives change: the projection
store keys whole claims views on it (with FEATURES_VERSION), so an old answer is never read."""


@frozen
class MatcherSpec:
    """A similarity signal a plugin adds through ``register_matchers``.

    Attributes:
        name: Unique name (shown in each link's ``signals``).
        score: ``score(a, b) -> float`` in [0, 1] for two :class:`Features`; deterministic, offline.
        weight: How much of the score is added to the built-in similarity before the thresholds.
        description: One line for ``factledger plugins``.
    """

    name: str
    score: Callable[[Features, Features], float]
    weight: float = 0.5
    description: str = ""


@frozen
class LinkConfig:
    """Thresholds of the decision; general rules, set by reading score spreads on hand-written
    multi-outlet articles and the dev set, so treat them as tuned, not derived."""

    strong: float = 0.4
    weak: float = 0.15
    min_shared_weight: float = 4.0
    spread_sources: float = 2.0
    strong_word: float = 1.4
    min_rare_weight: float = 2.0
    df_cap: int = 60
    probe_keys: int = 12
    topic_share: float = 0.5
    object_word: float = 1.2


DEFAULT_LINK_CONFIG = LinkConfig()


def _keys(f: Features) -> list[tuple[float, str]]:
    """Blocking keys with their weight (heaviest probed first)."""
    out = [(w, "l:" + lem) for lem, w in f.weights.items() if w >= 1.2]
    for q in f.quantities:
        if q.slot.startswith("age:"):
            out.append((6.0, "p:" + q.slot[4:6]))
        elif q.slot.startswith("count:") and q.slot[6:] in f.frame_classes:
            out.append((5.0, "c:" + q.slot))  # a count of the frame's own event: deaths, arrests
        elif q.bound == "ampm":  # "at 7:50": keyed as morning and evening
            out += [(3.0, f"q:time:{q.lo:g}"), (3.0, f"q:time:{q.hi:g}")]
        elif not q.bare:
            out.append((3.0, f"q:{q.slot}:{q.value:g}"))
    for t in f.titles:
        out.append((6.0, "p:" + t.person[:2]))
    if f.speaker:
        out.append((2.0, "s:" + f.speaker[:4]))
    for cls in {fr.cls for fr in f.frames if fr.verb} - REPORTING_CLASSES:
        out.append((1.5, "f:" + cls))  # a kind of deed: only indexed while few statements tell it
    days = day_keys(f)
    if days:  # one kind of happening told as an action on one day: "went into the cave on 23 June"
        for cls in {fr.cls for fr in f.frames if fr.verb} - REPORTING_CLASSES:
            for month, day, _year in days:
                out.append((4.0, f"d:{cls}:{month}-{day}"))
    out.sort(key=lambda kv: (-kv[0], kv[1]))
    return out


def _group(f: Features) -> tuple[str, int]:
    return f.source_id, f.version


def candidate_pairs(feats: Sequence[Features], config: LinkConfig = DEFAULT_LINK_CONFIG) -> Iterable[tuple[int, int]]:
    """Pairs (i < j) from different sources, or different versions of one, sharing a rare key."""
    keys = [_keys(f) for f in feats]
    df: dict[str, int] = defaultdict(int)
    for ks in keys:
        for _w, k in ks:
            df[k] += 1
    index: dict[str, list[int]] = defaultdict(list)
    for i, ks in enumerate(keys):
        for _w, k in ks:
            if 2 <= df[k] <= config.df_cap:
                index[k].append(i)
    seen: set[tuple[int, int]] = set()
    for i, ks in enumerate(keys):
        gi = _group(feats[i])
        usable = [k for _w, k in ks if 2 <= df[k] <= config.df_cap][: config.probe_keys]
        for k in usable:
            for j in index[k]:
                if j == i or _group(feats[j]) == gi:
                    continue
                pair = (i, j) if i < j else (j, i)
                if pair not in seen:
                    seen.add(pair)
                    yield pair


class Topics:
    """What the sources keep saying is their topic, not a fact: two discounts on a shared lemma.

    * Per source pair: a lemma's weight shrinks with its repeats among the statements of the two
      sources (``1 - repeats / (topic_share x statements of both)``); a one-statement source
      discounts nothing.
    * Across sources: a lemma (or a frame, or a slot value) found in more than two sources is the
      story's, not one fact's: its weight is multiplied by ``2 / sources holding it``. This count
      only grows when a new source says the same word, so appending unrelated sources never
      changes a link.
    """

    def __init__(self, feats: Sequence[Features], spread_sources: float = 2.0, rare: float = 3.0) -> None:
        self.k = spread_sources
        counts: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.n: dict[tuple[str, int], int] = defaultdict(int)
        # stories: sources joined by a word rare in English (a name, a place); the spread of a word is
        # counted within its story, so an unrelated article saying "people" changes nothing here
        first_holder: dict[str, str] = {}
        joins: list[tuple[str, str]] = []
        for f in feats:
            joins.append((f.source_id, f.source_id))  # every source is in a story, alone if need be
            joins += [(first_holder.setdefault(lem, f.source_id), f.source_id) for lem, w in f.weights.items() if w >= rare]
        self.story = union_find(joins)
        holders: dict[tuple[str, str], set[str]] = defaultdict(set)
        for f in feats:
            g = _group(f)
            self.n[g] += 1
            c = counts[g]
            st = self.story[f.source_id]
            for lem in f.lemmas:
                c[lem] += 1
                holders[st, lem].add(f.source_id)
            for cls in f.frame_classes:
                holders[st, "@" + cls].add(f.source_id)
                c["@" + cls] += 1
            for q in f.quantities:
                holders[st, _value_key(q)].add(f.source_id)
            for act in f.acts:
                holders[st, "&" + act].add(f.source_id)
        self.rep = {g: {lem: k - 1 for lem, k in c.items() if k > 1} for g, c in counts.items()}
        self.sdf = {k: len(v) for k, v in holders.items()}

    def spread_in(self, source_id: str) -> Callable[[str], float]:
        """``key -> 2 / sources of this story holding key`` (1 for at most two sources)."""
        st, sdf, k = self.story.get(source_id, source_id), self.sdf, self.k

        def spread(key: str) -> float:
            n = sdf.get((st, key), 1)
            return 1.0 if n <= k else k / n

        return spread

    def once(self, a: Features, b: Features, key: str) -> bool:
        """Neither source repeats ``key`` (a lemma or ``@frame``) in another statement."""
        return not self.rep.get(_group(a), {}).get(key) and not self.rep.get(_group(b), {}).get(key)

    def factor(self, a: Features, b: Features, share: float) -> Callable[[str], float]:
        ga, gb = _group(a), _group(b)
        ra, rb = self.rep.get(ga, {}), self.rep.get(gb, {})
        span = (self.n[ga] + self.n[gb]) * share
        spread = self.spread_in(a.source_id)
        return lambda lem: max(0.0, 1.0 - (ra.get(lem, 0) + rb.get(lem, 0)) / span) * spread(lem)


def _value_key(q) -> str:
    return f"={q.slot}:{q.lo:g}:{q.hi:g}"


def lexical(a: Features, b: Features, factor: Callable[[str], float]) -> tuple[float, list[tuple[str, float]], float]:
    """(similarity in [0, 1], shared lemmas with their discounted weights, shared weight)."""
    shared = [lem for lem in a.lemmas if lem in b.weights]
    if not shared:
        return 0.0, [], 0.0
    fa = {lem: a.weights[lem] * factor(lem) for lem in a.lemmas}
    fb = {lem: b.weights[lem] * factor(lem) for lem in b.lemmas}
    wa = math.fsum(fa.values()) or 1e-9
    wb = math.fsum(fb.values()) or 1e-9
    parts = sorted(((lem, min(fa[lem], fb[lem])) for lem in shared), key=lambda p: (-p[1], p[0]))
    w = math.fsum(p[1] for p in parts)
    return 0.5 * w / min(wa, wb) + 0.5 * w / math.sqrt(wa * wb), parts, w


@frozen
class Decision:
    """What the matcher concluded about one pair."""

    relation: str | None
    score: float
    shared: tuple[tuple[str, float], ...]
    frames: tuple[str, ...]
    slots: tuple[SlotComparison, ...]
    grade: str | None
    signals: tuple[tuple[str, float], ...]


def decide(
    a: Features, b: Features, factor: Callable[[str], float], config: LinkConfig = DEFAULT_LINK_CONFIG,
    matchers: Sequence[MatcherSpec] = (), topics: Topics | None = None,
) -> Decision:
    """Same fact or not; if so, corroborates or conflicts (see the module docstring)."""
    sim, shared, shared_w = lexical(a, b, factor)
    spread = topics.spread_in(a.source_id) if topics is not None else (lambda _k: 1.0)
    frames_all = tuple(sorted(a.frame_classes & b.frame_classes))
    frames = tuple(c for c in frames_all if spread("@" + c) >= 0.5)  # a frame every outlet reports is the story
    signals = [("lexical+frames", round(sim, 4))]
    extra = 0.0
    for m in matchers:
        s = float(m.score(a, b))
        signals.append((m.name, round(s, 4)))
        extra += m.weight * s
    score = sim + extra
    slots = list(slot_comparisons(a, b))
    agree = [s for s in slots if s.outcome == "agree"]
    disagree = [s for s in slots if s.outcome != "agree"]
    # attribute slots pin the subject down by themselves: a named person's age or title, the ages
    # of a group, the count of the frame's own event (deaths, arrests) when both report that frame
    # (a tally given for another day is another tally: "10 arrested on Monday" / "4 arrested on Tuesday")
    person_slots = [s for s in slots if (s.slot.startswith(("age:", "title:")) and not s.slot.startswith("age:~"))
                    or (s.slot.startswith("count:") and s.slot[6:] in frames_all and not dates_differ(a, b))]
    # two quotes of one titled speaker ("said Mayor X") agree on the title, not on a fact
    person_slots = [s for s in person_slots if not (s.outcome == "agree" and _told_title(a, b, s.slot))]
    same_story = topics is None or topics.story.get(a.source_id) == topics.story.get(b.source_id)
    named = {s.slot for s in person_slots} if same_story else set()  # a count of deaths in another story is another count
    strong_words = sum(1 for _l, w in shared if w >= config.strong_word)
    told_by_all = {_value_key(q) for q in a.quantities if spread(_value_key(q)) < 0.5}
    common = {q.slot for q in a.quantities if _value_key(q) in told_by_all}
    small = {q.slot for q in a.quantities if q.bound == "vague" or (q.slot.startswith("count:") and q.value < 5)}
    specific_agree = [s for s in agree if s.slot not in common and s.slot not in small]
    names_words = {w for n in a.names for w in n.split()} & {w for n in b.names for w in n.split()}
    plain_w = math.fsum(w for lem, w in shared if lem not in names_words)
    # frames both tell as an action (a verb), not only name ("the mill fire"): one deed, told twice
    acts_all = [c for c in frames_all if any(f.cls == c and f.verb for f in a.frames) and any(f.cls == c and f.verb for f in b.frames)]
    acts = [c for c in frames if any(f.cls == c and f.verb for f in a.frames) and any(f.cls == c and f.verb for f in b.frames)]
    # a deed each source tells once, in this statement only ("revive"), not one it keeps telling ("cross")
    rare_acts = [c for c in acts if same_story and topics is not None and topics.once(a, b, "@" + c)]
    told_by_one = bool(a.speaker and b.speaker and same_person(a.speaker, b.speaker))
    # who did what: one subject noun doing one deed in both ("the divers will rest" / "divers could rest")
    # (only the two sources of the story tell it: "the divers brought out" is every outlet's; a verb
    # of the frame lexicon names a kind of deed, too broad for one act: the frame rules handle it)
    acts_shared = [x for x in a.acts & b.acts if "@" not in x and _act_subject_weight(a, x) >= config.object_word
                   and x.partition(">")[0] not in names_words and spread("&" + x) == 1.0]
    # a measure told alike (the same bound and number: "more than two weeks" / "more than two weeks")
    # (a time span compares as told whether it runs to the report or between two happenings, on any day)
    measured_agree = _measures_told_alike(a, b, spread)
    # all of one group, told done by both ("all 12 miners were rescued" / "every one of the miners brought out")
    totals = a.totals & b.totals
    same_day = bool(a.published and b.published and a.published[:10] == b.published[:10])
    same = False
    if score >= config.strong and strong_words >= 2 and shared_w >= config.min_shared_weight:
        same = True
    elif score >= config.strong and strong_words >= 1 and plain_w >= config.min_rare_weight:
        same = True  # one rare word carries most of both statements ("in vain", "elevated rock")
    elif score >= config.weak and strong_words >= 1 and (frames or specific_agree):
        same = True
    elif score >= config.weak and frames and [s for s in slots if s.slot not in small]:
        same = True
    elif score >= config.strong and frames_all and plain_w >= 1.5:
        same = True  # closely worded reports of one kind of happening
    elif score >= 2 * config.weak and frames_all and [s for s in slots if s.slot not in small and s.slot not in common]:
        same = True  # the story's frame, but the same measured slot and more wording in common  # same frame, same slot: about one happening, whatever the values say
    elif score >= 2 * config.weak and acts and [s for s in agree if s.slot not in common]:
        same = True  # one action told with the same value, even a small count ("three soldiers rescued")
    elif score >= 2 * config.weak and acts and any(
            a.weights[lem] >= config.object_word and lem not in a.verbs and lem not in b.verbs and lem not in names_words
            for lem, _w in shared):
        same = True  # one happening done to the same thing ("crossed the border")
    elif len(specific_agree) >= 2:
        same = True
    elif specific_agree and score >= config.weak * 0.6:
        same = True  # one agreeing measured value (320 people / 320 staff) and some shared words
    elif frames and dates_agree(a, b) and score >= config.weak * 0.8:
        same = True  # the same kind of happening on the same day, told in other words
    elif acts_all and dates_agree(a, b) and score >= config.weak:
        same = True  # the story's deed, both telling it as an action on the same day
    elif acts_all and any(s.slot == "time" and _odd_minute(s.a_value) for s in agree):
        same = True  # one deed at one odd minute of the clock ("at around 7:50" / "after 7:50 p.m.")
    elif acts and dates_agree(a, b) and not (_weekday_only(a) and _weekday_only(b)):
        same = True  # one kind of deed (not the story's) done on one day, told with a date
    elif rare_acts and score >= config.weak / 2:
        same = True  # a deed few sources of the story tell ("tried to revive him" / "to bring him round")
    elif told_by_one and acts_all and agree and score >= config.weak / 2:
        same = True  # one speaker quoted by two outlets telling one deed ("the 13 were being rescued")
    elif acts_shared and score >= config.weak / 2:
        same = True  # one subject doing one deed ("the crews will rest" / "the crews could rest")
    elif same_story and same_day and a.running & b.running:
        same = True  # one running clock told the same day ("has been shut for 9 days" / "has gone on for 9 days")
    elif acts_all and measured_agree:
        same = True  # one deed told as an action with the same measure ("found ... more than a week later")
    elif score >= 2 * config.weak and strong_words >= 1 and plain_w >= config.min_rare_weight and frames_all:
        same = True  # a rare plain word carrying both and one kind of happening ("lost consciousness")
    elif totals and acts_all and not _modal(a) and not _modal(b) and score >= config.weak:
        same = True  # a deed done to all of one group, told as done by both
    elif acts_all and any(s.slot == "interval" for s in slots) and agree:
        same = True  # one deed, the gap between its happenings both give, and an agreeing value ("two freed, 12 minutes apart")
    elif acts and _verb_objects(a) & _verb_objects(b) and score >= config.weak / 2:
        same = True  # a deed few outlets tell, done to the same one ("tried to revive him" / "to bring him round")
    by_content = same
    same = same or bool(named)
    objects = [lem for lem, w in shared if w > 0 and lem not in names_words and lem not in a.verbs and lem not in b.verbs]
    objects += [n for n in a.names & b.names if " " in n]  # one named thing both speak of: "Riverside Bridge"
    objects += [w for w in _verb_objects(a) & _verb_objects(b)]  # "revive him" / "bring him round"
    if same and not named and plain_w < 0.3 and not frames_all and not agree:
        same = False  # only names in common ("in Mae Sai, Chiang Rai" / "Place: Mae Sai, Chiang Rai"): a place, not a fact
    if same and not named and not objects and not specific_agree and not measured_agree and not told_by_one:
        same = False  # a name and a verb only: "the bridge will reopen" is not "the port reopened"
    if same and dates_differ(a, b) and not named:
        # two days for one description: a second occurrence, unless a name and a frame pin it down
        if not (frames and a.names & b.names and score >= config.strong):
            same = False
        else:
            slots.append(SlotComparison("date", _date_text(a), _date_text(b), _date_value(a), _date_value(b), "hard"))
            disagree.append(slots[-1])
    if not same:
        return Decision(None, score, tuple(shared[:8]), frames, tuple(slots), None, tuple(signals))
    if named and not by_content:
        # a shared person only: keep the attribute slots, drop the rest
        slots = person_slots
        disagree = [s for s in slots if s.outcome != "agree"]
    if not named and dates_agree(a, b) is False and disagree and all(s.slot == "time" for s in disagree) and dates_differ(a, b):
        return Decision(None, score, tuple(shared[:8]), frames, tuple(slots), None, tuple(signals))
    neg = negation_conflict(a, b, {lem for lem, w in shared if w >= 1.0})
    if neg is not None:
        slots.append(neg)
        disagree.append(neg)
    elif not named and _opposite_polarity(a, b):
        # "it does not appear to have halted it" / "the operation had been halted": too little in
        # common for a denial, too much against one fact
        return Decision(None, score, tuple(shared[:8]), frames, tuple(slots), None, tuple(signals))
    if disagree:
        grade = "hard" if any(s.outcome == "hard" for s in disagree) else "soft"
        # one sentence, two facts: told alike in rare words (the same find, the same repair), they
        # corroborate each other; a side measure that differs is a conflict between those two parts only
        told_alike = score >= config.strong and (
            (strong_words >= 2 and shared_w >= config.min_shared_weight) or (strong_words >= 1 and plain_w >= config.min_rare_weight))
        if told_alike and by_content and neg is None and not any(_about_the_happening(s) for s in disagree):
            return Decision("corroborates", score, tuple(shared[:8]), frames_all, tuple(slots), grade, tuple(signals))
        return Decision("conflicts", score, tuple(shared[:8]), frames_all, tuple(slots), grade, tuple(signals))
    return Decision("corroborates", score, tuple(shared[:8]), frames_all, tuple(slots), None, tuple(signals))


_MEASURES = ("duration", "interval", "distance", "mass", "volume", "speed", "temperature", "percent", "money:")
"""Measured slots: a value with a unit, not a count or a clock time."""


def _measures_told_alike(a: Features, b: Features, spread: Callable[[str], float]) -> list[tuple[str, str]]:
    """Measured values (a unit, not a count or a clock) both give with the same bound and number,
    not the story's: ``more than two weeks`` / ``more than two weeks``. A duration and an interval
    (``more than a week later``) are one measure here."""
    def kind(q) -> str:
        return "span" if q.slot in ("duration", "interval") else q.slot

    out = []
    for x in a.quantities:
        if not x.slot.startswith(_MEASURES) or x.bound == "vague" or spread(_value_key(x)) < 0.5:
            continue
        for y in b.quantities:
            if kind(y) == kind(x) and y.bound == x.bound and abs(x.value - y.value) <= 0.02 * max(x.value, y.value):
                out.append((x.text, y.text))
    return out


_MODAL_WORDS = re.compile(r"\b(?:will|would|could|can|may|might|should|must|expected to|plan(?:s|ned)? to)\b")


def _modal(f: Features) -> bool:
    """A prediction or a plan (``could take days to rescue all``), not a deed told as done. Lower case
    only (the core's first letter lowered): ``6 May`` is a month."""
    return bool(_MODAL_WORDS.search(f.core[:1].lower() + f.core[1:]))


def _act_subject_weight(f: Features, act: str) -> float:
    subject = act.partition(">")[0]
    return f.weights.get(subject, 0.0)


def _opposite_polarity(a: Features, b: Features) -> bool:
    """Every event class both tell is negated on one side and asserted on the other."""
    shared = {f.cls for f in a.frames} & {f.cls for f in b.frames} - REPORTING_CLASSES
    if not shared:
        return False
    return all({f.negated for f in a.frames if f.cls == c} == {not f.negated for f in b.frames if f.cls == c} for c in shared)


def _about_the_happening(s: SlotComparison) -> bool:
    """A disagreement on who, how many, how much or when, not on a side measure: a named person's
    age or title, a count (of people, of deaths), an amount of money or a share, the date, the
    polarity. It makes the two statements conflict as a whole; a side measure (a distance, a
    duration, a time of day, a group's ages, a year, a weight) is one part of each."""
    return (s.slot.startswith(("title:", "count:", "money:", "percent")) or s.slot in ("date", "negation")
            or (s.slot.startswith("age:") and not s.slot.startswith(("age:~", "age:group"))))


def _verb_objects(f: Features) -> set[str]:
    """``cls:pronoun`` for a pronoun object inside or right after a frame's words (``bring him round``)."""
    out = set()
    for fr in f.frames:
        words = fr.word.lower().split()
        for w in words[1:2]:
            if w in ("him", "her", "them"):
                out.add(f"{fr.cls}:{w}")
        if len(words) == 1:
            m = re.search(rf"\b{re.escape(words[0])}\s+(him|her|them)\b", f.core, re.I)
            if m:
                out.add(f"{fr.cls}:{m.group(1).lower()}")
    return out


def _odd_minute(value: str) -> bool:
    """``19:50`` but not ``19:00`` or ``19:30``: a clock time few happenings share by chance."""
    return value[3:5] not in ("00", "30")


def _weekday_only(f: Features) -> bool:
    """Every date the statement gives is a bare weekday (resolved against the published date)."""
    return all(q.bound == "weekday" for q in f.quantities if q.slot == "date")


def _told_title(a: Features, b: Features, slot: str) -> bool:
    """The title slot comes from both attributions only (neither fact states it)."""
    if not slot.startswith("title:"):
        return False
    person = slot[6:]
    ta = [t for t in a.titles if t.person == person]
    tb = [t for t in b.titles if same_person(t.person, person)]
    return all(t.attribution for t in ta + tb)


def _date_value(f: Features) -> str:
    """``2024-03-04 (Monday)`` for each date of the happening."""
    from datetime import date

    out = []
    for q in f.quantities:
        if q.slot == "date" and q.bound == "noyear":
            out.append(date(2000, int(q.value) // 100, int(q.value) % 100).strftime("%d %B (no year)"))
        elif q.slot == "date":
            d = date.fromordinal(int(q.value))
            out.append(f"{d.isoformat()} ({d:%A})")
    return ", ".join(out)


def _date_text(f: Features) -> str:
    return ", ".join(q.text for q in f.quantities if q.slot == "date")


def build_links(
    feats: Sequence[Features], config: LinkConfig = DEFAULT_LINK_CONFIG, matchers: Sequence[MatcherSpec] = (),
    order: dict[str, int] | None = None,
) -> list[Link]:
    """Every accepted automatic link among ``feats`` (pairs the blocking yields, decided)."""
    topics = Topics(feats, config.spread_sources)
    out = []
    for i, j in candidate_pairs(feats, config):
        a, b = feats[i], feats[j]
        if order is not None and order[b.assertion_id] < order[a.assertion_id]:
            a, b = b, a
        d = decide(a, b, topics.factor(a, b, config.topic_share), config, matchers, topics)
        if d.relation is None:
            continue
        out.append(Link(
            a=a.assertion_id, b=b.assertion_id, relation=d.relation, how="auto", score=round(d.score, 4),
            shared=tuple((lem, round(w, 3)) for lem, w in d.shared), frames=d.frames, slots=d.slots, grade=d.grade,
            revision=a.source_id == b.source_id, signals=d.signals,
        ))
    return out
