"""Analyst decisions as events: ``link``, ``unlink``, ``verdict``.

Targets are checked against the ledger as it stands under the writer lock, so nothing is
recorded about an assertion that does not exist (or no longer exists). ``verdict``
takes an assertion id or a claim id; a claim id (``cl-<hex>``) names its anchor
assertion ``as-<hex>`` (the claim's smallest member), so the verdict follows that
assertion into whatever claim holds it after later appends.
"""

from __future__ import annotations

import click

from .. import projections as P
from ..events import VERDICT_STATUSES, AssertionsLinked, AssertionsUnlinked, VerdictRecorded
from ..log import LedgerError
from .main import cli, settings
from .render import echo


def _current_ids(store, wanted: set[str]) -> set[str]:
    cat = P.catalog(store, cache=False)
    found = set()
    from ..projections.views import current_assertions

    for row in current_assertions(store, cat):
        if row.assertion_id in wanted:
            found.add(row.assertion_id)
    return found


def _append_checked(payload, ids: list[str], claim: str | None = None) -> int:
    """Append ``payload`` if every assertion id is current; its seq. ``claim``: the claim id the
    (single) assertion id anchors, named in the error instead of the anchor."""
    s = settings()
    store = s.existing_store(snapshot=False)  # read under the lock below, not at a snapshot
    with store.writer() as w:
        found = _current_ids(store, set(ids))
        for i in ids:
            if i not in found:
                if claim is not None:
                    raise LedgerError(f"{store.path}: no claim {claim} (see 'factledger claims --all')")
                raise LedgerError(f"{store.path}: no current assertion {i}")
        return w.append([payload], actor=s.actor).first_seq


def _pair(a: str, b: str) -> tuple[str, str]:
    for x in (a, b):
        if x.startswith("cl-"):
            raise LedgerError(f"{x}: link and unlink take assertion ids (as-...), not claim ids")
    if a == b:
        raise LedgerError(f"{a}: cannot link an assertion to itself")
    return a, b


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option("--note", help="Why they state the same fact.")
def link(a, b, note):
    """Say assertions A and B state the same fact (overrides automatic clustering)."""
    a, b = _pair(a, b)
    seq = _append_checked(AssertionsLinked(a=a, b=b, note=note), [a, b])
    echo(f"linked {a} {b}; seq {seq}")


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option("--note", help="Why they are different facts.")
def unlink(a, b, note):
    """Say assertions A and B do not state the same fact (overrides automatic clustering)."""
    a, b = _pair(a, b)
    seq = _append_checked(AssertionsUnlinked(a=a, b=b, note=note), [a, b])
    echo(f"unlinked {a} {b}; seq {seq}")


@cli.command()
@click.argument("target")
@click.option("--status", required=True, type=click.Choice(VERDICT_STATUSES))
@click.option("--note", help="Reasoning or evidence.")
def verdict(target, status, note):
    """Record a verdict on a claim (cl-...) or an assertion (as-...)."""
    anchor = P.anchor_of(target) if target.startswith("cl-") else target
    seq = _append_checked(VerdictRecorded(target=target, status=status, note=note), [anchor],
                          claim=target if target.startswith("cl-") else None)
    echo(f"verdict {status} on {target}; seq {seq}")
