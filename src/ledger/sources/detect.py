"""Telling what bytes are: media type from content and name, text encoding from content.

Names lie (a saved page called ``article.txt``, a download without a suffix), so the
content is sniffed first and the suffix only breaks ties. Decoding is strict UTF-8; a
legacy encoding is accepted only when charset-normalizer is confident, because a wrong
guess would silently store mojibake that every later quote inherits.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

import charset_normalizer

from . import SourceError

TEXT, MARKDOWN, HTML = "text/plain", "text/markdown", "text/html"

_SUFFIXES = {".md": MARKDOWN, ".markdown": MARKDOWN, ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".txt": TEXT}
KNOWN_SUFFIXES = frozenset(_SUFFIXES)
"""Suffixes picked up when a folder is expanded."""

_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ANYWHERE = re.compile(rb"<html[\s>]", re.IGNORECASE)
_FRONT_MATTER = re.compile(rb"^(?:\xef\xbb\xbf)?---[ \t]*\r?\n")

_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
)

_MIN_COHERENCE = 0.2
_MAX_CHAOS = 0.1


def media_type_for_name(name: str) -> str | None:
    """The media type a file name suggests, or None when the suffix says nothing."""
    return _SUFFIXES.get(Path(name).suffix.lower())


def looks_like_html(raw: bytes) -> bool:
    head = raw[:1024]
    return bool(_HTML_START.match(head) or _HTML_ANYWHERE.search(head))


def has_front_matter(raw: bytes) -> bool:
    return bool(_FRONT_MATTER.match(raw))


def sniff(raw: bytes, name: str = "", declared: str | None = None) -> str:
    """Media type of ``raw``: HTML by content wins; then a declared type; then the suffix.

    ``declared`` is a server's Content-Type (without parameters). A Markdown file is
    recognised by its suffix, or by YAML front matter when nothing else says otherwise.
    """
    if looks_like_html(raw):
        return HTML
    by_name = media_type_for_name(name) if name else None
    if declared in (HTML, "application/xhtml+xml"):
        return HTML
    if declared == MARKDOWN:
        return MARKDOWN
    if by_name is not None:
        return by_name
    if has_front_matter(raw):
        return MARKDOWN
    return TEXT


def refuse_binary(raw: bytes, origin: str) -> None:
    """Refuse empty, whitespace-only and binary inputs with a message naming ``origin``."""
    if not raw:
        raise SourceError(f"{origin}: is empty")
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise SourceError(f"{origin}: looks like {what}, not text")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    if b"\x00" in raw[:8192]:
        raise SourceError(f"{origin}: looks like a binary file (NUL bytes), not text")
    if not raw.strip():
        raise SourceError(f"{origin}: contains only whitespace")


def decode(raw: bytes, origin: str, declared_charset: str | None = None) -> str:
    """Text of ``raw``: BOM, then a declared charset, then strict UTF-8, then a confident guess."""
    refuse_binary(raw, origin)
    text = _decode(raw, origin, declared_charset)
    if not text.strip():
        raise SourceError(f"{origin}: contains only whitespace")
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > len(sample) // 20:
        raise SourceError(f"{origin}: looks like a binary file ({controls} control characters), not text")
    return text


def _decode(raw: bytes, origin: str, declared_charset: str | None) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise SourceError(f"{origin}: starts with a UTF-16 byte order mark but is not valid UTF-16") from None
    if declared_charset:
        try:
            text = raw.decode(_canonical_charset(declared_charset))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: fall back to looking at the bytes
        else:
            if plausible(text, raw, declared_charset):
                return text
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
    best = charset_normalizer.from_bytes(raw).best()
    if best is not None and best.coherence >= _MIN_COHERENCE and best.chaos <= _MAX_CHAOS:
        return str(best)
    raise SourceError(
        f"{origin}: is not valid UTF-8 ({bad}) and its encoding cannot be detected with confidence; "
        "convert it to UTF-8 first"
    )


_WIDE = ("utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2", "ucs-4", "ucs4")


def plausible(text: str, raw: bytes, charset: str) -> bool:
    """Whether ``text`` is a believable reading of ``raw`` under a declared ``charset``.

    A wrong declaration that still decodes gives mojibake: UTF-16 over ASCII bytes reads
    every pair of letters as one CJK ideograph. Real UTF-16/32 text has NUL bytes (its
    newlines, spaces and markup are ASCII); and no real text is full of unassigned,
    private-use or surrogate code points or control characters.
    """
    if charset.strip().strip("\"'").lower().startswith(_WIDE) and b"\x00" not in raw:
        return False
    sample = text[:8192]
    if not sample:
        return True
    odd = 0
    for ch in sample:
        if ord(ch) < 128:
            continue
        if unicodedata.category(ch) in ("Cn", "Co", "Cs", "Cc"):
            odd += 1
    return odd <= len(sample) // 100


def _canonical_charset(name: str) -> str:
    name = name.strip().strip("\"'").lower()
    # Browsers read latin-1 and ascii labels as windows-1252; so do we.
    return "cp1252" if name in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii") else name


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def html_charset(raw: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB, if any."""
    m = _META_CHARSET.search(raw[:4096])
    return m.group(1).decode("ascii") if m else None
