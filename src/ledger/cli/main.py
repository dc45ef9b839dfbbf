"""The ``factledger`` click group and the options every command shares."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from .render import clean, echo, tolerate_any_encoding

if TYPE_CHECKING:
    from .common import Settings

# Nothing else at module level: ``factledger --help`` imports this module and click only (#12);
# the settings, the log, the plugins are imported when a command runs.

DEFAULT_LEDGER = "ledger.jsonl"


_shown: set[str] = set()
"""Warnings already printed by this command: a read that passes over the log twice (a view and
its claims, an export and its sidecar) warns once, as the user ran one command."""


def _show_warning(message, category, filename, lineno, file=None, line=None):
    text = f"warning: {message}"
    if text not in _shown:
        _shown.add(text)
        echo(text, err=True)


class LedgerGroup(click.Group):
    """Turns the library's one-line errors into one-line messages and exit code 1.

    Commands are imported when they run (``lazy``: name -> (module, one-line help), filled by
    :mod:`ledger.cli`), so ``factledger sources`` does not import the extractor, the claims
    matcher or the audit code, and ``--help`` lists them without importing any (#12).
    """

    lazy: dict[str, tuple[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            import importlib

            importlib.import_module(f"{__package__}.{self.lazy[cmd_name][0]}")
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, with the help of commands not imported yet taken from ``lazy``."""
        names = [n for n in self.list_commands(ctx) if n in self.lazy or not self.commands[n].hidden]
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            cmd = self.commands.get(name)
            rows.append((name, cmd.get_short_help_str(limit) if cmd is not None else click.Command(name, help=self.lazy[name][1]).get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        from .common import add_shared_options

        super().add_command(add_shared_options(cmd), name)

    def invoke(self, ctx: click.Context):
        from ..log import LedgerError
        from ..sources import SourceError
        from .common import end_quietly_on_closed_pipe, is_closed_pipe

        warnings.showwarning = _show_warning
        _shown.clear()
        try:
            return super().invoke(ctx)
        except (LedgerError, SourceError, LookupError) as exc:
            # A KeyError's str() is the repr of its message; any other message is shown as written
            # (stripping quotes from every message cut the closing quote off "... 'as-x'").
            key_error = isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str)
            raise click.ClickException(clean(exc.args[0] if key_error else str(exc))) from None
        except OSError as exc:
            if is_closed_pipe(exc):
                end_quietly_on_closed_pipe()
            raise


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="factledger")
@click.option(
    "--ledger",
    type=click.Path(path_type=Path),  # a directory is refused by LogStore in one line
    envvar="FACTLEDGER_LEDGER",
    default=DEFAULT_LEDGER,
    show_default=True,
    help="Ledger file (env FACTLEDGER_LEDGER).",
)
@click.option("--actor", envvar="FACTLEDGER_ACTOR", help="Who is appending (default user@host; env FACTLEDGER_ACTOR).")
@click.option(
    "--disable-plugin",
    "disabled",
    multiple=True,
    metavar="NAME",
    help="Do not use this plugin (repeatable; env FACTLEDGER_DISABLE_PLUGINS, comma list).",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --json after the command (for commands that have it).")
@click.pass_context
def cli(ctx: click.Context, ledger: Path, actor: str | None, disabled: tuple[str, ...], as_json: bool) -> None:
    """factledger: an auditable, append-only ledger of the facts in news articles."""
    from .common import Settings

    if disabled:
        from .. import plugins

        plugins.disable(disabled)
    ctx.obj = Settings(ledger=ledger, actor=actor)
    if as_json:
        from .common import json_for_subcommand

        json_for_subcommand(ctx)


def settings() -> Settings:
    from .common import Settings

    return click.get_current_context().find_object(Settings)


def report_plugin_errors() -> None:
    """Warn about each plugin problem once per command, one line each (see plugins.unreported_problems)."""
    from .. import plugins

    for message in plugins.unreported_problems():
        echo(f"warning: {message}", err=True)


def main(argv: list[str] | None = None) -> None:
    # --disable-plugin must act before plugins are imported, and a plugin whose
    # register_commands raises must not take the other commands down (#5).
    tolerate_any_encoding()
    args = sys.argv[1:] if argv is None else argv
    command = _command_in(args)
    if command not in PLUGIN_FREE and not (command is None and _only_builtin_plugins()):
        from .. import plugins

        plugins.disable(plugins.disabled_in_argv(args))
        plugins.load_plugins()
        plugins.register_commands(cli)
        report_plugin_errors()
    cli.main(args=argv, prog_name="factledger")


PLUGIN_FREE = frozenset({"sources", "assertions", "entities", "timeline"})
"""Commands that use no plugin (no extractor, exporter, matcher or plugin command): they start
without importing any (#12). A plugin's own command never has one of these names (core names win)."""


def _only_builtin_plugins() -> bool:
    """No third-party plugin is installed: ``--help`` has no plugin command to list (built-ins add
    none, which tests/test_cli_lazy.py checks), so it need not import the built-ins.

    Reads the ``entry_points.txt`` of each installed distribution on ``sys.path`` for a
    ``[factledger]`` section, as ``importlib.metadata`` would, without importing it (it alone
    costs more than the rest of ``--help``)."""
    import os

    for folder in sys.path:
        try:
            entries = os.scandir(folder or ".")
        except OSError:
            continue
        with entries:
            for entry in entries:
                if not entry.name.endswith((".dist-info", ".egg-info")):
                    continue
                try:
                    with open(os.path.join(entry.path, "entry_points.txt"), "rb") as f:
                        declared = b"[factledger]" in f.read()
                except OSError:
                    continue
                if declared and _dist_name(entry.name) != "factledger":
                    return False
    return True


def _dist_name(folder: str) -> str:
    """``Factledger_Thing-1.0.dist-info`` -> ``factledger-thing`` (PEP 503 normalised)."""
    import re

    name = folder.rsplit(".", 1)[0].split("-", 1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


_GROUP_VALUE_OPTIONS = frozenset({"--ledger", "--actor", "--disable-plugin"})


def _command_in(args: list[str]) -> str | None:
    """The command name in a command line (the first word that is not a group option or its value)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _GROUP_VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
