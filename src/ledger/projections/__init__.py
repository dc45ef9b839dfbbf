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
from .claims import ClaimsConfig, ClaimsView, anchor_of, build_claims, claim_id_for, claims_view
from .machinery import REGISTRY, Projection, fold, register, resolve_as_of
from .views import catalog, iter_assertions, iter_entities, iter_sources, iter_timeline, trail

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
    "fold",
    "iter_assertions",
    "iter_entities",
    "iter_sources",
    "iter_timeline",
    "register",
    "resolve_as_of",
    "trail",
]
