"""How commands show events and text to a person: one wording for ``log`` and ``show``,
and the one place where text bound for a terminal is made harmless.

Article text, titles, actors and file names are attacker-controlled: an ESC, OSC or C1
sequence in them would recolour, retitle or rewrite the user's terminal, and a newline
in a one-line field (an actor) would forge a row. Every terminal printer goes through
:func:`echo` (or :func:`clean` for text it hands to another printer, such as rich).
"""

from __future__ import annotations

import re
import sys

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..events import Event


def _escape_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]:
        table[c] = f"\\x{c:02x}"
    table.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})
    # bidi embeddings/overrides/isolates reorder what follows them ("Trojan Source");
    # line and paragraph separators break lines in some terminals
    for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029, 0x061C, 0x200E, 0x200F]:
        table[c] = f"\\u{c:04x}"
    return table


_ESCAPES = _escape_table()
_ESCAPES_KEEP_LINES = {**_ESCAPES}
del _ESCAPES_KEEP_LINES[0x0A]


def clean(text: object, *, multiline: bool = False) -> str:
    """``text`` with every control character (C0, DEL, C1, bidi controls) shown as an escape.

    ``multiline=False`` (a row, a field) escapes newlines too, so one value is one line;
    ``multiline=True`` keeps ``\\n`` for text that is meant to span lines.
    """
    return str(text).translate(_ESCAPES_KEEP_LINES if multiline else _ESCAPES)


_ESCAPES_KEEP_LAYOUT = {**_ESCAPES_KEEP_LINES}
del _ESCAPES_KEEP_LAYOUT[0x09]


def clean_document(text: str) -> str:
    """A whole file's text for a terminal (an export to stdout): lines (``\\n``, ``\\r\\n``) and
    tabs kept, every other control character shown as an escape, as :func:`clean` does."""
    return text.replace("\r\n", "\n").translate(_ESCAPES_KEEP_LAYOUT)


def echo(message: object = "", *, err: bool = False, multiline: bool = False) -> None:
    """``click.echo`` for text a person reads: control characters neutralised (see :func:`clean`)."""
    click.echo(clean(message, multiline=multiline), err=err)


_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in _ESCAPES if c >= 0x7F}


def echo_json(document: str, *, raw_unless_tty: bool = False, nl: bool = True) -> None:
    """Print a JSON document: C1 and bidi controls (which JSON leaves raw) become ``\\uXXXX``,
    the same JSON value; C0 controls are already escaped by any JSON encoder.

    ``raw_unless_tty=True`` keeps the bytes as they are when stdout is a pipe or file
    (``log --json`` promises lines exactly as stored to a program reading them).
    """
    if not (raw_unless_tty and not sys.stdout.isatty()):
        document = document.translate(_JSON_ESCAPES)
    click.echo(document, nl=nl)


_JSON_UNSAFE = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c")
"""The UTF-8 of the characters :data:`_JSON_ESCAPES` covers (each starts with a lead byte or is
ASCII, so no match can start inside another character)."""


def json_safe(blob: bytes) -> bytes:
    """:func:`echo_json`'s escaping for one row of JSON bytes, for views that stream rows; rows
    without such characters (almost all) pass through untouched."""
    if blob.isascii():
        if b"\x7f" not in blob:  # the only such character in ASCII
            return blob
    elif _JSON_UNSAFE.search(blob) is None:
        return blob
    return _JSON_UNSAFE.sub(lambda m: b"\\u%04x" % ord(m.group().decode()), blob)


def tolerate_any_encoding() -> None:
    """Never fail on a character the terminal's encoding lacks (``PYTHONIOENCODING=latin-1``):
    print an escape for it instead of raising ``UnicodeEncodeError`` mid-listing."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", None) == "strict":
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a detached or closed stream: nothing to protect
                pass


def cut(text: str | None, n: int = 70) -> str:
    """One line of at most ``n`` characters, ending in an ellipsis when cut (controls escaped)."""
    text = (text or "").replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    text = text if len(text) <= n else text[: n - 1] + "…"
    return clean(text)


def describe_event(event: Event, *, context: bool = False) -> str:
    """What an event says, in one line (its type is shown by the caller).

    ``context=True`` shows a recorded quote whole, between its stored prefix and suffix,
    as ``show`` wants; otherwise the quote is cut to fit a listing.
    """
    d = event.data
    t = event.type
    from ..events import UnknownPayload  # imported when used: --help does not load the event classes

    if isinstance(d, UnknownPayload):
        return f"(type unknown to this version, v{d.v})"
    if t in ("SourceAppended", "SourceRevised"):
        return f"{d.source_id} v{d.version} {d.title or d.uri or ''}".rstrip()
    if t == "SourceMetadataCorrected":
        fields = [f"{k} {', '.join(v) if isinstance(v, tuple) else v}" for k in ("published", "outlet", "title", "authors")
                  if (v := getattr(d, k)) is not None]
        return f"{d.source_id}: " + "; ".join(fields) + (f" ({d.reason})" if d.reason else "")
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
    if t == "BatchStarted":
        return f"opens a batch of {d.events} events"
    if t == "VerdictRecorded":
        return f"{d.target} {d.status}" + (f": {d.note}" if d.note else "")
    return ""
