"""``factledger reextract``: re-run an extractor on the stored texts and record what changed."""

from __future__ import annotations

import click
import orjson

from .. import plugins
from ..reextract import history, reextract
from ..serialization import converter
from .main import cli, settings
from .render import echo, echo_json


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@cli.command("reextract")
@click.option("--source", "sources", multiple=True, metavar="ID", help="Only this source (repeatable; default: all).")
@click.option("--extractor", "extractor_name", default=None, help="Extractor to run (default: rules).")
@click.option("--dry-run", is_flag=True, help="Show what would change; record nothing.")
@click.option("--log", "show_log", is_flag=True, help="Show what past re-extractions changed (from the log); run nothing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def reextract_cmd(sources, extractor_name, dry_run, show_log, as_json):
    """Bring the ledger up to date with an extractor's current version.

    The latest stored text of every source (or --source) is extracted again; new
    assertions are recorded, ones no longer found are withdrawn, and ones read
    differently (speaker, modality, values...) are recorded again with `supersedes`
    naming the recording they replace. Unchanged ones record nothing.
    """
    s = settings()
    store = s.existing_store(warn_torn=False)  # it refuses the torn tail itself
    if show_log:
        rows = [r for src in (sources or (None,)) for r in history(store, src)]
        if as_json:
            echo_json(orjson.dumps([dict(zip(("seq", "what", "assertion_id", "detail"), r)) for r in rows],
                                    option=orjson.OPT_INDENT_2).decode())
        else:
            for seq, what, aid, detail in rows:
                echo(f"{seq} {what} {aid}: {detail}")
            echo(f"{len(rows)} re-extraction changes")
        return
    spec = plugins.get_extractor(extractor_name)
    done = reextract(store, spec, list(sources) or None, actor=s.actor, dry_run=dry_run)
    if as_json:
        echo_json(orjson.dumps({"extractor": spec.name, "version": spec.version, "dry_run": dry_run,
                                 "sources": converter.unstructure(done)}, option=orjson.OPT_INDENT_2).decode())
        return
    verb = "would record" if dry_run else "recorded"
    for sc in done:
        where = f"; seq {sc.first_seq}-" if sc.first_seq else ""
        echo(f"{sc.source_id} v{sc.version}: {sc.count('added')} added, {sc.count('withdrawn')} withdrawn, "
                   f"{sc.count('changed')} changed{where}")
        for c in sc.changes:
            mark = {"added": "+", "withdrawn": "-", "changed": "~"}[c.what]
            echo(f"  {mark} {c.assertion_id}: {_short(c.exact)}")
            for name, before, after in c.fields:
                echo(f"      {name}: {_short(repr(before), 60)} -> {_short(repr(after), 60)}")
    total = sum(len(sc.changes) for sc in done)
    echo(f"{spec.name} {spec.version}: {verb} {total} changes in {len(done)} sources")
