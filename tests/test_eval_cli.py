"""`factledger eval` reports the extractor's scores and the claims view's, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger import plugins
from ledger.cli import cli

SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLD = SHARED / "eval" / "gold.json"
CORPUS = SHARED / "corpus"

needs_shared = pytest.mark.skipif(
    not (GOLD.is_file() and CORPUS.is_dir()), reason=f"shared gold/corpus not found beside the checkout ({SHARED})"
)


@needs_shared
def test_eval_json_carries_extraction_and_claims_metrics_meeting_targets():
    """The JSON report has per-source and overall extraction metrics and the claims pairs, all at target."""
    plugins.load_plugins()
    result = CliRunner().invoke(cli, ["eval", str(GOLD), "--corpus", str(CORPUS), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {s["source"] for s in report["sources"]} == set(json.loads(GOLD.read_text())["sources"])
    assert report["failures"] == []
    claims = report["claims"]
    assert claims["corroborating_pairs"] == 8 and claims["corroborating_pairs_in_one_claim"] >= 6
    assert claims["conflicts_flagged"] == claims["conflicts"] == 1
    assert claims["corroborations_flagged_as_conflict"] == 0
    assert len(claims["extra_links"]) == claims["cross_source_pairs"] - round(
        claims["precision_against_gold"] * claims["cross_source_pairs"]
    )


@needs_shared
def test_eval_text_lists_the_links_a_person_should_judge():
    """The human report prints both quotes of every cross-source link that is not a gold pair."""
    plugins.load_plugins()
    result = CliRunner().invoke(cli, ["eval", str(GOLD), "--corpus", str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert "claims across sources" in result.output
    assert "corroborating gold pairs linked:" in result.output
    if "links not among the gold pairs" in result.output:
        tail = result.output.split("links not among the gold pairs", 1)[1]
        assert tail.count("      A: ") == tail.count("      B: ") > 0


def test_eval_without_gold_counts_kinds_in_any_folder(tmp_path):
    """Without a gold file, eval counts what the extractor finds in each article, by kind."""
    (tmp_path / "one.txt").write_text(
        "Council Votes to Close Library\n\nThe council voted 7 to 2 on Monday to close the library, the mayor said.\n",
        encoding="utf-8",
    )
    plugins.load_plugins()
    result = CliRunner().invoke(cli, ["eval", "--corpus", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)["files"]["one.txt"]
    assert counts["headline"] == 1 and counts["statement"] == 1


@pytest.mark.parametrize(
    "option,content,expected",
    [
        (None, b"{", "gold.json: gold file is not JSON"),
        (None, b"[1, 2]", "gold.json: not a gold file"),
        (None, b'{"sources": 5, "assertions": {}}', "gold.json: not a gold file"),
        ("--pairs", b"[1, 2]", "gold.json: not a usable pairs file"),
        ("--speakers", b'{"items": [1]}', "gold.json: not a usable speaker labels file"),
        ("corpus", b"\xff\xfe not text", "bad.txt: is not valid UTF-8 (byte 0xff at offset 0)"),
    ],
)
def test_eval_bad_inputs_are_one_line_naming_the_file(tmp_path, option, content, expected):
    """A gold, pairs or labels file of the wrong shape, or an article that is not UTF-8, is one
    ``Error:`` line naming the file and exit 1 (they were Python tracebacks)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text("The council voted on Monday to close the library, the mayor said.\n", encoding="utf-8")
    target = corpus / "bad.txt" if option == "corpus" else tmp_path / "gold.json"
    target.write_bytes(content)
    args = ["eval", "--corpus", str(corpus)]
    if option in ("--pairs", "--speakers"):
        args += [option, str(target)]
    elif option is None:
        args.append(str(target))
    plugins.load_plugins()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0], result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
