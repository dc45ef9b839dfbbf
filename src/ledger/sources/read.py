"""One input in, one normalised :class:`Document` out, whatever its format.

This is what runs in a worker process under ``--jobs``: it only needs the input and
limits, and returns a picklable Document (or raises :class:`SourceError`).
"""

from __future__ import annotations

from pathlib import Path

from . import MAX_BYTES, Document, SourceError, normalise, read_bytes
from .collect import Input
from .detect import HTML, MARKDOWN, decode, html_charset, sniff
from .html import read_html
from .markdown import read_markdown
from .web import TIMEOUT, fetch


def document_from(raw: bytes, origin: str, *, name: str = "", declared: str | None = None,
                  charset: str | None = None, url: str | None = None) -> Document:
    """Decode and parse ``raw`` by its sniffed media type."""
    media_type = sniff(raw, name, declared)
    if media_type == HTML:
        text = decode(raw, origin, charset or html_charset(raw))
        return read_html(raw, text, origin, url=url)
    text = decode(raw, origin, charset)
    if media_type == MARKDOWN:
        return read_markdown(raw, text, origin)
    return Document(origin=origin, raw=raw, text=normalise(text).lstrip("\ufeff"), media_type=media_type)


def load(item: Input, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT) -> Document:
    """Read, decode and parse one input; the Document carries only what the source says."""
    if item.kind == "error":
        raise SourceError(item.error or f"{item.origin}: cannot be read")
    if item.kind == "stdin":
        raw = item.data or b""
        if len(raw) > max_bytes:
            raise SourceError(f"<stdin>: is {len(raw)} bytes, over the {max_bytes}-byte limit (--max-size)")
        return document_from(raw, "<stdin>")
    if item.kind == "url":
        got = fetch(item.origin, max_bytes=max_bytes, timeout=timeout)
        doc = document_from(got.raw, item.origin, name=got.url.split("?")[0], declared=got.media_type,
                            charset=got.charset, url=got.url)
        from attrs import evolve

        return evolve(doc, uri=got.url, retrieved=got.retrieved)
    path = Path(item.origin)
    # A file the machine that runs this cannot see travels as its bytes (read with the same
    # checks by the process that can: see ledger.cluster).
    raw = item.data if item.data is not None else read_bytes(path, max_bytes)
    return document_from(raw, item.origin, name=path.name)
