"""Markdown sources: optional YAML front matter carries the metadata, the body is the text.

The stored text is the body only (front matter is metadata, not article), so quotes
and offsets never point into YAML; ``raw_sha256`` still covers the whole file.

Front matter is hostile input like the rest: it is capped at :data:`MAX_FRONT_MATTER`
bytes, YAML aliases are refused (a kilobyte of nested aliases expands to gigabytes),
dates stay text until :func:`normalise_published` checks them, and a field that must be
text refuses a list or mapping: each in one line naming the file.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from . import Document, SourceError, normalise
from .meta import authors_of, normalise_published

MAX_FRONT_MATTER = 64 * 1024
"""Characters of YAML front matter read at most; article metadata is a few hundred."""


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader without aliases (no expansion bombs) and without implicit timestamps
    (``2026-13-45`` stays text for the date check instead of raising ``ValueError``)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed in front matter", event.start_mark)
        return super().compose_node(parent, index)


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

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
    if len(block) > MAX_FRONT_MATTER:
        raise SourceError(f"{origin}: front matter is {len(block):,} characters; at most {MAX_FRONT_MATTER:,} are read")
    try:
        data = yaml.load(block, Loader=_FrontMatterLoader) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        why = f": {problem}" if problem and "alias" in problem else ""
        raise SourceError(f"{origin}: front matter is not valid YAML{where}{why}") from None
    except (RecursionError, ValueError, OverflowError):  # nesting too deep, a tag's value out of range
        raise SourceError(f"{origin}: front matter is not valid YAML (too deeply nested or a value out of range)") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError(f"{origin}: front matter must be a mapping of keys to values")
    return data, text[m.end() :]


_SCALARS = (str, int, float, bool, dt.date)


def _kind(value: object) -> str:
    return {dict: "a mapping", list: "a list", set: "a set", bytes: "binary data"}.get(type(value), type(value).__name__)


def read_markdown(raw: bytes, text: str, origin: str) -> Document:
    """A Markdown document from decoded ``text`` (``raw`` kept for its hash)."""
    text = normalise(text).lstrip("\ufeff")
    data, body = split_front_matter(text, origin)
    meta: dict = {}
    for key, value in data.items():
        field = _KEYS.get(str(key).lower())
        if field is None or value is None or field in meta:
            continue
        if field == "authors" and isinstance(value, list):
            if not all(isinstance(v, _SCALARS) for v in value):
                raise SourceError(f"{origin}: front matter '{key}' must be a name or a list of names, not nested values")
        elif not isinstance(value, _SCALARS):
            raise SourceError(f"{origin}: front matter '{key}' must be text, not {_kind(value)}")
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
