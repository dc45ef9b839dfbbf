"""Markdown sources: optional YAML front matter carries the metadata, the body is the text.

The stored text is the body only (front matter is metadata, not article), so quotes
and offsets never point into YAML; ``raw_sha256`` still covers the whole file.
"""

from __future__ import annotations

import re

import yaml

from . import Document, SourceError, normalise
from .meta import authors_of, normalise_published

_FENCE = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)

_KEYS = {
    "title": "title",
    "headline": "title",
    "url": "uri",
    "uri": "uri",
    "link": "uri",
    "outlet": "outlet",
    "publication": "outlet",
    "site_name": "outlet",
    "published": "published",
    "date": "published",
    "author": "authors",
    "authors": "authors",
}


def split_front_matter(text: str, origin: str) -> tuple[dict, str]:
    """``(metadata, body)``; a file without front matter gives ``({}, text)``."""
    m = _FENCE.match(text)
    if not m:
        if text.startswith("---\n") and "\n---" not in text[4:]:
            raise SourceError(f"{origin}: front matter starts with '---' but is never closed")
        return {}, text
    block = m.group(1) or ""
    try:
        data = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise SourceError(f"{origin}: front matter is not valid YAML{where}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError(f"{origin}: front matter must be a mapping of keys to values")
    return data, text[m.end() :]


def read_markdown(raw: bytes, text: str, origin: str) -> Document:
    """A Markdown document from decoded ``text`` (``raw`` kept for its hash)."""
    text = normalise(text).lstrip("\ufeff")
    data, body = split_front_matter(text, origin)
    meta: dict = {}
    for key, value in data.items():
        field = _KEYS.get(str(key).lower())
        if field is None or value is None or field in meta:
            continue
        if field == "authors":
            meta[field] = authors_of(value)
        elif field == "published":
            meta[field] = normalise_published(value, f"{origin}: front matter '{key}'")
        else:
            meta[field] = str(value).strip() or None
    body = body.lstrip("\n")
    if not body.strip():
        raise SourceError(f"{origin}: has front matter but no text after it")
    return Document(origin=origin, raw=raw, text=body, media_type="text/markdown", **meta)
