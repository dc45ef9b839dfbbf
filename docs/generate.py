"""Regenerate the parts of the docs that are copies of code, so they cannot drift.

* docs/cli.md: the reference of every ``factledger`` command, rendered from the click commands.
* docs/plugins.md: each fenced block after ``<!-- include: PATH#REGION -->`` is replaced by the
  lines between ``# docs:start REGION`` and ``# docs:end REGION`` in PATH (relative to the
  repository root), dedented.

``python3 docs/generate.py`` rewrites both; ``--check`` exits 1 naming the stale files
(tests/test_docs_generated.py runs the same functions).
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = re.compile(r"(<!-- include: (?P<path>[^#\s]+)#(?P<region>[\w-]+) -->\n```(?P<lang>\w*)\n)(?P<body>.*?)(```)", re.S)
WIDTH = 100


def region(path: Path, name: str) -> str:
    """The dedented lines between ``# docs:start NAME`` and ``# docs:end NAME`` in ``path``."""
    text = path.read_text("utf-8")
    m = re.search(rf"^[ \t]*# docs:start {re.escape(name)}\n(.*?)^[ \t]*# docs:end {re.escape(name)}\n", text, re.S | re.M)
    if m is None:
        raise SystemExit(f"{path}: no region {name!r} (# docs:start {name} ... # docs:end {name})")
    return textwrap.dedent(m.group(1))


def with_includes(doc: str) -> str:
    """``doc`` with every include block refreshed from its source region."""
    def fill(m: re.Match[str]) -> str:
        return m.group(1) + region(ROOT / m.group("path"), m.group("region")) + m.group(6)

    return INCLUDE.sub(fill, doc)


def cli_reference() -> str:
    """docs/cli.md: ``factledger --help`` and every command's ``--help``, in name order."""
    import click

    from ledger.cli import cli

    def helptext(cmd: click.Command, path: list[str], parent: click.Context | None) -> str:
        ctx = click.Context(cmd, info_name=" ".join(path), parent=parent, terminal_width=WIDTH, max_content_width=WIDTH)
        return cmd.get_help(ctx), ctx

    out = ["# Command-line reference", "",
           "Generated from the click commands by `python3 docs/generate.py`; do not edit by hand",
           "(tests/test_docs_generated.py fails when this page and the commands differ).", ""]
    root_help, root_ctx = helptext(cli, ["factledger"], None)
    out += ["## factledger", "", "```text", root_help, "```", ""]

    def walk(group: click.Group, path: list[str], ctx: click.Context) -> None:
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            text, sub = helptext(cmd, [*path, name], ctx)
            out.extend([f"## {' '.join([*path, name])}", "", "```text", text, "```", ""])
            if isinstance(cmd, click.Group):
                walk(cmd, [*path, name], sub)

    walk(cli, ["factledger"], root_ctx)
    return "\n".join(out)


def targets() -> dict[Path, str]:
    """Each generated file and the text it should hold."""
    plugins_md = ROOT / "docs" / "plugins.md"
    return {ROOT / "docs" / "cli.md": cli_reference(), plugins_md: with_includes(plugins_md.read_text("utf-8"))}


def main(argv: list[str]) -> int:
    stale = []
    for path, text in targets().items():
        if not path.exists() or path.read_text("utf-8") != text:
            stale.append(path)
            if "--check" not in argv:
                path.write_text(text, "utf-8")
    if stale and "--check" in argv:
        print("stale (run python3 docs/generate.py): " + ", ".join(str(p.relative_to(ROOT)) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    import os

    os.environ["FACTLEDGER_LOAD_PLUGINS"] = ""  # the reference shows factledger's own commands and formats
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main(sys.argv[1:]))
