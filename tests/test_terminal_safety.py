"""Terminal output is inert: article text, titles and actors cannot drive the terminal (#15 item 14).

ESC/OSC/BEL and C1 sequences recolour, retitle or rewrite a terminal; a newline in a
one-line field forges a row. Every human-readable printer goes through cli/render.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from conftest import assertion_payload, source_payload
from ledger.log import LogStore

OSC_TITLE = "\x1b]0;pwned\x07"
CSI_CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"
HOSTILE_TEXT = f"Mayor said{OSC_TITLE} the bridge{CSI_CLEAR} is safe{C1_CSI} 港口.\u202eevil\nSecond line."
HOSTILE_ACTOR = "mallory\n     9  2026-01-01T00:00:00Z  admin  forged\x1b[1m"
DANGEROUS = ["\x1b", "\x07", "\x9b", "\u202e"]


@pytest.fixture
def hostile_ledger(tmp_ledger) -> Path:
    store = LogStore(tmp_ledger, fsync=False)
    end = HOSTILE_TEXT.index("\n")
    store.append(
        [
            source_payload(HOSTILE_TEXT, title=f"Title{OSC_TITLE}\nwith a line", outlet="Out\x1b[31mlet", uri="https://x.example/a"),
            assertion_payload(HOSTILE_TEXT, 0, end, assertion_id="as-hostile00000001"),
        ],
        actor=HOSTILE_ACTOR,
    )
    return tmp_ledger


def test_clean_escapes_controls_and_keeps_text():
    from ledger.cli.render import clean

    assert clean("a\x1b[31mb\x07c\x9bd\u202ee\nf\tg") == "a\\x1b[31mb\\x07c\\x9bd\\u202ee\\nf\\tg"
    assert clean("line 1\nline 2\x1b", multiline=True) == "line 1\nline 2\\x1b"
    assert clean("ça va, 港口 — “ok”") == "ça va, 港口 — “ok”"
    assert clean(clean("\x1b")) == clean("\x1b")


@pytest.mark.parametrize(
    "args",
    [("log",), ("assertions",), ("sources",), ("show", "as-hostile00000001"), ("timeline",), ("entities",), ("claims", "--all")],
)
def test_views_print_no_control_characters(hostile_ledger, run_cli, args):
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    out = result.output
    for ch in DANGEROUS:
        assert ch not in out, (args, repr(out))
    for line in out.splitlines():
        assert not any(ord(c) < 0x20 and c != "\t" for c in line), repr(line)


def test_log_actor_with_newline_stays_one_row(hostile_ledger, run_cli):
    result = run_cli("log")
    lines = result.output.splitlines()
    assert len(lines) == 3  # one row per event (the batch's BatchStarted too), none forged by the actor's newline
    assert all("mallory\\n" in line for line in lines)


def test_show_and_assertions_keep_the_readable_text(hostile_ledger, run_cli):
    out = run_cli("show", "as-hostile00000001").output
    assert "Mayor said\\x1b]0;pwned\\x07 the bridge" in out
    out = run_cli("assertions").output
    assert "Mayor said\\x1b]0;pwned" in out


def test_json_views_escape_c1_but_stay_the_same_json(hostile_ledger, run_cli):
    result = run_cli("assertions", "--json")
    assert "\x9b" not in result.output and "\u202e" not in result.output and "\x1b" not in result.output
    rows = orjson.loads(result.output)
    assert C1_CSI in rows[0]["selector"]["exact"]


def test_error_messages_escape_controls(run_cli, tmp_path):
    bad = tmp_path / "x\x1b]0;t\x07.txt"
    result = run_cli("append", str(bad))
    assert result.exit_code != 0
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;t\\x07" in result.output


@pytest.mark.parametrize("args", [("log",), ("claims", "--all"), ("assertions",), ("show", "as-hostile00000001"), ("sources",)])
def test_narrow_terminal_encoding_never_tracebacks(hostile_ledger, args):
    """PYTHONIOENCODING=latin-1 (item 11): characters the encoding lacks are escaped, not a traceback."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "PYTHONPATH": src}
    proc = subprocess.run(
        [sys.executable, "-m", "ledger", "--ledger", str(hostile_ledger), *args],
        capture_output=True, env=env, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode("latin-1")
    assert b"Traceback" not in proc.stderr
    assert proc.stdout.strip()


def test_every_cli_printer_goes_through_render():
    """One helper for terminal text: a command printing with click.echo/print directly would
    bypass the escaping (a proof bundle written byte-exact says so on its line)."""
    import re

    cli_dir = Path(__file__).resolve().parents[1] / "src" / "ledger" / "cli"
    offenders = []
    for path in sorted(cli_dir.glob("*.py")):
        if path.name == "render.py":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\bclick\.echo\(|(?<![\w.])print\(|\bsys\.std(out|err)\.write\(", line) and "byte-exact" not in line:
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("fmt", ["csv", "jsonld", "markdown"])
def test_export_to_a_terminal_is_inert_and_to_a_pipe_exact(hostile_ledger, tmp_path, fmt):
    """``factledger export FMT`` with stdout on a terminal shows the file with its control
    characters escaped (an article's OSC/CSI/C1/bidi bytes used to reach the terminal raw); to a
    pipe or -o it stays the exact bytes, as a program or a file needs them."""
    from helpers import tty_run

    shown = tty_run(["--ledger", str(hostile_ledger), "export", fmt], {"FACTLEDGER_PAGER": "0"}, tmp_path)
    text = shown.decode("utf-8", "replace")
    for ch in DANGEROUS:
        assert ch not in text, (fmt, repr(text[:400]))
    piped = subprocess.run([sys.executable, "-m", "ledger", "--ledger", str(hostile_ledger), "export", fmt],
                           capture_output=True, check=True).stdout
    written = tmp_path / f"out.{fmt}"
    subprocess.run([sys.executable, "-m", "ledger", "--ledger", str(hostile_ledger), "export", fmt, "-o", str(written)],
                   capture_output=True, check=True)
    assert piped == written.read_bytes()
    if fmt == "csv":  # byte-exact cells: the quote's ESC is in the file, and shown escaped on the terminal
        assert "\x1b]0;pwned" in piped.decode() and "\\x1b]0;pwned" in text


def test_proof_bundle_on_a_terminal_escapes_bidi_and_c1(hostile_ledger, tmp_path, run_cli):
    """``prove --with-sources`` without -o prints the bundle, which quotes whole articles: on a
    terminal their U+202E and C1 controls (JSON leaves them raw) are ``\\u`` escapes, the same JSON;
    to a pipe the bundle stays byte-exact and checks."""
    from helpers import tty_run

    assert run_cli("keygen", "-o", str(tmp_path / "k"), "--name", "t").exit_code == 0
    args = ["--ledger", str(hostile_ledger), "prove", "as-hostile00000001", "--key", str(tmp_path / "k.key"), "--with-sources"]
    shown = tty_run(args, {"FACTLEDGER_PAGER": "0"}, tmp_path).decode("utf-8", "replace")
    for ch in DANGEROUS:
        assert ch not in shown
    assert "\\u202e" in shown
    piped = subprocess.run([sys.executable, "-m", "ledger", *args], capture_output=True, check=True).stdout
    assert "\u202e".encode() in piped
    (tmp_path / "b.json").write_bytes(piped)
    assert run_cli("check-proof", str(tmp_path / "b.json"), "--vkey", str(tmp_path / "k.vkey")).exit_code == 0
