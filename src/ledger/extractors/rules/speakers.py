"""Who the article says made a statement, and the words that say so.

Attribution is read on the clause with quotations blanked (see
:func:`segment.mask_quotes`), so only the article's own words can attribute. Forms:

* ``X said (that) ...``, ``X told reporters``, ``X added, "..."`` — the subject before
  the reporting verb; ``"...," said X`` — the subject after it;
* ``X, ROLE, said`` / ``ROLE, X, said`` — the appositive that is a proper name wins;
* ``according to X``; a trailing ``..., CNN reports, ...``;
* nested: ``"...," A said at ..., Reuters reported.`` — the first attribution in the
  clause (the quoted person) wins over the outlet relaying it.

Weak verbs (``noted``, ``explained``, ``announced``...) attribute only before ``that``,
a quotation or punctuation; ``was told``, ``the reported X``, ``to say`` never do.

A speaker is cleaned to a name (``lead surgeon Lee Cook-Jong`` -> ``Lee Cook-Jong``,
``Gen. Vincent K. Brooks`` -> ``Vincent K. Brooks``), or kept as a description without
its article (``A United Nations Command spokesman`` -> ``United Nations Command
spokesman``). Pronouns and short names are resolved later, in document order, by
:class:`Names` and the caller.
"""

from __future__ import annotations

import re

from attrs import frozen

from .trie import trie_pattern

STRONG = frozenset(
    """said says say told tells added adds asserted asserts stated reported reports wrote writes
    insisted insists tweeted""".split()
)
SAY_WORDS = """said says say told tells added adds asserted asserts stated reported reports wrote writes
    insisted insists tweeted explained explains noted notes claimed claims announced announces
    confirmed confirms warned warns argued argues acknowledged acknowledges denied denies testified
    recalled admitted admits alleged alleges maintained maintains stressed emphasized suggested""".split()
SAY_RE = re.compile(r"\b(?:(" + trie_pattern(SAY_WORDS) + r")|(" + trie_pattern(["according to", "According to"]) + r"))\b")
WEAK_NEXT_RE = re.compile(r"\s*(?:that\b|[,:;.!?\"“\x00]|$)")
BLOCK_PREV = frozenset(
    """a an the no this these those his her its their our my your was were is are be been being
    to not""".split()
)
TRAIL_RE = re.compile(
    r"(?:\s+(?:also|later|then|previously|repeatedly|again|once|further|recently|earlier|has|have|had|"
    r"would|will|had|did|does|do|[a-z]+ly))+$"
)
CHUNK_SPLIT_RE = re.compile(r"[;:\x00\"“”()\[\]—–]|,(?!\d{3})")
"""Where a phrase before a reporting verb breaks; the comma in ``4,500`` does not."""
LAST_CHUNK_RE = re.compile(r"[\s\S]*(?:[;:\x00\"“”()\[\]—–]|,(?!\d{3}))")
"""Greedy up to the last ``CHUNK_SPLIT_RE`` match: one backward scan finds the last chunk."""
AGE_PIECE_RE = re.compile(r"\s*(?:aged\s+)?\d{1,3}\s*$")
"""An appositive that is only an age (``Tom Reilly, 61, said``): never the speaker."""
NOT_SPEAKER_PIECE_RE = re.compile(r"\s*(?:who|which|whose|whom|where|when)\b")
"""A relative clause (``Campaigners, who gathered signatures, said``) names no one."""
TRAIL_WORDS = frozenset(
    "also later then previously repeatedly again once further recently earlier has have had would will did does do".split()
)
LY_RE = re.compile(r"[a-z]+ly")
SUBORD_RE = re.compile(
    r".*\b(?:and|but|that|because|while|as|when|after|before|if|so|although|though|since|where|whereas)\s+"
)
RELATIVE_RE = re.compile(r"\s+(?:who|whom|whose|which|that)\b")
PREV_WORD_RE = re.compile(r"([\w'’]+)\W*$")
"""The word before a reporting verb (found by :func:`_prev_word`, which gives the same group)."""
LAST_WORD_CHAR_RE = re.compile(r"[\s\S]*\w")
RUN_START_RE = re.compile(r"[\s\S]*[^\w'’]")
AFTER_NP_RE = re.compile(r"\s*([^,.;:!?\x00\"“”()]{1,80})")
NP_STOP = frozenset(",.;:!?\x00\"“”()")
DOT_TOKEN_RE = re.compile(r"[\s\S]*[^\w'’.-]")
ABBREV_DOT = frozenset(
    """mr mrs ms dr prof gen col lt sgt capt maj adm cmdr gov sen rep rev fr st mt ft jr sr inc
    corp co ltd bros no""".split()
)
"""Tokens whose period belongs to the name (``Dr.``, ``St.``, ``Jr.``, ``Inc.``)."""
SOURCE_DOC_RE = re.compile(
    r"(?:an?|the)\s+(?:[\w-]+\s+){0,2}?(?:statement|report|release|letter|filing|post|study|survey|"
    r"analysis|estimate|estimates|data|figures|tally|count|census|assessment|document|documents)\s+"
    r"(?:(?:issued|released|published|seen|compiled|obtained)\s+)?(?:from|by|of)\s+(?=\S)"
)
"""``according to a statement from X``: the words before X, so that X is the speaker."""
NEXT_WORD_RE = re.compile(r"\s+([\w'’-]+)")

NOT_IN_NP = frozenset(
    """is was are were be been being has have had do does did will would can could should may might
    must shall there not never it's there's""".split()
)
PREPOSITIONS = frozenset("in on at for from by with into after before during under over of".split())
PRONOUNS = {"he": "person", "she": "person", "they": "any", "it": "any"}
ROLE_TITLES = frozenset(
    """president vice prime minister secretary senator sen sen. rep rep. gov gov. governor mayor judge
    justice chief commander ambassador general gen gen. col col. colonel lt lt. lieutenant sgt sgt.
    sergeant capt capt. captain maj maj. major adm adm. admiral dr dr. mr mr. mrs mrs. ms ms. prof
    prof. professor rev rev. pope king queen prince princess sheikh deputy chairman chairwoman
    director officer spokesman spokeswoman spokesperson foreign defense defence state interior
    finance trade""".split()
)
ORG_HEADS = frozenset(
    """command army navy force forces corps battalion brigade regiment division agency ministry
    department university college school hospital council party company corporation corp inc ltd
    co group bank times news post press network association institute committee court commission
    office service services union organization organisation nations senate congress parliament
    assembly government administration police guard federation foundation fund club league
    board bureau center centre authority team images tribune journal herald telegraph
    guardian broadcasting television radio channel survey gmbh plc llc holdings airlines airways
    society institution observatory museum""".split()
)
"""Last words that make a capitalized run an organisation (shared with :mod:`.entities`)."""
LEADING_JUNK = frozenset("and but so also then however meanwhile".split())
ARTICLES = ("a ", "an ", "the ", "another ")


@frozen
class Attribution:
    """A reporting clause found in a statement.

    Attributes:
        speaker: Cleaned speaker phrase (before pronoun/short-name resolution).
        form: ``name``, ``pronoun`` or ``desc`` (a descriptive phrase).
        cue: The attribution words (``said``, ``told reporters``, ``according to``).
        np_start: Offset of the speaker phrase in the clause.
        verb_start: Offset of the reporting verb in the clause.
    """

    speaker: str
    form: str
    cue: str
    np_start: int
    verb_start: int


def _is_cap(tok: str) -> bool:
    return bool(tok) and tok[0].isupper()


def is_name(phrase: str) -> bool:
    """Every word capitalized (allowing ``of``/``for``/``the`` inside): a proper name."""
    toks = phrase.split()
    if not toks or len(toks) > 6:
        return False
    if toks[0].lower() in ("the", "a", "an", "his", "her", "their", "its", "another"):
        return False
    return _is_cap(toks[0]) and all(_is_cap(t) or t in ("of", "for", "and", "de", "van", "von", "al", "bin") for t in toks)


def strip_titles(name: str) -> str:
    """Drop leading titles and role words (``Col.``, ``Finance Minister``), never an org's words."""
    toks = name.split()
    if toks and toks[-1].lower() in ORG_HEADS:
        return name
    if len(toks) > 2 and toks[0].endswith(("'s", "’s")) and toks[1].lower() in ROLE_TITLES:
        toks.pop(0)  # "Italy's Prime Minister Giorgia Meloni"
    while len(toks) > 1 and toks[0].lower() in ROLE_TITLES:
        toks.pop(0)
        if len(toks) > 2 and toks[0] in ("of", "for"):
            del toks[:2]  # "Secretary of State Antony Blinken"
    return " ".join(toks)


NOT_PERSON_LAST = frozenset("states kingdom republic emirates islands union nations".split())


def _person_of_org(run: list[str]) -> list[str]:
    """``Dr. Ana Ruiz of St. Mary's Hospital`` -> the person; ``Bank of England``,
    ``University of Chile``, ``Secretary of State`` stay whole (one word before ``of``)."""
    for k, t in enumerate(run):
        if t in ("of", "for"):
            head = strip_titles(" ".join(run[:k])).split()
            if (
                len(head) >= 2 and head[-1].lower().rstrip(".") not in ORG_HEADS
                and head[-1].lower() not in NOT_PERSON_LAST
                and all(w[:1].isupper() and not w.isupper() for w in head)
            ):
                return run[:k]
            break
    return run


def clean_np(np: str) -> tuple[str, str] | None:
    """(speaker, form) from the words naming who spoke, or None if they cannot be a speaker."""
    toks = np.split()
    lows = [t.lower() for t in toks]
    while toks and lows[0] in LEADING_JUNK:
        toks.pop(0)
        lows.pop(0)
    if not toks or len(toks) > 9:
        return None
    if not NOT_IN_NP.isdisjoint(lows) or lows[0] in PREPOSITIONS:
        return None
    if len(toks) == 1 and lows[0] in PRONOUNS:
        return lows[0], "pronoun"
    if lows[0] in ("i", "we", "you"):
        return None
    # trailing run of capitalized words: the name after any role words
    n = len(toks)
    i = n
    while i > 0:
        t = toks[i - 1]
        if t[0].isupper() or (i < n and (
            t in ("of", "for")
            or (t == "the" and i >= 2 and toks[i - 2] in ("of", "for"))  # Ana Ruiz of the Interior Ministry
            or (t in ("and", "&") and i >= 2 and toks[i - 2][:1].isupper() and lows[-1].rstrip(".") in ORG_HEADS)
        )):
            i -= 1
            continue
        break
    run = toks[i:]
    while run and run[0] in ("of", "for", "the", "and", "&"):
        run = run[1:]
    if len(run) > 1 and run[0] in ("The", "A", "An"):
        run = run[1:]  # capitalized at the start of a sentence: "The U.S. State Department"
    if run:
        run = _person_of_org(run)
        name = strip_titles(" ".join(run))
        if name.lower() in PRONOUNS:
            return name.lower(), "pronoun"
        return name, "name"
    phrase = " ".join(toks)
    low = phrase.lower()
    for art in ARTICLES:
        if low.startswith(art):
            phrase = phrase[len(art) :]
            break
    if phrase.lower() in PRONOUNS:
        return phrase.lower(), "pronoun"
    return phrase, "desc"


def _trail_can_match(pre: str) -> bool:
    """Whether ``TRAIL_RE`` can match ``pre``: only if its last word is an adverb or auxiliary."""
    last = pre.rsplit(None, 1)
    if len(last) < 2 and not pre[:1].isspace():
        return False
    w = last[-1]
    return w in TRAIL_WORDS or LY_RE.fullmatch(w) is not None


def _prev_word(text: str, lo: int, pos: int) -> str:
    """``PREV_WORD_RE.search(text, lo, pos).group(1)`` when it has a letter, else ``""``,
    by greedy backward matches instead of a search that rescans from every position."""
    last = LAST_WORD_CHAR_RE.match(text, lo, pos)
    if last is None:
        return ""  # no word character: at most apostrophes, never a blocking word
    j = last.end()
    while j < pos and text[j] in "'’":
        j += 1
    k = RUN_START_RE.match(text, lo, last.end())
    return text[k.end() if k else lo : j]


def _subject_before(masked: str, vpos: int) -> tuple[str, int, tuple[str, str] | None] | None:
    """The words naming the speaker before a reporting verb at ``vpos``, with their offset
    and, when already computed, their :func:`clean_np`."""
    pre = masked[:vpos].rstrip()
    t = TRAIL_RE.search(pre) if pre and _trail_can_match(pre) else None
    if t:
        pre = pre[: t.start()]
    if not pre or pre[-1] in "\x00\"”":
        return None  # '"...," said X': the subject follows the verb
    if pre.endswith(","):
        before = pre[:-1].rstrip()
        if not before or before[-1] in "\x00\"”":
            return None  # "...," said X: the subject follows the verb
        # appositive: "X, ROLE, said" or "ROLE, X, said"
        pieces = []
        pos = 0
        for m in CHUNK_SPLIT_RE.finditer(before):
            pieces.append((pos, m.start()))
            pos = m.end()
        pieces.append((pos, len(before)))
        pieces = [(a, b) for a, b in pieces if before[a:b].strip()]
        n_all = len(pieces)
        pieces = [
            (a, b) for a, b in pieces
            if not AGE_PIECE_RE.match(before, a, b) and not NOT_SPEAKER_PIECE_RE.match(before, a, b)
        ]
        if not pieces:
            return None
        cands = pieces[-2:][::-1]
        for a, b in cands:
            chunk = before[a:b].strip()
            if is_name(strip_titles(chunk)):
                return chunk, before.index(chunk, a), None
        if len(pieces) >= 2 or (pieces and n_all > len(pieces)):
            a, b = pieces[-1]
            chunk = before[a:b].strip()
            return chunk, before.index(chunk, a), None
        return None
    last = LAST_CHUNK_RE.match(pre)
    cut = last.end() if last else 0
    chunk = pre[cut:]
    tries = []
    sub = SUBORD_RE.match(chunk)
    if sub:
        tries.append(sub.end())
    tries.append(0)
    for off in tries:
        part = chunk[off:]
        rel = RELATIVE_RE.search(part)
        if rel:
            part = part[: rel.start()]
        stripped = part.strip()
        if stripped:
            cleaned = clean_np(stripped)
            if cleaned is not None:
                return stripped, cut + off + (len(part) - len(part.lstrip())), cleaned
    return None


NP_GO_ON_STOP = frozenset(
    """in on at for from by with into after before during under over of and or but that who which
    to as said says told added on since while when if is was are were has had have will would""".split()
)


def _stop_word(text: str, pos: int) -> bool:
    m = NEXT_WORD_RE.match(" " + text[pos : pos + 20])
    return m is None or m.group(1).lower() in NP_GO_ON_STOP


def _np_after(masked: str, pos: int) -> tuple[int, str] | None:
    """(offset, words) of the phrase after ``pos`` naming a speaker: up to the first
    punctuation, where a period does not stop it when it belongs to an initial, a dotted
    acronym or an abbreviation (``the U.S. Geological Survey``, ``Dr. Ana Ruiz``,
    ``Martin Luther King Jr.``)."""
    a = AFTER_NP_RE.match(masked, pos)
    if a is None:
        return None
    start, end = a.start(1), a.end(1)
    n = len(masked)
    while end < n and masked[end] == "." and end - start < 80:
        t = DOT_TOKEN_RE.match(masked, start, end)
        tok = masked[t.end() if t else start : end]
        bare = tok.replace(".", "")
        if not bare or not (
            (len(tok) == 1 and tok.isupper())  # an initial, or the U of U.S.
            or (bare.isalpha() and bare.isupper() and "." in tok)  # U.S
            or tok.lower() in ABBREV_DOT
        ):
            break
        after = end + 1
        j = after
        while j < n and masked[j] in " \t":
            j += 1
        if j < n and (
            j == after or masked[j].isupper()
            or (tok.lower() not in ABBREV_DOT and masked[j].islower() and not _stop_word(masked, j))
        ):
            b = AFTER_NP_RE.match(masked, j)
            if b is not None and b.start(1) == j:
                end = b.end(1)  # the name goes on: "U.S. Geological Survey", "Dr. Ana Ruiz"
                continue
        end = after  # the period ends the abbreviation and the name: "Acme Corp."
        break
    return start, masked[start:end]


def find_attribution(clause: str, masked: str) -> Attribution | None:
    """The first reporting clause in ``clause`` (``masked``: quotes blanked), or None."""
    for m in SAY_RE.finditer(masked):
        if m.start() and (masked[m.start() - 1].isalnum() or masked[m.start() - 1] == "_"):
            continue  # not a word start ("unsaid")
        if m.group(2):
            a = _np_after(masked, m.end())
            if not a:
                continue
            np_start, np = a
            doc = SOURCE_DOC_RE.match(np)
            if doc:  # according to a statement from X: X
                np = np[doc.end() :]
            np = np.strip()
            rel = RELATIVE_RE.search(np)
            if rel:
                np = np[: rel.start()].strip()
            cleaned = clean_np(np)
            if cleaned:
                return Attribution(cleaned[0], cleaned[1], clause[m.start() : m.end()], np_start, m.start())
            continue
        verb = m.group(1)
        if _prev_word(masked, max(0, m.start() - 30), m.start()).lower() in BLOCK_PREV:
            continue
        if verb not in STRONG and not WEAK_NEXT_RE.match(masked, m.end()):
            continue
        cue = verb
        if verb in ("told", "tells"):
            n = NEXT_WORD_RE.match(masked, m.end())
            if n and n.group(1).lower() not in ("that", "the", "a", "an"):
                cue = f"{verb} {n.group(1)}"
        subj = _subject_before(masked, m.start())
        if subj is None:
            # inverted: '"...," said X' — the subject follows the verb
            pre = masked[: m.start()].rstrip()
            comma = pre.endswith(",")
            if comma:
                pre = pre[:-1].rstrip()
            quoted = not pre or pre[-1] in "\x00\"”"
            if quoted or comma:
                a = _np_after(masked, m.end())
                if a:
                    np = a[1].strip()
                    cleaned = clean_np(np)
                    # after plain text ("The plant will close, said X"), only a name or
                    # "the/a ..." names a speaker: "..., said hello" does not
                    if cleaned and (quoted or cleaned[1] == "name" or np.lower().startswith(ARTICLES)):
                        return Attribution(cleaned[0], cleaned[1], cue, a[0], m.start())
            continue
        np, start, cleaned = subj
        if cleaned is None:
            cleaned = clean_np(np)
        if cleaned is None:
            continue
        return Attribution(cleaned[0], cleaned[1], cue, start, m.start())
    return None


def _tokens(name: str) -> list[str]:
    return [t.rstrip(".").lower() for t in name.split()]


class Names:
    """People named so far in one article, to resolve short references to the fullest form.

    ``Carroll`` resolves to ``Chad G. Carroll`` if that was seen earlier; when an article
    uses ``Chad Carroll`` and later ``Col. Chad G. Carroll``, each reference resolves to
    the fullest form seen up to that point.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._by_token: dict[str, list[tuple[str, list[str]]]] = {}
        self._toks: dict[str, list[str]] = {}
        # resolutions by the name's last token: adding a name can only change those filed
        # under its first or last token, so only those are dropped
        self._resolved: dict[str, dict[str, str]] = {}

    def _tokens_of(self, name: str) -> list[str]:
        toks = self._toks.get(name)
        if toks is None:
            toks = self._toks[name] = _tokens(name)
        return toks

    def add(self, name: str) -> None:
        if name in self._seen:
            return
        toks = self._tokens_of(name)
        if len(toks) >= 2:
            self._seen.add(name)
            entry = (name, toks)
            for key in {toks[0], toks[-1]}:
                self._by_token.setdefault(key, []).append(entry)
                self._resolved.pop(key, None)

    def resolve(self, name: str) -> str:
        toks = self._tokens_of(name)
        if not toks:
            return name
        memo = self._resolved.get(toks[-1])
        if memo is None:
            memo = self._resolved[toks[-1]] = {}
        done = memo.get(name)
        if done is not None:
            return done
        best = None
        best_len = len(toks)
        for full, ftoks in self._by_token.get(toks[-1], ()):  # later and longer forms win
            if len(ftoks) >= best_len and _compatible(toks, ftoks):
                best, best_len = full, len(ftoks)
        done = memo[name] = best if best is not None else name
        return done


def _compatible(short: list[str], full: list[str]) -> bool:
    if len(short) == 1:
        return short[0] == full[-1] or short[0] == full[0]
    if short[-1] != full[-1] or short[0] != full[0]:
        return False
    return all(t in full for t in short)
