"""CSV export (built-in plugin ``csv``): RFC 4180, UTF-8, with a CSVW metadata sidecar.

The canonical CSV is byte-exact: header row, CRLF, minimal quoting, no BOM, every cell
exactly as the ledger holds it (``None`` is an empty cell; values and entities are
canonical JSON). Because spreadsheets execute cells starting with ``=``, ``+``, ``-``, ``@``, TAB or CR
(CWE-1236; also their fullwidth forms, and after leading blanks), ``--spreadsheet-safe``
prefixes such cells with ``'`` and says so in
the sidecar; that file is no longer byte-exact audit data.

The CSVW sidecar (W3C "Metadata Vocabulary for Tabular Data") is written beside the
file as ``<file name>-metadata.json`` (``out.csv`` -> ``out.csv-metadata.json``, the
name CSVW processors look for), or wherever ``--sidecar PATH`` says; on stdout there is
none unless ``--sidecar`` is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from .. import hookimpl
from ..serialization import canonical, converter
from . import ExportContext, ExporterSpec, ExportError

Column = tuple[str, str, str]
"""(name, CSVW datatype, description)."""

Cells = Callable[[Any], list[Any]]
"""A view's row -> its cells, in column order (``None`` is an empty cell).

One function per view instead of one getter per cell: at a million rows the calls are
what a CSV export costs, once the log is read."""

_UNSAFE_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""OWASP's CSV-injection list (= + - @ TAB CR), LF, and the fullwidth forms some spreadsheets fold to ASCII."""


def _json(value: Any) -> str:
    return canonical(converter.unstructure(value)).decode("utf-8")


_SOURCE_CELLS = ("uri", "title", "outlet", "published")
_NO_SOURCE = (None,) * len(_SOURCE_CELLS)


def _source_cells(context: ExportContext) -> Callable[[str], tuple[Any, ...]]:
    """``source_id -> (uri, title, outlet, published)``, memoised per source."""
    index = context.source_index()
    memo: dict[str, tuple[Any, ...]] = {}

    def cells(source_id: str) -> tuple[Any, ...]:
        found = memo.get(source_id)
        if found is None:
            row = index.get(source_id)
            found = memo[source_id] = _NO_SOURCE if row is None else tuple(getattr(row, a) for a in _SOURCE_CELLS)
        return found

    return cells


ASSERTION_COLUMNS: list[Column] = [
    ("assertion_id", "string", "Content-derived id of the assertion"),
    ("source_id", "string", "Ledger id of the source"),
    ("source_version", "nonNegativeInteger", "Version of the source text the span points into"),
    ("uri", "anyURI", "URL of the source"),
    ("title", "string", "Headline of the source"),
    ("outlet", "string", "Publication"),
    ("published", "string", "Publication date (ISO 8601)"),
    ("start", "nonNegativeInteger", "Offset of the quote's first code point in the stored text"),
    ("end", "nonNegativeInteger", "Offset one past the quote's last code point"),
    ("exact", "string", "The exact quote: text[start:end]"),
    ("kind", "string", "statement, headline, caption, credit or boilerplate"),
    ("speaker", "string", "Who the article says made the statement (empty: the article itself)"),
    ("modality", "string", "asserted, hedged or negated"),
    ("values", "json", "Quantities and dates, canonical JSON array"),
    ("entities", "json", "People, organisations and places, canonical JSON array"),
    ("event_seq", "nonNegativeInteger", "Seq of the AssertionRecorded event"),
    ("event_hash", "string", "sha256 hash of that event"),
    ("recorded_at", "dateTime", "When the event was recorded (UTC)"),
    ("extractor", "string", "Extractor name and version (name/version)"),
]


def assertion_cells(context: ExportContext) -> Cells:
    """Cells of one of :meth:`ExportContext.assertion_cells`' tuples: its own, with its source's
    four spliced in after the version (read from the projection store's columns when there is one)."""
    sources = {sid: tuple(getattr(row, a) for a in _SOURCE_CELLS) for sid, row in context.source_index().items()}
    get = sources.get

    def cells(t: tuple) -> list[Any]:
        return [*t[:3], *get(t[1], _NO_SOURCE), *t[3:]]

    return cells


CLAIM_COLUMNS: list[Column] = [
    ("claim_id", "string", "Stable id of the claim"),
    ("claim_status", "string", "corroborated, conflict or single"),
    ("claim_sources", "nonNegativeInteger", "Number of distinct sources in the claim"),
    ("claim_label", "string", "Representative quote of the claim"),
    ("verdict", "string", "Analyst's verdict on the claim, if any"),
    ("conflicts", "string", "Why members disagree (one explanation per line)"),
    ("assertion_id", "string", "The member assertion"),
    ("source_id", "string", "Ledger id of the member's source"),
    ("source_version", "nonNegativeInteger", "Version of the source text"),
    ("uri", "anyURI", "URL of the source"),
    ("title", "string", "Headline of the source"),
    ("outlet", "string", "Publication"),
    ("published", "string", "Publication date (ISO 8601)"),
    ("start", "nonNegativeInteger", "Offset of the quote in the stored text"),
    ("end", "nonNegativeInteger", "Offset one past the quote"),
    ("exact", "string", "The exact quote"),
    ("speaker", "string", "Who said it (empty: the article itself)"),
    ("event_seq", "nonNegativeInteger", "Seq of the AssertionRecorded event"),
    ("event_hash", "string", "sha256 hash of that event"),
    ("verdict_note", "string", "The analyst's note on the verdict"),
    ("verdict_seq", "nonNegativeInteger", "Seq of the VerdictRecorded event"),
    ("analyst_links", "string", "Assertions an analyst linked this member to (one id per line)"),
    ("superseded", "boolean", "The member is from an earlier version of a revised source"),
]


def claim_cells(context: ExportContext) -> Cells:
    """One row per claim member: each row links a claim to one source through one assertion."""
    src = _source_cells(context)

    def cells(cm: tuple[Any, Any]) -> list[Any]:
        claim, m = cm
        uri, title, outlet, published = src(m.source_id)
        conflicts = "\n".join(c.explanation for c in claim.conflicts if m.assertion_id in (c.a, c.b)) or None
        return [
            claim.claim_id, claim.status, len(claim.sources), claim.label,
            claim.verdict.status if claim.verdict else None, conflicts, m.assertion_id, m.source_id, m.version,
            uri, title, outlet, published, m.selector.start, m.selector.end, m.selector.exact, m.speaker,
            m.recorded.seq, m.recorded.hash, claim.verdict.note if claim.verdict else None,
            claim.verdict.recorded.seq if claim.verdict else None,
            "\n".join(
                (lk.b if lk.a == m.assertion_id else lk.a) for lk in claim.links
                if lk.how == "analyst" and m.assertion_id in (lk.a, lk.b)
            ) or None,
            "true" if m.assertion_id in claim.superseded else "false",
        ]

    return cells


LINK_COLUMNS: list[Column] = [
    ("a", "string", "Assertion id (the earlier recorded side)"),
    ("b", "string", "Assertion id"),
    ("relation", "string", "corroborates or conflicts"),
    ("grade", "string", "For a conflict: hard (cannot both be true) or soft (compatible bounds that disagree)"),
    ("how", "string", "auto (the matchers) or analyst"),
    ("revision", "boolean", "The two are versions of one source"),
    ("score", "number", "Combined similarity the decision used"),
    ("claim_id", "string", "The claim holding both sides, if one does"),
    ("source_a", "string", "Source of a"),
    ("source_b", "string", "Source of b"),
    ("exact_a", "string", "Quote of a"),
    ("exact_b", "string", "Quote of b"),
    ("slots", "string", "Each slot both fill, compared (one per line: slot: a vs b [outcome])"),
    ("evidence", "string", "What made the link: shared words and weights, frames, slots, signals"),
    ("signals", "json", "Score of every matcher, canonical JSON object"),
]


def link_cells(context: ExportContext) -> Cells:
    """One row per accepted link (every link, not only those inside a claim)."""
    from ..projections.claims.explain import describe_slot, evidence

    view = context.claims_view()
    rows = {m.assertion_id: m for c in view.claims for m in c.members}
    claim_of = {m.assertion_id: c.claim_id for c in view.claims for m in c.members}

    def cells(lk: Any) -> list[Any]:
        ra, rb = rows.get(lk.a), rows.get(lk.b)
        same = claim_of.get(lk.a) if claim_of.get(lk.a) == claim_of.get(lk.b) else None
        return [
            lk.a, lk.b, lk.relation, lk.grade, lk.how, "true" if lk.revision else "false", f"{lk.score:g}", same,
            ra.source_id if ra else None, rb.source_id if rb else None, ra.selector.exact if ra else None,
            rb.selector.exact if rb else None, "\n".join(describe_slot(x) for x in lk.slots) or None, evidence(lk),
            canonical(dict(lk.signals)).decode("utf-8"),
        ]

    return cells


SOURCE_COLUMNS: list[Column] = [
    ("source_id", "string", "Ledger id of the source"),
    ("version", "nonNegativeInteger", "Current version"),
    ("versions", "nonNegativeInteger", "Versions recorded"),
    ("uri", "anyURI", "URL of the source"),
    ("title", "string", "Headline"),
    ("outlet", "string", "Publication"),
    ("authors", "json", "Bylines, canonical JSON array"),
    ("published", "string", "Publication date (ISO 8601)"),
    ("retrieved", "string", "When it was fetched"),
    ("media_type", "string", "Media type of what was read"),
    ("raw_sha256", "string", "sha256 of the bytes read"),
    ("text_sha256", "string", "sha256 of the stored text"),
    ("assertions", "nonNegativeInteger", "Current assertions"),
    ("event_seq", "nonNegativeInteger", "Seq of the event that recorded the current version"),
    ("event_hash", "string", "Hash of that event"),
    ("recorded_at", "dateTime", "When it was recorded (UTC)"),
]


def source_cells(context: ExportContext) -> Cells:
    return lambda r: [
        r.source_id, r.version, r.versions, r.uri, r.title, r.outlet, _json(r.authors), r.published, r.retrieved,
        r.media_type, r.raw_sha256, r.text_sha256, sum(r.counts.values()), r.recorded.seq, r.recorded.hash,
        r.recorded.at,
    ]


ENTITY_COLUMNS: list[Column] = [
    ("entity", "string", "Canonical name of the entity"),
    ("type", "string", "person, org, place or other"),
    ("variants", "json", "Surface forms used, canonical JSON array"),
    ("mentions", "nonNegativeInteger", "Mentions in current assertions"),
    ("sources", "json", "Source ids that mention it, canonical JSON array"),
    ("assertions", "json", "Assertion ids that mention it, canonical JSON array"),
]


def entity_cells(context: ExportContext) -> Cells:
    return lambda e: [e.entity, e.type, _json(e.variants), e.mentions, _json(e.sources), _json(e.assertions)]


TIMELINE_COLUMNS: list[Column] = [
    ("date", "string", "Normalised date the statement speaks of"),
    ("date_type", "string", "date, daterange or year"),
    ("date_text", "string", "The words that gave the date"),
    ("assertion_id", "string", "The assertion"),
    ("source_id", "string", "Its source"),
    ("outlet", "string", "Publication"),
    ("title", "string", "Headline"),
    ("exact", "string", "The exact quote"),
    ("event_seq", "nonNegativeInteger", "Seq of the AssertionRecorded event"),
    ("event_hash", "string", "sha256 hash of that event"),
]


def timeline_cells(context: ExportContext) -> Cells:
    return lambda t: [
        t.date, t.type, t.text, t.assertion_id, t.source_id, t.outlet, t.title, t.quote, t.recorded.seq,
        t.recorded.hash,
    ]


def _claim_members(context: ExportContext) -> Iterator[tuple[Any, Any]]:
    for claim in context.claims():
        for member in claim.members:
            yield claim, member


VIEWS: dict[str, tuple[list[Column], Callable[[ExportContext], Cells], Callable[[ExportContext], Iterable[Any]], list[str]]] = {
    "assertions": (ASSERTION_COLUMNS, assertion_cells, lambda c: c.assertion_cells(), ["assertion_id"]),
    "claims": (CLAIM_COLUMNS, claim_cells, _claim_members, ["claim_id", "assertion_id"]),
    "links": (LINK_COLUMNS, link_cells, lambda c: c.links(), ["a", "b"]),
    "sources": (SOURCE_COLUMNS, source_cells, lambda c: c.sources(), ["source_id"]),
    "entities": (ENTITY_COLUMNS, entity_cells, lambda c: c.entities(), ["entity"]),
    "timeline": (TIMELINE_COLUMNS, timeline_cells, lambda c: c.timeline(), ["date", "assertion_id"]),
}
"""view -> (columns, context -> row -> cells, context -> rows, primary key)."""


def _cell(value: Any, safe: bool) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if safe and (text.startswith(_UNSAFE_START) or text.lstrip(" \t\r\n\u3000").startswith(_UNSAFE_START)):
        return "'" + text
    return text


def _safe_cells(cells: list[Any]) -> list[str]:
    return [_cell(value, True) for value in cells]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def csv_record(cells: list[Any]) -> str:
    """One RFC 4180 record without its CRLF: the bytes ``csv.writer`` (QUOTE_MINIMAL) writes.

    The csv module scans every character of every cell in C but slowly (about three
    times the cost of this function, most of a CSV export once the log is read).
    Same rules: ``None`` is an empty cell, other non-strings are ``str``-ed, a cell with
    ``,``, ``"``, CR or LF is quoted with ``"`` doubled, and a record of one empty cell is
    ``""`` so it is not an empty line.
    """
    line = ",".join([
        (text if '"' not in text and "," not in text and "\n" not in text and "\r" not in text else _quoted(text))
        if type(text) is str
        else "" if text is None
        else str(text) if type(text) is int
        else _quoted_if_needed(str(text))
        for text in cells
    ])
    if not line and cells:
        line = '""'
    return line


def _quoted_if_needed(text: str) -> str:
    return _quoted(text) if '"' in text or "," in text or "\n" in text or "\r" in text else text


_FLUSH = 1 << 16


def _stored_assertion_lines(context: ExportContext, stored: Iterable[tuple[str, str, str]]) -> Iterator[str]:
    """The records of the ``assertions`` view from the store's ``(source_id, csv_head, csv_tail)``:
    the same bytes as ``csv_record(assertion_cells(...))`` (records join with ``,`` cell by cell),
    one f-string per row."""
    index = context.source_index()
    memo = {sid: csv_record([getattr(row, a) for a in _SOURCE_CELLS]) for sid, row in index.items()}
    none = csv_record(list(_NO_SOURCE))
    get = memo.get
    for sid, head, tail in stored:
        yield f"{head},{get(sid, none)},{tail}"


def write_rows(context: ExportContext, out: IO[bytes]) -> int:
    """Stream the view as RFC 4180 CSV; returns the number of data rows."""
    columns, make_cells, rows, _key = VIEWS[context.view]
    safe = context.flag("spreadsheet_safe")
    record = csv_record
    chunk: list[str] = [record([name for name, *_ in columns])]
    size = 0
    cells = make_cells(context)
    if safe:
        plain = cells
        cells = lambda row: _safe_cells(plain(row))  # noqa: E731
    stored = None if safe or context.view != "assertions" else context.assertion_csv()
    if stored is not None:  # the projection store's CSV text of each row's own cells
        lines = _stored_assertion_lines(context, stored)
    else:
        lines = (record(cells(row)) for row in rows(context))
    n = 0
    for line in lines:
        chunk.append(line)
        size += len(line)
        n += 1
        if size > _FLUSH:
            chunk.append("")
            out.write("\r\n".join(chunk).encode("utf-8"))
            chunk.clear()
            size = 0
    if chunk:
        chunk.append("")
        out.write("\r\n".join(chunk).encode("utf-8"))
    return n


def metadata(context: ExportContext, url: str) -> dict[str, Any]:
    """The CSVW table description of the view's CSV at ``url`` (relative to the sidecar)."""
    view_columns, _cells, _rows, key = VIEWS[context.view]
    safe = context.flag("spreadsheet_safe")
    columns = []
    for name, datatype, description in view_columns:
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
    side = sidecar_path(context)
    if side is not None and context.destination is not None and side.resolve() == context.destination.resolve():
        # both are renamed into place: the CSV would silently replace its own metadata
        raise ExportError(f"{side}: --sidecar names the CSV output itself; give the metadata another file name")
    write_rows(context, out)
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
    views=("assertions", "claims", "links", "sources", "entities", "timeline"),
    description="RFC 4180 CSV with provenance columns and a CSVW metadata sidecar",
    options=(
        ("spreadsheet_safe", "Prefix cells starting with = + - @ TAB CR (or fullwidth forms) with ' (not byte-exact)"),
        ("sidecar", "Write the CSVW metadata to this path (default: beside -o; none on stdout)"),
    ),
)


@hookimpl
def register_exporters(register):
    register(SPEC)
