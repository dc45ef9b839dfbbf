"""What every command shares besides the group's options: ``--ledger`` after the command
name, a quiet end on a closed pipe, and the one stderr line saying what ``--as-of`` meant.

Kept apart from ``main.py`` so the group stays small and quick to import.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import click
from attrs import frozen

PIPE_EXIT = 128 + 13
"""Exit status for a reader that went away (``| head``): what a shell reports for SIGPIPE."""


@frozen
class Settings:
    """What the group options resolved to, handed to every command via ``ctx.obj``."""

    ledger: Path
    actor: str | None

    def store(self, *, fsync: bool = True):
        from ..log import LogStore

        return LogStore(self.ledger, fsync=fsync)

    def existing_store(self, *, snapshot: bool = True, warn_torn: bool = True):
        """The ledger for commands that read it: a missing file is an error, not an empty ledger.
        With ``snapshot`` (read commands) every read stops at the head as it is now, and an
        interrupted append after it is reported once (``warn_torn=False``: a command that refuses
        it with its own error)."""
        from ..log import LedgerError

        store = self.store()
        if not store.exists():
            raise LedgerError(
                f"{store.path}: no such ledger (append a source first, or choose one with --ledger or FACTLEDGER_LEDGER)"
            )
        if not snapshot:
            return store
        pinned = store.snapshot()
        if warn_torn and pinned.head().torn:
            # Said here, not only by the log's reading loop: a view answered from the projection
            # store reads no line of the log, and would otherwise never mention the torn tail.
            import warnings

            from ..log import TornTailWarning, interrupted_message

            with warnings.catch_warnings():
                warnings.simplefilter("always", TornTailWarning)
                warnings.warn(TornTailWarning(interrupted_message(pinned.path, pinned.head())), stacklevel=2)
        return pinned


def _ledger_after_command(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is None:
        return
    from attrs import evolve

    current = ctx.find_object(Settings)
    ctx.obj = evolve(current, ledger=value) if current is not None else Settings(ledger=value, actor=None)


def add_shared_options(command: click.Command) -> click.Command:
    """Let ``factledger CMD --ledger PATH`` mean what ``factledger --ledger PATH CMD`` means."""
    if not any(p.name == "ledger_after" or "--ledger" in getattr(p, "opts", ()) for p in command.params):
        command.params.append(
            click.Option(
                ["--ledger", "ledger_after"],
                type=click.Path(path_type=Path),
                expose_value=False,
                is_eager=True,  # before other callbacks read the settings
                callback=_ledger_after_command,
                help="Ledger file (overrides the one given before the command).",
            )
        )
    return command


def is_closed_pipe(exc: BaseException) -> bool:
    """A write to stdout whose reader has gone (``factledger log | head``)."""
    return isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE)


def end_quietly_on_closed_pipe() -> None:
    """Stop without a message: point stdout at /dev/null so the final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(PIPE_EXIT)


def as_of_note(store, value: str | None, seq: int | None) -> None:
    """One line on stderr saying which seq ``--as-of VALUE`` resolved to (nothing without it)."""
    if value is None or seq is None:
        return
    from .render import echo

    text = value.strip()
    if text.isdigit():
        meaning = f"seq {seq}"
    else:
        kind = "the end of that day, UTC" if len(text) == 10 else "a time"
        meaning = f"{text} ({kind}) resolved to seq {seq}"
        if seq == 0:
            meaning += ": nothing had been recorded yet"
    echo(f"as of {meaning} (head is seq {store.head().seq})", err=True)


def json_for_subcommand(ctx: click.Context) -> None:
    """``factledger --json CMD``: turn on CMD's own ``--json`` (refused for commands without one)."""
    name = ctx.invoked_subcommand
    command = ctx.command.get_command(ctx, name) if name else None  # type: ignore[attr-defined]
    if command is None:
        return
    if not any(p.name == "as_json" for p in command.params):
        raise click.UsageError(f"--json: 'factledger {name}' has no JSON output")
    ctx.default_map = {**(ctx.default_map or {}), name: {"as_json": True}}
