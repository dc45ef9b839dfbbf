"""Stage 1: what one assertion says, computed once per assertion (a pure function of the row).

:func:`features` turns an :class:`AssertionRow` and its source's metadata into
:class:`Features`: the fact's core (the quote without its attribution clause), content lemmas
(lemminflect) with weights from word frequency (wordfreq: a word rare in English tells more),
names, typed quantities with their units normalised, dates resolved against the published date
(the extractor's), ages in every spelling, titles given to people, event frames
(:mod:`.frames`) and whether the fact is negated or hedged.

It depends on nothing but its arguments, so a store can cache it by assertion id and
:data:`FEATURES_VERSION` (bump the version whenever the output changes).
"""

from __future__ import annotations

import re
from functools import lru_cache

from attrs import evolve, frozen

from ..records import AssertionRow
from ..text import STOPWORDS
from . import lexicon as L
from .frames import NOUN_CLASS, REPORTING_CLASSES, VERB_CLASS, Frame, frames_of

FEATURES_VERSION = "claims-features/7"
"""Version of :func:`features`' output; a cache keyed by it never serves stale features."""


@frozen
class Quantity:
    """A value the statement gives, in a slot.

    Attributes:
        slot: What the value is of: ``age:kunan`` (age of a named person), ``age:group``,
            ``count:person``, ``count:fatality``, ``distance``, ``duration``, ``time``, ``date``,
            ``percent``, ``money:usd``, ``number`` (a bare number: never evidence alone).
        lo: Lower end of what the words allow, in the slot's base unit (metres, seconds...).
        hi: Upper end (``inf`` for ``more than``).
        value: The number as written, in base units (the middle of a range).
        bound: ``exact``, ``min``, ``above``, ``max``, ``below``, ``about``, ``near-below``, ``range``.
        text: The words that gave it (``about 3.2 kilometers``).
        hedged: A hedge sits right before it (``reportedly 38``).
    """

    slot: str
    lo: float
    hi: float
    value: float
    bound: str
    text: str
    hedged: bool = False

    @property
    def bare(self) -> bool:
        """A value that never links two statements on its own (a date, a time, a unit-less number)."""
        return self.slot in ("number", "date", "ordinal", "year") or self.slot.startswith("weekday")


@frozen
class Title:
    """A role a statement gives a person: ``former governor``."""

    person: str
    title: str
    modifier: str
    text: str
    attribution: bool = False
    """Given in the attribution (``said Mayor X``), not in the fact: it can disagree with
    another statement's title for X, but agreeing on it never makes two quotes one fact."""


@frozen
class Features:
    """Everything the matcher needs from one assertion.

    Attributes:
        assertion_id: The assertion.
        source_id: Its source.
        version: The source version it was recorded in.
        core: The fact without its attribution (``X said that ...`` keeps ``...``).
        lemmas: Content lemmas of the core, in order, without repeats.
        weights: Weight of each lemma (rarer in English weighs more).
        verbs: Lemmas read as verbs.
        names: Lower-cased names (extractor mentions and capitalised phrases) in the core.
        quantities: Typed values in slots.
        titles: Roles given to named people.
        frames: Event frames.
        negated: The fact is denied.
        hedged: The fact is reported, not asserted (``reportedly``, extractor modality).
        published: The source's published date, if known.
        speaker: Person key of the speaker the extractor attributed the statement to.
    """

    assertion_id: str
    source_id: str
    version: int
    core: str
    lemmas: tuple[str, ...]
    weights: dict[str, float]
    verbs: frozenset[str]
    names: frozenset[str]
    quantities: tuple[Quantity, ...]
    titles: tuple[Title, ...]
    frames: tuple[Frame, ...]
    negated: bool
    hedged: bool
    published: str | None = None
    speaker: str = ""
    """Person key of the quoted speaker (``""`` for the outlet's own words)."""
    acts: frozenset[str] = frozenset()
    """``subject>deed`` pairs: a noun and the verb it is the subject of (``divers will rest`` ->
    ``diver>rest``; a verb with a frame class gives the class: ``divers located`` -> ``diver>@find``)."""
    running: frozenset[float] = frozenset()
    """Running durations told in the present perfect (``has now been trapped for 13 days``), in
    seconds: a clock that runs from one start, so two reports of one day giving the same one
    count the same time."""
    totals: frozenset[str] = frozenset()
    """Heads a totality quantifier covers: ``all 12 boys``, ``every one of the miners``, ``each of the
    passengers`` -> ``boy``, ``miner``, ``passenger``."""

    @property
    def frame_classes(self) -> frozenset[str]:
        return frozenset(f.cls for f in self.frames if f.cls not in REPORTING_CLASSES)


# ---------------------------------------------------------------- the core -------------

def core_text(row: AssertionRow) -> str:
    """The quote without the attribution clause (replaced by a space).

    ``Officials said a diver died`` keeps ``a diver died``; ``"...," X told reporters`` keeps the
    quote; ``The 13, he said, were rescued`` drops ``he said``. The speaker and the reporting
    verb are about the telling, not the fact, so they are neither evidence nor a slot value.
    """
    text = row.selector.exact
    cue = row.speaker_cue
    if not cue:
        return text
    pos = text.find(cue)
    if pos < 0:
        return text
    end = pos + len(cue)
    speaker_at = -1
    if row.speaker:  # as a whole word: the speaker "he" is not the "he" of "The"
        found = re.search(rf"\b{re.escape(row.speaker)}\b", text) or re.search(rf"\b{re.escape(row.speaker.split()[-1])}\b", text)
        speaker_at = found.start() if found else -1
    lo = pos
    hi = end
    if 0 <= speaker_at:
        if speaker_at < pos and pos - speaker_at < 80:
            lo = speaker_at
            # "Mayor Ilona Varga told ...": the speaker's title and honorific belong to the telling too
            while True:
                prev = re.search(r"([A-Za-z][A-Za-z.\-]*)\s+$", text[:lo])
                if prev is None or prev.group(1).lower().rstrip(".") not in _TITLE_WORDS | {"the", "a", "an"}:
                    break
                lo = prev.start(1)
        elif speaker_at >= end and speaker_at - end < 80:
            hi = speaker_at + len(row.speaker or "")
            # "said Pean Kamlue, the mother of ..." -> the appositive belongs to the telling too
    # "X said on Monday that ..." -> the fact starts after "that"
    that = re.match(r"[^.;:]{0,60}?\bthat\b", text[hi:])
    if lo <= 5 and that:
        hi += that.end()
    if lo <= 5:
        return text[hi:].lstrip(" ,:")
    if hi >= len(text) - 40 and text[lo:hi].strip():  # trailing "..., X said."
        tail = text[hi:]
        if re.match(r"\W*(?:(?:and|but|while|whereas)\s+(?:the|a|an|his|her|their|its|then)?|were|was|are|is|had|has|have|"
                    r"will|would|could|can|may|might|should|must)\b", tail):
            # "the first emerged at 5:40, he said, and the fourth at 7:50", "The 13, he said, were
            # rescued": the fact goes on after the attribution
            return text[:lo].rstrip(" ,") + " " + tail.lstrip(" ,")
        return text[:lo].rstrip(" ,\"'”’")
    return text[:lo] + " " + text[hi:]


# ---------------------------------------------------------------- words ---------------

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")


@lru_cache(maxsize=100_000)
def lemma_pos(word: str) -> tuple[str, str]:
    """``(lemma, "V" or "N")`` of a lower-cased word by lemminflect's lookup tables."""
    from lemminflect import getAllLemmas

    found = getAllLemmas(word)
    if not found:
        return word, "N"
    verb = found.get("VERB")
    other = found.get("NOUN") or found.get("ADJ") or found.get("PROPN") or found.get("ADV")
    if verb and (not other or word.endswith(("ed", "ing")) or word in _IRREGULAR_PAST):
        return verb[0], "V"
    noun = found.get("NOUN") or found.get("PROPN")
    if noun:
        return noun[0], "N"
    if found.get("ADJ") or found.get("ADV"):
        return (found.get("ADJ") or found.get("ADV"))[0], "A"
    return (verb or (word,))[0], "V" if verb else "N"


_IRREGULAR_PAST = frozenset(
    """ran found took brought made went came gave told sent flew fled held kept left lost met paid put said
    saw set shot spent stood struck thought won wrote died began broke built caught fell fought got hit led
    rose sank sat slept spoke stole swam threw woke drove""".split()
)


@lru_cache(maxsize=100_000)
def weight(lemma: str) -> float:
    """How much sharing ``lemma`` tells: 6 minus its Zipf frequency in English, clamped to [0.2, 5].

    ``the`` (Zipf 7.7) tells nothing, ``rescue`` (4.5) some, a surname (1-2) a lot.
    """
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return 2.0
    return max(0.2, min(5.0, 6.0 - zipf_frequency(lemma, "en")))


_EXTRA_STOP = frozenset(
    """local time including include also among across while whose whom around away back yet however
    per via upon get got gets make makes go goes went come came take took taken""".split()
)


def _synonyms() -> dict[str, str]:
    """Lemma -> the first lemma of its class, from the general news synonym classes of
    :mod:`..text` (``troops``/``soldiers``, ``escape``/``flee``)."""
    from ..text import _SYNONYMS

    out: dict[str, str] = {}
    for group in (*_SYNONYMS, *L.NEWS_SYNONYMS):
        lemmas = [lemma_pos(w)[0] for w in group.split()]
        for lem in lemmas:
            out.setdefault(lem, lemmas[0])
    return out


_SYN: dict[str, str] | None = None


def tokens_of(text: str) -> list[tuple[str, str, str]]:
    """``(surface, lemma, pos)`` for every word of ``text``."""
    out = []
    for m in _WORD.finditer(text):
        w = m.group()
        lw = w.lower().replace("’", "'")
        if lw.endswith("'s"):
            lw = lw[:-2]
        lemma, pos = lemma_pos(lw)
        out.append((w, lemma, pos))
    for i in range(len(out) - 1):
        # "would start again", "began it again": a resumption, as "resumed" says it
        if out[i][1] in _AGAIN_VERBS and "again" in (out[i + 1][0].lower(), out[i + 2][0].lower() if i + 2 < len(out) else ""):
            out[i] = (out[i][0], "resume", "V")
    return out


_AGAIN_VERBS = frozenset({"start", "begin", "restart", "commence"})


def content(tokens: list[tuple[str, str, str]]) -> list[str]:
    """Content lemmas in order, without repeats (stop words, short words and bare weekdays dropped),
    each folded to its synonym class (``troop`` -> ``soldier``)."""
    global _SYN
    if _SYN is None:
        _SYN = _synonyms()
    syn = _SYN
    seen: dict[str, None] = {}
    for surface, lemma, _pos in tokens:
        lemma = syn.get(lemma, lemma)
        lw = surface.lower()
        if (lw in STOPWORDS or lemma in STOPWORDS or lw in _EXTRA_STOP or len(lw) < 3 or lw in L.NUMBER_WORDS
                or lemma in L.NUMBER_WORDS or lemma in L.SCALES or lemma in ("dozen", "score")):
            continue
        if lemma in L.UNITS:
            continue
        seen.setdefault(lemma, None)
        if "-" in lemma:
            for part in lemma.split("-"):
                if len(part) >= 3 and part not in STOPWORDS and part not in L.NUMBER_WORDS and part not in L.UNITS:
                    seen.setdefault(lemma_pos(part)[0], None)
    return tuple(seen)


_NAME = re.compile(r"(?:[A-Z][a-zA-Z'’\-]+|[A-Z]{2,})(?:\s+(?:of\s+|the\s+|de\s+|al-)?(?:[A-Z][a-zA-Z'’\-]+|[A-Z]{2,}))*")
_HONORIFIC = frozenset("mr mrs ms dr sir lord gen col capt lt sgt prof rev".split())
_TITLE_WORDS = L.TITLES | frozenset(L.TITLE_MODIFIERS) | _HONORIFIC


def names_of(text: str, row: AssertionRow) -> frozenset[str]:
    """Names in ``text``: capitalised phrases not at the sentence start, and extractor mentions in it."""
    out = set()
    for m in _NAME.finditer(text):
        phrase = m.group()
        words = [w for w in phrase.split() if w.lower().strip(".") not in STOPWORDS | _HONORIFIC]
        if not words:
            continue
        at_start = m.start() == 0 or text[max(0, m.start() - 2) : m.start()].strip() in (".", '"', "“", "'", "‘")
        if at_start and len(words) == 1:
            continue
        out.add(" ".join(w.lower() for w in words))
    for mention in row.entities:
        if mention.text in text:
            out.add(mention.entity.lower().rstrip("."))
    return frozenset(out)


def _named_speaker(speaker: str | None) -> str:
    """The person key of a named speaker (``Narongsak Osatanakorn``); ``""`` for a generic one
    (``officials``, ``the unit``, ``police``), which does not pin one source of words down."""
    if not speaker or not speaker[:1].isupper():
        return ""
    words = [w for w in speaker.split() if w.lower().strip(".") not in _HONORIFIC]
    if not words or any(not w[:1].isupper() for w in words):
        return ""
    if len(words) == 1 and (words[0].lower() in STOPWORDS or lemma_pos(words[0].lower())[0] in L.PERSON_NOUNS
                            or words[0].lower() in L.TITLES):
        return ""
    return person_key(speaker)


def person_key(name: str) -> str:
    """The key a person's attributes are filed under: the last word of the name, lower-cased."""
    words = [w for w in re.split(r"[\s.]+", name.lower()) if w and w not in _HONORIFIC]
    return words[-1] if words else name.lower()


def same_person(a: str, b: str) -> bool:
    """Two person keys name one person: equal, or long and one or two letters apart (transliterations)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 7 or abs(len(a) - len(b)) > 2 or a[:2] != b[:2]:
        return False
    return _edits(a, b) <= 2


def _edits(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


# ---------------------------------------------------------------- quantities ----------

_NUMWORD = "|".join(sorted((re.escape(w) for w in L.NUMBER_WORDS if " " not in w), key=len, reverse=True))
_NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|(?:{_NUMWORD})(?:-(?:{_NUMWORD}))?(?![a-z]))"
_SCALE = r"(?:\s+(?:hundred|thousand|million|billion)|\s?(?:m|bn|k)\b)?"
_BOUND = "|".join(sorted((re.escape(b) for b in L.BOUNDS), key=len, reverse=True))
_HEDGE = "|".join(re.escape(h) for h in L.HEDGES)
_QTY = re.compile(
    rf"(?<![\w.,\-])(?P<hedge>(?:{_HEDGE})\s+)?(?P<bound>(?:{_BOUND})\s+)?(?P<between>between\s+)?"
    rf"(?P<n>{_NUM}{_SCALE})(?:(?P<rsep>\s*(?:to|-|–|and)\s*)(?P<n2>{_NUM}{_SCALE}))?"
    rf"(?P<attach>-|\s?)(?P<after>[A-Za-z%$€£/]+(?:[\s-]+[A-Za-z]+){{0,3}})?",
    re.I,
)
_TIME = re.compile(r"(?<![\w:.])(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>[ap])\.?\s?m\b\.?", re.I)
_THE_N = re.compile(rf"\b(?:the|all|all the)\s+(?P<n>{_NUM})(?:\s*,[^,]{{1,30}},)?\s+(?:were|are|have|had|will|would|remain|remained)\b", re.I)
"""``The 13, he said, were being rescued``: a group of people named by its number."""
_CLOCK = re.compile(r"\b(?:at|around|about|by|until|before|after)\s+(?:about\s+|around\s+)?(?P<clock>(?P<h>\d{1,2})[:.](?P<m>\d{2}))\b(?![:.]?\d|\s*[ap]\.?\s?m\b)", re.I)
"""A clock time with no a.m./p.m. after a time preposition (``the fourth at around 7:50``)."""
_AGE_AFTER_NAME = re.compile(r"(?P<name>(?:[A-Z][a-zA-Z'’\-]+\s+){0,3}[A-Z][a-zA-Z'’\-]+),\s+(?P<n>\d{1,3})(?:,|\.(?!\d)|;)")
_NUMBER_OF = re.compile(rf"number of (?P<noun>[a-z]+) (?:at|to|is|was|stands at|stood at|rose to|reached) (?P<n>{_NUM})", re.I)
_VAGUE = re.compile(r"\b(?P<v>dozens|scores|hundreds|thousands|millions) of (?P<after>(?:[a-z]+\s*){1,3})", re.I)
_DATE_WORDS = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b(?:\s+\d{4})?|\b(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?")
_MEASURE_UNITS = "|".join(sorted((re.escape(u) for u, (meas, _f) in L.UNITS.items()
                                  if meas in ("duration", "distance") and len(u) > 2 and u.isalpha()), key=len, reverse=True))
_A_UNIT = re.compile(rf"\b(?P<bound>{_BOUND})\s+(?:a|an|one)\s+(?P<unit>{_MEASURE_UNITS})\b", re.I)
"""``more than a week``, ``about an hour``, ``nearly a mile``: one unit under a bound."""
_FRACTION = re.compile(r"\b(?P<f>half|a third|a quarter|two thirds|three quarters) of (?:the |all )?", re.I)


def parse_number(text: str) -> float | None:
    """``1,000`` -> 1000, ``twenty-five`` -> 25, ``3.2`` -> 3.2, ``2 million`` -> 2e6."""
    t = text.strip().lower()
    scale = 1.0
    for word, factor in L.SCALES.items():
        if t.endswith(word) and t[: -len(word)].strip() and (t[-len(word) - 1 : -len(word)] in (" ", "") or word in ("m", "bn", "k")):
            head = t[: -len(word)].strip()
            if head and (head[-1].isdigit() or head.split()[-1] in L.NUMBER_WORDS):
                t, scale = head, factor
                break
    t = t.replace(",", "")
    try:
        return float(t) * scale
    except ValueError:
        pass
    total = 0.0
    for part in t.split("-"):
        v = L.NUMBER_WORDS.get(part)
        if v is None:
            return None
        total += v
    return total * scale


def _interval(value: float, bound: str) -> tuple[float, float]:
    if bound in ("min",):
        return value, float("inf")
    if bound == "above":
        return value * 1.0000001, float("inf")
    if bound == "max":
        return 0.0, value
    if bound == "below":
        return 0.0, value * 0.9999999
    if bound == "about":
        return value * 0.93, value * 1.07
    if bound == "near-below":
        return value * 0.85, value
    return value, value


_SKIP_BEFORE_NOUN = frozenset("more other additional further remaining last final first new young old of the their its his her".split())


def _noun_slot(after: str) -> tuple[str | None, str]:
    """What a number counts or measures, from the words after it: ``(unit or None, slot)``.

    A unit word gives the measure (``km`` -> distance); otherwise the last noun of the next few
    words (adjectives and names skipped) is what is counted, and every noun for people counts
    people (``12 boys`` and ``twelve members`` fill one slot).
    """
    words = after.replace("-", " ").split()
    if not words:
        return None, "number"
    first = words[0].lower().rstrip(".,")
    if first in L.UNITS:
        return first, L.UNITS[first][0]
    if first in ("years", "year") and len(words) > 1 and words[1].lower().startswith("old"):
        return "years-old", "age"
    if first in _MONTHS:
        return None, "date-part"
    noun = None
    for w in words[:5]:
        stop = w[-1] in ".,;:"
        lw = w.lower().rstrip(".,;:")
        if lw in _SKIP_BEFORE_NOUN:
            if noun:
                break
            continue
        if lw in STOPWORDS and lw != "people":
            break
        lemma, pos = lemma_pos(lw)
        if lw in L.PERSON_NOUNS or lemma in L.PERSON_NOUNS:
            noun = L.PERSON_GROUP
        elif pos == "N" and len(lw) > 2 and lw not in L.NUMBER_WORDS and not w[0].isupper():
            noun = NOUN_CLASS.get(lemma, lemma)  # "deaths", "fatalities": a count of the frame's event
        elif w[0].isupper() and lw.endswith("s") and lemma != lw and pos == "N":
            noun = lemma  # a plural name for people: "30,000 North Koreans"
        elif noun or pos == "V":
            break
        if stop:
            break
    return (None, "count:" + noun) if noun else (None, "number")


_MONTHS = frozenset("january february march april may june july august september october november december jan feb "
                    "mar apr jun jul aug sep sept oct nov dec".split())


def quantities_of(text: str) -> tuple[Quantity, ...]:
    """Typed values in ``text`` (the core), each in its slot and normalised."""
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    for m in _DATE_WORDS.finditer(text):
        taken.append(m.span())
    for m in _VAGUE.finditer(text):
        unit = {"dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000, "millions": 1e6}[m.group("v").lower()]
        unit_slot = _noun_slot(m.group("after") or "")[1]
        out.append(Quantity(unit_slot, 2 * unit, 10 * unit, 2 * unit, "vague", m.group().strip()))
        taken.append(m.span())
    for m in _TIME.finditer(text):
        h, mi = int(m.group("h")), int(m.group("m") or 0)
        if h > 12 or mi > 59:
            continue
        h = h % 12 + (12 if m.group("ap").lower() == "p" else 0)
        v = h * 60 + mi
        before = text[max(0, m.start() - 14) : m.start()].lower()
        bound = "about" if re.search(r"(about|around|approximately|roughly|some)\s+$", before) else "exact"
        lo, hi = (v - 20, v + 20) if bound == "about" else (v, v)
        out.append(Quantity("time", lo, hi, v, bound, m.group().strip()))
        taken.append(m.span())
    for m in _CLOCK.finditer(text):
        h, mi = int(m.group("h")), int(m.group("m"))
        if not 1 <= h <= 12 or mi > 59 or not free(*m.span("h")):
            continue
        v = (h % 12) * 60 + mi  # "at around 7:50" with no a.m./p.m.: morning or evening (bound "ampm")
        out.append(Quantity("time", v, v + 720, v, "ampm", m.group("clock")))
        taken.append(m.span("clock"))
    for m in _AGE_AFTER_NAME.finditer(text):
        n = int(m.group("n"))
        if 1 <= n <= 110:
            out.append(Quantity("age:" + person_key(m.group("name")), n, n, n, "exact", m.group("n")))
            taken.append(m.span("n"))
    for m in _THE_N.finditer(text):
        n = parse_number(m.group("n"))
        if n is not None and n >= 2 and free(*m.span("n")):
            out.append(Quantity("count:" + L.PERSON_GROUP, n, n, n, "exact", m.group("n")))
            taken.append(m.span("n"))
    for m in _NUMBER_OF.finditer(text):
        n = parse_number(m.group("n"))
        if n is not None:
            noun = lemma_pos(m.group("noun").lower())[0]
            noun = NOUN_CLASS.get(noun, noun)
            out.append(Quantity("count:" + noun, n, n, n, "exact", m.group()))
            taken.append(m.span("n"))
    for m in _A_UNIT.finditer(text):
        unit = m.group("unit").lower()
        measure, factor = L.UNITS[unit]
        bound = L.BOUNDS.get(m.group("bound").lower(), "exact")
        lo, hi = _interval(factor, bound)
        out.append(Quantity(measure, lo, hi, factor, bound, m.group().strip(), False))
        taken.append(m.span())
    for m in _FRACTION.finditer(text):
        v = L.FRACTIONS[m.group("f").lower()] * 100
        out.append(Quantity("percent", v, v, v, "exact", m.group().strip()))
    pos = 0
    while True:
        m = _QTY.search(text, pos)
        if m is None:
            break
        s, e = m.span("n")
        # the next search starts after the number(s), not after the words read as its noun:
        # in "the Nov. 13 defection showed three soldiers" the "three" is read again
        pos = max(m.end("n2") if m.group("n2") else e, pos + 1)
        if not free(s, e):
            continue
        raw_n = m.group("n")
        n = parse_number(raw_n)
        if n is None:
            continue
        word_number = not raw_n[0].isdigit()
        n2 = parse_number(m.group("n2")) if m.group("n2") else None
        after = m.group("after") or ""
        if m.group("attach") == "-" and after.lower().startswith(("year-old", "years-old")):
            unit, measure = "years-old", "age"
        elif after[:1] in ("%",):
            unit, measure = "%", "percent"
        else:
            unit, measure = _noun_slot(after) if (m.group("attach") or after[:1].isalpha()) else (None, "number")
        if raw_n.lower() == "one" and (measure == "number" or re.match(r"\s+of\b", text[e:]) or re.search(r"\b(?:every|no|any|each)\s+$", text[max(0, s - 7):s].lower())):
            continue  # "one of", "one appears": a pronoun more often than a count
        before = text[max(0, s - 30) : s].lower()
        if re.search(r"\baged\s+(?:between\s+)?$", before) or re.search(r"\b(?:who is|who was|was|is)\s+(?:reportedly\s+|now\s+|also\s+)?$", before) and measure == "number" and n <= 110 and n2 is None and re.match(r"\s*[,.;)]", text[e:e + 2] or "."):
            measure = "age"
        holder = ""
        if measure == "age" or (measure == "duration" and unit in ("years", "year") and "old" in after.lower()):
            measure = "age"
            holder = _age_holder(text, m.start(), m.end(), n2 is not None)
        hedged = bool(m.group("hedge")) or bool(re.search(rf"\b(?:{_HEDGE})\s+(?:\w+\s+)?$", before))
        bound_word = (m.group("bound") or "").strip().lower()
        bound = L.BOUNDS.get(bound_word, "exact")
        factor = L.UNITS[unit][1] if unit in L.UNITS and measure != "age" else 1.0
        if measure == "age":
            slot = "age:" + holder
        elif measure in ("number",) and word_number and n2 is None:
            slot = "number"
        else:
            slot = measure
        if unit is None and re.match(r"(1[89]|20)\d\d$", raw_n) and measure != "distance":
            slot = _year_slot(text[:s])
            if slot != "year":  # "opened in 1968": the year of that happening, compared as a slot value
                out.append(Quantity(slot, n, n, n, "exact", raw_n, hedged))
                taken.append((s, e))
                continue
        if measure == "date-part":
            continue
        words = m.group().strip()
        if n2 is not None:
            lo, hi = n * factor, n2 * factor
            if lo > hi:
                continue
            out.append(Quantity(slot, lo, hi, (lo + hi) / 2, "range", words, hedged))
        else:
            lo, hi = _interval(n * factor, bound)
            out.append(Quantity(slot, lo, hi, n * factor, bound, words, hedged))
        taken.append((s, e))
    return tuple(out)


_YEAR_PREP = re.compile(r"\b(?:in|since)\s+(?:early\s+|late\s+|mid-)?$", re.I)


def _year_slot(before: str) -> str:
    """``year:open`` for the year in ``The bridge opened in 1968``: a year after ``in``/``since``
    whose clause (the few words before it, up to a comma) has an event verb is the year of that
    event (its frame class, or the verb's lemma); any other year stays a bare ``year``."""
    prep = _YEAR_PREP.search(before)
    if prep is None:
        return "year"
    clause = re.split(r"[,;:()\"“”]|\band\b|\bbut\b", before[: prep.start()])[-1]
    words = _WORD.findall(clause)[-5:]
    for w in reversed(words):
        lemma, pos = lemma_pos(w.lower())
        if pos == "V" and lemma not in STOPWORDS and lemma not in ("be", "have", "do") and not w[0].isupper():
            return "year:" + VERB_CLASS.get(lemma, lemma)
    return "year"


def _age_holder(text: str, start: int, end: int, is_range: bool) -> str:
    """Whose age: a noun after it (``25-year-old assistant coach``), a named person the clause is
    about (``Saman Kunan, a volunteer aged 38``; ``Kunan, who ... was reportedly 38``), or the noun
    right before it (``their coach, who is 25``); a range of ages belongs to a group."""
    if is_range:
        return "group"
    named = re.search(r"([A-Z][a-zA-Z'’\-]+),\s+(?:a|an)\s+(?:[a-z]+\s+)?$", text[max(0, start - 60) : start])
    if named and named.group(1).lower() not in STOPWORDS:
        return person_key(named.group(1))  # "Mara Velt, a 42-year-old engineer": the name's age
    tail = re.match(r"[^a-zA-Z]*(?:year|years)[\s-]*old\s+((?:[a-z]+\s*){1,3})", text[start:end + 40])
    if tail:
        noun = None
        for w in tail.group(1).split():
            lemma, pos = lemma_pos(w)
            if (w in STOPWORDS or w in L.TITLE_MODIFIERS) and noun is None:
                continue
            if pos != "N" or w in STOPWORDS:
                break
            noun = lemma
        if noun:
            return "~" + noun  # a kind of person, not a named one: "~coach"
    before = text[max(0, start - 80) : start]
    named = re.search(r"([A-Z][a-zA-Z'’\-]+),\s+(?:a|an|the|who)\b[^.;:]*$", before)
    if named and named.group(1).lower() not in STOPWORDS:
        return person_key(named.group(1))
    noun = re.search(r"([A-Za-z]+),?\s+(?:who (?:is|was|are|were)\s+|aged\s+|was\s+|is\s+)?(?:reportedly\s+|now\s+)?$", before)
    if noun and noun.group(1).lower() not in STOPWORDS:
        w = noun.group(1)
        return person_key(w) if w[0].isupper() else "~" + lemma_pos(w.lower())[0]
    return "~someone"


# ---------------------------------------------------------------- titles --------------

_TITLE_AFTER = re.compile(
    r"(?P<name>(?:[A-Z][a-zA-Z'’\-.]+\s+){0,3}[A-Z][a-zA-Z'’\-]+),\s+(?:who is (?:also |now )?|who was )?"
    r"(?:the |a |an )?(?P<words>(?:[a-z\-]+\s+){0,3}[a-z]+)\b",
)
_TITLE_BEFORE = re.compile(
    r"(?:\b(?P<mod>former|ex-|retired|acting|deputy|outgoing)\s+)?(?P<title>[A-Z][a-z]+)\s+(?P<name>[A-Z][a-zA-Z'’\-]+(?:\s+[A-Z][a-zA-Z'’\-]+){0,2})"
)


def titles_of(text: str) -> tuple[Title, ...]:
    """Roles given to named people: ``Narongsak Osatanakorn, the former governor`` -> (osatanakorn, governor, former)."""
    out = []
    for m in _TITLE_AFTER.finditer(text):
        words = m.group("words").split()
        k = next((i for i, w in enumerate(words) if w in L.TITLES), None)
        if k is None:
            continue
        mods = [L.TITLE_MODIFIERS[w] for w in words[:k] if w in L.TITLE_MODIFIERS]
        out.append(Title(person_key(m.group("name")), words[k], mods[0] if mods else "", m.group().strip()))
    for m in _TITLE_BEFORE.finditer(text):
        title = m.group("title").lower()
        if title not in L.TITLES:
            continue
        mod = L.TITLE_MODIFIERS.get((m.group("mod") or "").lower(), "")
        out.append(Title(person_key(m.group("name")), title, mod, m.group().strip()))
    return tuple(out)


# ---------------------------------------------------------------- dates ---------------

def dates_of(row: AssertionRow, core: str, published: str | None = None) -> tuple[Quantity, ...]:
    """Dates of the happening: those the extractor resolved (against the published date) whose
    words are in the core, and every day-and-month phrase of the core it left out (``23 June``,
    ``June 23rd``), in the year the phrase gives, else the published year, else with no year
    (bound ``noyear``, value ``month * 100 + day``: it agrees with any year's same day)."""
    from datetime import date as _d

    out = []
    covered: list[str] = []
    for v in row.values:
        if v.type == "date" and v.text in core and len(v.value) >= 10:
            day = v.value[:10]
            try:
                ordinal = float(_d.fromisoformat(day).toordinal())
            except ValueError:
                continue
            weekday_only = v.text.strip().lower().rstrip(".") in _WEEKDAYS
            out.append(Quantity("date", ordinal, ordinal, ordinal, "weekday" if weekday_only else "exact", v.text))
            covered.append(v.text)
    for m in _DATE_WORDS.finditer(core):
        text = m.group()
        if any(text in c or c in text for c in covered):
            continue
        md = _month_day(text)
        if md is None:
            continue
        month, day, year = md
        if year is None and published and re.match(r"\d{4}-", published):
            year = int(published[:4])
        if year is None:
            v = float(month * 100 + day)
            out.append(Quantity("date", v, v, v, "noyear", text))
            continue
        try:
            ordinal = float(_d(year, month, day).toordinal())
        except ValueError:
            continue
        out.append(Quantity("date", ordinal, ordinal, ordinal, "exact", text))
    return tuple(out)


_MONTH_NUMBER = {m: k for k, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
     "sep sept september", "oct october", "nov november", "dec december"], 1) for m in names.split()}


def _month_day(text: str) -> tuple[int, int, int | None] | None:
    """``(month, day, year or None)`` of ``23 June 2018`` / ``June 23rd`` / ``Sept. 4, 2019``."""
    words = re.findall(r"[A-Za-z]+|\d+", text)
    month = next((_MONTH_NUMBER[w.lower()] for w in words if w.lower() in _MONTH_NUMBER), None)
    nums = [int(w) for w in words if w.isdigit()]
    day = next((n for n in nums if 1 <= n <= 31), None)
    year = next((n for n in nums if n >= 1000), None)
    if month is None or day is None:
        return None
    return month, day, year


_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


# ---------------------------------------------------------------- the function --------

def features(row: AssertionRow, source_meta: object | None = None) -> Features:
    """The features of one assertion; ``source_meta`` is its source's row (for the published date)."""
    core = core_text(row)
    toks = tokens_of(core)
    lemmas = content(toks)
    weights = {lem: weight(lem) for lem in lemmas}
    verbs = frozenset(_SYN.get(lemma, lemma) for _s, lemma, pos in toks if pos == "V") & frozenset(weights)
    low = " " + core.lower() + " "
    hedged = row.modality == "hedged" or any(f" {h} " in low for h in L.HEDGES)
    negated = row.modality == "negated"
    return Features(
        assertion_id=row.assertion_id,
        source_id=row.source_id,
        version=row.version,
        core=core,
        lemmas=lemmas,
        weights=weights,
        verbs=verbs,
        names=names_of(core, row),
        quantities=tuple(_interval_slot(_headcount(q)) for q in quantities_of(core))
        + dates_of(row, core, getattr(source_meta, "published", None)),
        titles=tuple(t if t.text in core else evolve(t, attribution=True) for t in titles_of(row.selector.exact)),
        frames=frames_of(toks),
        negated=negated,
        hedged=hedged,
        published=getattr(source_meta, "published", None),
        speaker=_named_speaker(row.speaker),
        acts=acts_of(toks),
        running=running_durations(core),
        totals=totals_of(toks),
    )


# ---------------------------------------------------------------- agents and clocks ---

_BETWEEN_SUBJECT_AND_VERB = frozenset(
    """will would could can may might must should shall has have had been be is are was were also now then
    still already later soon finally reportedly""".split()
)
"""Auxiliaries, modals and adverbs that may stand between a subject and its verb (``divers will rest``)."""

_PREPOSITIONS = frozenset("of to for with by from in on at into onto over under about after before than".split())

_MODALS = frozenset("will would could can may might must should shall".split())

_LIGHT_VERBS = frozenset("be have do get make take go come give put say tell see seem appear become keep let".split())
"""Verbs too empty to name a deed (``divers had ...``): never half of an act."""


def acts_of(toks: list[tuple[str, str, str]]) -> frozenset[str]:
    """``subject>deed`` for each verb whose subject is a content noun right before it (at most three
    auxiliaries, modals or adverbs between): ``the divers could rest`` -> ``diver>rest``. Who did
    what is two pieces of evidence in one relation, unlike two words anywhere in a sentence."""
    global _SYN
    if _SYN is None:
        _SYN = _synonyms()
    out = set()
    for i, (surface, lemma, pos) in enumerate(toks):
        if pos != "V" and not (i > 0 and toks[i - 1][0].lower() in _MODALS):
            continue  # a verb, or a word a modal makes one ("the divers will rest")
        if pos != "V":
            lemma = lemma_pos(surface.lower())[0]
        if lemma in _LIGHT_VERBS or lemma in STOPWORDS or lemma in VERB_CLASS and VERB_CLASS[lemma] in REPORTING_CLASSES:
            continue
        j = i - 1
        while j >= 0 and i - j <= 4 and toks[j][0].lower() in _BETWEEN_SUBJECT_AND_VERB:
            j -= 1
        if j < 0 or i - j > 4:
            continue
        s_surface, s_lemma, s_pos = toks[j]
        low = s_surface.lower()
        if s_pos != "N" or low in STOPWORDS or s_lemma in STOPWORDS or len(low) < 3 or low in L.NUMBER_WORDS:
            continue
        k = j - 1
        while k >= 0 and toks[k][0].lower() in ("the", "a", "an", "their", "its", "his", "her", "our", "these", "those"):
            k -= 1
        if k >= 0 and toks[k][0].lower() in _PREPOSITIONS:
            continue  # the object of a preposition ("sandbags for the engineers arrived"), not a subject
        verb = _SYN.get(lemma, lemma)
        cls = VERB_CLASS.get(lemma) or _multiword_class(toks, i)
        out.add(f"{_SYN.get(s_lemma, s_lemma)}>{'@' + cls if cls else verb}")
    return frozenset(out)


_GAP = re.compile(r"\b(?:seconds?|minutes?|hours?|days?|weeks?|months?)\s+(?:apart|later|earlier|after|before)\b", re.I)


def _interval_slot(q: Quantity) -> Quantity:
    """``10 minutes apart``, ``12 minutes after that``, ``a week later``, ``six hours after the fire
    began``: the gap between two happenings (``interval``), a fixed measure, not a running one
    (``trapped for 13 days``), so it compares whatever day each report was published."""
    if q.slot == "duration" and _GAP.search(q.text):
        return evolve(q, slot="interval")
    return q


HEADCOUNT_FRAMES = frozenset({"participate", "die", "injure", "arrest"})
"""Frames whose subject's count is a fact of its own: how many took part, died, were hurt, were held."""

_INCREMENT = frozenset("more additional further extra other another new".split())

_AUX = frozenset("had have has been be was were is are".split())


def _headcount(q: Quantity) -> Quantity:
    """``1,000 people had been mobilised`` -> ``count:participate``: a count of people who are the
    subject of a deed of :data:`HEADCOUNT_FRAMES` counts that deed's people (as ``3 deaths`` counts
    ``count:die``), so a first and a final tally of one effort compare even when told in other words."""
    if q.slot != "count:" + L.PERSON_GROUP:
        return q
    toks = tokens_of(q.text)
    for i, (surface, lemma, _pos) in enumerate(toks):
        if surface.lower() not in L.PERSON_NOUNS and lemma not in L.PERSON_NOUNS:
            continue
        if i > 0 and toks[i - 1][0].lower() in _INCREMENT:
            break  # "three more divers joined": an addition, not a tally
        j = i + 1
        while j < len(toks) and toks[j][0].lower() in _AUX:
            j += 1
        if j < len(toks):
            cls = VERB_CLASS.get(toks[j][1]) or _multiword_class(toks, j)
            if cls in HEADCOUNT_FRAMES:
                return evolve(q, slot="count:" + cls)
        break
    return q


_TOTAL = frozenset({"all", "every", "each", "entire", "whole"})


def totals_of(toks: list[tuple[str, str, str]]) -> frozenset[str]:
    """Heads of ``all (of) (the) (12) boys``, ``every one of the boys``, ``each of the miners``."""
    global _SYN
    if _SYN is None:
        _SYN = _synonyms()
    out = set()
    skip = {"of", "the", "one", "their", "its", "his", "her", "these", "those", "remaining", "other"}
    for i, (surface, _lemma, _pos) in enumerate(toks):
        if surface.lower() not in _TOTAL:
            continue
        for w, lemma, pos in toks[i + 1 : i + 5]:
            lw = w.lower()
            if lw in skip or lw in L.NUMBER_WORDS:
                continue
            if pos == "N" and lw not in STOPWORDS:
                out.add(_SYN.get(lemma, lemma))
            break
    return frozenset(out)


def _multiword_class(toks: list[tuple[str, str, str]], i: int) -> str | None:
    """The frame class of a multiword verb starting at ``i`` (``brought out``, ``brought safely out``)."""
    from .frames import MULTIWORD

    nxt = [t[1] for t in toks[i + 1 : i + 3]]
    for words, cls in MULTIWORD.items():
        if words[0] == toks[i][1] and len(words) > 1 and words[1] in nxt:
            return cls
    return None


_RUNNING = re.compile(
    r"\b(?:has|have|'s|'ve)\s+(?:now\s+|already\s+|so\s+far\s+)?(?:been\s+)?(?:[a-z]+\s+){0,4}?(?:on\s+)?for\s+"
    r"(?:(?:the\s+)?(?:past|last)\s+)?(?P<n>\d+|[a-z]+(?:-[a-z]+)?)\s+(?P<u>days?|weeks?|months?|years?)\b", re.I)


def running_durations(core: str) -> frozenset[float]:
    """Durations in seconds of ``has (now) been trapped for 13 days`` / ``has dragged on for 13 days``:
    a present-perfect clock, exact (no ``more than``), of a day or more."""
    out = set()
    for m in _RUNNING.finditer(core):
        n = parse_number(m.group("n"))
        unit = m.group("u").lower()
        if n is None or unit not in L.UNITS:
            continue
        out.add(round(n * L.UNITS[unit][1], 1))
    return frozenset(out)
