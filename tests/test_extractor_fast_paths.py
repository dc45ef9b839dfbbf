"""The extractor's fast paths give exactly what the plain regexes they replace give.

Each speed-up in ``ledger.extractors.rules`` (issue #3) swaps a simple but slow pattern
for a faster equivalent: a greedy backward match instead of a ``...$`` search, a pattern
that opens with a character class instead of ``\\b`` or an alternation, a cheap gate in
front of a regex. Here each one is checked against the original pattern on text built
from the characters that matter to it.
"""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.extractors.rules import entities, kinds, modality, segment, speakers, values
from ledger.extractors.rules.trie import trie_pattern

FAST = settings(max_examples=60, deadline=None)  # each pattern was also fuzzed 100,000 times during the rewrite


def pieces(*words: str):
    """Text made of ``words`` (and spaces), so the interesting cases are frequent."""
    return st.lists(st.sampled_from(words + (" ",)), max_size=14).map("".join)


@FAST
@given(pieces("ab", ".", "U.S", "'", "“", "(", "«", "\t", "x"), st.data())
def test_token_before_period_matches_the_search_it_replaced(text, data):
    """The token before a period is what ``[^\\s"'“‘(\\[«]+$`` searched in the window finds."""
    dot = data.draw(st.integers(0, len(text)))
    line_start = data.draw(st.integers(0, dot))
    lo = max(line_start, dot - 40)
    ref = re.compile(r"[^\s\"'“‘(\[«]+$").search(text, lo, dot)
    sep = segment.LAST_SEP_RE.match(text, lo, dot)
    p = sep.end() if sep else lo
    assert (ref.group() if ref else None) == (text[p:dot] if p < dot else None)


@FAST
@given(pieces("the", "a", "said", "'", "’", ",", "\x00", "_", "é", "1", "o'", "!"), st.data())
def test_word_before_verb_matches_the_search_it_replaced(text, data):
    """``_prev_word`` gives ``PREV_WORD_RE``'s word whenever that word can block an attribution."""
    pos = data.draw(st.integers(0, len(text)))
    lo = max(0, pos - data.draw(st.integers(0, 30)))
    ref = speakers.PREV_WORD_RE.search(text, lo, pos)
    got = speakers._prev_word(text, lo, pos)
    if ref is not None and any(c.isalnum() or c == "_" for c in ref.group(1)):
        assert got == ref.group(1)
    else:
        assert got == "" and (ref is None or ref.group(1).lower() not in speakers.BLOCK_PREV)


@FAST
@given(pieces("also", "later", "only", "really", "ly", "has", "Has", "x", ",", "\x00", "\t"))
def test_trailing_adverb_gate_never_hides_a_match(text):
    """``TRAIL_RE`` is skipped only where it cannot match."""
    pre = text.rstrip()
    if pre and not speakers._trail_can_match(pre):
        assert speakers.TRAIL_RE.search(pre) is None


@FAST
@given(pieces("a", ",", ";", "\x00", "“", "—", "(", "bb"))
def test_last_chunk_matches_the_loop_it_replaced(text):
    """The last chunk starts after the last separator, as a loop over all separators finds."""
    cut = 0
    for m in speakers.CHUNK_SPLIT_RE.finditer(text):
        cut = m.end()
    last = speakers.LAST_CHUNK_RE.match(text)
    assert (last.end() if last else 0) == cut


@FAST
@given(pieces("A", "B.", "U.S.", "É", "Nov.", "of", "for", "the", "de", " \t", "x", "-", "'s", "."))
def test_name_runs_match_the_original_pattern(text):
    """``RUN_RE`` (first character factored out) finds the same runs as the original pattern."""
    ref = re.compile(
        entities._TOK + r"(?:[ \t]+(?:(?:of|for)(?:[ \t]+the)?|de|la|del|van|von|bin|al)?[ \t]*" + entities._TOK + r")*"
    )
    assert [m.span() for m in entities.RUN_RE.finditer(text)] == [m.span() for m in ref.finditer(text)]


@FAST
@given(pieces(".", "!", "?", "…", "。", "！", "\"", "”", ")", "»", "x", "..."))
def test_sentence_terminators_match_the_original_pattern(text):
    """``TERM_RE`` (one opening class) finds the same terminators as the original alternation."""
    ref = re.compile(r"(?:[.!?…]+|[。！？]+)[\"'”’)\]»]*")
    assert [m.span() for m in segment.TERM_RE.finditer(text)] == [m.span() for m in ref.finditer(text)]


@FAST
@given(pieces("no", "not", "n't", "n’t", "casino", "do", "only", "never", "Nor", "deny", "_", "x", "'"))
def test_negation_cues_match_the_original_pattern(text):
    """Negation cues at word starts (and ``n't`` anywhere) are the original pattern's matches."""
    ref = re.compile(r"\b" + trie_pattern(modality.NEG_WORDS) + r"\b|n['’]t\b")
    got = [
        m.span() for m in modality.NEG_RE.finditer(text)
        if m.group() in ("n't", "n’t") or modality._word_start(text, m.start())
    ]
    assert got == [m.span() for m in ref.finditer(text)]


@FAST
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\x0b\x0c\x1c\x85\u2028\u3000\xa0")), max_size=20))
def test_norm_matches_the_regex_it_replaced(text):
    """Collapsing spaces with ``split`` equals ``\\s+`` substitution then ``strip``."""
    assert kinds.norm(text) == re.sub(r"\s+", " ", text).strip().casefold()


def test_context_gates_never_hide_a_match():
    """The locative and role-word regexes are skipped only where they cannot match (every cue word, every ending)."""
    # every word the two patterns spell (read from the patterns, not from the gates)
    words = re.findall(r"[a-z]+", entities.LOCATIVE_RE.pattern + entities.ROLE_BEFORE_RE.pattern)
    words += ["within", "surgeons", "Chief", "xin", ""]
    tails = ["", " ", "\t", ",", " ,", ", ", " the ", " the", "the ", " \tthe\t"]
    for head, word, tail in itertools.product(["", "x ", "Kim", "the "], words, tails):
        text = head + word + tail
        if entities.LOCATIVE_RE.search(text) is not None:
            assert text.rstrip(" \t").endswith(entities.LOCATIVE_ENDS), text
        if entities.ROLE_BEFORE_RE.search(text) is not None:
            assert text.rstrip(" \t,").endswith(entities.ROLE_ENDS), text


def test_names_cache_follows_additions():
    """Resolutions cached under one token survive an unrelated addition and are recomputed after a related one."""
    names = speakers.Names()
    assert names.resolve("Carroll") == "Carroll"
    names.add("Vincent Brooks")
    assert names.resolve("Carroll") == "Carroll"
    names.add("Chad Carroll")
    assert names.resolve("Carroll") == "Chad Carroll"
    assert names.resolve("Brooks") == "Vincent Brooks"


def _ref_word_matches(words, text, pos, endpos):
    """The pattern each word scan replaced: ``\\b(?:trie)\\b`` with ``finditer``."""
    return [m.span() for m in re.compile(r"\b(?:" + trie_pattern(words) + r")\b").finditer(text, pos, endpos)]


SCANS = [
    ("reporting verbs", speakers.SAY_WORDS + ["according to", "According to"], speakers.SAY_SCAN),
    ("hedge cues", modality.HEDGE_WORDS, modality.HEDGE_SCAN),
    ("date and number gate", sorted(values.GATE_INDEX), values.GATE_SCAN),
]


@FAST
@given(
    pieces("said", "unsaid", "says", "went on", "according to", "is thought", "thought to", "Amis", "this", "may",
           "last", "Nov", "one", "x", "_", "9", ",", "é", "\x00"),
    st.data(),
)
def test_word_scans_find_what_the_word_bounded_pattern_found(text, data):
    """``WordScan`` (a pattern opening with ``[^\\w]``) finds the words ``\\b(?:trie)\\b`` found,
    at the same offsets, from any start and end (including a false match inside a word,
    ``Amis thought to``, which must not hide the real one after it)."""
    pos = data.draw(st.integers(0, len(text)))
    endpos = data.draw(st.integers(pos, len(text)))
    for _, words, scan in SCANS:
        assert [m.span(1) for m in scan.finditer(text, pos, endpos)] == _ref_word_matches(words, text, pos, endpos)


def test_word_scans_on_a_real_sentence_mix():
    text = "Amis thought to go; unsaid, he said, according to Nov. 13 reports; it may rain. said"
    for _, words, scan in SCANS:
        for pos in range(len(text)):
            assert [m.span(1) for m in scan.finditer(text, pos)] == _ref_word_matches(words, text, pos, len(text))
    assert [m.group(1) for m in modality.HEDGE_SCAN.finditer(text)] == ["thought to", "may"]


class _ScanNames:
    """The registry :class:`speakers.Names` replaced: every name kept in order, every lookup a scan."""

    def __init__(self):
        self.names = []

    def add(self, name):
        toks = speakers._tokens(name)
        if len(toks) >= 2 and name not in self.names:
            self.names.append(name)

    def resolve(self, name):
        toks = speakers._tokens(name)
        if not toks:
            return name
        best, best_len = name, len(toks)
        for full in self.names:
            ftoks = speakers._tokens(full)
            if len(ftoks) >= best_len and speakers._compatible(toks, ftoks):
                best, best_len = full, len(ftoks)
        return best


@FAST
@given(st.lists(st.tuples(st.booleans(), st.lists(st.sampled_from(["Kim", "Jong", "Un", "Lee", "Ana", "A.", "Ruiz", "kim"]),
                                                     min_size=1, max_size=4).map(" ".join)), max_size=30))
def test_names_lookups_give_what_a_scan_of_every_name_gives(ops):
    """Fullest form of a reference (longest compatible name, the latest of equals) after any sequence of additions."""
    fast, ref = speakers.Names(), _ScanNames()
    for is_add, name in ops:
        if is_add:
            fast.add(name)
            ref.add(name)
        else:
            assert fast.resolve(name) == ref.resolve(name), name


@FAST
@given(pieces("saying", "unsaying", "calling", "chanting", "x", ",", "\t", "\x00", "é", "said"))
def test_participle_search_finds_the_first_one_after_a_space(text):
    """``\\s(participle)\\b`` finds what the loop it replaced kept: the first match of the bare
    trie whose previous character is a space."""
    bare = re.compile("(" + trie_pattern(speakers.PARTICIPLES) + r")\b")
    ref = next((m.span(1) for m in bare.finditer(text) if m.start() and text[m.start() - 1].isspace()), None)
    got = speakers.PARTICIPLE_RE.search(text)
    assert (got.span(1) if got else None) == ref
