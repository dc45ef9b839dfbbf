"""The claims view against the gold cross-source pairs of the real corpus (rules extractor)."""

from __future__ import annotations

from pathlib import Path

import pytest
from attrs import evolve

SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLD = SHARED / "eval" / "gold.json"
CORPUS = SHARED / "corpus"

UNRELATED = (
    "Kestrel Valley Orchard Harvest Breaks Record\n\n"
    "Growers in Kestrel Valley picked 12,400 tonnes of apples this autumn, the cooperative said on Tuesday. "
    "The harvest began on September 3 after a mild spring. "
    "Cooperative chair Marta Oyelaran said cider makers bought nearly half of the crop. "
    "A new cold store opened near the village of Brindle in August.\n"
)


@pytest.fixture(scope="module")
def report():
    if not GOLD.exists() or not CORPUS.is_dir():
        pytest.skip(f"shared eval data missing at {SHARED}")
    pytest.importorskip("ledger.extractors.rules")
    from ledger.evaluation.claims import evaluate_claims

    return evaluate_claims(GOLD, CORPUS)


def test_gold_corroborations_found(report):
    """Gold corroborating pairs joined by a link: 8 of 8 measured (the issue's target is 7), so a
    regression below 8 fails."""
    assert report.corroborated_found >= 8, [p for p in report.corroborate if not p.same_claim]


def test_gold_conflict_flagged(report):
    """The gold conflict pair is one claim flagged as a conflict, with both weekdays explained."""
    assert report.conflicts_flagged == len(report.conflict) == 1


def test_no_corroboration_flagged_as_conflict(report):
    """No gold corroborating pair is reported as a conflict."""
    assert report.wrongly_flagged == ()


def test_report_lists_extra_links(report):
    """The formatted report prints recall, conflicts and the extra links for a person to judge."""
    from ledger.evaluation.claims import format_claims_report

    text = format_claims_report(report)
    assert f"{report.corroborated_found}/8" in text and "precision" in text
    for e in report.extra:
        assert e.quote_a in text and e.quote_b in text


def test_unrelated_article_joins_no_corpus_claim(tmp_path):
    """An article on another subject shares no claim with the corpus articles."""
    if not GOLD.exists():
        pytest.skip(f"shared eval data missing at {SHARED}")
    pytest.importorskip("ledger.extractors.rules")
    import json

    from ledger import plugins
    from ledger.ingest import Ingestor
    from ledger.log import LogStore
    from ledger.projections import build_claims
    from ledger.sources import document_from_bytes, read_path

    gold = json.loads(GOLD.read_text())
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    ing = Ingestor(store, plugins.get_extractor("rules"))
    for name, meta in gold["sources"].items():
        ing.append(evolve(read_path(CORPUS / name), published=meta["published"], title=meta["title"]))
    other = ing.append(evolve(document_from_bytes(UNRELATED.encode(), "orchard.txt"), published="2017-11-22")).source_id
    claims = build_claims(store, cache=False)
    assert any(m.source_id == other for c in claims for m in c.members)
    for c in claims:
        if other in c.sources:
            assert c.sources == (other,), c


def test_claims_are_not_topic_chains(report):
    """Links stay few on the two-article corpus (topic chaining gave 58 cross-source pairs)."""
    assert report.cross_pairs <= 30, [(e.a, e.b) for e in report.extra]
