"""Stage 6: words for people. Each disagreeing slot of a conflict link becomes one line that
quotes the words that gave each value and names both sources; evidence of a link becomes a
short sentence for exports (``rdfs:comment``, the CSV links view)."""

from __future__ import annotations

from ..catalog import Catalog
from ..records import Conflict, Link, SlotComparison


def source_name(cat: Catalog, source_id: str) -> str:
    """``Outlet (src-...)``, or the title, or the id."""
    s = cat.sources.get(source_id)
    if s is None:
        return source_id
    name = s.outlet or (f'"{s.title}"' if s.title else None)
    return f"{name} ({source_id})" if name else source_id


def slot_label(slot: str) -> str:
    """``age:kunan`` -> ``age of Kunan``; ``count:person`` -> ``number of people``; ``year:open`` -> ``year of open``."""
    kind, _, holder = slot.partition(":")
    if kind == "age":
        if holder == "group":
            return "ages in the group"
        if holder.startswith("~"):
            return f"age of the {holder[1:]}"
        return f"age of {holder.capitalize()}" if holder else "age"
    if kind == "count":
        if holder in _FRAME_COUNTS:
            return _FRAME_COUNTS[holder]
        return "number of people" if holder == "person" else f"number of {holder}s"
    if kind == "title":
        return f"title of {holder.capitalize()}"
    if kind == "year" and holder:
        return f"year of {holder}"
    return {"time": "time of day", "date": "date", "negation": "polarity"}.get(kind, kind)


_FRAME_COUNTS = {"participate": "number of people taking part", "die": "number of deaths",
                 "injure": "number of injured", "arrest": "number of arrests"}


def field_of(slot: str) -> str:
    return slot.partition(":")[0]


def _side(text: str, value: str, hedged: bool) -> str:
    mark = " (hedged)" if hedged else ""
    return f'"{text}" ({value}){mark}' if value and value != text else f'"{text}"{mark}'


def conflict_lines(link: Link, cat: Catalog, version_of: dict[str, tuple[str, int]] | None = None) -> list[Conflict]:
    """One :class:`Conflict` per disagreeing slot of a link: a conflict link, or a corroboration
    whose statements disagree on one part (a measure) while telling one happening alike."""
    out = []
    a_src, b_src = _owner(link.a, cat, version_of), _owner(link.b, cat, version_of)
    for s in link.slots:
        if s.outcome == "agree":
            continue
        ha = s.hedged in ("a", "both")
        hb = s.hedged in ("b", "both")
        what = "revision change, " if link.revision else ""
        text = (f"{slot_label(s.slot)}: {_side(s.a_text, s.a_value, ha)} in {a_src} vs "
                f"{_side(s.b_text, s.b_value, hb)} in {b_src} [{what}{s.outcome}]")
        out.append(Conflict(a=link.a, b=link.b, field=field_of(s.slot), explanation=text, grade=s.outcome,
                            hedged=s.hedged, revision=link.revision))
    return out


def _owner(aid: str, cat: Catalog, version_of: dict[str, tuple[str, int]] | None) -> str:
    """The source name of an assertion, with its version when the source was revised."""
    found = (version_of or {}).get(aid)
    if found is None:
        return aid
    sid, version = found
    s = cat.sources.get(sid)
    name = source_name(cat, sid)
    return f"{name} v{version}" if s is not None and s.versions > 1 else name


def evidence(link: Link) -> str:
    """One line: what made the link (shared words, frames, slots, score)."""
    parts = []
    if link.how == "analyst":
        parts.append("linked by an analyst")
    if link.shared:
        parts.append("shared words " + ", ".join(f"{w} ({x:g})" for w, x in link.shared[:6]))
    if link.frames:
        parts.append("frames " + ", ".join(link.frames))
    agree = [s for s in link.slots if s.outcome == "agree"]
    if agree:
        parts.append("agreeing " + "; ".join(f"{slot_label(s.slot)} {s.a_value} = {s.b_value}" for s in agree))
    for s in link.slots:
        if s.outcome != "agree":
            parts.append(f"{s.outcome} disagreement on {slot_label(s.slot)}: {s.a_value} vs {s.b_value}")
    if link.revision:
        parts.append("two versions of one source")
    parts.append(f"score {link.score:g}")
    return "; ".join(parts)


def describe_slot(s: SlotComparison) -> str:
    return f"{slot_label(s.slot)}: {s.a_value} vs {s.b_value} [{s.outcome}]"
