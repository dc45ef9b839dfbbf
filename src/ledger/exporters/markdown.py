"""Markdown export (built-in plugin ``markdown``): a report to paste into an article or a wiki.

It opens with the ledger head (seq and hash) the report reflects, then lists claims
found in several sources (conflicts called out first in each claim), then what only one
source says, grouped by source. Every quote is a blockquote followed by a footnote
citation ``[^assertion-id]`` whose note gives outlet, headline, date, URL, character span
and the event seq, so any line can be checked against the ledger. Markdown
metacharacters inside quotes are backslash-escaped, so a quote renders as written.
Every metadata field (title, outlet, date, speaker, notes...) is escaped the same way and
folded onto one line, so no field can open a block; only http(s) URLs become links,
percent-encoded so they cannot leave the autolink (a report is pasted where HTML is live).
Footnotes use the pandoc / GitHub ``[^label]`` syntax (markdown-it-py needs
``mdit_py_plugins.footnote``). Each note is written right after the claim that cites
it, so the report streams claim by claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from .. import hookimpl
from . import ExportContext, ExporterSpec

_INLINE = re.compile(r"([\\`*_\[\]<>|~&^!])")
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))", re.M)
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
"""Line breaks, controls and the bidi embeddings, overrides and isolates (which reorder what follows)."""
_URL_SAFE = "/:?#[]@!$&'()*+,;=%-._~"


def escape(text: str) -> str:
    """One line of text that renders exactly as written, for a field inside a line.

    Line breaks and control characters fold to one space (a field can never start a
    block); inline metacharacters are escaped everywhere; characters that only start a
    block (``#``, ``-``, ``+``, ``=``, ``>``, ``1.``) are escaped at the start of a line, so
    dates and hyphenated words stay readable in the source.
    """
    return _escape_line(_BREAKS.sub(" ", text))


def _escape_line(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)), text)


def blockquote(text: str) -> str:
    lines = [escape(line.strip()) for line in text.split("\n")]  # escape folds any \r or control left
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def label(assertion_id: str) -> str:
    """Footnote label: the assertion id (letters, digits and ``-`` only, so it needs no escaping)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", assertion_id)


def link(uri: str) -> str:
    """An autolink for an absolute http(s) URL, percent-encoded so nothing in it can end the
    link or open HTML; any other scheme (``javascript:``, ``data:``...) is shown as text."""
    from urllib.parse import quote, urlsplit

    try:
        parts = urlsplit(uri.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return escape(uri)
    return "<" + quote(uri.strip(), safe=_URL_SAFE) + ">"


def code(text: str) -> str:
    """A code span that holds ``text`` whatever backticks it contains (one line)."""
    text = _BREAKS.sub(" ", text)
    fence = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def footnote(a: Any, source: Any) -> str:
    parts = []
    if source is not None:
        parts.append(escape(source.outlet) if source.outlet else "unknown outlet")
        parts.append(f"*{escape(source.title)}*" if source.title else "untitled")
        parts.append(escape(source.published) if source.published else "undated")
        if source.uri:
            parts.append(link(source.uri))
    else:
        parts.append(escape(a.source_id))
    parts.append(f"v{a.version} chars {a.selector.start}–{a.selector.end}")
    parts.append(f"event seq {a.recorded.seq}")
    return f"[^{label(a.assertion_id)}]: " + ", ".join(parts) + "."


def _speaker(a: Any) -> str:
    return f"{escape(a.speaker)} ({escape(a.speaker_cue or 'said')})" if a.speaker else "The article"


def _quote(a: Any) -> str:
    hedge = f", {escape(a.modality)}" + (f" ({escape(a.modality_cue)})" if a.modality_cue else "") if a.modality != "asserted" else ""
    return f"{blockquote(a.selector.exact)}\n>\n> — {_speaker(a)}{hedge} [^{label(a.assertion_id)}]"


def claim_section(claim: Any, sources: dict[str, Any]) -> Iterator[str]:
    status = {"corroborated": "Corroborated", "conflict": "Conflict"}.get(claim.status, escape(claim.status.capitalize()))
    # a bold line, not a heading: the report's outline stays its own, whatever the quotes say
    yield f"**{status}:** {escape(_short(claim.label))}  \n"
    yield f"{_n(len(claim.sources), 'source')} · claim {code(claim.claim_id)}"
    if claim.verdict is not None:
        note = f" — {escape(claim.verdict.note)}" if claim.verdict.note else ""
        yield f" · verdict: **{escape(claim.verdict.status)}**{note} (event seq {claim.verdict.recorded.seq})"
    yield "\n\n"
    for c in claim.conflicts:
        kind = f"{c.grade}, revision" if c.revision else c.grade
        yield f"> [!WARNING]\n> **Conflict ({escape(c.field)}, {escape(kind)}):** {escape(c.explanation)}\n\n"
    analyst = [lk for lk in claim.links if lk.how == "analyst"]
    for lk in analyst:
        yield f"Linked by an analyst: {code(lk.a)} and {code(lk.b)} ({escape(lk.relation)}).\n\n"
    for a in claim.members:
        if a.assertion_id in claim.superseded:
            yield f"*Earlier version (v{a.version}), withdrawn by a revision:*\n\n"
        yield _quote(a) + "\n\n"
    for a in claim.members:
        yield footnote(a, sources.get(a.source_id)) + "\n"
    yield "\n"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def iter_report(context: ExportContext) -> Iterator[str]:
    sources = context.source_index()
    yield "# Fact ledger report\n\n"
    # The head alone identifies the state; --as-of is not printed, so a report as of seq N
    # is byte-identical to one of the ledger cut at N.
    yield f"Ledger head: seq **{context.head_seq}**, hash {code(context.head_hash)}"
    if context.head_at:
        yield f", recorded {escape(context.head_at)}"
    yield f".  \n{_n(len(sources), 'source')}. Verify with `factledger verify`; cite by event seq.\n\n"
    claims = context.claims()
    multi = [c for c in claims if len(c.members) >= 2]
    conflicts = sum(1 for c in multi if c.status == "conflict")
    yield f"## Claims in several sources\n\n{_n(len(multi), 'claim')}, {conflicts} with conflicts.\n\n"
    for claim in multi:
        yield from claim_section(claim, sources)
    yield "## Single-source assertions\n\n"
    current = None
    for claim in claims:
        if len(claim.members) >= 2:
            continue
        for a in claim.members:
            if a.source_id != current:
                current = a.source_id
                src = sources.get(a.source_id)
                title = escape(src.title) if src is not None and src.title else escape(a.source_id)
                outlet = f" — {escape(src.outlet)}" if src is not None and src.outlet else ""
                yield f"### {title}{outlet}\n\n"
            yield _quote(a) + "\n\n" + footnote(a, sources.get(a.source_id)) + "\n\n"


def write(context: ExportContext, out: IO[bytes]) -> None:
    for chunk in iter_report(context):
        out.write(chunk.encode("utf-8"))


SPEC = ExporterSpec(
    name="markdown",
    media_type="text/markdown; charset=utf-8",
    extension="md",
    write=write,
    views=("report",),
    description="A readable report: claims, conflicts, quotes and footnote citations",
)


@hookimpl
def register_exporters(register):
    register(SPEC)
