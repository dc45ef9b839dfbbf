"""Reading sources: bytes from a file or stdin become a normalised :class:`Document`.

Every refusal is a :class:`SourceError` whose message names the input and the
problem in one line, raised before anything is written.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from attrs import frozen

MAX_BYTES = 10 * 1024 * 1024
"""Default size limit of one source (``--max-size``)."""


class SourceError(Exception):
    """An input that cannot become a source; the message names it."""


@frozen
class Document:
    """A source read and normalised, ready to be appended.

    Attributes:
        origin: How the user named it (a path, a URL, ``<stdin>``), for messages.
        raw: The bytes as read.
        text: Unicode NFC text with ``\\n`` newlines: what quotes are cut from.
        media_type: ``text/plain``, ``text/markdown``, ``text/html``.
        uri: Canonical location if known (a URL); identifies the source across versions.
        title: Headline.
        outlet: Publication.
        authors: Bylines.
        published: ISO 8601 date or date-time.
        retrieved: When it was fetched (URLs), RFC 3339.
    """

    origin: str
    raw: bytes
    text: str
    media_type: str = "text/plain"
    uri: str | None = None
    title: str | None = None
    outlet: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    retrieved: str | None = None

    @property
    def raw_sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def normalise(text: str) -> str:
    """NFC and ``\\n`` newlines: the stored text every offset counts in."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def decode(raw: bytes, origin: str) -> str:
    """Strict UTF-8 (a BOM is dropped); binary and empty inputs are refused."""
    if not raw.strip():
        raise SourceError(f"{origin}: is empty" if not raw else f"{origin}: contains only whitespace")
    if b"\x00" in raw[:8192]:
        raise SourceError(f"{origin}: looks like a binary file (NUL bytes), not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{origin}: is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not text.strip():
        raise SourceError(f"{origin}: contains only whitespace")
    return text


def media_type_for(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return {".md": "text/markdown", ".markdown": "text/markdown", ".html": "text/html", ".htm": "text/html"}.get(
        suffix, "text/plain"
    )


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a file, refusing what is not a readable regular file of acceptable size."""
    origin = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SourceError(f"{origin}: no such file") from None
    except OSError as exc:
        raise SourceError(f"{origin}: cannot read: {exc.strerror}") from None
    if path.is_dir():
        raise SourceError(f"{origin}: is a directory, expected a file")
    if st.st_size > max_bytes:
        raise SourceError(f"{origin}: is {st.st_size} bytes, over the {max_bytes}-byte limit (--max-size)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{origin}: cannot read: {exc.strerror}") from None


def document_from_bytes(raw: bytes, origin: str, media_type: str = "text/plain", **meta) -> Document:
    """Decode and normalise plain text or Markdown."""
    text = normalise(decode(raw, origin))
    return Document(origin=origin, raw=raw, text=text, media_type=media_type, **meta)


def read_path(path: Path, max_bytes: int = MAX_BYTES) -> Document:
    raw = read_bytes(path, max_bytes)
    return document_from_bytes(raw, str(path), media_type_for(path.name))


def infer_title(text: str) -> str | None:
    """The first line, when it reads like a headline (short, no closing full stop)."""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if len(line) <= 200 and not line.endswith((".", ":", ";", ",")):
            return line.lstrip("# ").strip() or None
        return None
    return None
