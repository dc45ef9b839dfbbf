"""Read views: ``sources``, ``assertions``, ``show``, ``entities``, ``timeline``, ``claims``.

Human tables by default, ``--json`` for one JSON array streamed row by row (``--jsonl``:
one row per line); ``--as-of SEQ|TIME`` answers as the ledger stood then. Every view
answers from the head at its start, from the projection store (``projections/store.py``)
unless ``--no-cache``, which folds the log and neither reads nor writes any cache.
"""

from __future__ import annotations

import sys

import click
import orjson

from .common import as_of_note
from .main import cli, settings
from .render import clean, cut, describe_event, echo, json_safe


def _common(fn):
    fn = click.option("--no-cache", is_flag=True, help="Fold the whole log; neither read nor write the cache.")(fn)
    fn = click.option("--jsonl", "as_jsonl", is_flag=True, help="Print JSON Lines (one row per line) instead of a table.")(fn)
    fn = click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")(fn)
    fn = click.option("--as-of", "as_of", metavar="SEQ|TIME", help="The view as it stood at a seq, an RFC 3339 time, or a date (its end, UTC).")(fn)
    return fn


def _store_and_seq(as_of: str | None):
    """The ledger and the seq to answer at: ``--as-of``, else the head at the command's start."""
    from .. import projections as P

    store = settings().existing_store()
    seq = P.resolve_as_of(store, as_of)
    as_of_note(store, as_of, seq)
    return store, store.head().seq if seq is None else seq


def _snapshot(as_of: str | None, no_cache: bool):
    from ..projections.snapshot import Snapshot

    snap = Snapshot(settings().existing_store(), cache=not no_cache)
    seq = snap.resolve(as_of)
    as_of_note(snap.log, as_of, seq)
    return snap, seq


def _write_rows(blobs, *, lines: bool) -> None:
    """Stream rows (JSON bytes each) as a JSON array, one row per line, or as JSON Lines."""
    out = getattr(sys.stdout, "buffer", sys.stdout)  # click 8.5 deprecates get_binary_stream
    blobs = map(json_safe, blobs)
    if lines:
        for blob in blobs:
            out.write(blob + b"\n")
        out.flush()
        return
    sep = b"[\n"
    for blob in blobs:
        out.write(sep)
        out.write(blob)
        sep = b",\n"
    out.write(b"[]\n" if sep == b"[\n" else b"\n]\n")
    out.flush()


def _emit(rows, as_jsonl: bool) -> None:
    _write_rows(map(orjson.dumps, rows), lines=as_jsonl)


def _table(headers: list[str], rows: list[list[str]]) -> None:
    """Aligned columns; on a terminal a rich table (colour, paged when long), see cli/terminal.py."""
    from .terminal import Output

    with Output() as out:
        out.table(headers, rows, styles=["id"])


@cli.command()
@_common
def sources(as_of, as_json, as_jsonl, no_cache):
    """Every source with its versions, metadata and assertion counts by kind."""
    snap, seq = _snapshot(as_of, no_cache)
    with snap:
        rows = snap.sources(seq)
        if as_json or as_jsonl:
            return _emit(rows, as_jsonl)
        _table(
            ["SOURCE", "VER", "PUBLISHED", "OUTLET", "TITLE", "ASSERTIONS"],
            [
                [r["source_id"], f"{r['version']}/{r['versions']}", r["published"] or "-", cut(r["outlet"], 20) or "-",
                 cut(r["title"], 50) or "-", ", ".join(f"{n} {k}" for k, n in r["counts"].items()) or "0"]
                for r in rows
            ],
        )


@cli.command()
@_common
@click.option("--source", help="Only this source id.")
@click.option("--speaker", help="Only statements attributed to this speaker.")
@click.option("--kind", type=click.Choice(["statement", "headline", "caption", "credit", "boilerplate"]))
@click.option("--entity", help="Only assertions naming this entity.")
def assertions(as_of, as_json, as_jsonl, no_cache, source, speaker, kind, entity):
    """Current assertions (retracted and withdrawn ones gone), filterable."""
    snap, seq = _snapshot(as_of, no_cache)
    filters = dict(source=source, speaker=speaker, kind=kind, entity=entity)
    with snap:
        if as_json or as_jsonl:
            return _write_rows(snap.assertions_json(seq, **filters), lines=as_jsonl)
        rows = [
            [r["assertion_id"], str(r["recorded"]["seq"]), r["kind"], cut(r["speaker"], 24) or "-",
             cut(r["selector"]["exact"])]
            for r in snap.assertions(seq, **filters)
        ]
        _table(["ID", "SEQ", "KIND", "SPEAKER", "QUOTE"], rows)
        if not rows and (speaker or entity):
            _did_you_mean(snap.log, seq, speaker or entity, "--speaker" if speaker else "--entity")


def _did_you_mean(store, seq, query: str, flag: str) -> None:
    """When a name matched nothing: the closest speaker or entity names, on stderr."""
    import difflib

    from ..projections.views import known_names, name_words

    names = known_names(store, seq)
    by_word: dict[str, set[str]] = {}
    for name in names:
        for word in [name.casefold(), *name_words(name)]:
            by_word.setdefault(word, set()).add(name)
    close = difflib.get_close_matches(query.casefold(), list(by_word), n=5, cutoff=0.6)
    picks = sorted({n for w in close for n in by_word[w]})[:5]
    hint = f"; did you mean: {', '.join(picks)}?" if picks else ""
    echo(f"no assertion matches {flag} {query!r}{hint}", err=True)


@cli.command()
@click.argument("id")
@_common
def show(id, as_of, as_json, as_jsonl, no_cache):
    """The provenance trail of an assertion (as-...), a claim (cl-...) or a source (src-...): every event that touched it."""
    from .. import projections as P

    store, seq = _store_and_seq(as_of)
    events = P.trail(store, id, as_of=seq, cache=not no_cache)
    if as_json or as_jsonl:
        from ..serialization import unstructure_event

        return _emit(map(unstructure_event, events), as_jsonl)
    from .terminal import Output, trail_lines

    with Output() as out:  # on a terminal: the same lines, styled (see terminal.trail_lines)
        if id.startswith("cl-"):
            claim = next((c for c in P.build_claims(store, seq, cache=not no_cache) if c.claim_id == id), None)
            if claim is not None:
                out.spans([("claim ", None), (claim.claim_id, "id"), (" ", None), (f"[{claim.status}]", claim.status),
                           (f" {len(claim.members)} assertions from {len(claim.sources)} sources", None)])
                for c in claim.conflicts:
                    out.line(clean(f"  conflict ({c.field}): {c.explanation}"), "conflict")
                if claim.verdict:
                    out.line(clean(f"  verdict: {claim.verdict.status}" + (f" ({claim.verdict.note})" if claim.verdict.note else "")))
        if id.startswith("src-"):
            row = next((r for r in P.iter_sources(store, seq, cache=not no_cache) if r.source_id == id), None)
            if row is not None:
                counts = ", ".join(f"{n} {k}" for k, n in row.counts.items()) or "none"
                out.spans([("source ", None), (id, "id"),
                           (clean(f" v{row.version}: {cut(row.title, 80) or '-'}; current assertions: {counts} "
                                  f"(list them with 'factledger assertions --source {id}')"), None)])
        if out.fancy:
            out.stream(trail_lines(out, events))
            return
    for e in events:
        echo(f"seq {e.seq}  {e.at}  {e.actor}  {e.hash[:16]}")
        echo(f"    {e.type} {describe_event(e, context=True)}".rstrip())


@cli.command()
@_common
def entities(as_of, as_json, as_jsonl, no_cache):
    """Each entity with its variants and mentions across sources."""
    snap, seq = _snapshot(as_of, no_cache)
    with snap:
        if as_json or as_jsonl:
            return _write_rows(snap.entities_json(seq), lines=as_jsonl)
        rows = snap.entities(seq)
        _table(
            ["ENTITY", "TYPE", "MENTIONS", "SOURCES", "VARIANTS"],
            [
                [cut(r["entity"], 40), r["type"], str(r["mentions"]), str(len(r["sources"])), cut(", ".join(r["variants"]), 50)]
                for r in rows
            ],
        )


@cli.command()
@_common
def timeline(as_of, as_json, as_jsonl, no_cache):
    """Dated statements ordered by the date they speak of, with their sources."""
    snap, seq = _snapshot(as_of, no_cache)
    with snap:
        rows = snap.timeline(seq)
        if as_json or as_jsonl:
            return _emit(rows, as_jsonl)
        _table(
            ["DATE", "SOURCE", "ASSERTION", "QUOTE"],
            [[r["date"], cut(r["outlet"] or r["title"] or r["source_id"], 24), r["assertion_id"], cut(r["quote"], 60)] for r in rows],
        )


@cli.command()
@_common
@click.option("--all", "show_all", is_flag=True, help="Also list single-source claims.")
@click.option("--conflicts", "only_conflicts", is_flag=True, help="Only claims with a conflict (disputed facts).")
@click.option("--wide", is_flag=True, help="Do not cut quotes and labels to the terminal.")
def claims(as_of, as_json, as_jsonl, no_cache, show_all, only_conflicts, wide):
    """Facts stated by several sources: label, status, verdict, quotes and one line per conflicting slot."""
    from .. import projections as P
    from ..serialization import converter

    from ..projections.records import Claim

    store, seq = _store_and_seq(as_of)
    # the listed claims' JSON lines, streamed from the projection store when it holds this view (#12)
    blobs = P.listed_claims_json(store, seq, cache=not no_cache, show_all=show_all)
    if only_conflicts:
        blobs = (b for b in blobs if orjson.loads(b)["conflicts"])
    if as_json or as_jsonl:
        return _write_rows(blobs, lines=as_jsonl)
    rows = [converter.structure(orjson.loads(b), Claim) for b in blobs]
    if not rows:
        echo("(no conflicts)" if only_conflicts else "(no claims joining two sources; --all lists single-source ones)")
    width = None if wide else 100

    def fit(text: str, n: int) -> str:
        return clean(" ".join(text.split())) if width is None else cut(text, n)

    from .terminal import Output

    with Output() as out:
        for c in rows:
            verdict = ""
            if c.verdict:
                verdict = f"  verdict: {c.verdict.status}" + (f" ({fit(c.verdict.note, 60)})" if c.verdict.note else "")
            out.spans([(c.claim_id, "id"), ("  ", None), (f"[{c.status}]", c.status),
                       (f"  {len(c.sources)} sources{clean(verdict)}", None)])
            out.line(f"  label: {fit(c.label, 100)}")
            for m in c.members:
                old = f" (v{m.version}, earlier version)" if m.assertion_id in c.superseded else ""
                out.line(f"  {m.source_id}{old}  {m.assertion_id}  {fit(m.selector.exact, 100)}")
            for x in c.conflicts:
                out.line(f"  CONFLICT ({x.field}, {x.grade}{', revision' if x.revision else ''}): {fit(x.explanation, 400)}",
                         "conflict")
            for link in c.links:
                if link.how == "analyst":
                    out.line(f"  LINKED by analyst: {link.a} ~ {link.b}", "dim")
            out.line("")
