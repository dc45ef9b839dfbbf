"""``factledger eval``: score the extractor on a gold file, or count kinds in any folder."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from .. import plugins
from ..evaluation import claims as claims_eval
from ..evaluation import gold as evaluation
from ..evaluation import speakers as speaker_eval
from ..serialization import converter
from .main import cli
from .render import echo, echo_json


@cli.command("eval")
@click.argument("gold", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--corpus",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of article texts (the gold file's sources, or any *.txt articles).",
)
@click.option("--extractor", "extractor_name", default=None, help="Extractor to score (default: rules).")
@click.option(
    "--pairs",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Score the claims view's links on a pairs file (corroborate/conflict/not_same_fact/unrelated).",
)
@click.option("--judge", is_flag=True, help="With --pairs: list the cross-source links no gold pair names.")
@click.option(
    "--speakers",
    "speakers_file",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A speaker/hedge labels file (items of file, quote, speaker, accept, hedged): score it on --corpus.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable metrics.")
def eval_command(
    gold: Path | None, corpus: Path, extractor_name: str | None, pairs: Path | None, judge: bool,
    speakers_file: Path | None, as_json: bool
) -> None:
    """Score the extractor against GOLD (recall, not-statements, speaker, hedge, values) and the claims view.

    Without GOLD, print the assertions found in every article of --corpus by kind.
    Speakers compare case-insensitively after stripping one leading a/an/the. With --pairs,
    score the claims view's typed links on a multi-outlet pairs file instead (the counts of
    shared/eval/tools/score_claims.py). With --speakers, append --corpus to a temporary ledger
    and score every labelled quote: found, speaker right (attributed and own-voice), hedge
    recall, false hedges, and every miss with what was recorded.
    """
    spec = plugins.get_extractor(extractor_name)
    # the file an error of the wrong shape is blamed on: the one the chosen scoring reads first
    named, kind = next((path, what) for path, what in (
        (pairs, "pairs"), (speakers_file, "speaker labels"), (gold, "gold"), (corpus, "corpus")) if path is not None)
    try:
        _eval(spec, gold, corpus, pairs, judge, speakers_file, as_json)
    except evaluation.EvalInputError as exc:  # names the file itself (a gold file, an article)
        raise click.ClickException(str(exc)) from None
    except (ValueError, KeyError, TypeError, AttributeError, OSError) as exc:  # a file of the wrong shape
        raise click.ClickException(f"{named}: not a usable {kind} file ({type(exc).__name__}: {exc})") from None


def _eval(spec, gold: Path | None, corpus: Path, pairs: Path | None, judge: bool, speakers_file: Path | None,
          as_json: bool) -> None:
    if pairs is not None:
        report = claims_eval.evaluate_pairs(pairs, corpus, extractor=spec)
        if as_json:
            payload = {
                "corroborations": report.corroborations, "corroborate_pairs": len(report.corroborate),
                "conflicts": report.conflicts, "conflict_pairs": len(report.conflict),
                "conflicts_by_grade": report.conflicts_by_grade, "false_conflicts": report.false_conflicts,
                "not_same_fact_linked": report.not_same_fact_linked, "not_same_fact_pairs": len(report.not_same_fact),
                "control_links": report.control_links, "agree_links": report.agree_links,
                "disagree_links": report.disagree_links, "unlisted_links": converter.unstructure(list(report.unlisted)),
            }
            echo_json(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
        else:
            echo(claims_eval.format_pairs_report(report, show_unlisted=judge), multiline=True)
        return
    if speakers_file is not None:
        try:
            labels = orjson.loads(speakers_file.read_bytes())
            if not isinstance(labels, dict) or not isinstance(labels.get("items"), list):
                raise ValueError("no 'items' list")
        except ValueError as exc:
            raise click.ClickException(f"{speakers_file}: not a speakers labels file ({exc})") from None
        missing = sorted({it.get("file", "?") for it in labels["items"] if not (corpus / str(it.get("file", ""))).is_file()})
        if missing:
            raise click.ClickException(f"{corpus}: labelled file {missing[0]} is not in the corpus")
        sc = speaker_eval.score_speakers(labels, corpus, spec)
        if as_json:
            payload = {"extractor": spec.name, "version": spec.version, **sc.metrics(), "failures": sc.failures()}
            echo_json(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
        else:
            echo(f"extractor {spec.name} {spec.version}")
            echo(speaker_eval.format_speakers(sc), multiline=True)
        return
    if gold is None:
        rows = evaluation.count_kinds(corpus, spec.extract)
        if as_json:
            payload = {"extractor": spec.name, "version": spec.version, "files": dict(rows)}
            echo_json(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
        else:
            echo(f"extractor {spec.name} {spec.version}")
            echo(evaluation.format_counts(rows), multiline=True)
        return
    gold_data = evaluation.load_gold(gold)
    per, total = evaluation.evaluate(gold_data, corpus, spec.extract)
    claims = claims_eval.evaluate_claims(gold, corpus, extractor=spec) if gold_data.get("cross_source") else None
    if as_json:
        payload = {
            "extractor": spec.name,
            "version": spec.version,
            "sources": [sc.metrics() for sc in per],
            "overall": total.metrics(),
            "targets": evaluation.TARGETS,
            "failures": evaluation.failures(total),
        }
        if claims is not None:
            payload["claims"] = {
                "corroborating_pairs_in_one_claim": claims.corroborated_found,
                "corroborating_pairs": len(claims.corroborate),
                "conflicts_flagged": claims.conflicts_flagged,
                "conflicts": len(claims.conflict),
                "corroborations_flagged_as_conflict": len(claims.wrongly_flagged),
                "cross_source_pairs": claims.cross_pairs,
                "precision_against_gold": claims.precision,
                "extra_links": converter.unstructure(list(claims.extra)),
            }
        echo_json(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
    else:
        echo(f"extractor {spec.name} {spec.version}")
        echo(evaluation.format_report(per, total), multiline=True)
        if claims is not None:
            echo("\nclaims across sources (gold cross_source pairs):", multiline=True)
            echo(claims_eval.format_claims_report(claims), multiline=True)
