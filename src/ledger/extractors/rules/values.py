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
from .trie import trie_pattern

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
    r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+|(?i:" + _WORDNUM + r"))(?![\w])"
    r"(?:\s+(hundred|thousand|million|billion|trillion)\b)?"
    r"(?:(\s*%|\s+percent\b|\s+per cent\b)|(-year-old)|-([a-z]+)(?:-[a-z]+)?\b)?"
)
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
    earlier already still yet again""".split()
)
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


def _unit_after(text: str, pos: int, limit: int = 3) -> str | None:
    """Up to ``limit`` words after ``pos`` naming what is counted, stopping at function words."""
    words = []
    for _ in range(limit):
        m = UNIT_WORD_RE.match(text, pos)
        if m is None:
            break
        w = m.group(1)
        if w.lower() in UNIT_STOP or w.endswith("ing") and words:
            break
        words.append(w)
        pos = m.end()
        if w.endswith("s") and w[0].islower():
            break  # a plural noun closes the phrase: "gunshot wounds"
    return " ".join(words) or None


def _month_day(pub: dt.date | None, month: int, day: int, year: str | None) -> str | None:
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
    if not year and pub is not None and (d - pub).days > 14:
        try:
            d = dt.date(y - 1, month, day)
        except ValueError:
            return None
    return d.isoformat()


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
_G_MONTH, _G_WEEK, _G_REL, _G_RELY, _G_NUM, _G_ORD = 1, 2, 4, 8, 16, 32
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


_GATE_BITS = (_G_MONTH, _G_WEEK, _G_REL, _G_RELY, _G_NUM, _G_ORD)
GATE_INDEX: dict[str, tuple[int, ...]] = {}
"""Each gate word as written (lower case or capitalized) -> the candidate lists it feeds."""
for _w, _flags in GATE_WORDS.items():
    for _form in (_w, _w[0].upper() + _w[1:]):
        GATE_INDEX[_form] = tuple(i for i, bit in enumerate(_GATE_BITS) if _flags & bit)

GATE_RE = re.compile(
    r"\b(?:" + trie_pattern(sorted({v for w in GATE_WORDS for v in (w, w[0].upper() + w[1:])})) + r")\b"
)
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

    Dates are taken first, so ``November 13`` is a date and not the number 13.
    """
    if end is None:
        end = len(text)
    found: list[Value] = []
    taken = bytearray(len(text))  # 1 where a value was already found
    digits = [m.start() for m in DIGIT_GATE_RE.finditer(text, start, end)]
    lists: list[list[int]] = [[], [], [], [], [], []]
    index = GATE_INDEX
    for m in GATE_RE.finditer(text, start, end):
        for i in index[m.group()]:
            lists[i].append(m.start())
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
    for m in _matches(MONTH_DAY_RE, text, g[_G_MONTH], end):
        iso = _month_day(published, MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)), m.group(3))
        # unresolvable (no year, no published date): reserve the span so "2" is not a count
        _add(found, taken, m.start(), m.end(), Value("date", m.group(), m.start(), m.end(), iso) if iso else None)
    for m in _matches(DAY_MONTH_RE, text, digits, end):
        iso = _month_day(published, MONTHS[m.group(2).lower().rstrip(".")], int(m.group(1)), m.group(3))
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
    for m in _matches(NUMBER_RE, text, num_pos, end):
        qual, cur, raw, scale, pct, age, hyph = m.groups()
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
        if scale:
            num *= SCALES[scale.lower()]
        e = m.end()
        if not _free(taken, s, e):
            continue  # inside a date or an earlier value: _add would drop it
        unit = None
        vtype = "quantity"
        if pct:
            vtype, unit = "percent", "percent"
        elif age:
            vtype, unit = "age", "years"
        elif hyph:
            unit = hyph  # 2.5-mile-wide -> mile
        else:
            unit = _unit_after(text, e)
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
