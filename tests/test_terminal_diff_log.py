"""``diff`` and ``log`` on a terminal (#13 item 16): coloured lines and columns through the same
``cli/terminal.py`` path as the other views, the same plain bytes as before in a pipe, and
article or actor text (rich markup, raw escape sequences) shown literally, never obeyed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from conftest import source_payload
from helpers import tty_run as _tty_run

from ledger.checks import assertion_id_for
from ledger.cli import terminal
from ledger.events import AssertionRecorded, SourceRevised
from ledger.extractors import anchor
from ledger.log import LogStore

URI = "https://example.org/hostile"
V1 = "The bridge is shut.\nThe [red]mayor[/red] said \x1b]0;pwned\x07 it is fine.\nTraffic is light.\n"
V2 = ("A new first line.\nThe bridge is shut.\nThe [red]mayor[/red] said \x1b]0;pwned\x07 it is fine.\n"
      "The [bold]council[/bold] disagreed \x1b[2J loudly.\n")
ACTOR = "evil[bold]\x1b[31m"
ACTOR_SHOWN = r"evil[bold]\x1b[31m"
SGR = re.compile(r"\x1b\[[0-9;]*m")


def _quote(text: str, quote: str, version: int, sid: str) -> AssertionRecorded:
    start = text.index(quote)
    return AssertionRecorded(
        assertion_id=assertion_id_for(sid, quote, 0), source_id=sid, version=version,
        selector=anchor(text, start, start + len(quote)), kind="statement", speaker=None, speaker_cue=None,
        modality="asserted", modality_cue=None, values=(), entities=(), extractor="hand", extractor_version="1",
    )


@pytest.fixture
def hostile_ledger(tmp_ledger) -> tuple[Path, str]:
    """A source and its revision whose text, title and actor carry rich markup and escape sequences:
    one assertion re-anchored, one kept, one added, one withdrawn."""
    store = LogStore(tmp_ledger, fsync=False)
    v1 = source_payload(V1, uri=URI, title="[bold red]Title[/] \x1b]0;retitled\x07")
    sid = v1.source_id
    mayor = "The [red]mayor[/red] said \x1b]0;pwned\x07 it is fine."
    store.append([v1, *(_quote(V1, q, 1, sid) for q in ("The bridge is shut.", mayor, "Traffic is light."))],
                 actor=ACTOR)
    v2 = source_payload(V2, uri=URI)
    rev = SourceRevised(source_id=sid, version=2, revision_of=1, uri=URI, title="[bold red]Title[/]", outlet=None,
                        authors=(), published=None, retrieved=None, media_type="text/plain",
                        raw_sha256=v2.raw_sha256, text_sha256=v2.text_sha256, text=V2)
    council = "The [bold]council[/bold] disagreed \x1b[2J loudly."
    store.append([rev, *(_quote(V2, q, 2, sid) for q in ("The bridge is shut.", mayor, council))], actor=ACTOR)
    return tmp_ledger, sid


def _on_a_terminal(run_cli, monkeypatch, *args, columns: int = 200):
    """Run in-process as on a terminal: the CLI's own check (``terminal.fancy``) says yes, no pager."""
    monkeypatch.setattr(terminal, "fancy", lambda: True)
    res = run_cli(*args, env={"FACTLEDGER_PAGER": "0", "COLUMNS": str(columns), "LINES": "50", "NO_COLOR": None})
    assert res.exit_code == 0, res.output
    return res.stdout


def _only_our_escapes(out: str) -> None:
    """Every ESC in the output starts an SGR colour sequence we wrote; none came from the ledger."""
    assert "\x1b" in out
    assert "\x1b" not in SGR.sub("", out)


def _style_of(line: str) -> str:
    """The SGR parameters a line starts with ('' when it starts unstyled)."""
    m = re.match(r"\x1b\[([0-9;]*)m", line)
    return m.group(1) if m else ""


def test_diff_on_a_terminal_colours_each_kind_of_line(run_cli, monkeypatch, hostile_ledger):
    """Header bold cyan, file lines bold, hunks cyan, text +/- green/red, assertions added green,
    withdrawn red, re-anchored yellow; with the colours taken away, exactly the plain lines."""
    _ledger, sid = hostile_ledger
    plain = run_cli("diff", sid).stdout
    coloured = _on_a_terminal(run_cli, monkeypatch, "diff", sid)
    assert SGR.sub("", coloured) == plain
    styles = {}
    for line in coloured.splitlines():
        text = SGR.sub("", line)
        styles.setdefault(text[:2] if text[:2] in ("+ ", "- ", "~ ") else text[:3], set()).add(_style_of(line))
    assert styles["src"] == {"1;36"}  # the header "src-...: v1 -> v2"
    assert styles["---"] == styles["+++"] == {"1"}
    assert styles["@@ "] == {"36"}
    assert styles["+ "] == {"32"} and styles["- "] == {"31"} and styles["~ "] == {"33"}
    assert styles["ass"] == {"1"}  # "assertions: 1 added, 1 withdrawn, 2 carried over (2 re-anchored)"
    assert "assertions: 1 added, 1 withdrawn, 2 carried over (2 re-anchored)" in plain
    text_lines = [SGR.sub("", line) for line in coloured.splitlines() if _style_of(line) in ("32", "31")]
    assert "+A new first line." in text_lines and "-Traffic is light." in text_lines


def test_diff_and_log_show_hostile_text_literally(run_cli, monkeypatch, hostile_ledger):
    """Markup in a quote, title or actor is printed as written; an ESC from the ledger is shown as \\x1b."""
    _ledger, sid = hostile_ledger
    for args in (["diff", sid], ["log"]):
        out = _on_a_terminal(run_cli, monkeypatch, *args)
        _only_our_escapes(out)
        assert "[red]mayor[/red]" in out and r"\x1b]0;pwned\x07" in out
    diff_out = _on_a_terminal(run_cli, monkeypatch, "diff", sid)
    assert r"The [bold]council[/bold] disagreed \x1b[2J loudly." in diff_out
    log_out = _on_a_terminal(run_cli, monkeypatch, "log")
    assert ACTOR_SHOWN in log_out and r"[bold red]Title[/] \x1b]0;retitled\x07" in log_out


def test_log_on_a_terminal_has_a_header_and_styled_columns(run_cli, monkeypatch, all_types_ledger):
    """A header row; seq bold, time dim, actor magenta, the type coloured by what it does; and the
    same fields as the plain line for every event."""
    plain = run_cli("log").stdout.splitlines()
    lines = _on_a_terminal(run_cli, monkeypatch, "log").splitlines()
    assert re.fullmatch(r"\s+SEQ  TIME\s+ACTOR\s+TYPE\s+EVENT", SGR.sub("", lines[0]))
    assert _style_of(lines[0]) == "1;36"
    rows = lines[1:]
    assert len(rows) == len(plain)
    for row, flat in zip(rows, plain):
        seq, at, actor, kind = flat.split()[:4]
        assert f"\x1b[1m{int(seq):>6}\x1b[0m" in row and f"\x1b[2m{at}\x1b[0m" in row
        assert re.search(rf"\x1b\[35m{re.escape(actor)} *\x1b\[0m", row)
        colour = {"SourceAppended": "32", "SourceRevised": "33", "SourceMetadataCorrected": "33",
                  "AssertionRecorded": "34", "AssertionWithdrawn": "31", "AssertionRetracted": "31",
                  "AssertionsLinked": "36", "AssertionsUnlinked": "36", "VerdictRecorded": "1;35",
                  "BatchStarted": "2"}[kind]
        assert re.search(rf"\x1b\[{colour}m{kind} *\x1b\[0m", row), (kind, row)
        assert SGR.sub("", row).split()[4:] == flat.split()[4:]  # the description, as in a pipe


@pytest.mark.parametrize("columns", [80, 120, 160])
def test_log_wraps_a_long_event_under_its_own_column(run_cli, monkeypatch, all_types_ledger, columns):
    """A long description continues under EVENT (or, at 80 columns, on indented lines below its
    row), never past the terminal's width, never back at column 0; no word lost."""
    plain = run_cli("log").stdout.splitlines()
    lines = [SGR.sub("", line) for line in _on_a_terminal(run_cli, monkeypatch, "log", columns=columns).splitlines()]
    assert all(len(line) <= columns for line in lines), max(lines, key=len)
    events: list[str] = []
    indents = set()
    for line in lines[1:]:
        if line[:6].strip():
            events.append(line)
        else:
            indents.add(len(line) - len(line.lstrip(" ")))
            events[-1] += " " + line
    assert len(events) == len(plain) and len(lines) > len(events) + 1  # some lines wrapped
    assert [e.split() for e in events] == [p.split() for p in plain]
    assert indents == ({8} if columns < 100 else {lines[0].index("EVENT")})


def test_piped_diff_and_log_keep_their_plain_format(run_cli, hostile_ledger):
    """Not a terminal: no escapes, no header; each log line is seq, time, actor, type, event in fixed columns."""
    _ledger, sid = hostile_ledger
    out = run_cli("log").stdout
    assert "\x1b" not in out and "SEQ" not in out
    events = [orjson.loads(line) for line in run_cli("log", "--json").stdout.splitlines()]
    for line, e in zip(out.splitlines(), events, strict=True):
        actor = ACTOR_SHOWN + " " * (16 - len(ACTOR))  # padded as stored, then its ESC shown as \x1b
        assert line.startswith(f"{e['seq']:>6}  {e['at'][:19]}Z  {actor}  {e['type']:<18}  ")
    diff_out = run_cli("diff", sid).stdout
    assert "\x1b" not in diff_out and diff_out.startswith(f"{sid}: v1 -> v2 (versions: 1, 2)\n\n--- {sid} v1\n")


def test_no_color_and_a_pipe_turn_colour_off(monkeypatch):
    """The one check every view uses: NO_COLOR or TERM=dumb wins over a terminal; a pipe is never fancy."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert terminal.fancy()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not terminal.fancy()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not terminal.fancy()
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert not terminal.fancy()


@pytest.mark.slow
def test_diff_and_log_on_a_real_terminal(hostile_ledger, tmp_path):
    """Under a pseudo-terminal: colours; NO_COLOR: none; a long log goes to the pager whole, streamed."""
    ledger, sid = hostile_ledger
    diff_out = _tty_run(["--ledger", str(ledger), "diff", sid], {"FACTLEDGER_PAGER": "0"}, tmp_path)
    added = next(line for line in diff_out.split(b"\n") if b"+ as-" in line)
    assert added.startswith(b"\x1b[32m") and b"\\x1b[2J" in added
    log_out = _tty_run(["--ledger", str(ledger), "log"], {"FACTLEDGER_PAGER": "0"}, tmp_path)
    assert b"\x1b[33mSourceRevised" in log_out and b"\x1b]0;" not in log_out
    for args in (["diff", sid], ["log"]):
        no_color = _tty_run(["--ledger", str(ledger), *args], {"FACTLEDGER_PAGER": "0", "NO_COLOR": "1"}, tmp_path)
        assert b"\x1b[" not in no_color.replace(b"\\x1b[", b"")
    paged = tmp_path / "paged.txt"
    pager = tmp_path / "pager.sh"
    pager.write_text(f"#!/bin/sh\ncat > {paged}\n")
    pager.chmod(0o755)
    big = tmp_path / "big.jsonl"
    store = LogStore(big, fsync=False)
    for i in range(300):
        store.append([source_payload(f"Story number {i}.\n")], actor="tester")
    out = _tty_run(["--ledger", str(big), "log"], {"PAGER": str(pager), "LINES": "10"}, tmp_path)
    got = SGR.sub("", paged.read_text()).splitlines()
    assert b"SourceAppended" not in out
    assert got[0].split() == ["SEQ", "TIME", "ACTOR", "TYPE", "EVENT"] and len(got) >= 301
    assert [line.split()[0] for line in got[1:301]] == [str(i) for i in range(1, 301)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    piped = subprocess.run([sys.executable, "-m", "ledger", "--ledger", str(big), "log"], env=env,
                           capture_output=True, timeout=120).stdout
    assert piped.count(b"\n") == 300 and b"\x1b" not in piped


def test_show_on_a_terminal_styles_the_trail(run_cli, monkeypatch, hostile_ledger, tmp_path):
    """``show``: the plain lines with seq/time/actor styled as in ``log``, the type coloured, the
    quote bold inside its context, conflicts red; hostile text literal; without colours, the pipe's text."""
    from ledger.testing import build_sample_ledger

    _ledger, sid = hostile_ledger
    mayor = _quote(V1, "The [red]mayor[/red] said \x1b]0;pwned\x07 it is fine.", 1, sid).assertion_id
    plain = {target: run_cli("show", target).stdout for target in (mayor, sid)}
    for target in (mayor, sid):
        coloured = _on_a_terminal(run_cli, monkeypatch, "show", target)
        assert SGR.sub("", coloured) == plain[target]
        _only_our_escapes(coloured)
    assert "[\x1b[1mThe [red]mayor[/red] said \\x1b]0;pwned\\x07 it is fine.\x1b[0m]" in _on_a_terminal(
        run_cli, monkeypatch, "show", mayor)
    trail = _on_a_terminal(run_cli, monkeypatch, "show", mayor).splitlines()
    assert re.match(r"\x1b\[1mseq \d+\x1b\[0m  \x1b\[2m\S+\x1b\[0m  \x1b\[35mevil\[bold\]\\x1b\[31m\x1b\[0m  \x1b\[2m[0-9a-f]{16}",
                    trail[0]), trail[0]
    assert trail[1].startswith("    \x1b[32mSourceAppended\x1b[0m ")
    monkeypatch.undo()
    sample = build_sample_ledger(tmp_path / "sample.jsonl")
    claims = orjson.loads(run_cli("claims", "--json", ledger=sample).stdout)
    claim = next(c for c in claims if c["conflicts"])["claim_id"]
    plain = run_cli("show", claim, ledger=sample).stdout
    assert "\x1b" not in plain
    monkeypatch.setattr(terminal, "fancy", lambda: True)
    coloured = run_cli("show", claim, ledger=sample, env={"FACTLEDGER_PAGER": "0", "COLUMNS": "400"}).stdout
    assert SGR.sub("", coloured) == plain
    conflicts = [line for line in coloured.splitlines() if "conflict (" in line]
    assert conflicts and all(line.startswith("\x1b[1;31m  conflict (") for line in conflicts)
    assert f"claim \x1b[36m{claim}\x1b[0m \x1b[1;31m[conflict]\x1b[0m" in coloured
