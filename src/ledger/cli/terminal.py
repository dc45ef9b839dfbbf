"""Colour, tables and a pager for a person at a terminal; plain text for everything else.

rich draws tables and colours only when stdout is a terminal, ``NO_COLOR`` is unset and
``TERM`` is not ``dumb``; a pipe, a file or a test gets the same plain lines as before,
byte for byte. Long output on a terminal goes through the pager (``PAGER``, default
``less -R``) unless ``FACTLEDGER_PAGER=0``. ``diff`` and ``log`` colour their lines with
:meth:`Output.styled` (rich's styles without its layout engine, cheap enough for a line per
event), and ``log`` streams them into the pager as it reads the ledger.

Every string that came from an article, its metadata or an actor is passed through
:func:`ledger.cli.render.clean` first and handed to rich as a ``Text`` object, never as
markup, so neither control characters nor ``[bold]``-style markup in a source can
reach the terminal as anything but visible characters.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence

import click

from .render import clean, echo

STYLES = {
    "conflict": "bold red",
    "corroborated": "green",
    "single": "dim",
    "added": "green",
    "withdrawn": "red",
    "moved": "yellow",
    "header": "bold cyan",
    "id": "cyan",
    "dim": "dim",
    # diff: the unified text diff and the assertion lines
    "diff-file": "bold",
    "diff-hunk": "cyan",
    "diff-add": "green",
    "diff-del": "red",
    "summary": "bold",
    # log: one column each
    "seq": "bold",
    "time": "dim",
    "actor": "magenta",
}

EVENT_STYLES = {
    "SourceAppended": "green",
    "SourceRevised": "yellow",
    "SourceMetadataCorrected": "yellow",
    "AssertionRecorded": "blue",
    "AssertionRetracted": "red",
    "AssertionWithdrawn": "red",
    "AssertionsLinked": "cyan",
    "AssertionsUnlinked": "cyan",
    "VerdictRecorded": "bold magenta",
    "BatchStarted": "dim",
}
"""``log``'s TYPE column: additions green, revisions yellow, removals red, analyst decisions magenta/cyan."""

Pieces = Sequence[tuple[str, "str | None"]]
"""One line as ``(text, style)`` pieces; the text already :func:`clean`-ed, a style a :data:`STYLES` key or a rich style."""


class _Ansi(str):
    """A line already rendered to ANSI by :meth:`Output.styled` (printed as is, not through rich)."""


def fancy() -> bool:
    """Colour and rich tables: stdout is a terminal, NO_COLOR is not set, TERM is not dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _console():
    """rich's console, used only once :func:`fancy` said yes (so rich's own terminal check,
    which a pager or a test harness can fool, never disagrees with ours)."""
    from rich.console import Console

    return Console(highlight=False, markup=False, emoji=False, soft_wrap=False, force_terminal=True)


class Output:
    """Collects a command's lines; on a terminal prints them styled, through the pager when long.

    ``line(text, style)`` takes already-cleaned text (see :func:`clean`); ``table`` cleans its cells.
    """

    def __init__(self) -> None:
        self.fancy = fancy()
        self.parts: list = []  # rich renderables, _Ansi lines, or iterators of _Ansi lines (stream)
        self._styles: dict[str, object] = {}
        self._color_system = None

    def line(self, text: str = "", style: str | None = None) -> None:
        if not self.fancy:
            echo(text, multiline=True)
            return
        from rich.text import Text

        self.parts.append(Text(text, style=STYLES.get(style or "", style or "")))

    def spans(self, pieces: Sequence[tuple[str, str | None]]) -> None:
        """One line made of ``(text, style)`` pieces (text already cleaned)."""
        if not self.fancy:
            echo("".join(t for t, _s in pieces), multiline=True)
            return
        from rich.text import Text

        line = Text()
        for text, style in pieces:
            line.append(text, style=STYLES.get(style or "", style or ""))
        self.parts.append(line)

    def styled(self, pieces: Pieces) -> str:
        """One line of ``(text, style)`` pieces rendered to ANSI here, without rich's layout engine.

        About a hundred times cheaper per line than a ``Text`` through the console, for views
        that may print a line per event (``log``); the terminal wraps long lines, as it does
        for the plain output. Text must be cleaned already (see :func:`clean`).
        """
        if self._color_system is None:
            from rich.console import COLOR_SYSTEMS

            self._color_system = COLOR_SYSTEMS[_console().color_system or "standard"]
        out = []
        for text, style in pieces:
            if not style or not text:
                out.append(text)
                continue
            st = self._styles.get(style)
            if st is None:
                from rich.style import Style

                st = self._styles[style] = Style.parse(STYLES.get(style, style))
            out.append(st.render(text, color_system=self._color_system))
        return _Ansi("".join(out))

    def add_styled(self, pieces: Pieces) -> None:
        """Add one :meth:`styled` line (on a terminal; the caller prints plain text otherwise)."""
        self.parts.append(self.styled(pieces))

    def stream(self, lines: Iterable[str]) -> None:
        """Lines (from :meth:`styled`) made only while they are printed, so a long ``log`` starts
        paging at once and is never held whole in memory."""
        self.parts.append(iter(lines))

    def table(self, headers: list[str], rows: list[list[str]], *, styles: Sequence[str | None] = ()) -> None:
        rows = [[clean(c) for c in r] for r in rows]
        if not rows:
            self.line("(none)")
            return
        if not self.fancy:
            widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
            echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
            for r in rows:
                echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
            return
        from rich import box
        from rich.table import Table
        from rich.text import Text

        t = Table(box=box.SIMPLE_HEAD, header_style=STYLES["header"], pad_edge=False, show_edge=False)
        for i, h in enumerate(headers):
            style = styles[i] if i < len(styles) else None
            t.add_column(h, style=STYLES.get(style or "", style or ""), overflow="fold")
        for r in rows:
            t.add_row(*(Text(c) for c in r))
        self.parts.append(t)

    def _rendered(self) -> Iterator[str]:
        """The collected parts as terminal text, a piece at a time (streams are pulled lazily)."""
        console = None
        for part in self.parts:
            if isinstance(part, _Ansi):
                yield part + "\n"
            elif isinstance(part, Iterator):
                for line in part:
                    yield line + "\n"
            else:
                console = console or _console()
                with console.capture() as cap:
                    console.print(part)
                yield cap.get()

    def close(self) -> None:
        """Print what was collected (a no-op when not on a terminal: lines went out as they came).

        Output longer than the terminal goes to the pager; only a screenful is rendered before
        deciding, the rest is rendered while the pager reads it.
        """
        if not self.fancy or not self.parts:
            return
        chunks = self._rendered()
        if os.environ.get("FACTLEDGER_PAGER", "1") == "0":
            for chunk in chunks:
                click.echo(chunk, nl=False, color=True)  # byte-exact: cleaned text, styles from rich
            return
        height = shutil.get_terminal_size((80, 24)).lines
        head: list[str] = []
        lines = 0
        for chunk in chunks:
            head.append(chunk)
            lines += chunk.count("\n")
            if lines > height - 1:
                break
        else:  # everything fits: print it here
            click.echo("".join(head), nl=False, color=True)  # byte-exact: cleaned text, styles from rich
            return
        if not os.environ.get("PAGER") and shutil.which("less"):
            os.environ.setdefault("LESS", "-R")
        click.echo_via_pager(itertools.chain(head, chunks), color=True)

    def __enter__(self) -> Output:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()


def log_lines(out: Output, events: Iterable) -> Iterator[str]:
    """``log`` on a terminal: the plain columns (SEQ, TIME, ACTOR, TYPE, EVENT) under a header,
    each styled, the TYPE column as wide as the longest event type. An EVENT too long for the
    terminal wraps under its own column; on a terminal too narrow for that (80 columns) it
    goes on the lines below, indented, so no line is wrapped by the terminal back to column 0."""
    import textwrap

    from ..events import PAYLOAD_TYPES
    from .render import describe_event

    type_w = max(18, *map(len, PAYLOAD_TYPES))
    width = shutil.get_terminal_size((80, 24)).columns
    columns = f"{'SEQ':>6}  {'TIME':<20}  {'ACTOR':<16}  {'TYPE':<{type_w}}"
    below = " " * 8  # where EVENT goes when it does not fit beside the other columns
    narrow = width - len(columns) - 2 < 40
    yield out.styled([(columns if narrow else f"{columns}  EVENT", "header")])
    for event in events:
        head = [(f"{event.seq:>6}", "seq"), ("  ", None), (f"{clean(event.at[:19])}Z", "time"), ("  ", None),
                (f"{clean(event.actor):<16}", "actor"), ("  ", None),
                (f"{clean(event.type):<{type_w}}", EVENT_STYLES.get(event.type)), ("  ", None)]
        text = clean(describe_event(event))
        indent = sum(len(t) for t, _s in head)
        if indent + len(text) <= width or not text:
            yield out.styled([*head, (text, None)]).rstrip()
            continue
        if width - indent >= 40:
            first, *rest = textwrap.wrap(text, width - indent, break_on_hyphens=False)
            yield out.styled([*head, (first, None)])
            yield from (" " * indent + more for more in rest)
        else:
            yield out.styled(head[:-1])
            yield from (below + more for more in textwrap.wrap(text, max(width - len(below), 20), break_on_hyphens=False))


def trail_lines(out: Output, events: Iterable) -> Iterator[str]:
    """``show``'s trail on a terminal: the plain lines, with seq, time, actor and hash styled as in
    ``log``, the event type coloured by what it does, and a recorded quote in bold between its
    context (the brackets stay, so the text is the plain text)."""
    from ..events import UnknownPayload
    from .render import describe_event

    for e in events:
        yield out.styled([(f"seq {e.seq}", "seq"), ("  ", None), (clean(e.at), "time"), ("  ", None),
                          (clean(e.actor), "actor"), ("  ", None), (clean(e.hash[:16]), "dim")])
        head = [("    ", None), (clean(e.type), EVENT_STYLES.get(e.type))]
        d = e.data
        if e.type == "AssertionRecorded" and not isinstance(d, UnknownPayload):
            s = d.selector
            yield out.styled([*head, (clean(f" {d.assertion_id} in {d.source_id} v{d.version} ({d.kind}, {d.modality}): "
                                            f"…{s.prefix}["), None),
                              (clean(s.exact), "bold"), (clean(f"]{s.suffix}…"), None)])
            continue
        text = clean(describe_event(e, context=True))
        yield out.styled([*head, (f" {text}", None)] if text else head)
