"""Projections: pure folds of the log into the views people read (issue #4).

The API exporters and the CLI code against:

* :func:`resolve_as_of` -- ``--as-of`` (seq or RFC 3339 time) to a seq.
* :func:`iter_sources`, :func:`iter_assertions`, :func:`iter_entities`, :func:`iter_timeline`
* :func:`claims_view` / :func:`build_claims` -- typed links across sources, display groups, conflicts,
  analyst overrides, verdicts.
* :func:`trail` -- every event that touched an assertion or a claim.

See docs/projections.md for the machinery (folds, cache, as-of) and the matching rules.
"""

from .catalog import CATALOG, Catalog
from .machinery import REGISTRY, Projection, fold, register, resolve_as_of

# The claims matcher and the log-folding views are imported on first use (PEP 562), so a
# command that reads the projection store does not pay for them (#12).
_LAZY = {
    "ClaimsConfig": "claims", "ClaimsView": "claims", "anchor_of": "claims", "build_claims": "claims",
    "claim_id_for": "claims", "claims_view": "claims", "listed_claims_json": "claims",
    "iter_assertions": "views", "iter_entities": "views", "iter_sources": "views", "iter_timeline": "views",
    "trail": "claims",
}


def catalog(store, as_of=None, *, cache=True):
    """The catalog as it stood at ``as_of`` (:func:`ledger.projections.views.catalog`)."""
    from .views import catalog as fold_catalog

    return fold_catalog(store, as_of, cache=cache)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "CATALOG",
    "Catalog",
    "ClaimsConfig",
    "ClaimsView",
    "Projection",
    "REGISTRY",
    "anchor_of",
    "build_claims",
    "catalog",
    "claim_id_for",
    "claims_view",
    "listed_claims_json",
    "fold",
    "iter_assertions",
    "iter_entities",
    "iter_sources",
    "iter_timeline",
    "register",
    "resolve_as_of",
    "trail",
]
