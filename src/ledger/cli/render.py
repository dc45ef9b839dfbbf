"""How commands show events and text to a person: one wording for ``log`` and ``show``."""

from __future__ import annotations

from ..events import Event, UnknownPayload


def cut(text: str | None, n: int = 70) -> str:
    """One line of at most ``n`` characters, ending in an ellipsis when cut."""
    text = (text or "").replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


def describe_event(event: Event, *, context: bool = False) -> str:
    """What an event says, in one line (its type is shown by the caller).

    ``context=True`` shows a recorded quote whole, between its stored prefix and suffix,
    as ``show`` wants; otherwise the quote is cut to fit a listing.
    """
    d = event.data
    t = event.type
    if isinstance(d, UnknownPayload):
        return f"(type unknown to this version, v{d.v})"
    if t in ("SourceAppended", "SourceRevised"):
        return f"{d.source_id} v{d.version} {d.title or d.uri or ''}".rstrip()
    if t == "AssertionRecorded":
        s = d.selector
        quote = f"…{s.prefix}[{s.exact}]{s.suffix}…" if context else f'"{cut(s.exact, 60)}"'
        return f"{d.assertion_id} in {d.source_id} v{d.version} ({d.kind}, {d.modality}): {quote}"
    if t == "AssertionRetracted":
        return f"{d.assertion_id}: {d.reason}"
    if t == "AssertionWithdrawn":
        return f"{d.assertion_id} from {d.source_id} v{d.version}: {d.reason}"
    if t in ("AssertionsLinked", "AssertionsUnlinked"):
        return f"{d.a} {d.b}" + (f": {d.note}" if d.note else "")
    if t == "VerdictRecorded":
        return f"{d.target} {d.status}" + (f": {d.note}" if d.note else "")
    return ""
