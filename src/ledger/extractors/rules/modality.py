"""Whether the article vouches for a claim: asserted, hedged or negated.

Rules (word-bounded cues, read on the clause with quotations left in, since a hedge
inside a quote still hedges what is quoted):

* ``hedged``: reportedly, allegedly, apparently, possibly, perhaps, probably,
  purportedly, supposedly, presumably, likely, believed/thought/understood to,
  appear(s/ed) to, seem(s/ed) to, may, might, could, is/are/was/were said to; unclear
  whether/if, not clear whether/if, uncertain whether; believe(s) (``Some analysts
  believe the government will hold``: a belief the article reports, not vouches for).
  ``reported`` alone is not a cue (``no reported gunfire`` is an adjective).
* An adverb cue that opens the last comma-phrase of the clause, with no verb after it
  (``..., possibly from poor nutrition``), hedges only that trailing phrase, not the
  claim: it is ignored. Verb cues (``appears to``) always hedge.
* ``negated``: not, n't, never, no, none, nobody, nothing, neither, nor, cannot, no
  longer, denied/denies. ``not only``, ``no doubt`` and the bounds ``no more/less/fewer/
  later than`` are not negations.
* Hedged takes precedence over negated: a hedged denial is still something the article
  does not vouch for, and hedging is what a reader must see first.
"""

from __future__ import annotations

import re

from .trie import WordScan, trie_pattern

def _cased(words: str) -> str:
    """An alternation of literal words, each also capitalized: literal-first is much faster in ``re``."""
    out = []
    for w in words.split("|"):
        out.append(w)
        if w[0].islower():
            out.append(w[0].upper() + w[1:])
    return "|".join(out)


HEDGE_WORDS = _cased(
    "reportedly|allegedly|apparently|possibly|perhaps|probably|purportedly|supposedly|presumably|"
    "seemingly|likely"
).split("|") + (
    "believed to|thought to|understood to|rumored to|rumoured to|alleged to|appears to|appear to|"
    "appeared to|seems to|seem to|seemed to|is said to|are said to|was said to|were said to|may|might|could|"
    "unclear whether|unclear if|not clear whether|not clear if|uncertain whether|believe|believes|"
    "expected|expect to|expects to|forecast to|estimated at|estimated to|not known|unknown whether|not sure|"
    "unsure|unconfirmed|presumed|according to reports|is thought|are thought|was thought|were thought"
).split("|")
HEDGE_SCAN = WordScan(trie_pattern(HEDGE_WORDS))
"""Hedge cues as whole words (group 1); a :class:`.trie.WordScan`."""
NEG_WORDS = _cased("not|never|none|nobody|nothing|neither|nor|cannot|no").split("|") + ["denied", "denies", "deny"]
NEG_RE = re.compile(r"(?:" + trie_pattern(NEG_WORDS + ["n't", "n’t"]) + r")\b")
"""No leading ``\\b``: a pattern that opens with a plain alternation of letters lets ``re``
skip ahead to candidate first letters (2.5x faster than with ``\\b``: ``bench/micro_bench.py``). ``modality`` checks the word start
of word cues itself; a cue found inside a word spans only that word, so it never hides a
real one."""
NOT_ONLY_RE = re.compile(r"[ \t]+only\b")
NO_NEXT_RE = re.compile(r" (?!doubt\b|(?:more|less|fewer|later|sooner) than\b)\w")
"""``no`` negates before a word, except ``no doubt`` and the bounds ``no more than 5%``."""


def _word_start(text: str, pos: int) -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_")


ADVERB_CUES = frozenset(
    "reportedly allegedly apparently possibly perhaps probably purportedly supposedly presumably seemingly likely".split()
)
FINITE_RE = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|did|does|do|shall|should|may|might|must)\b")


def _tangential(masked: str, pos: int, cue: str) -> bool:
    """An adverb cue opening the clause's last comma-phrase, with no verb after it:
    ``..., possibly from poor nutrition.`` It qualifies that phrase, not the claim."""
    if cue.lower() not in ADVERB_CUES:
        return False
    before = masked[:pos].rstrip()
    rest = masked[pos + len(cue) :]
    return before.endswith((",", "—", "–")) and "," not in rest and not FINITE_RE.search(rest)


EXPECTED_TO_RE = re.compile(r"(?:\s+[a-z]+){0,3}?\s+to\b")
THAN_BEFORE_RE = re.compile(r"\b(?:than|as)\s+$")
PURPOSE_RE = re.compile(r"\b(?:so\s+that|so|in\s+order\s+that)\s+(?:[\w'’-]+\s+){0,24}?$")
"""``so that rescuers could restock``: a purpose clause, not a possibility."""
ABILITY_NEXT_RE = re.compile(
    r"\s+(?:not\b|n[o']t\b|never\b|be\s+(?:heard|seen|felt|smelled|spotted|found)\b|hope\b|ask\b|wish\b|want\b|"
    r"afford\b|only\b|barely\b|hardly\b|still\s+(?:see|hear)\b)"
)
"""``could not``, ``could be heard``, ``as anyone could hope for``: ability or perception."""
ABILITY_PREV_RE = re.compile(r"(?:\b(?:anyone|anybody|everyone|nobody|no\s+one|you)\s+|n't\s+)$")
PERMISSION_RE = re.compile(r"\s+(?:I|we)\b|\s+be\s+(?:allowed|permitted)\b")


def _expected_to(clause: str, start: int, end: int) -> bool:
    """``is expected to``, ``were expected at first to``: a forecast; ``than expected`` is not."""
    if THAN_BEFORE_RE.search(clause, max(0, start - 6), start):
        return False
    return EXPECTED_TO_RE.match(clause, end) is not None


def _not_epistemic_could(clause: str, start: int, end: int) -> bool:
    """``could`` of purpose, ability or perception rather than possibility."""
    if ABILITY_NEXT_RE.match(clause, end) or ABILITY_PREV_RE.search(clause, max(0, start - 12), start):
        return True
    return PURPOSE_RE.search(clause, max(0, start - 160), start) is not None


def modality(clause: str, masked: str) -> tuple[str, str | None]:
    """(modality, cue) of one clause; ``masked`` is the clause with quotes blanked."""
    for m in HEDGE_SCAN.finditer(clause):
        cue = m.group(1)
        if _tangential(masked, m.start(1), cue):
            continue
        if cue in ("believe", "believes") and clause.startswith(" in ", m.end()):
            continue  # "believe in": trust, not a belief that something is so
        if cue == "expected" and not _expected_to(clause, m.start(1), m.end()):
            continue
        if cue == "could" and _not_epistemic_could(clause, m.start(1), m.end()):
            continue
        if cue in ("may", "might") and PERMISSION_RE.match(clause, m.end()):
            continue
        return "hedged", cue
    for m in NEG_RE.finditer(clause):
        cue, s = m.group(), m.start()
        if cue in ("n't", "n’t"):
            while s > 0 and clause[s - 1].isalpha():
                s -= 1
            if s == m.start():
                continue
            return "negated", clause[s : m.end()]
        if not _word_start(clause, s):
            continue
        low = cue.lower()
        if low == "not" and NOT_ONLY_RE.match(clause, m.end()):
            continue
        if low == "no" and not NO_NEXT_RE.match(clause, m.end()):
            continue
        return "negated", cue
    return "asserted", None


def is_hedged(clause: str, masked: str) -> bool:
    return modality(clause, masked)[0] == "hedged"
