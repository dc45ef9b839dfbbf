"""Quantities and dates, normalised, each with its surface text and exact span.

Numbers become plain decimals (``30,000`` -> ``30000``, ``3.5 million`` -> ``3500000``);
number words one..ninety are read too (``three decades`` -> 3 decades), ``dozens`` is
left alone (vague). Dates become ISO 8601. Relative dates resolve against the
publication date with the news convention: a bare weekday is the most recent such day
on or before publication; ``last``/``next`` move strictly before/after; a month-day
without a year takes the publication year, or the year before when that would put it
more than two weeks after publication. A relative date with nothing to resolve
against is not recorded (a value is a normalised string, never a guess).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from ...events import Value
from .trie import WordScan, trie_pattern

UNITS_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20,
}
MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
CURRENCIES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW"}

QUALIFIERS = (
    r"at least|at most|more than|less than|fewer than|up to|as many as|as few as|nearly|almost|"
    r"about|around|approximately|roughly|some|over|under|exactly|an estimated|estimated"
)
_WORDNUM = (
    r"(?:" + "|".join(TENS_WORDS) + r")(?:-(?:" + "|".join(k for k in UNITS_WORDS if UNITS_WORDS[k] < 10) + r"))?"
    r"|" + "|".join(sorted(UNITS_WORDS, key=len, reverse=True))
)
_MONTH_NAME = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_YEAR = r"(?:19|20)\d\d"

DATERANGE_RE = re.compile(r"(?<![\d,.])(" + _YEAR + r")\s?[-–](\d\d|" + _YEAR + r")(?![\d-])")
ISO_RE = re.compile(r"(?<![\d-])(" + _YEAR + r")-(\d\d)-(\d\d)(?![\d-])")
MONTH_DAY_RE = re.compile(
    r"\b(" + _MONTH_NAME + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(" + _YEAR + r")\b)?"
)
DAY_MONTH_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + _MONTH_NAME + r")(?:,?\s+(" + _YEAR + r")\b)?")
MONTH_YEAR_RE = re.compile(r"\b(" + _MONTH_NAME + r"),?\s+(" + _YEAR + r")\b")
WEEKDAY_RE = re.compile(
    r"\b(?:(?i:(last|next|this|on|early|late)\s+))?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?!s)"
)
RELDAY_RE = re.compile(r"\b(?i:(yesterday|today|tomorrow))\b")
RELYEAR_RE = re.compile(r"\b(?i:(this|last|next) (year|month))\b")
YEAR_RE = re.compile(r"(?<![\w$€£.,-])(" + _YEAR + r")(?![\w%]|[.,]\d|-\w)")
NUMBER_RE = re.compile(
    r"(?:\b(?i:(" + QUALIFIERS + r"))\s+)?"
    r"(US\$|[$€£¥₩])?"
    r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+|(?i:" + _WORDNUM + r"))"
    r"(?:(?<=\d)([A-Za-z°][A-Za-z/]{0,3}))?(?![\w])"
    r"(?:\s+(hundred|thousand|million|billion|trillion)\b)?"
    r"(?:(\s*%|\s+percent\b|\s+per cent\b)|(-year-old)|-([a-z]+)(?:-[a-z]+)?\b)?"
)
"""``(qualifier) (currency) number (attached suffix) (scale) (percent | -year-old | -unit)``.
An attached suffix is a money scale after a currency (``£1.2m``, ``$4bn``), ``bn``/``mn``
anywhere, or a unit abbreviation (``200mm``, ``40km``); any other (``21st``, ``5G``) is
left to the ordinal pattern or to nothing."""
SUFFIX_SCALES = {"k": 10**3, "m": 10**6, "mn": 10**6, "b": 10**9, "bn": 10**9, "tn": 10**12}
UNIT_ABBREV = frozenset(
    """mm cm km m kg g mg t mph kph kmh km/h ml l ft in lb lbs oz GB MB TB kW MW GW kWh MWh GWh
    °C °F ha hrs hr h min mins""".split()
)
"""Unit abbreviations written onto a number, case-sensitive (``5G`` is no unit)."""
TIME_RE = re.compile(
    r"(?<![\d:.,])(\d{1,2})(?::(\d\d)(?![\d:])(?:\s?([ap])\.?m\b\.?)?|(?:[.](\d\d))?\s?([ap])\.?m\b\.?)",
    re.I,
)
"""Clock times: ``3:42 a.m.``, ``14:05``, ``7pm``, ``7.30pm``: a ``time`` value, never counts."""
TIME_NEXT = frozenset(":aApP")
RANGE_NEXT = frozenset("-–%")
RANGE_RE = re.compile(
    r"(US\$|[$€£¥₩])?(?<![\w.,-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(\s*%)?"
    r"(\s?[-–]\s?|\s+(?:to|and)\s+)(?:US\$|[$€£¥₩])?"
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w-]|[.,]\d)"
    r"(?:\s+(hundred|thousand|million|billion|trillion)\b)?(\s*%|\s+percent\b|\s+per cent\b)?"
)
"""``between 20 and 30``, ``20 to 30``, ``20-30``, ``$2-3 million``: a ``range`` value
``20/30``; a hyphenated pair whose first number is not the smaller (``voted 5-2``) is a tally,
and is not read as numbers at all. ``and`` joins a range only after ``between``; ``from
20 to 30`` is a change, not a range, and stays two numbers."""
BETWEEN_RE = re.compile(r"(?i:between)[ \t]+$")
FROM_RE = re.compile(r"(?i:from)[ \t]+$")
NO_QUAL_RE = re.compile(r"(?i:no|not)[ \t]+$")
AGE_NAME_RE = re.compile(r"[A-Z][\w'’.-]*,[ \t]*$")
FRACTIONS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
    "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9,
    "ninths": 9, "tenth": 10, "tenths": 10,
}
FRACTION_RE = re.compile(
    r"(?:\b(?i:(" + QUALIFIERS + r"|nearly|almost))\s+)?\b(?i:(a|an|one|two|three|four|five|six|seven|eight|nine))"
    r"[ -](?i:(" + "|".join(sorted(FRACTIONS, key=len, reverse=True)) + r"))\b(?!-)"
)
"""``a third of``, ``two-thirds``, ``a quarter``, ``by a fifth.``: a ``fraction`` value
``1/3``. ``a third straight week`` stays an ordinal: a singular fraction needs ``of`` or
the end of the phrase after it."""
FRACTION_OK_AFTER_RE = re.compile(r"\s+of\b|\s*(?:[,.;:!?)\"”’']|$)")
HALF_OF_RE = re.compile(r"\b(?i:half)\s+of\b")
ORDINAL_RE = re.compile(r"\b(?i:(" + "|".join(ORDINALS) + r"))\b|\b(\d+)(?:st|nd|rd|th)\b")

PREV_WORD_RE = re.compile(r"([A-Za-z]+)[ \t]+$")
QUALIFIER_WORDS = frozenset("least most than many few nearly almost about around approximately roughly some over under estimated".split())
YEAR_CONTEXT = frozenset("in since of the a by until from to through during before after early late mid year".split())
UNIT_WORD_RE = re.compile(r"[ \t]+([A-Za-z][\w'’-]*)")
UNIT_STOP = frozenset(
    """a an the of in on at to for from by with without into onto over under about after before
    during since until while when where who whom whose which that than then as and or but nor so
    is are was were be been being has have had do does did will would can could should may might
    must shall not no per each every this these those his her its their our my your it he she
    they we i you me him them us there here despite against between among through across
    toward towards behind beyond near inside outside via if because though although also only
    just more less most least percent said says told including like around along ago later
    earlier already still yet again last next""".split()
)
VERB_STOP = frozenset(
    """struck spent went came took gave made got saw ran won lost left hit shot held kept met paid
    put set sent stood brought bought built caught fought found heard knew led sold thought wrote
    began broke chose drove flew grew threw became fled sank stole hid rose fell died""".split()
)
"""Past-tense verbs that end what is counted: ``About 1,200 people spent the night``."""
CLOSING_NOUNS = frozenset("people men women children staff personnel police cattle feet data".split())
"""Plural nouns without an ``s`` that, like ``wounds``, close the counted phrase."""
NOUN_AFTER_ONE_STOP = UNIT_STOP | {"another", "other", "others", "way", "day"}


def parse_published(published: str | None) -> dt.date | None:
    """The publication date from an ISO date or date-time, or None."""
    if not published:
        return None
    try:
        return dt.date.fromisoformat(published[:10])
    except ValueError:
        return None


def _plain(d: Decimal) -> str:
    s = format(d.normalize(), "f")
    return s


def _number(raw: str) -> Decimal | None:
    low = raw.lower()
    if low in UNITS_WORDS:
        return Decimal(UNITS_WORDS[low])
    if "-" in low and low.split("-")[0] in TENS_WORDS:
        a, b = low.split("-", 1)
        return Decimal(TENS_WORDS[a] + UNITS_WORDS.get(b, 0))
    if low in TENS_WORDS:
        return Decimal(TENS_WORDS[low])
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None


def _unit_after(text: str, pos: int, limit: int = 3, taken: bytearray | None = None) -> str | None:
    """Up to ``limit`` words after ``pos`` naming what is counted, stopping at function words,
    past-tense verbs and words already read as a value (``$1.8 million last year``)."""
    words = []
    for _ in range(limit):
        m = UNIT_WORD_RE.match(text, pos)
        if m is None:
            break
        w = m.group(1)
        low = w.lower()
        if low in UNIT_STOP or w.endswith("ing") and words:
            break
        if taken is not None and taken[m.start(1)]:
            break
        if words and (low in VERB_STOP or (low.endswith("ed") and w[0].islower())):
            break
        words.append(w)
        pos = m.end()
        if (w.endswith("s") or low in CLOSING_NOUNS) and w[0].islower():
            break  # a plural noun closes the phrase: "gunshot wounds"
    return " ".join(words) or None


def _month_day(pub: dt.date | None, month: int, day: int, year: str | None, future: bool = False) -> str | None:
    """ISO date of a month and day; without a year, the publication year, or the year
    before when that would be more than 14 days after publication, or, in a future-tense
    clause, the first such day on or after publication."""
    if year:
        y = int(year)
    elif pub is None:
        return None
    else:
        y = pub.year
    try:
        d = dt.date(y, month, day)
    except ValueError:
        return None
    if not year and future and pub is not None:
        if d < pub:
            try:
                d = dt.date(y + 1, month, day)
            except ValueError:
                return None
        return d.isoformat()
    if not year and pub is not None and (d - pub).days > 14:
        try:
            d = dt.date(y - 1, month, day)
        except ValueError:
            return None
    return d.isoformat()


FUTURE_WORDS = (
    "will|won't|won’t|shall|would|going to|expected to|scheduled|due|set to|slated|poised to|plan to|"
    "plans to|planning to|planned for|intend to|intends to|aim to|aims to|hope to|hopes to|is to|are to|"
    "next|upcoming|has until|have until|begin|begins|start|starts|open|opens|take effect|takes effect|"
    "come into force|comes into force|resume|resumes|reopen|reopens"
).split("|")
FUTURE_RE = re.compile(
    r"(?:" + trie_pattern(FUTURE_WORDS + [w[0].upper() + w[1:] for w in FUTURE_WORDS] + ["'ll", "’ll"]) + r")\b"
)
"""Words that put a clause in the future: a date after them is a coming one. No leading
``\b`` (the trie then lets ``re`` skip to candidate first letters); :func:`_is_future`
checks the word start itself. ``would have`` is past."""
SPEECH_RE = re.compile(r"\b(?:said|says|told|tells|announced|added|stated|according to)\b")
CLAUSE_START_RE = re.compile(r"[\s\S]*[.!?;\n\x85\u2028\u2029]")
CLAUSE_END_RE = re.compile(r"[^.!?;\n]*")


def _is_future(text: str, pos: int, end_pos: int, lo: int, hi: int) -> bool:
    """Whether the date at ``pos:end_pos`` sits in a future-tense clause: a future cue
    (``will``, ``is expected to``, ``plans to``, ``next``...) before it in its sentence
    with no reporting verb in between (``X said on Monday that he will`` is past), or, for
    a sentence that opens with the date (``On Sunday, X will``), after it before any."""
    w0 = max(lo, pos - 200)
    c = CLAUSE_START_RE.match(text, w0, pos)
    cs = c.end() if c else w0
    last = None
    for m in FUTURE_RE.finditer(text, cs, pos):
        if _future_cue(text, m):
            last = m
    if last is not None:
        return SPEECH_RE.search(text, last.end(), pos) is None
    if text[cs:pos].strip().lower() in ("", "on", "by", "from"):
        ce = CLAUSE_END_RE.match(text, end_pos, min(hi, end_pos + 200)).end()
        for f in FUTURE_RE.finditer(text, end_pos, ce):
            if _future_cue(text, f):
                return SPEECH_RE.search(text, end_pos, f.start()) is None
    return False


def _future_cue(text: str, m: re.Match) -> bool:
    s = m.start()
    if text[s] not in "'’" and s > 0 and (text[s - 1].isalnum() or text[s - 1] == "_"):
        return False  # inside a word
    return not (m.group() in ("would", "Would") and text.startswith(" have", m.end()))


def _number_start(text: str, pos: int, lo: int) -> int:
    """Where the number whose digit is at ``pos`` opens (its currency sign included)."""
    j = pos
    while j > lo and text[j - 1] in "0123456789,.":
        j -= 1
    while j < pos and text[j] in ",.":
        j += 1
    if j > lo and text[j - 1] in "$€£¥₩":
        j -= 1
        if text.startswith("US", j - 2) and j - 2 >= lo:
            j -= 2
    return j


def _time(m: re.Match) -> str | None:
    """``HH:MM`` of a TIME_RE match, or None when it is no clock time (``25:70``)."""
    h = int(m.group(1))
    mm = m.group(2) or m.group(4) or "00"
    ampm = (m.group(3) or m.group(5) or "").lower()
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm == "p" else 0)
    if h > 23 or int(mm) > 59:
        return None
    return f"{h:02d}:{mm}"


def _add(found, taken, start, end, value):
    """Keep ``value`` unless its span overlaps one already taken (``value`` None: just reserve)."""
    if taken.find(1, start, end) != -1:
        return
    taken[start:end] = b"\x01" * (end - start)
    if value is not None:
        found.append(value)


def _free(taken: bytearray, start: int, end: int) -> bool:
    """Whether no value was taken in ``start:end`` yet (then :func:`_add` will keep one there):
    checked before a value is built, so an overlapped one costs nothing."""
    return taken.find(1, start, end) == -1


WORD_GATE_RE = re.compile(r"[A-Za-z]+")
DIGIT_GATE_RE = re.compile(r"[$€£¥₩0-9][0-9]*")
_G_MONTH, _G_WEEK, _G_REL, _G_RELY, _G_NUM, _G_ORD, _G_FRAC = 1, 2, 4, 8, 16, 32, 64
GATE_WORDS: dict[str, int] = {}
for _w in MONTHS:
    GATE_WORDS[_w] = GATE_WORDS.get(_w, 0) | _G_MONTH
for _w in list(WEEKDAYS) + ["last", "next", "this", "on", "early", "late"]:
    GATE_WORDS[_w] = GATE_WORDS.get(_w, 0) | _G_WEEK
for _w in ("yesterday", "today", "tomorrow"):
    GATE_WORDS[_w] = GATE_WORDS.get(_w, 0) | _G_REL
for _w in ("this", "last", "next"):
    GATE_WORDS[_w] = GATE_WORDS.get(_w, 0) | _G_RELY
for _w in list(UNITS_WORDS) + list(TENS_WORDS) + [q.split()[0] for q in QUALIFIERS.split("|")]:
    GATE_WORDS[_w] = GATE_WORDS.get(_w, 0) | _G_NUM
for _w in ORDINALS:
    GATE_WORDS[_w] = GATE_WORDS.get(_w, 0) | _G_ORD
for _w in FRACTIONS:
    GATE_WORDS[_w] = GATE_WORDS.get(_w, 0) | _G_FRAC


_GATE_BITS = (_G_MONTH, _G_WEEK, _G_REL, _G_RELY, _G_NUM, _G_ORD, _G_FRAC)
GATE_INDEX: dict[str, tuple[int, ...]] = {}
"""Each gate word as written (lower case or capitalized) -> the candidate lists it feeds."""
for _w, _flags in GATE_WORDS.items():
    for _form in (_w, _w[0].upper() + _w[1:]):
        GATE_INDEX[_form] = tuple(i for i, bit in enumerate(_GATE_BITS) if _flags & bit)

GATE_SCAN = WordScan(trie_pattern(sorted({v for w in GATE_WORDS for v in (w, w[0].upper() + w[1:])})))
"""Only the words that can start a date or a number: one trie scan instead of a Python loop per word."""


def _matches(rx: re.Pattern, text: str, positions: list[int], end: int):
    """``rx`` tried only where a cheap gate found a candidate: same results as finditer, faster."""
    last = -1
    for p in positions:
        if p < last:
            continue
        m = rx.match(text, p, end)
        if m:
            last = m.end()
            yield m


def find_values(text: str, published: dt.date | None, start: int = 0, end: int | None = None) -> list[Value]:
    """Every quantity and date in ``text[start:end]``, sorted by position, not overlapping.

    Dates are taken first, so ``November 13`` is a date and not the number 13. The last
    answer is kept (Values are frozen; a new list is returned): ingest asks again for the
    whole text just extracted, to find its relative dates (``ingest.relative_dates``).
    """
    global _last
    last = _last
    if last is not None and last[0] is text and last[1] == (published, start, end):
        return list(last[2])
    found = _find_values(text, published, start, end)
    _last = (text, (published, start, end), tuple(found))
    return found


_last: tuple[str, tuple, tuple[Value, ...]] | None = None


def _find_values(text: str, published: dt.date | None, start: int = 0, end: int | None = None) -> list[Value]:
    if end is None:
        end = len(text)
    found: list[Value] = []
    taken = bytearray(len(text))  # 1 where a value was already found
    digits = []
    time_pos = []
    range_pos = []
    n_text = len(text)
    for m in DIGIT_GATE_RE.finditer(text, start, end):
        p, e = m.span()
        digits.append(p)
        if e >= n_text:
            continue
        c = text[e]
        # a clock time (3:42, 7pm, 7.30pm, 3 a.m.) or a range (20-30, 20 to 30) can start here
        if e - p <= 2 and (c in TIME_NEXT or (c == " " and text[e + 1 : e + 2] in TIME_NEXT) or (
            c == "." and text[e + 3 : e + 5].lstrip()[:1] in TIME_NEXT
        )):
            time_pos.append(p if text[p].isdigit() else p + 1)
        if c in RANGE_NEXT or (c == " " and (
            text.startswith(("to ", "and ", "- ", "– "), e + 1)
        )):
            range_pos.append(_number_start(text, e - 1, start))
    lists: list[list[int]] = [[] for _ in _GATE_BITS]
    index = GATE_INDEX
    for m in GATE_SCAN.finditer(text, start, end):
        for i in index[m.group(1)]:
            lists[i].append(m.start(1))
    g = dict(zip(_GATE_BITS, lists))
    # ranges, ISO dates and years all open with 19 or 20: try them only there
    year_pos = [p for p in digits if text.startswith(("19", "20"), p)]
    num_pos = sorted(digits + g[_G_NUM])
    ord_pos = sorted(digits + g[_G_ORD])

    for m in _matches(DATERANGE_RE, text, year_pos, end):
        a, b = m.group(1), m.group(2)
        if len(b) == 2:
            b = a[:2] + b
        if int(b) > int(a):
            _add(found, taken, m.start(), m.end(), Value("daterange", m.group(), m.start(), m.end(), f"{a}/{b}"))
    for m in _matches(ISO_RE, text, year_pos, end):
        try:
            iso = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
        _add(found, taken, m.start(), m.end(), Value("date", m.group(), m.start(), m.end(), iso))
    for m in _matches(TIME_RE, text, time_pos, end):
        hhmm = _time(m)
        if hhmm is not None:
            _add(found, taken, m.start(), m.end(), Value("time", m.group(), m.start(), m.end(), hhmm))
    for m in _matches(MONTH_DAY_RE, text, g[_G_MONTH], end):
        fut = published is not None and not m.group(3) and _is_future(text, m.start(), m.end(), start, end)
        iso = _month_day(published, MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)), m.group(3), fut)
        # unresolvable (no year, no published date): reserve the span so "2" is not a count
        _add(found, taken, m.start(), m.end(), Value("date", m.group(), m.start(), m.end(), iso) if iso else None)
    for m in _matches(DAY_MONTH_RE, text, digits, end):
        fut = published is not None and not m.group(3) and _is_future(text, m.start(), m.end(), start, end)
        iso = _month_day(published, MONTHS[m.group(2).lower().rstrip(".")], int(m.group(1)), m.group(3), fut)
        _add(found, taken, m.start(), m.end(), Value("date", m.group(), m.start(), m.end(), iso) if iso else None)
    for m in _matches(MONTH_YEAR_RE, text, g[_G_MONTH], end):
        month = MONTHS[m.group(1).lower().rstrip(".")]
        _add(found, taken, m.start(), m.end(), Value("date", m.group(), m.start(), m.end(), f"{m.group(2)}-{month:02d}"))
    if published is not None:
        for m in _matches(WEEKDAY_RE, text, g[_G_WEEK], end):
            mod = (m.group(1) or "").lower()
            target = WEEKDAYS[m.group(2).lower()]
            delta = (published.weekday() - target) % 7
            if mod == "last" and delta == 0:
                delta = 7
            day = published - dt.timedelta(days=delta)
            if mod == "next":
                day = published + dt.timedelta(days=(target - published.weekday()) % 7 or 7)
            elif mod != "last" and _is_future(text, m.start(), m.end(), start, end):
                # "is expected to visit on Sunday": the coming Sunday (today if it is Sunday)
                day = published + dt.timedelta(days=(target - published.weekday()) % 7)
            s = m.start(2) if mod in ("on", "early", "late") else m.start()
            _add(found, taken, s, m.end(), Value("date", text[s : m.end()], s, m.end(), day.isoformat()))
        for m in _matches(RELDAY_RE, text, g[_G_REL], end):
            shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[m.group(1).lower()]
            day = published + dt.timedelta(days=shift)
            _add(found, taken, m.start(), m.end(), Value("date", m.group(), m.start(), m.end(), day.isoformat()))
        for m in _matches(RELYEAR_RE, text, g[_G_RELY], end):
            shift = {"this": 0, "last": -1, "next": 1}[m.group(1).lower()]
            if m.group(2).lower() == "year":
                iso, kind = str(published.year + shift), "year"
            else:
                mon = published.month - 1 + shift
                iso, kind = f"{published.year + mon // 12}-{mon % 12 + 1:02d}", "date"
            _add(found, taken, m.start(), m.end(), Value(kind, m.group(), m.start(), m.end(), iso))
    for m in _matches(YEAR_RE, text, year_pos, end):
        before = PREV_WORD_RE.search(text, max(start, m.start() - 20), m.start())
        after = UNIT_WORD_RE.match(text, m.end())
        prev = before.group(1).lower() if before else ""
        if prev in QUALIFIER_WORDS or (
            after and after.group(1).endswith("s") and after.group(1)[0].islower() and prev not in YEAR_CONTEXT
        ):
            continue  # "about 2000 troops", "2000 soldiers": a count, not a year
        _add(found, taken, m.start(), m.end(), Value("year", m.group(), m.start(), m.end(), m.group(1)))
    range_pos = sorted(set(range_pos))
    for m in _matches(RANGE_RE, text, range_pos, end):
        cur, a_raw, pct1, joint, b_raw, scale, pct2 = m.groups()
        joint = joint.strip()
        lo = max(start, m.start() - 12)
        s = m.start()
        if joint == "and":
            bw = BETWEEN_RE.search(text, lo, s)
            if bw is None:
                continue
            s = bw.start()
        elif joint == "to" and FROM_RE.search(text, lo, s):
            continue  # "from 20 to 30": a change
        a, b = _number(a_raw), _number(b_raw)
        if a is None or b is None or not _free(taken, s, m.end()):
            continue
        if a >= b:
            if joint in ("-", "–") and not (cur or pct1 or pct2 or scale):
                _add(found, taken, s, m.end(), None)  # a tally: "voted 5-2"
            continue
        if scale:
            a, b = a * SCALES[scale.lower()], b * SCALES[scale.lower()]
        unit = "percent" if (pct1 or pct2) else _unit_after(text, m.end(), taken=taken)
        if cur:
            unit = CURRENCIES.get(cur, cur) if unit is None else f"{CURRENCIES.get(cur, cur)} {unit}"
        _add(found, taken, s, m.end(), Value("range", text[s : m.end()], s, m.end(), f"{_plain(a)}/{_plain(b)}", unit))
    for p in g[_G_FRAC]:
        w0 = max(start, p - 30)
        for m in FRACTION_RE.finditer(text, w0, min(end, p + 9)):
            if m.start(3) != p:
                continue
            word = m.group(3).lower()
            singular = not word.endswith("s")
            count = m.group(2).lower()
            if singular and count not in ("a", "an", "one"):
                continue
            if singular and not FRACTION_OK_AFTER_RE.match(text, m.end()):
                continue  # "a third straight week": an ordinal
            n = 1 if count in ("a", "an") else UNITS_WORDS[count]
            s = m.start(1) if m.group(1) else m.start(2)
            qual = m.group(1).lower() if m.group(1) else None
            _add(found, taken, s, m.end(), Value("fraction", text[s : m.end()], s, m.end(), f"{n}/{FRACTIONS[word]}", None, qual))
    for m in _matches(HALF_OF_RE, text, g[_G_FRAC], end):
        h = m.start() + 4  # "half of the homes": the value is "half"
        _add(found, taken, m.start(), h, Value("fraction", text[m.start() : h], m.start(), h, "1/2"))
    for m in _matches(NUMBER_RE, text, num_pos, end):
        qual, cur, raw, suf, scale, pct, age, hyph = m.groups()
        num = _number(raw)
        if num is None:
            continue
        low = raw.lower()
        s = m.start(2) if cur else m.start(3)
        if qual:
            s = m.start(1)
            if qual.lower() in ("some", "over", "under") and not raw[0].isdigit():
                qual, s = None, m.start(3)
        if low == "one" and not qual:
            w = UNIT_WORD_RE.match(text, m.end())
            if not w or w.group(1).lower() in NOUN_AFTER_ONE_STOP or w.group(1)[0].isupper() or w.group(1).endswith(("ed", "s")):
                continue
        unit = None
        if suf:
            sl = suf.lower()
            if sl in SUFFIX_SCALES and (cur or len(sl) == 2):
                num *= SUFFIX_SCALES[sl]  # £1.2m, $4bn, 2.3bn
            elif suf in UNIT_ABBREV:
                unit = suf  # 200mm, 40km
            else:
                continue  # 21st, 5G: not a count
        if scale:
            num *= SCALES[scale.lower()]
        e = m.end()
        if not _free(taken, s, e):
            continue  # inside a date or an earlier value: _add would drop it
        vtype = "quantity"
        if qual:
            neg = NO_QUAL_RE.search(text, max(start, s - 5), s)
            if neg is not None and qual.lower() in ("more than", "less than", "fewer than"):
                # "no more than 5%": at most
                qual = "at most" if qual.lower() == "more than" else "at least"
                s = neg.start()
                if not _free(taken, s, e):
                    continue
        if pct:
            vtype, unit = "percent", "percent"
        elif age:
            vtype, unit = "age", "years"
        elif hyph:
            # 2.5-mile-wide -> mile; a 1,200-strong petition -> petition
            unit = hyph if hyph != "strong" else _unit_after(text, e, taken=taken)
        elif unit is None:
            unit = _unit_after(text, e, taken=taken)
            if (
                unit is None and not (cur or qual or scale) and raw.isdigit() and 0 < int(raw) < 120
                and text.startswith(",", e) and AGE_NAME_RE.search(text, max(start, s - 40), s)
            ):
                vtype, unit = "age", "years"  # "Tom Reilly, 61, said"
        if cur:
            unit = CURRENCIES.get(cur, cur) if unit is None else f"{CURRENCIES.get(cur, cur)} {unit}"
        qual_n = qual.lower() if qual else None
        if qual_n == "an estimated":
            qual_n = "estimated"
        _add(found, taken, s, e, Value(vtype, text[s:e], s, e, _plain(num), unit, qual_n))
    for m in _matches(ORDINAL_RE, text, ord_pos, end):
        n = ORDINALS[m.group(1).lower()] if m.group(1) else int(m.group(2))
        _add(found, taken, m.start(), m.end(), Value("ordinal", m.group(), m.start(), m.end(), str(n)))
    found.sort(key=lambda v: (v.start, v.end))
    return found
