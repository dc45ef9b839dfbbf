"""``factledger diff``: what changed between two versions of a source."""

from __future__ import annotations

import click
import orjson

from ..projections.diff import SourceDiff, diff
from ..serialization import converter
from .main import cli, settings
from .render import clean, echo, echo_json


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _text_style(line: str) -> str | None:
    """The style of one line of the unified text diff."""
    if line.startswith(("--- ", "+++ ")):
        return "diff-file"
    if line.startswith("@@"):
        return "diff-hunk"
    return {"+": "diff-add", "-": "diff-del"}.get(line[:1])


def render_lines(d: SourceDiff) -> list[tuple[str, str | None]]:
    """The diff as ``(line, style)``: the same lines in a pipe and on a terminal, where
    the style (a key of ``terminal.STYLES``) colours them."""
    lines: list[tuple[str, str | None]] = [
        (f"{d.source_id}: v{d.from_version} -> v{d.to_version} (versions: {', '.join(map(str, d.versions))})", "header")
    ]
    if d.from_version == d.to_version:
        lines.append(("same version on both sides; nothing to compare", "dim"))
    elif d.text_diff:
        lines.append(("", None))
        lines.extend((text := line.rstrip("\n"), _text_style(text)) for line in d.text_diff)
    else:
        lines.append(("text: identical", "dim"))
    moved = sum(c.moved for c in d.carried)
    lines.append(("", None))
    lines.append((
        f"assertions: {len(d.added)} added, {len(d.withdrawn)} withdrawn, "
        f"{len(d.carried)} carried over ({moved} re-anchored)", "summary"
    ))
    for a in d.added:
        lines.append((f"+ {a.assertion_id} [{a.kind}] {a.start}-{a.end}: {_short(a.exact)}", "added"))
    for a in d.withdrawn:
        lines.append((f"- {a.assertion_id} [{a.kind}] {a.start}-{a.end}: {_short(a.exact)}", "withdrawn"))
    for c in d.carried:
        if c.moved:
            lines.append((
                f"~ {c.assertion_id} [{c.kind}] {c.old_start}-{c.old_end} -> {c.new_start}-{c.new_end}: {_short(c.exact)}",
                "moved",
            ))
    return lines


def render(d: SourceDiff) -> str:
    """The diff as plain text (what a pipe gets)."""
    return "\n".join(line for line, _style in render_lines(d))


def _print(d: SourceDiff) -> None:
    """Plain lines in a pipe; on a terminal the same lines coloured (added green, withdrawn red,
    re-anchored yellow), paged when long. Every line is cleaned first, so article text can
    carry neither escape sequences nor rich markup to the terminal."""
    from .terminal import Output

    with Output() as out:
        if not out.fancy:
            echo(render(d), multiline=True)
            return
        for line, style in render_lines(d):
            for part in clean(line, multiline=True).split("\n"):
                out.add_styled([(part, style)])


@cli.command("diff")
@click.argument("source")
@click.option("--from", "from_version", type=click.IntRange(min=1), help="Older version (default: the one before --to).")
@click.option("--to", "to_version", type=click.IntRange(min=1), help="Newer version (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print the difference as JSON.")
def diff_cmd(source, from_version, to_version, as_json):
    """Show what changed between versions of SOURCE (a source id or its URL): the text and the assertions."""
    store = settings().existing_store()
    d = diff(store, source, from_version, to_version)
    if as_json:
        data = converter.unstructure(d)
        data["carried"] = [{**c, "moved": m.moved} for c, m in zip(data["carried"], d.carried)]
        echo_json(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
    else:
        _print(d)
