"""Whether the article vouches for a claim: asserted, hedged or negated.

Rules (word-bounded cues, read on the clause with quotations left in, since a hedge
inside a quote still hedges what is quoted):

* ``hedged``: reportedly, allegedly, apparently, possibly, perhaps, probably,
  purportedly, supposedly, presumably, likely, believed/thought/understood to,
  appear(s/ed) to, seem(s/ed) to, may, might, could, is/are/was/were said to.
  ``reported`` alone is not a cue (``no reported gunfire`` is an adjective).
* An adverb cue that opens the last comma-phrase of the clause, with no verb after it
  (``..., possibly from poor nutrition``), hedges only that trailing phrase, not the
  claim: it is ignored. Verb cues (``appears to``) always hedge.
* ``negated``: not, n't, never, no, none, nobody, nothing, neither, nor, cannot, no
  longer, denied/denies. ``not only`` is not a negation.
* Hedged takes precedence over negated: a hedged denial is still something the article
  does not vouch for, and hedging is what a reader must see first.
"""

from __future__ import annotations

import re

HEDGE_RE = re.compile(
    r"\b(?:(?i:reportedly|allegedly|apparently|possibly|perhaps|probably|purportedly|supposedly|"
    r"presumably|seemingly|likely)"
    r"|(?:believed|thought|understood|rumou?red|alleged) to"
    r"|(?:appears?|appeared|seems?|seemed) to"
    r"|(?:is|are|was|were) said to"
    r"|may|might|could)\b"
)
NEG_RE = re.compile(
    r"\b(?:(?i:not)(?! only\b)|(?i:never|none|nobody|nothing|neither|nor|cannot)|(?i:no)(?= \w)(?! doubt\b)"
    r"|denied|denies|deny)\b|\b\w+n['’]t\b"
)


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


def modality(clause: str, masked: str) -> tuple[str, str | None]:
    """(modality, cue) of one clause; ``masked`` is the clause with quotes blanked."""
    for m in HEDGE_RE.finditer(clause):
        if _tangential(masked, m.start(), m.group()):
            continue
        return "hedged", m.group()
    for m in NEG_RE.finditer(clause):
        return "negated", m.group()
    return "asserted", None


def is_hedged(clause: str, masked: str) -> bool:
    return modality(clause, masked)[0] == "hedged"
