"""`factledger eval --speakers`: found, speaker right (attributed / own voice), hedge recall,
false hedges, and every miss with what was recorded (issue #16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger import plugins
from ledger.cli import cli

SHARED = Path(__file__).resolve().parents[2] / "shared"
LABELS = SHARED / "eval" / "multi" / "speakers.json"
CORPUS = SHARED / "eval" / "multi" / "corpus"
needs_shared = pytest.mark.skipif(not (LABELS.is_file() and CORPUS.is_dir()), reason="shared speakers set not found")

ARTICLE = """---
title: Bridge Reopens
url: https://news.example/bridge
published: 2025-05-02
---

The old bridge reopened on Friday after two years of repairs.

"It is safe now," said city engineer Mia Holt. "Traffic can flow again."

The council may add a second lane, officials said.

Shops near the bridge reportedly lost half their trade.
"""


def _labels(items):
    return {"about": "test", "items": [dict(file="01_bridge.md", accept=[], note="", **it) for it in items]}


def _run(tmp_path: Path, items, *extra):
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "01_bridge.md").write_text(ARTICLE, encoding="utf-8")
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps(_labels(items)), encoding="utf-8")
    plugins.load_plugins()
    return CliRunner().invoke(cli, ["eval", "--speakers", str(labels), "--corpus", str(corpus), *extra])


def test_scores_and_lists_every_miss_with_what_was_recorded(tmp_path):
    items = [
        dict(quote="The old bridge reopened on Friday", speaker=None, hedged=False),
        dict(quote="Traffic can flow again", speaker="Mia Holt", hedged=False),
        dict(quote="The council may add a second lane", speaker="the mayor", hedged=True),  # wrong label on purpose
        dict(quote="Shops near the bridge reportedly lost", speaker=None, hedged=False),  # hedged: a false hedge
        dict(quote="This sentence is not in the article", speaker=None, hedged=False),
    ]
    result = _run(tmp_path, items, "--json")
    assert result.exit_code == 0, result.output
    r = json.loads(result.output)
    assert r["items"] == 5 and r["found"] == 4
    assert r["attributed"] == [1, 2] and r["own_voice"] == [2, 2]
    assert r["hedges_found"] == [1, 1] and r["false_hedges"] == 1
    misses = {(m["what"], m["quote"][:20]): m for m in r["misses"]}
    wrong = misses[("speaker", "The council may add ")]
    assert (wrong["got"], wrong["cue"], wrong["modality_cue"]) == ("officials", "said", "may")
    assert misses[("false-hedge", "Shops near the bridg")]["modality_cue"] == "reportedly"
    assert ("missing", "This sentence is not") in misses
    text = _run(tmp_path, items).output
    assert "recorded speaker 'officials' (cue 'said')" in text and "targets: MISSED" in text


def test_a_bad_labels_file_is_one_line_error(tmp_path):
    (tmp_path / "corpus").mkdir()
    bad = tmp_path / "labels.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    plugins.load_plugins()
    result = CliRunner().invoke(cli, ["eval", "--speakers", str(bad), "--corpus", str(tmp_path / "corpus")])
    assert result.exit_code == 1 and "not a speakers labels file" in result.output
    bad.write_text(json.dumps(_labels([dict(quote="x" * 20, speaker=None, hedged=False)])), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--speakers", str(bad), "--corpus", str(tmp_path / "corpus")])
    assert result.exit_code == 1 and "01_bridge.md is not in the corpus" in result.output


@needs_shared
def test_dev_set_targets():
    """The issue's targets on ../shared/eval/multi/speakers.json (found counted in each
    file's own source version: file 13 is an earlier revision of file 14's source)."""
    plugins.load_plugins()
    result = CliRunner().invoke(cli, ["eval", "--speakers", str(LABELS), "--corpus", str(CORPUS), "--json"])
    assert result.exit_code == 0, result.output
    r = json.loads(result.output)
    assert r["found_in_version"] >= 205
    # what only the superseded revision (file 13; file 14 has its URL) holds is recorded in its
    # own version with the labelled speaker: missing from the current view, not from the extractor
    sup = r["superseded"]
    assert sup["items"] == sup["recorded_in_own_version"] == sup["speaker_right"]
    assert r["attributed_accuracy"] >= 0.92 and r["own_voice_accuracy"] >= 0.95
    assert r["hedge_recall"] >= 0.85 and r["false_hedges"] <= 3
    assert r["failures"] == []


REVISED = ARTICLE.replace("\nShops near the bridge reportedly lost half their trade.\n", "\n")


def test_a_quote_a_revision_withdrew_is_found_in_its_own_version_with_its_speaker(tmp_path):
    """Two files with one URL are two versions of one source: the second withdraws what it no
    longer holds. The current view misses those quotes; the eval says so and checks that the
    first version recorded them, with the right speaker."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "01_bridge.md").write_text(ARTICLE, encoding="utf-8")
    (corpus / "02_bridge_later.md").write_text(REVISED.replace('"Traffic can flow again."', '"Drive slowly."'), encoding="utf-8")
    items = [
        dict(file="01_bridge.md", quote="Traffic can flow again", speaker="Mia Holt", hedged=False),
        dict(file="01_bridge.md", quote="Shops near the bridge reportedly lost", speaker="the mayor", hedged=True),
        dict(file="02_bridge_later.md", quote="Drive slowly", speaker="Mia Holt", hedged=False),
    ]
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"about": "t", "items": [dict(accept=[], note="", **it) for it in items]}), encoding="utf-8")
    plugins.load_plugins()
    result = CliRunner().invoke(cli, ["eval", "--speakers", str(labels), "--corpus", str(corpus), "--json"])
    r = json.loads(result.output)
    assert r["found"] == 1 and r["found_in_version"] == 3
    # both withdrawn quotes were statements of version 1; only Holt's has the labelled speaker
    assert r["superseded"] == {"items": 2, "recorded_in_own_version": 2, "speaker_right": 1}
    text = CliRunner().invoke(cli, ["eval", "--speakers", str(labels), "--corpus", str(corpus)]).output
    assert "found 1/3 in the current view" in text and "3/3 in each file's own source version" in text
    assert "recorded in version 1 with speaker 'Mia Holt' (right)" in text
    assert "recorded in version 1 with speaker None (WRONG)" in text
