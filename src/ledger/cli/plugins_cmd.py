"""``factledger plugins``: what is loaded, from where, providing which hooks."""

from __future__ import annotations

import click
import orjson

from .. import plugins
from .main import cli


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def plugins_command(as_json):
    """List loaded plugins (built-in and third-party), their versions and hooks."""
    provided: dict[str, list[str]] = {}
    for kind, registry in (("extractor", plugins.extractors()), ("exporter", plugins.exporters())):
        for name, reg in registry.items():
            provided.setdefault(reg.plugin, []).append(f"{kind}:{name}")
    rows = [
        {
            "name": info.name,
            "version": info.version,
            "builtin": info.builtin,
            "source": info.distribution or info.module,
            "module": info.module,
            "hooks": plugins.hooks_of(info.name),
            "provides": sorted(provided.get(info.name, [])),
        }
        for info in plugins.plugin_infos()
    ]
    errors = dict(plugins.LOAD_ERRORS)
    if as_json:
        click.echo(orjson.dumps({"plugins": rows, "errors": errors}, option=orjson.OPT_INDENT_2).decode())
        return
    for row in rows:
        origin = "built-in" if row["builtin"] else row["source"]
        click.echo(
            f"{row['name']:<14} {row['version'] or '-':<8} {origin:<22} "
            f"hooks: {', '.join(row['hooks'])}   provides: {', '.join(row['provides'])}"
        )
    for name, message in errors.items():
        click.echo(f"error: {message}", err=True)
