"""Property tests: the rules extractor never crashes and every span it returns is exact.

Arbitrary Unicode (emoji, CJK, combining marks, RTL, CRLF, tabs, text without
punctuation, one huge sentence) must give in-bounds, non-empty spans whose selectors
hold, values and mentions inside their assertion, and cover every non-space character
except the joints between split clauses.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.extractors import SourceInfo, anchor, check_extracted
from ledger.extractors.rules import extract
from ledger.events import ASSERTION_KINDS, MODALITIES

JOINT_WORD_RE = re.compile(r"^(?:[\s,;]|and|but|as|while)+$")

NEWSY = [
    "Col. Chad G. Carroll said", "the U.S. and U.N.", '"He is fine," he said.', "Nov. 13", "Wednesday",
    "at least five", "3.5 percent", "24-year-old", "1950-53", " — ", "; ", ", but ", ", as ", "\r\n",
    "\n\n", "\t", "CSI: Crime", "(KPA)", "Handout/Getty Images", " | U.S.", "reportedly", "didn't",
    "“curly”", "‘single’", "…", "Dr.", "e\u0301", "👩‍👩‍👧", "北朝鮮の兵士。", "שלום עולם", "مرحبا",
    "according to", "Sign up for", "SEOUL (Reuters) - ", "I.", "A.", "said, \"", "\u2028", "\x85",
]
articles = st.lists(st.one_of(st.sampled_from(NEWSY), st.text(max_size=30)), max_size=40).map("".join)
infos = st.builds(
    SourceInfo,
    title=st.one_of(st.none(), st.text(max_size=40)),
    published=st.one_of(st.none(), st.sampled_from(["2017-11-22", "2020-02-29T10:00:00Z", "bad", "2024-01-03"])),
)


def check(text: str, info: SourceInfo) -> None:
    items = check_extracted(text, extract(text, info))
    covered = bytearray(len(text))
    last_start = -1
    for x in items:
        assert x.kind in ASSERTION_KINDS
        assert x.modality in MODALITIES
        assert 0 <= x.start < x.end <= len(text)
        assert x.start >= last_start, "assertions come in document order"
        last_start = x.start
        sel = anchor(text, x.start, x.end)
        assert text[sel.start : sel.end] == sel.exact
        assert sel.prefix == text[max(0, x.start - 32) : x.start]
        assert sel.suffix == text[x.end : x.end + 32]
        assert not sel.exact[0].isspace() and not sel.exact[-1].isspace()
        for v in x.values:
            assert x.start <= v.start < v.end <= x.end and text[v.start : v.end] == v.text
            assert isinstance(v.value, str) and v.value
        for m in x.entities:
            assert x.start <= m.start < m.end <= x.end and text[m.start : m.end] == m.text
        covered[x.start : x.end] = b"\x01" * (x.end - x.start)
    # every non-space stretch is covered, except clause joints (", and", "; ", ", but"...) and
    # Markdown heading marks ("## Title ##": the marks are syntax, kept out of the headline)
    for m in re.finditer(r"(?m)^[ \t]*#{1,6}(?=[ \t])|[ \t]#+[ \t]*$", text):
        covered[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    gap = []
    for i, ch in enumerate(text):
        if covered[i] or ch.isspace():
            if gap:
                assert JOINT_WORD_RE.match("".join(gap)), f"uncovered text {''.join(gap)!r}"
                gap = []
            continue
        gap.append(ch)
    assert not gap or JOINT_WORD_RE.match("".join(gap)), f"uncovered text {''.join(gap)!r}"


@pytest.mark.slow  # 300 examples
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles, infos)
def test_never_crashes_and_selectors_hold(text, info):
    check(text, info)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400), infos)
def test_arbitrary_unicode(text, info):
    check(text, info)


def test_edge_texts():
    info = SourceInfo(published="2017-11-22", title="T")
    for text in [
        "", " ", "\r\n\r\n", "no punctuation at all just words " * 200,
        "One huge sentence, and another clause, but still going; " * 300 + ".",
        "\t\tTabs\tand\u00a0nbsp.", "\U0001F600" * 50, "مرحبا بالعالم. שלום.", "e\u0301\u0301\u0301. A",
        '"' * 20, "“" * 5 + "”" * 3, ". . . ! ? ...", "A.B.C.D. E. F.", "T", "T\nT\nT | U.S.T",
    ]:
        check(text, info)
