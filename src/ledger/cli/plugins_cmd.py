"""``factledger plugins``: what is loaded, from where, providing which hooks."""

from __future__ import annotations

import click
import orjson

from .. import plugins
from .main import cli
from .render import echo, echo_json


def plugin_rows(include_inactive: bool = False) -> list[dict]:
    """One dict per plugin: name, version, origin, hooks and what it registered."""
    provided: dict[str, list[str]] = {}
    for kind, registry in (("extractor", plugins.extractors()), ("exporter", plugins.exporters())):
        for name, reg in registry.items():
            provided.setdefault(reg.plugin, []).append(f"{kind}:{name}")
    rows = []
    for info in plugins.plugin_infos(include_inactive=include_inactive):
        status = info.status if info.name not in plugins.LOAD_ERRORS else "failed"
        rows.append(
            {
                "name": info.name,
                "version": info.version,
                "builtin": info.builtin,
                "distribution": info.distribution,
                "module": info.module,
                "path": info.path,
                "status": status,
                "hooks": plugins.hooks_of(info.name),
                "provides": sorted(provided.get(info.name, [])),
                "error": plugins.LOAD_ERRORS.get(info.name),
            }
        )
    return rows


def format_rows() -> list[dict]:
    """One dict per export format: the plugin providing it, its views (the first is the default), options."""
    return [
        {"name": name, "plugin": reg.plugin, "views": list(reg.item.views), "media_type": reg.item.media_type,
         "options": [opt for opt, _help in reg.item.options], "description": reg.item.description}
        for name, reg in sorted(plugins.exporters().items())
    ]


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.option("--all", "include_inactive", is_flag=True, help="Also list disabled and failed plugins.")
def plugins_command(as_json, include_inactive):
    """List plugins (built-in and third-party): version, where each comes from, hooks, formats."""
    rows = plugin_rows(include_inactive)
    errors = dict(plugins.LOAD_ERRORS)
    if as_json:
        payload = {"plugins": rows, "formats": format_rows(), "errors": errors, "warnings": plugins.problems()}
        echo_json(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
        return
    formats: dict[str, list[dict]] = {}
    for fmt in format_rows():
        formats.setdefault(fmt["plugin"], []).append(fmt)
    for row in rows:
        origin = "built-in" if row["builtin"] else (row["distribution"] or row["module"])
        state = "" if row["status"] == "loaded" else f" [{row['status']}]"
        echo(
            f"{row['name']:<12} {row['version'] or '-':<8} {origin:<20} "
            f"hooks: {', '.join(row['hooks']) or '-'}  provides: {', '.join(row['provides']) or '-'}{state}"
        )
        if row["path"]:
            echo(f"{'':<12} from {row['path']}")
        for fmt in formats.get(row["name"], []):
            echo(f"{'':<12} format {fmt['name']}: views {', '.join(fmt['views'])}"
                 + (f" (default {fmt['views'][0]})" if len(fmt["views"]) > 1 else "")
                 + (f"; options {', '.join(fmt['options'])}" if fmt["options"] else "")
                 + (f" -- {fmt['description']}" if fmt["description"] else ""))
    from .main import report_plugin_errors

    report_plugin_errors()  # each problem once, including those found only while listing
