"""Colour, tables and a pager on a terminal only (#13 item 16): rich on a TTY, NO_COLOR respected,
plain bytes through a pipe, article text never interpreted as markup or control sequences."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import tty_run as _tty_run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def ledger_dir(tmp_path):
    hostile = tmp_path / "hostile.md"
    hostile.write_text(
        "---\ntitle: \"[bold red]Markup[/] \\e]0;pwned\\a title\"\noutlet: Evil [link=http://x]Outlet[/link]\n"
        "published: 2026-03-19\n---\n"
        "The [bold]Kessling[/bold] bridge was shut on Sunday, the city said.\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    for src in (ROOT / "examples", hostile):
        subprocess.run([sys.executable, "-m", "ledger", "append", str(src)], cwd=tmp_path, env=env,
                       capture_output=True, check=True, timeout=120)
    return tmp_path


@pytest.mark.slow
def test_colour_on_a_terminal_plain_elsewhere(ledger_dir):
    """On a TTY: ANSI styles and a drawn table; NO_COLOR or a pipe: none, and a pipe gets the plain table."""
    coloured = _tty_run(["claims"], {"FACTLEDGER_PAGER": "0"}, ledger_dir)
    assert b"\x1b[" in coloured and b"CONFLICT" in coloured
    conflict_line = next(line for line in coloured.split(b"\n") if b"CONFLICT" in line)
    assert b"\x1b[1;31m" in conflict_line  # bold red
    table = _tty_run(["sources"], {"FACTLEDGER_PAGER": "0"}, ledger_dir)
    assert b"\x1b[" in table and "─".encode() in table
    no_color = _tty_run(["claims"], {"FACTLEDGER_PAGER": "0", "NO_COLOR": "1"}, ledger_dir)
    assert b"\x1b[" not in no_color and b"CONFLICT" in no_color
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    piped = subprocess.run([sys.executable, "-m", "ledger", "sources"], cwd=ledger_dir, env=env,
                           capture_output=True, timeout=120).stdout
    assert b"\x1b" not in piped and piped.splitlines()[0].split() == [b"SOURCE", b"VER", b"PUBLISHED", b"OUTLET",
                                                                        b"TITLE", b"ASSERTIONS"]


@pytest.mark.slow
def test_source_text_is_neither_markup_nor_escape_codes(ledger_dir):
    """A title with rich markup and an OSC sequence prints as visible text on a terminal."""
    out = _tty_run(["sources"], {"FACTLEDGER_PAGER": "0"}, ledger_dir)
    assert b"[bold red]Markup[/]" in out and b"Evil [link=http://x" in out
    assert b"\x1b]0;" not in out and b"\\x1b]0;pwned\\x07" in out


@pytest.mark.slow
def test_long_output_goes_through_the_pager_on_a_terminal(ledger_dir):
    """More lines than the terminal has: the pager (PAGER) gets them; FACTLEDGER_PAGER=0 prints directly."""
    paged = ledger_dir / "paged.txt"
    pager = ledger_dir / "pager.sh"
    pager.write_text(f"#!/bin/sh\ncat > {paged}\n")
    pager.chmod(0o755)
    out = _tty_run(["assertions"], {"PAGER": str(pager), "LINES": "10"}, ledger_dir)
    assert paged.exists() and b"Ilona Varga" in paged.read_bytes()
    assert b"Ilona Varga" not in out
    paged.unlink()
    direct = _tty_run(["assertions"], {"PAGER": str(pager), "LINES": "10", "FACTLEDGER_PAGER": "0"}, ledger_dir)
    assert b"Ilona Varga" in direct and not paged.exists()
