"""Regex alternations built as tries: ``re`` tries alternatives one by one, so a flat
``said|says|stated|...`` costs one attempt per word at every position, while the trie
``s(?:a(?:id|ys)|tated)`` rejects a position after one or two character tests."""

from __future__ import annotations

import re


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
