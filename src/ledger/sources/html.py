"""HTML sources: trafilatura keeps the article and drops navigation, ads and comments.

The stored text is trafilatura's main text, the thing quotes are cut from. The
headline is its first line when the page has one in the body; when trafilatura found a
title only in the page's metadata it is put on the first line, so every source starts
with its headline the same way plain-text articles do.
"""

from __future__ import annotations

import warnings

from . import Document, SourceError, normalise
from .meta import authors_of, normalise_published

MIN_WORDS = 8
"""Fewer words than this in the main text means the page has no article to record."""


def read_html(raw: bytes, text: str, origin: str, *, url: str | None = None) -> Document:
    """A Document from a decoded page; metadata comes from the page itself."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import trafilatura

        try:
            found = trafilatura.bare_extraction(
                text,
                url=url,
                with_metadata=True,
                include_comments=False,
                include_tables=True,
                include_images=False,
                date_extraction_params={"extensive_search": False, "original_date": True},
            )
        except Exception as exc:  # lxml and trafilatura raise many kinds on broken markup
            raise SourceError(f"{origin}: cannot parse the HTML ({type(exc).__name__}: {exc})") from None
    body = normalise(found.text or "").strip() if found is not None else ""
    if len(body.split()) < MIN_WORDS:
        raise SourceError(f"{origin}: the HTML has no main text (only navigation, boilerplate or nothing)")
    title = _clean(found.title)
    if title and title not in body.split("\n", 3)[:3]:
        body = f"{title}\n{body}"
    published = None
    if found.date:
        try:
            published = normalise_published(found.date, origin)
        except SourceError:
            published = None  # a page's unparseable date is not worth refusing the page for
    return Document(
        origin=origin,
        raw=raw,
        text=body + "\n",
        media_type="text/html",
        uri=_clean(found.url),
        title=title,
        outlet=_clean(found.sitename),
        authors=authors_of(found.author),
        published=published,
    )


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
