"""``factledger eval``: score the extractor on a gold file, or count kinds in any folder."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from .. import evaluation, plugins
from .main import cli


@cli.command("eval")
@click.argument("gold", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--corpus",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of article texts (the gold file's sources, or any *.txt articles).",
)
@click.option("--extractor", "extractor_name", default=None, help="Extractor to score (default: rules).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable metrics.")
def eval_command(gold: Path | None, corpus: Path, extractor_name: str | None, as_json: bool) -> None:
    """Score the extractor against GOLD (recall, not-statements, speaker, hedge, values).

    Without GOLD, print the assertions found in every article of --corpus by kind.
    Speakers compare case-insensitively after stripping one leading a/an/the.
    """
    spec = plugins.get_extractor(extractor_name)
    if gold is None:
        rows = evaluation.count_kinds(corpus, spec.extract)
        if as_json:
            payload = {"extractor": spec.name, "version": spec.version, "files": dict(rows)}
            click.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
        else:
            click.echo(f"extractor {spec.name} {spec.version}")
            click.echo(evaluation.format_counts(rows))
        return
    per, total = evaluation.evaluate(evaluation.load_gold(gold), corpus, spec.extract)
    if as_json:
        payload = {
            "extractor": spec.name,
            "version": spec.version,
            "sources": [sc.metrics() for sc in per],
            "overall": total.metrics(),
            "targets": evaluation.TARGETS,
            "failures": evaluation.failures(total),
        }
        click.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(f"extractor {spec.name} {spec.version}")
        click.echo(evaluation.format_report(per, total))
