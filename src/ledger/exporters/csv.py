"""CSV export (built-in plugin ``csv``): RFC 4180, UTF-8, with a CSVW metadata sidecar.

The canonical CSV is byte-exact: header row, CRLF, minimal quoting, no BOM, every cell
exactly as the ledger holds it (``None`` is an empty cell; values and entities are
canonical JSON). Because spreadsheets execute cells starting with ``=``, ``+``, ``-`` or
``@`` (CWE-1236), ``--spreadsheet-safe`` prefixes such cells with ``'`` and says so in
the sidecar; that file is no longer byte-exact audit data.

The CSVW sidecar (W3C "Metadata Vocabulary for Tabular Data") is written beside the
file as ``<file name>-metadata.json`` (``out.csv`` -> ``out.csv-metadata.json``, the
name CSVW processors look for), or wherever ``--sidecar PATH`` says; on stdout there is
none unless ``--sidecar`` is given.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from .. import hookimpl
from ..serialization import canonical, converter
from . import ExportContext, ExporterSpec

Column = tuple[str, str, str, Callable[[Any], Any]]
"""(name, CSVW datatype, description, getter)."""

_UNSAFE_START = ("=", "+", "-", "@")


def _json(value: Any) -> str:
    return canonical(converter.unstructure(value)).decode("utf-8")


def _src(context: ExportContext, source_id: str, attr: str) -> Any:
    row = context.source_index().get(source_id)
    return getattr(row, attr) if row is not None else None


def assertion_columns(context: ExportContext) -> list[Column]:
    s = lambda attr: lambda a: _src(context, a.source_id, attr)  # noqa: E731
    return [
        ("assertion_id", "string", "Content-derived id of the assertion", lambda a: a.assertion_id),
        ("source_id", "string", "Ledger id of the source", lambda a: a.source_id),
        ("source_version", "nonNegativeInteger", "Version of the source text the span points into", lambda a: a.version),
        ("uri", "anyURI", "URL of the source", s("uri")),
        ("title", "string", "Headline of the source", s("title")),
        ("outlet", "string", "Publication", s("outlet")),
        ("published", "string", "Publication date (ISO 8601)", s("published")),
        ("start", "nonNegativeInteger", "Offset of the quote's first code point in the stored text", lambda a: a.selector.start),
        ("end", "nonNegativeInteger", "Offset one past the quote's last code point", lambda a: a.selector.end),
        ("exact", "string", "The exact quote: text[start:end]", lambda a: a.selector.exact),
        ("kind", "string", "statement, headline, caption, credit or boilerplate", lambda a: a.kind),
        ("speaker", "string", "Who the article says made the statement (empty: the article itself)", lambda a: a.speaker),
        ("modality", "string", "asserted, hedged or negated", lambda a: a.modality),
        ("values", "json", "Quantities and dates, canonical JSON array", lambda a: _json(a.values)),
        ("entities", "json", "People, organisations and places, canonical JSON array", lambda a: _json(a.entities)),
        ("event_seq", "nonNegativeInteger", "Seq of the AssertionRecorded event", lambda a: a.recorded.seq),
        ("event_hash", "string", "sha256 hash of that event", lambda a: a.recorded.hash),
        ("recorded_at", "dateTime", "When the event was recorded (UTC)", lambda a: a.recorded.at),
        ("extractor", "string", "Extractor name and version (name/version)", lambda a: f"{a.extractor}/{a.extractor_version}"),
    ]


def claim_columns(context: ExportContext) -> list[Column]:
    """One row per claim member: each row links a claim to one source through one assertion."""
    s = lambda attr: lambda cm: _src(context, cm[1].source_id, attr)  # noqa: E731
    return [
        ("claim_id", "string", "Stable id of the claim", lambda cm: cm[0].claim_id),
        ("claim_status", "string", "corroborated, conflict or single", lambda cm: cm[0].status),
        ("claim_sources", "nonNegativeInteger", "Number of distinct sources in the claim", lambda cm: len(cm[0].sources)),
        ("claim_label", "string", "Representative quote of the claim", lambda cm: cm[0].label),
        ("verdict", "string", "Analyst's verdict on the claim, if any", lambda cm: cm[0].verdict.status if cm[0].verdict else None),
        ("conflicts", "string", "Why members disagree (one explanation per line)",
         lambda cm: "\n".join(c.explanation for c in cm[0].conflicts if cm[1].assertion_id in (c.a, c.b)) or None),
        ("assertion_id", "string", "The member assertion", lambda cm: cm[1].assertion_id),
        ("source_id", "string", "Ledger id of the member's source", lambda cm: cm[1].source_id),
        ("source_version", "nonNegativeInteger", "Version of the source text", lambda cm: cm[1].version),
        ("uri", "anyURI", "URL of the source", s("uri")),
        ("title", "string", "Headline of the source", s("title")),
        ("outlet", "string", "Publication", s("outlet")),
        ("published", "string", "Publication date (ISO 8601)", s("published")),
        ("start", "nonNegativeInteger", "Offset of the quote in the stored text", lambda cm: cm[1].selector.start),
        ("end", "nonNegativeInteger", "Offset one past the quote", lambda cm: cm[1].selector.end),
        ("exact", "string", "The exact quote", lambda cm: cm[1].selector.exact),
        ("speaker", "string", "Who said it (empty: the article itself)", lambda cm: cm[1].speaker),
        ("event_seq", "nonNegativeInteger", "Seq of the AssertionRecorded event", lambda cm: cm[1].recorded.seq),
        ("event_hash", "string", "sha256 hash of that event", lambda cm: cm[1].recorded.hash),
    ]


def source_columns(context: ExportContext) -> list[Column]:
    return [
        ("source_id", "string", "Ledger id of the source", lambda r: r.source_id),
        ("version", "nonNegativeInteger", "Current version", lambda r: r.version),
        ("versions", "nonNegativeInteger", "Versions recorded", lambda r: r.versions),
        ("uri", "anyURI", "URL of the source", lambda r: r.uri),
        ("title", "string", "Headline", lambda r: r.title),
        ("outlet", "string", "Publication", lambda r: r.outlet),
        ("authors", "json", "Bylines, canonical JSON array", lambda r: _json(r.authors)),
        ("published", "string", "Publication date (ISO 8601)", lambda r: r.published),
        ("retrieved", "string", "When it was fetched", lambda r: r.retrieved),
        ("media_type", "string", "Media type of what was read", lambda r: r.media_type),
        ("raw_sha256", "string", "sha256 of the bytes read", lambda r: r.raw_sha256),
        ("text_sha256", "string", "sha256 of the stored text", lambda r: r.text_sha256),
        ("assertions", "nonNegativeInteger", "Current assertions", lambda r: sum(r.counts.values())),
        ("event_seq", "nonNegativeInteger", "Seq of the event that recorded the current version", lambda r: r.recorded.seq),
        ("event_hash", "string", "Hash of that event", lambda r: r.recorded.hash),
        ("recorded_at", "dateTime", "When it was recorded (UTC)", lambda r: r.recorded.at),
    ]


def entity_columns(context: ExportContext) -> list[Column]:
    return [
        ("entity", "string", "Canonical name of the entity", lambda e: e.entity),
        ("type", "string", "person, org, place or other", lambda e: e.type),
        ("variants", "json", "Surface forms used, canonical JSON array", lambda e: _json(e.variants)),
        ("mentions", "nonNegativeInteger", "Mentions in current assertions", lambda e: e.mentions),
        ("sources", "json", "Source ids that mention it, canonical JSON array", lambda e: _json(e.sources)),
        ("assertions", "json", "Assertion ids that mention it, canonical JSON array", lambda e: _json(e.assertions)),
    ]


def timeline_columns(context: ExportContext) -> list[Column]:
    return [
        ("date", "string", "Normalised date the statement speaks of", lambda t: t.date),
        ("date_type", "string", "date, daterange or year", lambda t: t.type),
        ("date_text", "string", "The words that gave the date", lambda t: t.text),
        ("assertion_id", "string", "The assertion", lambda t: t.assertion_id),
        ("source_id", "string", "Its source", lambda t: t.source_id),
        ("outlet", "string", "Publication", lambda t: t.outlet),
        ("title", "string", "Headline", lambda t: t.title),
        ("exact", "string", "The exact quote", lambda t: t.quote),
        ("event_seq", "nonNegativeInteger", "Seq of the AssertionRecorded event", lambda t: t.recorded.seq),
        ("event_hash", "string", "sha256 hash of that event", lambda t: t.recorded.hash),
    ]


def _claim_members(context: ExportContext) -> Iterator[tuple[Any, Any]]:
    for claim in context.claims():
        for member in claim.members:
            yield claim, member


VIEWS: dict[str, tuple[Callable[[ExportContext], list[Column]], Callable[[ExportContext], Iterable[Any]], list[str]]] = {
    "assertions": (assertion_columns, lambda c: c.assertions(), ["assertion_id"]),
    "claims": (claim_columns, _claim_members, ["claim_id", "assertion_id"]),
    "sources": (source_columns, lambda c: c.sources(), ["source_id"]),
    "entities": (entity_columns, lambda c: c.entities(), ["entity"]),
    "timeline": (timeline_columns, lambda c: c.timeline(), ["date", "assertion_id"]),
}


def _cell(value: Any, safe: bool) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if safe and text.startswith(_UNSAFE_START):
        return "'" + text
    return text


def write_rows(context: ExportContext, out: IO[bytes]) -> int:
    """Stream the view as RFC 4180 CSV; returns the number of data rows."""
    make_columns, rows, _key = VIEWS[context.view]
    columns = make_columns(context)
    safe = context.flag("spreadsheet_safe")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([name for name, *_ in columns])
    getters = [get for *_, get in columns]
    n = 0
    for row in rows(context):
        writer.writerow([_cell(get(row), safe) for get in getters])
        n += 1
        if buffer.tell() > 1 << 16:
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode("utf-8"))
    return n


def metadata(context: ExportContext, url: str) -> dict[str, Any]:
    """The CSVW table description of the view's CSV at ``url`` (relative to the sidecar)."""
    make_columns, _rows, key = VIEWS[context.view]
    safe = context.flag("spreadsheet_safe")
    columns = []
    for name, datatype, description, _get in make_columns(context):
        col: dict[str, Any] = {"name": name, "titles": name, "dc:description": description}
        if datatype == "json":
            col["datatype"] = {"base": "json"}
        else:
            col["datatype"] = datatype
        columns.append(col)
    notes = (
        "Spreadsheet-safe variant: cells starting with =, +, - or @ are prefixed with an apostrophe ('); "
        "strip it to recover the ledger's exact bytes."
        if safe
        else "Canonical CSV: every cell is byte-exact as recorded in the ledger; empty cells are null."
    )
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": url,
        "dc:title": f"factledger {context.view}",
        "dc:description": notes,
        "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\r\n"], "doubleQuote": True},
        "null": "",
        "tableSchema": {"columns": columns, "primaryKey": key if len(key) > 1 else key[0]},
        "fl:view": context.view,
        "fl:spreadsheetSafe": safe,
        "fl:headSeq": context.head_seq,
        "fl:headHash": context.head_hash,
    }


def sidecar_path(context: ExportContext) -> Path | None:
    """Where the sidecar goes: ``--sidecar PATH``, else beside ``-o``; none on stdout."""
    if context.options.get("sidecar"):
        return Path(context.options["sidecar"])
    if context.destination is not None:
        return context.destination.with_name(context.destination.name + "-metadata.json")
    return None


def write(context: ExportContext, out: IO[bytes]) -> None:
    write_rows(context, out)
    side = sidecar_path(context)
    if side is None:
        return
    if context.destination is not None:
        import os

        url = os.path.relpath(context.destination.resolve(), side.resolve().parent)
    else:
        url = "-"
    with context.extra_output(side) as meta_out:
        meta_out.write(orjson.dumps(metadata(context, url), option=orjson.OPT_INDENT_2) + b"\n")


SPEC = ExporterSpec(
    name="csv",
    media_type="text/csv; charset=utf-8; header=present",
    extension="csv",
    write=write,
    views=("assertions", "claims", "sources", "entities", "timeline"),
    description="RFC 4180 CSV with provenance columns and a CSVW metadata sidecar",
    options=(
        ("spreadsheet_safe", "Prefix cells starting with = + - @ with ' (not byte-exact)"),
        ("sidecar", "Write the CSVW metadata to this path (default: beside -o; none on stdout)"),
    ),
)


@hookimpl
def register_exporters(register):
    register(SPEC)
