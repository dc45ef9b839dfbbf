"""Reading sources: bytes from a file or stdin become a normalised :class:`Document`.

Every refusal is a :class:`SourceError` whose message names the input and the
problem in one line, raised before anything is written.
"""

from __future__ import annotations

import hashlib
import os
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
    """Text of ``raw``: strict UTF-8, or a legacy encoding detected with confidence; binary,
    empty and whitespace-only inputs are refused (see :mod:`ledger.sources.detect`)."""
    from .detect import decode as _decode

    return _decode(raw, origin)


def media_type_for(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return {".md": "text/markdown", ".markdown": "text/markdown", ".html": "text/html", ".htm": "text/html"}.get(
        suffix, "text/plain"
    )


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a file, refusing what is not a readable regular file of acceptable size.

    Special files (FIFOs, devices, sockets) are refused before opening them: opening a
    FIFO would block until someone writes to it.
    """
    import errno
    import stat

    origin = str(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SourceError(f"{origin}: symbolic link loop (the link resolves back to itself)") from None
        if exc.errno == errno.ENOENT:
            raise SourceError(f"{origin}: no such file") from None
        if exc.errno == errno.ENOTDIR:
            raise SourceError(f"{origin}: cannot read: a parent of this path is a file, not a folder") from None
        raise SourceError(f"{origin}: cannot read: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise SourceError(f"{origin}: is a directory, expected a file")
    special = f"{origin}: is not a regular file (a FIFO, device, socket or /proc pseudo-file); cannot read it as a source"
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(special)
    if st.st_size > max_bytes:
        raise SourceError(f"{origin}: is {st.st_size} bytes, over the {max_bytes}-byte limit (--max-size)")
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening it must not hang
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise SourceError(f"{origin}: cannot read: {exc.strerror}") from None
    try:
        with open(fd, "rb", closefd=True) as f:
            opened = os.fstat(f.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise SourceError(special)
            raw = f.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"{origin}: cannot read: {exc.strerror}") from None
    if raw and opened.st_size == 0:
        # procfs/sysfs files claim 0 bytes and generate their text on read: not an article
        raise SourceError(special)
    if len(raw) > max_bytes:  # it grew while we looked
        raise SourceError(f"{origin}: is over the {max_bytes}-byte limit (--max-size)")
    return raw


def document_from_bytes(raw: bytes, origin: str, media_type: str = "text/plain", **meta) -> Document:
    """Decode and normalise plain text or Markdown."""
    text = normalise(decode(raw, origin))
    return Document(origin=origin, raw=raw, text=text, media_type=media_type, **meta)


def read_path(path: Path, max_bytes: int = MAX_BYTES) -> Document:
    """A file of any supported format (text, Markdown, HTML), sniffed from its content."""
    from .collect import Input
    from .read import load

    return load(Input(str(path), "file"), max_bytes=max_bytes)


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
