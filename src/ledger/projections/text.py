"""Light text analysis for matching statements across sources.

Deliberately small and general: lower-cased word tokens, a stop list, a light suffix
stemmer (``defection``/``defected`` -> ``defect``, ``gunshot`` -> ``shot``) and a few
synonym classes of common news vocabulary (``troops``/``soldiers``), so two outlets
wording the same fact differently still share keys. Nothing here knows any corpus.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")
_NAME = re.compile(r"\b(?:[A-Z][A-Za-z'’\-\.]*[A-Za-z]|[A-Z]{2,})(?:\s+(?:of\s+|the\s+)?(?:[A-Z][A-Za-z'’\-\.]*[A-Za-z]|[A-Z]{2,}))*")

STOPWORDS = frozenset(
    """a about above across after again against all almost also although always am among an and another any
    are around as at be because been before being below between both but by can could did do does doing
    done down during each either else even ever every few for from further had has have having he her here
    hers him himself his how however i if in into is it its itself just last later least less like made
    make many may me might more most much must my near nearly never no nor not now of off on once one only
    or other others our ours out over own per perhaps quite rather really said same say says see seen shall
    she should since so some still such than that the their theirs them then there these they this those
    though through thus to too toward towards two under until up upon us very was we were what when where
    whether which while who whom whose why will with within without would yet you your according also told
    reportedly appears appear believed allegedly apparently possibly shows showed shown show can't don't
    didn't isn't wasn't aren't weren't won't it's he's she's they're we're i'm mr mrs ms dr new first
    three four five six seven eight nine ten time times day days year years week weeks month months
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    january february march april june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec""".split()
)

# Synonym classes: every member maps to the first word. Common, general news vocabulary only.
_SYNONYMS = [
    "soldier troop serviceman servicemen",
    "border frontier boundary",
    "kill slay",
    "die dead death",
    "shoot shot gunshot gunfire fire firing fired",
    "defect defector defection",
    "treaty agreement accord pact deal armistice ceasefire truce",
    "hospital clinic",
    "rescue save",
    "release publish",
    "video footage clip",
    "chase pursue pursuit pursuer",
    "flee escape",
    "cross crossing",
    "violate breach",
    "arrest detain",
    "injure wound hurt",
    "car vehicle",
    "police officer",
    "say state",
    "rise increase",
    "fall drop decline decrease",
]
_IRREGULAR = {
    "shot": "shoot", "men": "man", "women": "woman",
    "children": "child", "people": "person", "taken": "take", "took": "take", "gave": "give", "given": "give",
    "died": "die", "dying": "die", "dead": "die", "death": "die", "built": "build", "caught": "catch",
    "brought": "bring", "bought": "buy", "drove": "drive", "driven": "drive", "fell": "fall", "fallen": "fall",
    "won": "win", "lost": "lose", "sent": "send", "sold": "sell", "held": "hold", "broke": "break",
    "broken": "break", "began": "begin", "begun": "begin", "swept": "sweep", "struck": "strike", "threw": "throw",
    "thrown": "throw", "wrote": "write", "written": "write", "rose": "rise", "risen": "rise", "spent": "spend",
    "fought": "fight", "fled": "flee", "ran": "run",
}
_PAST = frozenset(k for k in _IRREGULAR if k not in ("men", "women", "children", "people", "dead", "death"))


def _base(word: str) -> str:
    """Inflection and a few derivational suffixes off, final ``e`` dropped: chase/chased/chasing -> chas."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = _IRREGULAR.get(w, w)
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("sses", "shes", "ches", "xes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed", "ation", "ion", "ment", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + ("at" if suffix == "ation" else "")
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # stopp(ed) -> stop
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


SYNONYMS: dict[str, str] = {}
for _group in _SYNONYMS:
    _words = [_base(w) for w in _group.split()]
    for _w in _words:
        SYNONYMS.setdefault(_w, _words[0])


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Light stem, then fold synonyms (``troops`` -> ``soldier``)."""
    b = _base(word)
    return SYNONYMS.get(b, b)


def content_stems(text: str) -> list[str]:
    """Stems of the content words of ``text`` in order (stop words and digits dropped)."""
    out = []
    for m in _WORD.finditer(text):
        w = m.group()
        lw = w.lower()
        if lw in STOPWORDS or len(lw) < 3:
            continue
        out.append(stem(w))
        if "-" in lw:  # decades-old: also its parts
            out.extend(stem(p) for p in lw.split("-") if len(p) >= 3 and p not in STOPWORDS)
        elif lw.startswith("gun") and len(lw) > 5:  # gunshot, gunfire, gunman
            out.append(stem(lw[3:]))
    return out


def verb_stems(text: str) -> set[str]:
    """Stems of words inflected as verbs (``crossed``, ``driving``, ``built``): the predicates.

    Without a tagger this is a guess (``-ed``/``-ing`` forms and common irregular pasts), good
    enough to tell two statements that share the action from two that share only nouns.
    """
    out = set()
    for m in _WORD.finditer(text):
        lw = m.group().lower()
        if lw in STOPWORDS or len(lw) < 4:
            continue
        if lw in _PAST or (len(lw) > 4 and lw.endswith(("ed", "ing"))):
            out.add(stem(lw))
    return out


_DIGITS = re.compile(r"(?<![\w.\-])\d[\d,]*(?:\.\d+)?(?![\w])")


def number_keys(text: str, skip: tuple[tuple[int, int], ...] = ()) -> set[str]:
    """Numbers written in digits (``1953``, ``30,000`` -> ``30000``): values even an extractor missed.

    Matches inside a ``skip`` span (a value the extractor already read, such as the ``13`` of
    ``Nov. 13``) are left out, so one value is not counted twice as evidence.
    """
    return {
        m.group().replace(",", "").rstrip(".")
        for m in _DIGITS.finditer(text)
        if not any(lo <= m.start() < hi for lo, hi in skip)
    }


def name_keys(text: str) -> set[str]:
    """Capitalised phrases and acronyms not at the start of the text: cheap entity candidates."""
    keys = set()
    for m in _NAME.finditer(text):
        phrase = m.group().rstrip(".")
        if m.start() == 0 or text[max(0, m.start() - 2) : m.start()].strip() in (".", '"', "“"):
            words = phrase.split()
            if len(words) == 1:
                continue  # a sentence-initial capital is not evidence of a name
        words = [w for w in phrase.split() if w.lower() not in STOPWORDS]
        if not words:
            continue
        keys.add(" ".join(w.lower() for w in words))
        if len(words) > 2:
            keys.add("".join(w[0] for w in words).lower())  # United Nations Command <-> UNC
    return keys
