"""Helpers for the rules-extractor tests (not a test module)."""

from __future__ import annotations

from ledger.extractors import SourceInfo
from ledger.extractors.rules import extract


def run(text: str, published: str | None = "2024-03-15", title: str | None = None):
    """(exact, Extracted) pairs for ``text``."""
    return [(text[x.start : x.end], x) for x in extract(text, SourceInfo(published=published, title=title))]


def statements(text: str, **kw) -> list[str]:
    return [q for q, x in run(text, **kw) if x.kind == "statement"]


def find(text: str, needle: str, **kw):
    """The statement whose exact text contains ``needle``."""
    hits = [x for q, x in run(text, **kw) if x.kind == "statement" and needle in q]
    assert hits, f"no statement contains {needle!r}: {statements(text, **kw)}"
    return hits[0]


def crash_on_marker(text: str, info):
    """An extractor whose process dies on a text holding ``KILL-THIS-WORKER`` (as a C crash would)."""
    import os

    if "KILL-THIS-WORKER" in text:
        os._exit(70)
    return []
