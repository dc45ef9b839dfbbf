"""Colour, tables and a pager for a person at a terminal; plain text for everything else.

rich draws tables and colours only when stdout is a terminal, ``NO_COLOR`` is unset and
``TERM`` is not ``dumb``; a pipe, a file or a test gets the same plain lines as before,
byte for byte. Long output on a terminal goes through the pager (``PAGER``, default
``less -R``) unless ``FACTLEDGER_PAGER=0``.

Every string that came from an article, its metadata or an actor is passed through
:func:`ledger.cli.render.clean` first and handed to rich as a ``Text`` object, never as
markup, so neither control characters nor ``[bold]``-style markup in a source can
reach the terminal as anything but visible characters.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence

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
}


def fancy() -> bool:
    """Colour and rich tables: stdout is a terminal, NO_COLOR is not set, TERM is not dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _console():
    from rich.console import Console

    return Console(highlight=False, markup=False, emoji=False, soft_wrap=False)


class Output:
    """Collects a command's lines; on a terminal prints them styled, through the pager when long.

    ``line(text, style)`` takes already-cleaned text (see :func:`clean`); ``table`` cleans its cells.
    """

    def __init__(self) -> None:
        self.fancy = fancy()
        self.parts: list = []  # str (plain) or rich renderables

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

    def close(self) -> None:
        """Print what was collected (a no-op when not on a terminal: lines went out as they came)."""
        if not self.fancy or not self.parts:
            return
        console = _console()
        with console.capture() as cap:
            for part in self.parts:
                console.print(part)
        text = cap.get()
        height = shutil.get_terminal_size((80, 24)).lines
        if os.environ.get("FACTLEDGER_PAGER", "1") != "0" and text.count("\n") > height - 1:
            if not os.environ.get("PAGER") and shutil.which("less"):
                os.environ.setdefault("LESS", "-R")
            click.echo_via_pager(text, color=True)
        else:
            click.echo(text, nl=False, color=True)  # byte-exact: rich rendered Text built from clean()ed strings

    def __enter__(self) -> Output:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
