"""factledger-ndjson: every current assertion as one JSON object per line.

A template for exporter plugins: one spec, one ``write``, one hook. ``write`` reads the
views factledger hands it (never the log file), streams rows as it reads them, and
writes bytes that depend only on the ledger (so the same ledger gives the same file).
"""

from __future__ import annotations

import json

import ledger
from ledger.exporters import ExportContext, ExporterSpec

__version__ = "0.1.0"

FIELDS = ("assertion_id", "source_id", "version", "kind", "speaker", "modality", "exact", "start", "end",
          "title", "outlet", "published", "event_seq", "event_hash")


def _row(a, source) -> dict:
    """One output object from an ``AssertionRow`` and its source's ``SourceRow`` (docs/plugins.md lists their fields)."""
    return {
        "assertion_id": a.assertion_id, "source_id": a.source_id, "version": a.version, "kind": a.kind,
        "speaker": a.speaker, "modality": a.modality, "exact": a.selector.exact, "start": a.selector.start,
        "end": a.selector.end, "title": source.title if source else None, "outlet": source.outlet if source else None,
        "published": source.published if source else None, "event_seq": a.recorded.seq, "event_hash": a.recorded.hash,
    }


def write(context: ExportContext, out) -> None:
    """Stream one JSON line per current assertion to the binary file ``out``."""
    wanted = [f.strip() for f in context.options.get("fields", "").split(",") if f.strip()] or list(FIELDS)
    unknown = sorted(set(wanted) - set(FIELDS))
    if unknown:
        raise ValueError(f"-O fields: no field {unknown[0]!r}; fields are {', '.join(FIELDS)}")
    sources = context.source_index()  # source_id -> SourceRow, small: grows with sources, not assertions
    for a in context.assertions():  # streamed, pinned to --as-of
        row = _row(a, sources.get(a.source_id))
        line = json.dumps({k: row[k] for k in wanted}, ensure_ascii=False, sort_keys=False)
        out.write(line.encode("utf-8") + b"\n")


SPEC = ExporterSpec(
    name="ndjson",                          # factledger export ndjson
    media_type="application/x-ndjson",
    extension="ndjson",
    write=write,
    views=("assertions",),                  # the first view is the default
    description="One JSON object per line for every current assertion",
    options=(("fields", "comma list of fields to keep (default: all)"),),
)


@ledger.hookimpl
def register_exporters(register):
    register(SPEC)
