"""``factledger append``: sources in, one batch of events per source."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import plugins
from ..ingest import AppendResult, Ingestor
from ..sources import Document, SourceError, document_from_bytes, infer_title, read_path
from .main import cli, settings


def describe(result: AppendResult) -> str:
    if result.status == "unchanged":
        return (
            f"unchanged {result.source_id} v{result.version} ({result.origin}): "
            "byte-identical to what the ledger holds; nothing recorded"
        )
    total = sum(result.counts.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in result.counts.items()) or "none"
    extra = f", {result.withdrawn} withdrawn" if result.withdrawn else ""
    return (
        f"{result.status} {result.source_id} v{result.version} ({result.origin}): "
        f"{total} assertions ({kinds}){extra}; seq {result.first_seq}-{result.last_seq}"
    )


def _with_metadata(doc: Document, **flags) -> Document:
    from attrs import evolve

    changes = {k: v for k, v in flags.items() if v not in (None, ())}
    if "title" not in changes and doc.title is None:
        changes["title"] = infer_title(doc.text)
    return evolve(doc, **changes)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--title", help="Headline of the source.")
@click.option("--url", help="Canonical URL; identifies the source across versions.")
@click.option("--published", help="Publication date or date-time (ISO 8601).")
@click.option("--outlet", help="Publication name.")
@click.option("--author", "authors", multiple=True, help="Byline (repeatable).")
@click.option("--extractor", "extractor_name", help="Extractor plugin to use (default: rules).")
@click.option("--no-fsync", is_flag=True, help="Skip fsync after each batch (bulk loads; a crash may lose the last batches).")
def append(paths, title, url, published, outlet, authors, extractor_name, no_fsync):
    """Append sources (text or Markdown files, or - for stdin) with their assertions."""
    s = settings()
    extractor = plugins.get_extractor(extractor_name)
    ingestor = Ingestor(s.store(fsync=not no_fsync), extractor, actor=s.actor)
    failed = 0
    for name in paths:
        try:
            if name == "-":
                doc = document_from_bytes(sys.stdin.buffer.read(), "<stdin>")
            else:
                doc = read_path(Path(name))
            doc = _with_metadata(doc, title=title, uri=url, published=published, outlet=outlet, authors=tuple(authors))
            result = ingestor.append(doc)
        except SourceError as exc:
            failed += 1
            click.echo(f"error: {exc}", err=True)
            continue
        click.echo(describe(result))
    if failed:
        raise SystemExit(1)
