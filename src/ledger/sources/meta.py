"""Source metadata from the command line, front matter or a page, in one shape.

Precedence is fixed: command-line flags, then what the source says about itself (front
matter, HTML metadata), then what can be inferred (a headline-like first line).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from attrs import evolve, frozen

from . import Document, SourceError, infer_title


@frozen
class Metadata:
    """Metadata fields a user or a source can supply; ``None``/empty means "not said"."""

    title: str | None = None
    uri: str | None = None
    outlet: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None


def normalise_published(value: Any, where: str) -> str:
    """ISO 8601 date (``2026-03-18``) or date-time; anything else is refused.

    ``where`` names the input and field for the one-line error.
    """
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SourceError(f"{where}: {text!r} is not an ISO 8601 date (YYYY-MM-DD) or date-time") from None
    out = parsed.isoformat()
    return out.replace("+00:00", "Z") if text.endswith("Z") else out


def authors_of(value: Any) -> tuple[str, ...]:
    """Bylines from a string (``A; B`` or ``A and B`` stay as said, split only on ``;``) or a list."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(part.strip() for part in str(value).split(";") if part.strip())


def apply(doc: Document, flags: Metadata) -> Document:
    """Overlay command-line ``flags`` on what the source said, then infer a missing title."""
    changes: dict[str, Any] = {}
    for name in ("title", "uri", "outlet", "published"):
        value = getattr(flags, name)
        if value:
            changes[name] = value
    if flags.authors:
        changes["authors"] = tuple(flags.authors)
    if "title" not in changes and doc.title is None:
        changes["title"] = infer_title(doc.text)
    return evolve(doc, **changes) if changes else doc
