"""Stage 4: slot by slot, do two statements about the same happening agree?

Values are compared only within one slot and measure (an age with an age of the same person, a
distance with a distance, a count of people with a count of people); a bare date, weekday,
ordinal or unit-less number is never compared. Each slot both statements fill gives one
:class:`SlotComparison`:

* **agree**: the values the words allow overlap and say the same number (``about 4 km`` / ``4 km``);
* **hard** conflict: they cannot both be true (37 vs 38; 2am vs about 1am; 4 km vs 3.2 km;
  aged 11 to 16 vs 11 to 17);
* **soft** conflict: compatible bounds that still disagree as reported (``at least 2`` vs
  ``five``; ``more than 1,000`` vs ``more than 10,000``).

A side whose value is hedged (``reportedly 38``) is marked. Titles compare the same way
(``the governor`` vs ``the former governor`` of one person is a hard conflict), and a negation
conflict needs the same verb with opposite polarity and a shared object.
"""

from __future__ import annotations

from ..records import SlotComparison
from .features import Features, Quantity, same_person

COMPARED_SLOTS_PREFIX = ("age:", "count:", "distance", "duration", "interval", "time", "percent", "money:", "mass", "volume",
                         "speed", "temperature", "year:")
"""Slots whose values are compared; everything else (dates, bare numbers, years) is not a slot value."""


def _compared(q: Quantity) -> bool:
    return q.slot.startswith(COMPARED_SLOTS_PREFIX)


def _same_slot(x: Quantity, y: Quantity) -> bool:
    if x.slot == y.slot:
        return True
    if x.slot.startswith("age:") and y.slot.startswith("age:"):
        return same_person(x.slot[4:], y.slot[4:])
    return False


def _fmt(q: Quantity) -> str:
    unit = {"distance": " m", "duration": " s", "percent": " %", "time": ""}.get(q.slot.split(":")[0], "")
    if q.slot in ("duration", "interval"):
        return _human(q, [(86400.0, "days"), (3600.0, "hours"), (60.0, "minutes"), (1.0, "seconds")])
    if q.slot == "distance":
        return _human(q, [(1000.0, "km"), (1.0, "m")])
    if q.slot == "time":
        clock = f"{int(q.value) // 60:02d}:{int(q.value) % 60:02d}"
        return clock + " (a.m. or p.m.)" if q.bound == "ampm" else clock
    if q.bound == "range":
        return f"{q.lo:g}-{q.hi:g}{unit}"
    if q.bound in ("min", "above"):
        return f">={q.value:g}{unit}" if q.bound == "min" else f">{q.value:g}{unit}"
    if q.bound in ("max", "below"):
        return f"<={q.value:g}{unit}" if q.bound == "max" else f"<{q.value:g}{unit}"
    if q.bound in ("about", "near-below", "vague"):
        return f"~{q.value:g}{unit}"
    return f"{q.value:g}{unit}"


def _human(q: Quantity, scale: list[tuple[float, str]]) -> str:
    """``3.2 km``, ``~4 km``, ``>14 days``: a normalised value in a unit a person reads."""
    factor, unit = next(((f, u) for f, u in scale if q.value >= f), scale[-1])
    v = f"{q.value / factor:.3g}"
    if q.bound == "range":
        return f"{q.lo / factor:.3g}-{q.hi / factor:.3g} {unit}"
    mark = {"min": ">=", "above": ">", "max": "<=", "below": "<", "about": "~", "near-below": "~", "vague": "~"}.get(q.bound, "")
    return f"{mark}{v} {unit}"


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.02 * max(abs(a), abs(b), 1e-9)


def compare_values(x: Quantity, y: Quantity) -> str:
    """``agree``, ``hard`` or ``soft`` for two values of one slot."""
    if x.bound == "ampm" or y.bound == "ampm":  # "7:50" is 7:50 a.m. or p.m.: agree with either
        c, o = (x, y) if x.bound == "ampm" else (y, x)
        if o.bound == "ampm":
            return "agree" if c.value == o.value else "hard"
        return min((compare_values(Quantity(c.slot, v, v, v, "exact", c.text), o) for v in (c.lo, c.hi)),
                   key=("agree", "soft", "hard").index)
    if x.bound == "range" or y.bound == "range":
        if x.bound == y.bound == "range":
            return "agree" if _close(x.lo, y.lo) and _close(x.hi, y.hi) else "hard"
        r, v = (x, y) if x.bound == "range" else (y, x)
        return "agree" if r.lo <= v.value <= r.hi else "hard"
    # "two miles" is 3.2 km, as reported; a count, an age or a clock time has no rounding slack
    # (3 % of minutes since midnight would make 7:50 p.m. agree with "about 9 p.m.")
    tol = 0.0 if x.slot.startswith(("count:", "age:", "time", "year:")) else 0.03
    overlap = x.lo * (1 - tol) <= y.hi * (1 + tol) and y.lo * (1 - tol) <= x.hi * (1 + tol)
    if not overlap:
        return "hard"
    if _close(x.value, y.value):
        return "agree"
    # overlapping but different numbers: one is a bound or an estimate that allows the other
    if x.bound == y.bound == "exact":
        return "hard"
    if x.bound in ("about", "vague") or y.bound in ("about", "vague"):
        return "agree" if x.bound != y.bound or x.bound == "vague" else "soft"
    return "soft"


def slot_comparisons(a: Features, b: Features) -> tuple[SlotComparison, ...]:
    """Every slot both fill, each compared once (the best-agreeing pair of values per slot)."""
    out: list[SlotComparison] = []
    done: set[str] = set()
    # "trapped for 13 days" and "for over two weeks" told on different days are both true:
    # a running duration is only compared between reports of one day
    other_day = bool(a.published and b.published and a.published[:10] != b.published[:10])
    for x in a.quantities:
        if not _compared(x) or x.slot in done or (other_day and x.slot == "duration"):
            continue
        pairs = [(x2, y) for x2 in a.quantities if x2.slot == x.slot for y in b.quantities if _compared(y) and _same_slot(x2, y)]
        if not pairs:
            continue
        done.add(x.slot)
        ranked = sorted(pairs, key=lambda p: {"agree": 0, "soft": 1, "hard": 2}[compare_values(*p)])
        x2, y = ranked[0]
        outcome = compare_values(x2, y)
        hedged = "both" if x2.hedged and y.hedged else "a" if x2.hedged else "b" if y.hedged else None
        out.append(SlotComparison(x.slot, x2.text, y.text, _fmt(x2), _fmt(y), outcome, hedged))
    for t in a.titles:
        for u in b.titles:
            if t.title == u.title and same_person(t.person, u.person) and f"title:{t.person}" not in done:
                done.add(f"title:{t.person}")
                same = t.modifier == u.modifier
                out.append(SlotComparison(f"title:{t.person}", t.text, u.text, f"{t.modifier} {t.title}".strip(),
                                          f"{u.modifier} {u.title}".strip(), "agree" if same else "hard"))
    return tuple(out)


def day_keys(f: Features) -> set[tuple[int, int, int | None]]:
    """``(month, day, year or None)`` of every date a statement gives for its happening."""
    from datetime import date

    out = set()
    for q in f.quantities:
        if q.slot != "date":
            continue
        if q.bound == "noyear":
            out.add((int(q.value) // 100, int(q.value) % 100, None))
        else:
            d = date.fromordinal(int(q.value))
            out.add((d.month, d.day, d.year))
    return out


def _same_day(x: tuple[int, int, int | None], y: tuple[int, int, int | None]) -> bool:
    return x[:2] == y[:2] and (x[2] is None or y[2] is None or x[2] == y[2])


def dates_differ(a: Features, b: Features) -> bool:
    """Both give a date for the happening and share none: two occurrences, or a conflict."""
    da, db = day_keys(a), day_keys(b)
    return bool(da and db and not any(_same_day(x, y) for x in da for y in db))


def dates_agree(a: Features, b: Features) -> bool:
    """Both give the same day (a date with no year agrees with that day of any year)."""
    da, db = day_keys(a), day_keys(b)
    return any(_same_day(x, y) for x in da for y in db)


def negation_conflict(a: Features, b: Features, shared: set[str]) -> SlotComparison | None:
    """Same verb, opposite polarity, and a shared object word: one side denies what the other says."""
    for f in a.frames:
        for g in b.frames:
            if f.cls == g.cls and f.cls not in ("say", "announce") and f.negated != g.negated:
                if len(shared) >= 2:
                    neg, pos = ("a", "b") if f.negated else ("b", "a")
                    return SlotComparison("negation", f.word, g.word, "denied" if f.negated else "asserted",
                                          "denied" if g.negated else "asserted", "hard", None)
    return None
