"""``factledger diff``: what changed between two versions of a source."""

from __future__ import annotations

import click
import orjson

from ..projections.diff import SourceDiff, diff
from ..serialization import converter
from .main import cli, settings
from .render import echo, echo_json


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render(d: SourceDiff) -> str:
    lines = [f"{d.source_id}: v{d.from_version} -> v{d.to_version} (versions: {', '.join(map(str, d.versions))})"]
    if d.from_version == d.to_version:
        lines.append("same version on both sides; nothing to compare")
    elif d.text_diff:
        lines.append("")
        lines.extend(line.rstrip("\n") for line in d.text_diff)
    else:
        lines.append("text: identical")
    moved = sum(c.moved for c in d.carried)
    lines.append("")
    lines.append(
        f"assertions: {len(d.added)} added, {len(d.withdrawn)} withdrawn, "
        f"{len(d.carried)} carried over ({moved} re-anchored)"
    )
    for a in d.added:
        lines.append(f"+ {a.assertion_id} [{a.kind}] {a.start}-{a.end}: {_short(a.exact)}")
    for a in d.withdrawn:
        lines.append(f"- {a.assertion_id} [{a.kind}] {a.start}-{a.end}: {_short(a.exact)}")
    for c in d.carried:
        if c.moved:
            lines.append(
                f"~ {c.assertion_id} [{c.kind}] {c.old_start}-{c.old_end} -> {c.new_start}-{c.new_end}: {_short(c.exact)}"
            )
    return "\n".join(lines)


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
        echo(render(d), multiline=True)
