"""``factledger correct``: record a correction of a source's metadata as an event.

Appending a source again never changes its metadata (the bytes are the same, so nothing
is recorded); a wrong or missing published date, outlet, title or byline is fixed with a
``SourceMetadataCorrected`` event instead, and the views re-resolve what depends on it.
"""

from __future__ import annotations

import click

from .. import projections as P
from ..projections.diff import resolve
from ..events import SourceMetadataCorrected
from ..log import LedgerError
from .append import _published
from .main import cli, settings
from .render import echo


@cli.command()
@click.argument("source")
@click.option("--published", callback=_published, help="Publication date or date-time (ISO 8601).")
@click.option("--outlet", help="Publication name.")
@click.option("--title", help="Headline.")
@click.option("--author", "authors", multiple=True, help="Byline (repeatable; replaces all bylines).")
@click.option("--reason", help="Why (recorded in the event).")
def correct(source, published, outlet, title, authors, reason):
    """Correct the metadata of SOURCE (a source id or its URL); unnamed fields stay as they are."""
    fields = {"published": published, "outlet": outlet, "title": title, "authors": tuple(authors) or None}
    if all(v is None for v in fields.values()):
        raise click.UsageError("say what to correct: --published, --outlet, --title or --author")
    # Blank text would break the event's schema (minLength 1) and so damage the ledger for good.
    for name, value in (("outlet", outlet), ("title", title), ("reason", reason), *(("author", a) for a in authors)):
        if value is not None and not value.strip():
            raise click.UsageError(f"--{name} must not be blank")
    s = settings()
    store = s.existing_store(warn_torn=False)  # it refuses the torn tail itself
    with store.writer() as writer:
        writer.check_appendable()
        source_id = resolve(store, source)
        row = P.catalog(store, cache=False).sources[source_id]
        changes = {k: v for k, v in fields.items() if v is not None and getattr(row, k) != v}
        if not changes:
            raise LedgerError(f"{source_id}: its metadata already says that; nothing recorded")
        event = SourceMetadataCorrected(source_id=source_id, reason=reason, **changes)
        seq = writer.append([event], actor=s.actor).first_seq
    said = ", ".join(f"{k} {_show(getattr(row, k))} -> {_show(v)}" for k, v in changes.items())
    echo(f"corrected {source_id}: {said}; seq {seq}")


def _show(value) -> str:
    if value is None or value == ():
        return "(none)"
    return ", ".join(value) if isinstance(value, tuple) else str(value)


def correction_hint(source_id: str, given: dict) -> str | None:
    """For an unchanged re-append: the ``factledger correct`` command that records the
    metadata the user gave, if it differs from what the ledger holds (None otherwise)."""
    store = settings().existing_store()
    row = P.catalog(store).sources.get(source_id)
    if row is None:
        return None
    flags = {"published": "--published", "outlet": "--outlet", "title": "--title"}
    parts = []
    for key, value in given.items():
        if key == "authors" and value:
            value = tuple(a for a in value if a.strip()) or None  # blank bylines: nothing to correct to
        elif isinstance(value, str) and not value.strip():
            value = None
        if value in (None, ()) or getattr(row, key) == value:
            continue
        if key == "authors":
            parts.extend(f"--author {_quote(a)}" for a in value)
        else:
            parts.append(f"{flags[key]} {_quote(value)}")
    if not parts:
        return None
    return f"its metadata differs from what you gave; to record that, run: factledger correct {source_id} {' '.join(parts)}"


def _quote(value: str) -> str:
    import shlex

    return shlex.quote(value)
