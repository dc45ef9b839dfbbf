"""factledger-sqlite: export a ledger's views to a SQLite database (``factledger export sqlite -o facts.db``).

Tables (primary keys in brackets), ready to browse with ``datasette facts.db``:

* ``sources`` [source_id]: each source at its current version.
* ``assertions`` [assertion_id]: current assertions with their quote, span, speaker and
  the event that recorded them; ``source_id`` references ``sources``. Full-text search
  (FTS5) over ``exact`` and ``speaker``.
* ``claims`` [claim_id] and ``claim_members`` [claim_id, assertion_id]: which assertions
  state the same fact, with status and verdict.
* ``conflicts`` [claim_id, a, b, field]: why members of a claim disagree.
* ``ledger`` [key]: the head seq and hash the database reflects.
* ``source_texts`` [text_id]: the stored text of every version of every source;
  ``assertions.text_id`` references it, so Datasette links each quote to its text.
* ``revision_changes``: assertions added, withdrawn or moved when a source was revised.

Beside ``facts.db`` the export writes ``facts.datasette.json``: Datasette metadata with
titles, descriptions, facets, full-text search and canned queries
(``datasette facts.db --metadata facts.datasette.json``, or ``factledger datasette``).

Rows are inserted in batches from the streamed views, so memory does not grow with the
number of assertions. SQLite cannot be written to stdout, so the spec sets
``needs_path=True``: factledger hands ``write`` a fresh path and renames the finished
database over the destination.
"""

from __future__ import annotations

# docs:start imports
from pathlib import Path

import ledger
import sqlite_utils
from ledger.exporters import ExportContext, ExporterSpec
from ledger.serialization import canonical, converter
# docs:end imports

__version__ = "0.1.0"

BATCH = 1000


def _json(value) -> str:
    return canonical(converter.unstructure(value)).decode("utf-8")


def text_id(source_id: str, version: int) -> str:
    """The key of one stored source text: ``src-...-v2``."""
    return f"{source_id}-v{version}"  # URL-safe: Datasette links to it as is


def _assertion_rows(context: ExportContext):
    sources = context.source_index()
    for a in context.assertions():
        source = sources.get(a.source_id)
        yield {
            "assertion_id": a.assertion_id,
            "source_id": a.source_id,
            "source_version": a.version,
            "text_id": text_id(a.source_id, a.version),
            "outlet": source.outlet if source is not None else None,
            "start": a.selector.start,
            "end": a.selector.end,
            "exact": a.selector.exact,
            "prefix": a.selector.prefix,
            "suffix": a.selector.suffix,
            "kind": a.kind,
            "speaker": a.speaker,
            "speaker_cue": a.speaker_cue,
            "modality": a.modality,
            "modality_cue": a.modality_cue,
            "values_json": _json(a.values),
            "entities_json": _json(a.entities),
            "extractor": a.extractor,
            "extractor_version": a.extractor_version,
            "event_seq": a.recorded.seq,
            "event_hash": a.recorded.hash,
            "recorded_at": a.recorded.at,
        }


def _source_rows(context: ExportContext):
    for s in context.sources():
        yield {
            "source_id": s.source_id,
            "version": s.version,
            "versions": s.versions,
            "uri": s.uri,
            "title": s.title,
            "outlet": s.outlet,
            "authors_json": _json(s.authors),
            "published": s.published,
            "retrieved": s.retrieved,
            "media_type": s.media_type,
            "text_sha256": s.text_sha256,
            "event_seq": s.recorded.seq,
            "event_hash": s.recorded.hash,
        }


def _text_rows(context: ExportContext):
    """Every stored version's text, read from the log as of the export (sources are few; texts are small)."""
    for _offset, _line, raw in context.store.lines():
        if context.as_of is not None and raw["seq"] > context.as_of:
            break
        if raw["type"] in ("SourceAppended", "SourceRevised"):
            d = raw["data"]
            yield {
                "text_id": text_id(d["source_id"], d["version"]),
                "source_id": d["source_id"],
                "version": d["version"],
                "label": f"{d.get('title') or d['source_id']} (v{d['version']})",
                "text": d["text"],
                "event_seq": raw["seq"],
            }


def _revision_rows(context: ExportContext):
    """What each revision changed, from factledger's own diff of consecutive versions."""
    from ledger.projections.diff import diff

    for s in context.source_index().values():
        for to_version in range(2, s.versions + 1):
            d = diff(context.store, s.source_id, to_version - 1, to_version)
            rows = [("added", a.assertion_id, a.exact, a.start) for a in d.added]
            rows += [("withdrawn", a.assertion_id, a.exact, a.start) for a in d.withdrawn]
            rows += [("moved", c.assertion_id, c.exact, c.new_start) for c in d.carried if c.moved]
            for change, aid, exact, start in rows:
                yield {"source_id": s.source_id, "from_version": to_version - 1, "to_version": to_version,
                       "change": change, "assertion_id": aid, "exact": exact, "start": start}


# docs:start write
def write_database(context: ExportContext, path: Path) -> None:
    """Create the database at ``path`` from the context's views (and its Datasette metadata beside the destination)."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=OFF")  # a fresh file renamed into place on success
    db["ledger"].insert_all(
        [
            {"key": "head_seq", "value": str(context.head_seq)},
            {"key": "head_hash", "value": context.head_hash},
            {"key": "exporter", "value": f"factledger-sqlite {__version__}"},
        ],
        pk="key",
    )
    db["sources"].create(
        {"source_id": str, "version": int, "versions": int, "uri": str, "title": str, "outlet": str,
         "authors_json": str, "published": str, "retrieved": str, "media_type": str, "text_sha256": str,
         "event_seq": int, "event_hash": str},
        pk="source_id",
    )
    db["sources"].insert_all(_source_rows(context), batch_size=BATCH)
    db["source_texts"].create(
        {"text_id": str, "source_id": str, "version": int, "label": str, "text": str, "event_seq": int},
        pk="text_id",
        foreign_keys=[("source_id", "sources", "source_id")],
    )
    db["source_texts"].insert_all(_text_rows(context), batch_size=100)
    db["assertions"].create(
        {"assertion_id": str, "source_id": str, "source_version": int, "text_id": str, "outlet": str,
         "start": int, "end": int, "exact": str,
         "prefix": str, "suffix": str, "kind": str, "speaker": str, "speaker_cue": str, "modality": str,
         "modality_cue": str, "values_json": str, "entities_json": str, "extractor": str,
         "extractor_version": str, "event_seq": int, "event_hash": str, "recorded_at": str},
        pk="assertion_id",
        foreign_keys=[("source_id", "sources", "source_id"), ("text_id", "source_texts", "text_id")],
    )
    db["assertions"].insert_all(_assertion_rows(context), batch_size=BATCH)
    db["assertions"].enable_fts(["exact", "speaker"], fts_version="FTS5", create_triggers=False)
    db["claims"].create(
        {"claim_id": str, "status": str, "label": str, "sources": int, "verdict": str, "verdict_note": str},
        pk="claim_id",
    )
    db["claim_members"].create(
        {"claim_id": str, "assertion_id": str, "position": int},
        pk=("claim_id", "assertion_id"),
        foreign_keys=[("claim_id", "claims", "claim_id"), ("assertion_id", "assertions", "assertion_id")],
    )
    db["conflicts"].create(
        {"claim_id": str, "a": str, "b": str, "field": str, "explanation": str},
        pk=("claim_id", "a", "b", "field"),
        foreign_keys=[("claim_id", "claims", "claim_id"), ("a", "assertions", "assertion_id"), ("b", "assertions", "assertion_id")],
    )
    for claim in context.claims():
        db["claims"].insert(
            {"claim_id": claim.claim_id, "status": claim.status, "label": claim.label, "sources": len(claim.sources),
             "verdict": claim.verdict.status if claim.verdict else None,
             "verdict_note": claim.verdict.note if claim.verdict else None}
        )
        # a superseded member (a statement a revision withdrew) is not a row of `assertions`
        # (current statements only), so the foreign keys keep only current members and conflicts
        gone = set(claim.superseded)
        db["claim_members"].insert_all(
            {"claim_id": claim.claim_id, "assertion_id": m.assertion_id, "position": i}
            for i, m in enumerate(claim.members) if m.assertion_id not in gone
        )
        db["conflicts"].insert_all(
            {"claim_id": claim.claim_id, "a": c.a, "b": c.b, "field": c.field, "explanation": c.explanation}
            for c in claim.conflicts if c.a not in gone and c.b not in gone
        )
    db["revision_changes"].create(
        {"source_id": str, "from_version": int, "to_version": int, "change": str, "assertion_id": str, "exact": str,
         "start": int},
        foreign_keys=[("source_id", "sources", "source_id")],
    )
    db["revision_changes"].insert_all(_revision_rows(context), batch_size=BATCH)
    db["assertions"].create_index(["source_id"])
    db["assertions"].create_index(["outlet"])
    db["assertions"].create_index(["speaker"])
    db["claim_members"].create_index(["assertion_id"])
    db.conn.commit()
    db.close()
    _write_datasette_metadata(context)
# docs:end write


def _write_datasette_metadata(context: ExportContext) -> None:
    """``<name>.datasette.json`` beside the destination, committed with the database (nothing on failure)."""
    if context.destination is None:
        return
    import json

    from .datasette import SUFFIX, metadata

    dest = Path(context.destination)
    doc = metadata(dest.stem, context.head_seq, context.head_hash)
    with context.extra_output(dest.with_name(dest.stem + SUFFIX)) as out:
        out.write(json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8") + b"\n")


# docs:start spec
SPEC = ExporterSpec(
    name="sqlite",
    media_type="application/vnd.sqlite3",
    extension="db",
    write=write_database,
    views=("all",),
    description="SQLite database of sources, assertions (full-text searchable), claims and conflicts",
    needs_path=True,
)


@ledger.hookimpl
def register_exporters(register):
    register(SPEC)
# docs:end spec
