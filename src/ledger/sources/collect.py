"""Turning what the user typed (files, folders, globs, URLs, ``-``) into an ordered list of inputs.

The order is the order of the arguments, and within a folder or a glob the sorted
order of paths, so the same command always appends in the same order. Folders are
walked recursively, following symbolic links to folders once; a link that leads back
into a folder being walked is reported as a loop instead of being walked forever.
Problems found here (no such file, a loop) become failed inputs, not aborts, so one
bad argument does not stop a batch.
"""

from __future__ import annotations

import errno
import glob
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from attrs import frozen

from .detect import KNOWN_SUFFIXES
from .web import is_url


@frozen
class Input:
    """One thing to append.

    Attributes:
        origin: How to name it in messages (a path, a URL, ``<stdin>``).
        kind: ``file``, ``url``, ``stdin`` or ``error`` (could not even be listed).
        data: The bytes of stdin, read up front.
        error: Why an ``error`` input failed, as a one-line message.
    """

    origin: str
    kind: str
    data: bytes | None = None
    error: str | None = None


_GLOB_CHARS = frozenset("*?[")


def collect(names: Iterable[str], *, read_stdin=None) -> list[Input]:
    """Expand arguments into inputs; ``read_stdin()`` is called once if ``-`` is given."""
    out: list[Input] = []
    seen: set[str] = set()
    stdin_used = False

    def add(item: Input) -> None:
        if item.kind == "file":
            key = os.path.realpath(item.origin)
            if key in seen:
                return
            seen.add(key)
        out.append(item)

    for name in names:
        if name == "-":
            if stdin_used:
                add(Input("<stdin>", "error", error="<stdin>: '-' given more than once"))
                continue
            stdin_used = True
            data = read_stdin() if read_stdin is not None else b""
            add(Input("<stdin>", "stdin", data=data))
        elif is_url(name):
            add(Input(name, "url"))
        else:
            for item in _expand_path(name):
                add(item)
    return out


def _expand_path(name: str) -> list[Input]:
    path = Path(name)
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT and not os.path.lexists(path) and _GLOB_CHARS & set(name):
            matches = sorted(glob.glob(name, recursive=True))
            if not matches:
                return [Input(name, "error", error=f"{name}: matches no files")]
            items: list[Input] = []
            for match in matches:
                if os.path.isdir(match):
                    items.extend(_walk(Path(match)))
                else:
                    items.append(Input(match, "file"))
            return items
        return [Input(name, "error", error=_stat_error(name, exc))]
    if stat.S_ISDIR(st.st_mode):
        found = _walk(path)
        if not found:
            suffixes = ", ".join(sorted(KNOWN_SUFFIXES))
            return [Input(name, "error", error=f"{name}: folder holds no articles (files ending in {suffixes})")]
        return found
    return [Input(name, "file")]


def _stat_error(name: str, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return f"{name}: symbolic link loop (the link resolves back to itself)"
    if exc.errno == errno.ENOENT:
        if os.path.islink(name):
            return f"{name}: broken symbolic link (its target does not exist)"
        return f"{name}: no such file or directory"
    if exc.errno == errno.ENOTDIR:
        return f"{name}: cannot read: a parent of this path is a file, not a folder"
    return f"{name}: cannot read: {exc.strerror}"


def _walk(root: Path) -> list[Input]:
    """Files with known suffixes under ``root``, depth first in sorted name order."""
    items: list[Input] = []
    ancestors: list[tuple[int, int]] = []
    walked: set[tuple[int, int]] = set()

    def visit(folder: Path) -> None:
        try:
            st = os.stat(folder)
        except OSError as exc:
            items.append(Input(str(folder), "error", error=_stat_error(str(folder), exc)))
            return
        key = (st.st_dev, st.st_ino)
        if key in ancestors:
            items.append(
                Input(str(folder), "error", error=f"{folder}: symbolic link loop (leads back to a folder it is inside)")
            )
            return
        if key in walked:
            return  # reached twice through links: its files are already listed
        walked.add(key)
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            items.append(Input(str(folder), "error", error=f"{folder}: cannot list folder: {exc.strerror}"))
            return
        ancestors.append(key)
        for entry in names:
            if entry.startswith("."):
                continue
            child = folder / entry
            try:
                child_st = os.stat(child)
            except OSError as exc:
                if Path(entry).suffix.lower() in KNOWN_SUFFIXES or os.path.islink(child):
                    items.append(Input(str(child), "error", error=_stat_error(str(child), exc)))
                continue
            if stat.S_ISDIR(child_st.st_mode):
                visit(child)
            elif Path(entry).suffix.lower() in KNOWN_SUFFIXES:
                items.append(Input(str(child), "file"))
        ancestors.pop()

    visit(root)
    return items
