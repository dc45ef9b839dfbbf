"""URL sources: fetched once with httpx, with a timeout, a size cap and redirects followed.

What is recorded is what the server finally answered: ``uri`` is the URL after
redirects and ``retrieved`` the response's ``Date`` (the server's clock, which is what
a reader of the page saw), or now when the server sends none.

``--timeout`` is an overall deadline for the whole fetch (connect, TLS, headers, body,
redirects), not only a limit between bytes: a server that dribbles one byte a second
would otherwise hold an append for as long as it likes. The deadline is enforced where
httpcore reads and writes the socket, so every blocking call waits at most what is left.
"""

from __future__ import annotations

import email.utils
import time
from datetime import UTC, datetime

from attrs import frozen

from . import SourceError

TIMEOUT = 20.0
"""Seconds a whole fetch may take (connect, headers, body and redirects together)."""

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
    deadline = time.monotonic() + timeout
    try:
        transport = _with_deadline(httpx.HTTPTransport(), deadline)
        with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout, headers=headers,
                          transport=transport) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise SourceError(f"{url}: HTTP {response.status_code} {response.reason_phrase}".rstrip())
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise SourceError(f"{url}: response is {length} bytes, over the {max_bytes}-byte limit (--max-size)")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("overall deadline passed")
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


def _with_deadline(transport, deadline: float):
    """``transport`` whose every socket call waits at most until ``deadline``.

    httpx has no overall timeout; httpcore takes a network backend, so ours wraps the
    default one. (httpx builds its pool itself: we swap the backend on it.)
    """
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if inner is not None:
        pool._network_backend = _DeadlineBackend(inner, deadline)
    return transport


def _left(deadline: float, timeout: float | None) -> float:
    import httpcore

    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("overall deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream:
    """An httpcore network stream whose reads and writes share one deadline."""

    def __init__(self, inner, deadline: float) -> None:
        self._inner, self._deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(self._deadline, timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(self._deadline, timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        stream = self._inner.start_tls(ssl_context, server_hostname, _left(self._deadline, timeout))
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _DeadlineBackend:
    """Wraps httpcore's network backend: connections it opens obey the deadline."""

    def __init__(self, inner, deadline: float) -> None:
        self._inner, self._deadline = inner, deadline

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self._inner.connect_tcp(host, port, _left(self._deadline, timeout), local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        stream = self._inner.connect_unix_socket(path, _left(self._deadline, timeout), socket_options)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


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
