"""URL sources: fetched once with httpx, with a timeout, a size cap and redirects followed.

What is recorded is what the server finally answered: ``uri`` is the URL after
redirects and ``retrieved`` the response's ``Date`` (the server's clock, which is what
a reader of the page saw), or now when the server sends none.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

from attrs import frozen

from . import SourceError

TIMEOUT = 20.0
"""Seconds to wait for a connection or for the next bytes of a response."""

MAX_REDIRECTS = 10


def is_url(name: str) -> bool:
    return name.lower().startswith(("http://", "https://"))


@frozen
class Fetched:
    """A response body and what the server said about it."""

    url: str
    raw: bytes
    media_type: str | None
    charset: str | None
    retrieved: str


def fetch(url: str, *, max_bytes: int, timeout: float = TIMEOUT) -> Fetched:
    """GET ``url``; every failure is a one-line :class:`SourceError` naming the URL."""
    import httpx  # here, not at module level: every command imports is_url, few fetch

    headers = {"User-Agent": "factledger (+https://example.invalid/factledger)", "Accept": "text/html, text/*;q=0.9, */*;q=0.1"}
    try:
        with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout, headers=headers) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise SourceError(f"{url}: HTTP {response.status_code} {response.reason_phrase}".rstrip())
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise SourceError(f"{url}: response is {length} bytes, over the {max_bytes}-byte limit (--max-size)")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise SourceError(f"{url}: response is over the {max_bytes}-byte limit (--max-size)")
                    chunks.append(chunk)
                content_type = response.headers.get("Content-Type", "")
                return Fetched(
                    url=str(response.url),
                    raw=b"".join(chunks),
                    media_type=content_type.split(";")[0].strip().lower() or None,
                    charset=response.charset_encoding,
                    retrieved=_retrieved(response.headers.get("Date")),
                )
    except SourceError:
        raise
    except httpx.TooManyRedirects:
        raise SourceError(f"{url}: more than {MAX_REDIRECTS} redirects") from None
    except httpx.TimeoutException:
        raise SourceError(f"{url}: timed out after {timeout:g} s") from None
    except httpx.ConnectError as exc:
        raise SourceError(f"{url}: cannot connect ({_reason(exc)})") from None
    except httpx.InvalidURL as exc:
        raise SourceError(f"{url}: not a valid URL ({exc})") from None
    except httpx.HTTPError as exc:
        raise SourceError(f"{url}: fetch failed ({type(exc).__name__}: {_reason(exc)})") from None


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _retrieved(date_header: str | None) -> str:
    """RFC 3339 UTC of an HTTP ``Date`` header, or of now."""
    when = None
    if date_header:
        try:
            when = email.utils.parsedate_to_datetime(date_header)
        except (TypeError, ValueError):
            when = None
    if when is None:
        when = datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
