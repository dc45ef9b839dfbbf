"""Lines, sentences, quotations and clause joints, as exact spans of the source text.

Everything here works on offsets into the original text and never rewrites it, so a
span cut here is always ``text[start:end]``. The splitter is a scan over candidate
terminators (``. ! ? …`` and the CJK ones) with an abbreviation check, not a model:
titles (``Col.``, ``Dr.``), months (``Nov. 13``), middle initials (``Chad G. Carroll``)
and dotted acronyms (``U.S.``, ``U.N.``) do not end a sentence unless what follows is an
obvious sentence opener (``... the U.S. The next day``). Colons, dashes and parentheses
never end a sentence. A line break always does: a paragraph is never one sentence with
the next.
"""

from __future__ import annotations

import re

# Code points str.splitlines() breaks on; a line never spans one of these.
LINEBREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
LINE_RE = re.compile(r"\S(?:[^" + LINEBREAKS + r"]*\S)?")
"""A line trimmed of surrounding whitespace: from its first to its last non-space."""

TERM_RE = re.compile(r"[.!?…。！？](?:(?<=[.!?…])[.!?…]*|[。！？]*)[\"'”’)\]»]*")
"""``(?:[.!?…]+|[。！？]+)`` then closers, written to open with one character class so
``re`` skips to candidates in C (4.3x faster than an opening alternation: ``bench/micro_bench.py``)."""
CJK_TERMS = "。！？"
OPENERS = "\"'“‘([«"
CLOSE_QUOTES = "\"”"

TITLES = frozenset(
    """mr mrs ms mx dr prof gen col lt sgt capt cpt maj adm cmdr cmdt gov sen rep reps sens rev
    fr st mt ft pres supt insp det cpl pvt brig lieut hon atty sr jr messrs mme mlle""".split()
)
MONTH_ABBREV = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
OTHER_ABBREV = frozenset("no nos vs v approx dept est fig figs vol ca cf al".split())
# Abbreviations that often end a sentence: only a break before a clear opener.
SOFT_ABBREV = frozenset("inc corp co ltd etc bros llc plc".split())
NON_BREAKING = TITLES | MONTH_ABBREV | OTHER_ABBREV

SENTENCE_OPENERS = frozenset(
    """the a an he she it they we i you his her its their our this that these those there
    but and so yet however meanwhile in on at after before when while if as since although
    though still then now later earlier also according some many most both all no one""".split()
)

LAST_SEP_RE = re.compile(r"[\s\S]*[\s\"'“‘(\[«]")
"""Greedy up to the last space, quote or bracket: the token before a period starts at its
end. One backward scan, where a ``[^...]+$`` search would rescan from every position."""
WORD_AFTER_RE = re.compile(r"[\"'“‘(\[«]*([\w’'-]+)")
DOTTED_RE = re.compile(r"(?:[A-Za-z]\.){2,}$")


def lines(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text``, trimmed of whitespace."""
    return [m.span() for m in LINE_RE.finditer(text)]


def _breaks_after(text: str, dot: int, nxt: int, line_start: int) -> bool:
    """Whether the ``.`` at ``dot`` ends a sentence, given the next word starts at ``nxt``."""
    lo = max(line_start, dot - 40)
    sep = LAST_SEP_RE.match(text, lo, dot)
    p = sep.end() if sep else lo
    if p == dot:
        return True
    token = text[p:dot]
    low = token.lower().rstrip(".")
    if DOTTED_RE.match(token + "."):
        # U.S., U.N., a.m.: a break only before an obvious sentence opener.
        w = WORD_AFTER_RE.match(text, nxt)
        return bool(w) and w.group(1).lower() in SENTENCE_OPENERS
    if "." in token[:-1] and not token[-1:].isalpha():
        return True
    if low in NON_BREAKING:
        return False
    if len(token) == 1 and token.isupper():
        return False  # a middle initial: Chad G. Carroll
    if low in SOFT_ABBREV:
        w = WORD_AFTER_RE.match(text, nxt)
        return bool(w) and w.group(1).lower() in SENTENCE_OPENERS
    return True


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split the trimmed line ``text[start:end]`` into trimmed sentence spans."""
    out = []
    s = start
    for m in TERM_RE.finditer(text, start, end):
        b = m.end()
        if b >= end:
            break
        a = m.start()
        first = text[a]
        if first in CJK_TERMS:
            j = b
            while j < end and text[j].isspace():
                j += 1
        else:
            if not text[b].isspace():
                continue  # 3.5, U.S.-led
            j = b + 1
            while j < end and text[j].isspace():
                j += 1
            k = j
            while k < end - 1 and text[k] in OPENERS:
                k += 1
            c = text[k]
            if not (c.isupper() or c.isdigit()):
                continue
            if first == "." and text[a + 1] != "." and not _breaks_after(text, a, j, start):
                continue
        if j >= end:
            break
        out.append((s, b))
        s = j
    out.append((s, end))
    return out


DOUBLE_QUOTE_RE = re.compile(r"\"[^\"]*(?:\"|$)|“[^”\"]*(?:”|$)")
QUOTE_RE = re.compile(
    r"\"[^\"]*(?:\"|$)|“[^”\"]*(?:”|$)"
    r"|‘[^’]*(?:’(?=\w)[^’]*)*(?:’|$)"
    r"|'(?<![\w'’]')(?=[^\s'])[^']*(?:'(?=\w)[^']*)*'(?!\w)"
)
SINGLE_OPEN_RE = re.compile(r"‘|'(?<![\w'’]')(?=[^\s'])")
"""Only a line where a single quote can open (``‘``, or ``'`` at a word start) needs
:data:`QUOTE_RE`; the apostrophes of ``Korea's`` never do."""
"""Double quotes (straight or curly; one left open runs to the line's end), curly single
quotes (``‘...’``; a ``’`` inside a word is an apostrophe) and straight single quotes
(``'...'``): opened at a word start and closed by a ``'`` that no letter follows, so
``don't`` and ``Korea's`` never open or close one, and an unclosed ``'`` is no quote."""
SINGLE_OPEN = "'‘"
SINGLE_CLOSE = "'’"


def quote_spans(line: str) -> list[tuple[int, int]]:
    """Spans of quotations in one line (a double quote left open runs to the line's end)."""
    if ("'" in line or "‘" in line) and SINGLE_OPEN_RE.search(line):
        return [m.span() for m in QUOTE_RE.finditer(line)]
    if '"' in line or "“" in line:
        return [m.span() for m in DOUBLE_QUOTE_RE.finditer(line)]
    return []


def mask_quotes(line: str, spans: list[tuple[int, int]]) -> str:
    """``line`` with the inside of every quotation replaced by NULs (same length); the
    marks of a single-quoted quotation become ``"``.

    Attribution and clause rules read the masked text, so a ``said`` or ``, and`` inside a
    quotation is never taken for the article's own.
    """
    if not spans:
        return line
    parts = []
    pos = 0
    for a, b in spans:
        parts.append(line[pos:a])
        if line[a] in SINGLE_OPEN:
            # single quotes read as double ones, so attribution rules need one set of marks
            inner_end = b - 1 if b - a >= 2 and line[b - 1] in SINGLE_CLOSE else b
            parts.append('"')
            parts.append("\x00" * (inner_end - a - 1))
            parts.append('"' * (b - inner_end))
        else:
            inner_end = b - 1 if b - a >= 2 and line[b - 1] in CLOSE_QUOTES else b
            parts.append(line[a])
            parts.append("\x00" * (inner_end - a - 1))
            parts.append(line[inner_end:b])
        pos = b
    parts.append(line[pos:])
    return "".join(parts)


JOINT_RE = re.compile(r",\s+(?:and|but|as|while)\s+|;\s+")
"""Where one sentence may hold two independent clauses (read on masked text)."""

TRIM_RE = re.compile(r"[\s,;]+$")
"""What is cut from a clause before a joint: only what the joint itself may hold (a dash
or colon left outside every span would be text nobody recorded)."""
