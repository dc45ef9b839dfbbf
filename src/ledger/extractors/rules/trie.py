"""Regex alternations built as tries: ``re`` tries alternatives one by one, so a flat
``said|says|stated|...`` costs one attempt per word at every position, while the trie
``s(?:a(?:id|ys)|tated)`` rejects a position after one or two character tests."""

from __future__ import annotations

import itertools
import re
import sys


def trie_pattern(words) -> str:
    """A non-capturing regex matching exactly ``words`` (longest alternatives first)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(trie)


def _emit(node: dict) -> str:
    end = "" in node
    branches = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if end:
        return "(?:" + body + ")?"
    return body


class WordScan:
    """``\\b(?:BODY)\\b`` scanned fast: ``finditer`` gives the same words at the same places.

    ``re`` enters a pattern that opens with ``\\b`` at every position of the text. This one
    opens with the character before a word, a class ``re`` skips to in C, so the body is
    tried only after a space or punctuation (and once at the start). On ASCII text that class
    is ``[^0-9A-Z_a-z]``, a bitmap test per character; ``[^\\w]`` (a Unicode category lookup per
    character) is used only where a non-ASCII letter could stand before a word. BODY must
    match only strings that start and end with a word character (words of letters, ``went
    on``); then a match never hides another, and the words found are those of the ``\\b``
    form (``tests/test_extractor_fast_paths.py`` pins the equivalence). Group 1 of each
    match is the word, groups 2... are BODY's own groups.
    """

    __slots__ = ("at_start", "after", "after_ascii", "_match", "_scan", "_scan_ascii")

    def __init__(self, body: str, flags: int = 0) -> None:
        self.at_start = re.compile(r"(" + body + r")\b", flags)
        self.after = re.compile(r"[^\w](" + body + r")\b", flags)
        self.after_ascii = re.compile(r"[^0-9A-Z_a-z](" + body + r")\b", flags)
        self._match, self._scan, self._scan_ascii = self.at_start.match, self.after.finditer, self.after_ascii.finditer

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        """Matches in ``text[pos:endpos]`` (``\\b`` at ``pos`` looks at ``text[pos - 1]``, as ``re`` does).

        An iterator of ``re``'s own (no generator frame per match: this runs on every clause)."""
        scan = self._scan_ascii if text.isascii() else self._scan
        if pos:
            return scan(text, pos - 1, endpos)
        m = self._match(text, 0, endpos)
        if m is None:
            return scan(text, 0, endpos)
        return itertools.chain((m,), scan(text, m.end(), endpos))

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        """The first match, or None."""
        return next(self.finditer(text, pos, endpos), None)
