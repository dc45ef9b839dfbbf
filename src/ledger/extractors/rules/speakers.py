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

Issue #16 added: colon-introduced quotations (``He went on: "..."``), participles
(``..., saying``), ``found that``/``fear``/``described X as``/``went on to praise``,
documents and organisations as speakers (``a post on the X page read:``), whole role
phrases when no name is given, and the lexicons (role, group, organisation, document
nouns) that give a speaker its class for resolution. No rule names a person or event.
"""

from __future__ import annotations

import re

from attrs import frozen

from .trie import WordScan, trie_pattern

STRONG = frozenset(
    """said says say told tells added adds asserted asserts stated reported reports wrote writes
    insisted insists tweeted""".split()
)
SAY_WORDS = """said says say told tells added adds asserted asserts stated reported reports wrote writes
    insisted insists tweeted explained explains noted notes claimed claims announced announces
    confirmed confirms warned warns argued argues acknowledged acknowledges denied denies testified
    recalled admitted admits alleged alleges maintained maintains stressed emphasized suggested
    found finds described describes fear fears feared continued continues read reads""".split() + [
    "went on", "goes on", "go on"]
SAY_SCAN = WordScan(r"(?:(" + trie_pattern(SAY_WORDS) + r")|(" + trie_pattern(["according to", "According to"]) + r"))")
"""Reporting verbs (group 2) and ``according to`` (group 3), as whole words; a :class:`.trie.WordScan`."""
WEAK_NEXT_RE = re.compile(
    r"\s*(?:(?:(?:on|last|this|late|early|earlier|later)\s+[\w-]+\s+)?that\b|[,:;.!?\"“\x00]|$)"
)
"""What may follow a weak reporting verb: ``that`` (perhaps after a day: ``confirmed on
Friday that``), a quotation or punctuation."""
VERB_NEXT = {
    **dict.fromkeys(("found", "finds"), re.compile(r"\s*(?:(?:on|in|last|this)\s+[\w-]+\s+)?that\b")),
    **dict.fromkeys(("fear", "fears", "feared"), re.compile(
        r"\s*(?:that|the|a|an|some|many|more|most|he|she|it|they|there|this|these)\b")),
    **dict.fromkeys(("continued", "continues", "read", "reads", "went on", "goes on", "go on"), re.compile(
        r"\s*(?:that\b|:|,?\s*[\"“\x00]|to\s+(?:say|praise|thank|describe|call|add|note|warn|urge|insist|"
        r"explain|criticise|criticize|condemn|deny|express)\b)")),
    **dict.fromkeys(("described", "describes"), re.compile(r"[^.;:!?\x00\"“]{1,120}?\sas\b")),
}
"""Verbs that report only in one construction: ``found that``, ``fear the ...``,
``went on: "..."``/``went on to praise``, ``The unit continued: "..."``, ``a post read:``,
``described X as Y``."""
COLON_VERBS = frozenset(("continued", "continues", "read", "reads", "went on", "goes on", "go on"))
LIST_NEXT_RE = re.compile(r":\s*[a-z]")
SILENT_NEXT_RE = re.compile(r"\s+(?:nothing|little)\b")
"""``said nothing about ...``: a person who says nothing is not a speaker."""
PARTICIPLES = """saying calling adding describing noting warning insisting arguing claiming
    writing telling""".split()
PARTICIPLE_RE = re.compile(r"\s(" + trie_pattern(PARTICIPLES) + r")\b")
"""A participle after a space (group 1): opening with the space, ``re`` tries the words only
there, not at every letter they could start with."""
"""Crowd noise (``chanting``, ``shouting``) is left out: a chant is not a source's statement,
and attributing one made the claims matcher link two unrelated articles on the dev set."""
"""``X honoured Y, calling him '...'``, ``Residents challenged it, saying ...``: the clause's
subject speaks."""
COLON_QUOTE_RE = re.compile(r":\s*[\"“]")
"""A colon right before a quotation introduces it: ``He went on: '...'``."""
LEAD_PP_RE = re.compile(
    r"(?:(?:in|on|at|after|before|during|shortly|later|earlier|meanwhile|then|now|also|afterwards|"
    r"separately|asked|speaking|writing|[a-z]+ly)\b[^,\x00\"“]{0,80},\s+)",
    re.IGNORECASE,
)
"""A leading adverbial phrase before the subject: ``At a protest at X, ``."""
SUBJ_STOP = frozenset(
    """is are was were has have had will would can could may might must should shall do does did
    be been being""".split()
)
OBJ_START = frozenset("the a an his her its their our my your him them it this that these those".split())
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

# Speaker classes (issue #16). Lexicons of common nouns, never names: what a speaker
# phrase's head says it is, so that a pronoun or "the commander" finds a compatible
# antecedent.
ROLE_NOUNS = frozenset(
    """aide spokesman spokeswoman spokesperson official commander governor deputy chief minister secretary
    director head leader president chairman chairwoman officer captain general admiral colonel mayor
    ambassador envoy adviser advisor analyst expert witness doctor surgeon physician nurse diver rescuer
    reporter correspondent journalist source resident survivor lawyer attorney prosecutor judge coach
    teacher volunteer representative manager executive founder member engineer scientist researcher
    economist professor investigator inspector superintendent sheriff senator lawmaker owner landlord
    neighbour neighbor father mother brother sister son daughter wife husband relative friend colleague
    veteran pilot soldier worker farmer student activist organiser organizer campaigner negotiator""".split()
)
"""A person by role: ``the commander``, ``an aide to the commander of X``."""
GROUP_NOUNS = frozenset(
    """officials authorities police residents witnesses sources experts doctors rescuers people protesters
    investigators analysts officers soldiers divers volunteers relatives families survivors researchers
    scientists campaigners critics lawmakers members workers staff villagers locals neighbours neighbors
    parents teachers students economists prosecutors lawyers organisers organizers activists medics
    firefighters paramedics engineers journalists reporters observers diplomats leaders managers
    executives owners landlords tenants voters fans players""".split()
)
"""People as a group: ``Officials said``, ``Local residents have challenged``."""
DOC_NOUNS = frozenset(
    """statement post tweet message letter report study survey analysis tribute website site page account
    notice release document filing video footage memo note email blog bulletin communique communiqué
    announcement update paper review audit assessment estimate estimates data figures tally count census
    poll inquiry investigation findings""".split()
)
"""Things that can speak: ``the study found``, ``a post on X read:``, ``their statement went on``."""
ORG_NOUNS = frozenset(
    """unit ministry agency department navy army force forces police company government team office council
    committee command service organisation organization group firm bank court commission authority
    university hospital school party union board bureau institute network outlet newspaper""".split()
)
"""An organisation by its common noun: ``the unit continued``, ``the ministry said``."""
ANAPHOR_NOUNS = ROLE_NOUNS | ORG_NOUNS | DOC_NOUNS
ANAPHOR_DETS = frozenset("the their its another".split())
"""A definite or possessive phrase of one such noun refers back to a speaker already seen."""
DOC_OWNER_RE = re.compile(
    r"(?:(?:an?|the|another|one|their|its|his|her)\s+)?(?:[\w-]+\s+){0,2}?(?:"
    + "|".join(sorted(DOC_NOUNS, key=len, reverse=True))
    + r")\s+(?:(?:issued|released|published|seen|compiled|obtained|posted)\s+)?(?:from|by|of|on)\s+(?=\S)"
)
"""``a post on the X page``, ``the website of X``: the document's owner speaks."""
PLURAL_PERSON_RE = re.compile(r"[a-z]+(?:ers|ors|ists|ians|ants|ents|ives|men|people|folk)$")


def speaker_class(speaker: str, form: str) -> str:
    """``person``, ``group``, ``org`` or ``doc``, from the phrase's head word (lexicons above)."""
    toks = speaker.split()
    if not toks:
        return "other"
    head = toks[-1].lower().rstrip(".")
    for k, t in enumerate(toks):
        if k and t.lower() in ("of", "for", "to", "at", "in", "on", "from"):
            head = toks[k - 1].lower()
            break
    if form == "name":
        if head in GROUP_NOUNS and len(toks) == 1:
            return "group"
        if head in ORG_HEADS or head in ORG_NOUNS or any(t.isupper() and len(t) > 1 for t in toks):
            return "org"
        return "person"
    if head in DOC_NOUNS:
        return "doc"
    if head in ORG_NOUNS or head in ORG_HEADS:
        return "org"
    if head in GROUP_NOUNS or PLURAL_PERSON_RE.fullmatch(head):
        return "group"
    if head in ROLE_NOUNS:
        return "person"
    return "other"


def plausible_desc(phrase: str) -> bool:
    """A bare phrase without a determiner speaks only if its head is a person, group,
    organisation or document word: ``Injuries reported:`` names no speaker."""
    for w in phrase.split():
        head = w.lower().rstrip(".,")
        if (
            head in GROUP_NOUNS or head in ROLE_NOUNS or head in DOC_NOUNS or head in ORG_NOUNS
            or head in ORG_HEADS or PLURAL_PERSON_RE.fullmatch(head) is not None
        ):
            return True
    return False
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
    if not toks or len(toks) > 12:
        return None
    if not NOT_IN_NP.isdisjoint(lows) or lows[0] in PREPOSITIONS:
        return None
    if len(toks) == 1 and lows[0] in PRONOUNS:
        return lows[0], "pronoun"
    if lows[0] in ("i", "we", "you"):
        return None
    if len(toks) >= 3:
        doc = DOC_OWNER_RE.match(" ".join(toks))
        if doc:  # "a post on the X page", "the website of the X": the owner speaks
            return clean_np(" ".join(toks)[doc.end() :])
    if (
        lows[0] in ANAPHOR_DETS and len(toks) == 2 and lows[-1] in ANAPHOR_NOUNS and not toks[1][:1].isupper()
    ):
        return " ".join(toks[1:]), "anaphor"
    # trailing run of capitalized words: the name after any role words
    n = len(toks)
    i = n
    while i > 0:
        t = toks[i - 1]
        if t[0].isupper() or (i < n and i >= 2 and lows[i - 1] in ORG_NOUNS and toks[i - 2][:1].isupper()
                              and toks[i][:1].isupper()) or (i < n and (
            t in ("of", "for")
            or (t == "the" and i >= 2 and toks[i - 2] in ("of", "for"))  # Ana Ruiz of the Interior Ministry
            or (t in ("and", "&") and i >= 2 and toks[i - 2][:1].isupper() and lows[-1].rstrip(".") in ORG_HEADS)
        )):
            i -= 1
            continue
        break
    run = toks[i:]
    if run and i > 0 and run[0] in ("of", "for") and not ROLE_NOUNS.isdisjoint(lows[:i]):
        # "the deputy governor of Chiang Rai", "an aide to the commander of the X": no
        # name, so the whole role phrase is the speaker, not its place or organisation
        run = []
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
    if not low.startswith(ARTICLES) and lows[0] not in ANAPHOR_DETS and not plausible_desc(phrase):
        return None
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
        for a, b in cands:  # "Mission chief X Y, the former governor of Z, said": the name
            chunk = before[a:b].strip()
            cl = clean_np(chunk)
            if cl is not None and cl[1] == "name" and len(cl[0].split()) >= 2 and not chunk.lower().startswith(ARTICLES):
                return chunk, before.index(chunk, a), cl
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
    return _np_after_lead(chunk, cut)


LEAD_NP_RE = re.compile(r"[\s\S]*?\b(?:(he|she|they|it)|(?:an?|the|another|their|its|his|her)\s)", re.IGNORECASE)


def _np_after_lead(chunk: str, cut: int) -> tuple[str, int, tuple[str, str]] | None:
    """``In it he``, ``On Tuesday night a post on the X page``: after a leading preposition
    phrase, the subject starts at its first determiner, or is the last word when a pronoun."""
    words = chunk.split()
    if not words:
        return None
    last = words[-1].lower()
    if last in PRONOUNS and len(words) <= 4:
        return words[-1], cut + chunk.rindex(words[-1]), (last, "pronoun")
    if words[0].lower() not in PREPOSITIONS:
        return None
    m = LEAD_NP_RE.match(chunk, len(words[0]))
    if m is None or m.group(1):
        return None
    k = m.end()
    while k > 0 and not chunk[k - 1].isspace():
        k -= 1
    k -= 1
    while k > 0 and not chunk[k - 1].isspace():
        k -= 1
    np = chunk[k:].strip()
    cleaned = clean_np(np)
    if cleaned is None:
        return None
    return np, cut + k, cleaned


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
    for m in SAY_SCAN.finditer(masked):
        ms, me = m.span(1)
        if m.group(3):
            a = _np_after(masked, me)
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
                return Attribution(cleaned[0], cleaned[1], clause[ms:me], np_start, ms)
            continue
        verb = m.group(2)
        special = VERB_NEXT.get(verb)
        if special is not None:
            if not special.match(masked, me) and not (
                verb in COLON_VERBS and "\x00" in masked[: ms] and WEAK_NEXT_RE.match(masked, me)
            ):
                continue  # "'...,' their statement went on." is the other form
        elif verb not in STRONG and not WEAK_NEXT_RE.match(masked, me):
            continue
        if _prev_word(masked, max(0, ms - 30), ms).lower() in BLOCK_PREV:
            continue
        e = me
        if masked.startswith(":", e) and LIST_NEXT_RE.match(masked, e):
            continue  # "Injuries reported: minor cuts": a label and a list, not speech
        if masked.startswith((" nothing", " little"), e) and SILENT_NEXT_RE.match(masked, e):
            continue
        cue = verb
        if verb in ("told", "tells"):
            n = NEXT_WORD_RE.match(masked, me)
            if n and n.group(1).lower() not in ("that", "the", "a", "an"):
                cue = f"{verb} {n.group(1)}"
        subj = _subject_before(masked, ms)
        if subj is None and AND_BEFORE_RE.search(masked, max(0, ms - 8), ms):
            subj = clause_subject(masked)  # "X offered condolences and wrote: ..."
        if subj is None:
            # inverted: '"...," said X' — the subject follows the verb
            pre = masked[: ms].rstrip()
            comma = pre.endswith(",")
            if comma:
                pre = pre[:-1].rstrip()
            quoted = not pre or pre[-1] in "\x00\"”"
            if quoted or comma:
                a = _np_after(masked, me)
                if a:
                    np = a[1].strip()
                    cleaned = clean_np(np)
                    # after plain text ("The plant will close, said X"), only a name or
                    # "the/a ..." names a speaker: "..., said hello" does not
                    if cleaned and (quoted or cleaned[1] == "name" or np.lower().startswith(ARTICLES)):
                        return Attribution(cleaned[0], cleaned[1], cue, a[0], ms)
            continue
        np, start, cleaned = subj
        if cleaned is None:
            cleaned = clean_np(np)
        if cleaned is None:
            continue
        return Attribution(cleaned[0], cleaned[1], cue, start, ms)
    if ":" in masked or PARTICIPLE_RE.search(masked) is not None:
        return _participle_or_colon(clause, masked)
    return None


AND_BEFORE_RE = re.compile(r"\sand\s+$")


def _participle_or_colon(clause: str, masked: str) -> Attribution | None:
    """No reporting verb with a subject: a participle (``, saying``) or a colon before a
    quotation (``Shortly afterwards another post went up: "..."``) names the clause's subject."""
    p = PARTICIPLE_RE.search(masked)
    comma = p is not None and masked[: p.start(1)].rstrip().endswith(",")
    if p is not None and (comma or QUOTE_NEXT_RE.match(masked, p.end())):
        subj = clause_subject(masked[: p.start(1)].rstrip().rstrip(","))
        if subj is not None:
            cleaned = subj[2] or clean_np(subj[0])
            if cleaned is not None:
                return Attribution(cleaned[0], cleaned[1], p.group(1), subj[1], p.start(1))
    c = COLON_QUOTE_RE.search(masked) if ":" in masked else None
    if c is not None:
        subj = clause_subject(masked[: c.start()])
        if subj is not None:
            cleaned = subj[2] or clean_np(subj[0])
            if cleaned is not None:
                verb = masked[subj[1] + len(subj[0]) : c.start()].strip()
                return Attribution(cleaned[0], cleaned[1], (verb + ":").strip(), subj[1], c.start())
    return None


QUOTE_NEXT_RE = re.compile(r"\s*[\"“\x00]")
WORD_RE = re.compile(r"[\w'’.&-]+")


def clause_subject(masked: str) -> tuple[str, int, tuple[str, str] | None] | None:
    """The subject of a clause: after a leading adverbial phrase, the words before its first
    verb (an auxiliary, or a ``-ed`` word followed by an object)."""
    pos = 0
    lead = LEAD_PP_RE.match(masked)
    if lead is not None:
        pos = lead.end()
    words = list(WORD_RE.finditer(masked, pos))
    while words and (words[0].group().lower() in LEADING_JUNK or words[0].group().lower() in (
            "shortly", "afterwards", "later", "earlier", "meanwhile", "now")):
        words.pop(0)
    if not words:
        return None
    end = None
    for k, w in enumerate(words[:13]):
        t = w.group()
        low = t.lower()
        if k == 0:
            continue
        nxt = words[k + 1].group().lower() if k + 1 < len(words) else ""
        if low in SUBJ_STOP or low in SAY_WORDS or low in ("went", "goes", "spoke") or (
            t.islower() and low.endswith("ed") and (nxt in OBJ_START or nxt in PREPOSITIONS or not nxt)
        ) or (t.islower() and low.endswith("s") and nxt in ("up", "on", "out")):
            end = w.start()
            break
        if "," in masked[words[k - 1].end() : w.start()] or "\x00" in masked[words[k - 1].end() : w.start()]:
            return None
    if end is None:
        return None
    start = words[0].start()
    np = masked[start:end].strip()
    if not np:
        return None
    low = np.lower()
    if low in PRONOUNS:
        return np, start, (low, "pronoun")
    cleaned = clean_np(np)
    if cleaned is None:
        return _np_after_lead(np, start)
    return np, start, cleaned


INTRO_RE = re.compile(r"\b(?:spoke|speaks|speaking|talked|talking)\s+(?:to|with)\b|\baddressed\s+(?:reporters|journalists)\b")
"""``X spoke to reporters``: X is about to be quoted, though this sentence quotes nothing."""


def find_introduction(masked: str) -> Attribution | None:
    """A person introduced as about to speak (``X, the commander of Y, spoke to reporters``)."""
    m = INTRO_RE.search(masked)
    if m is None:
        return None
    subj = _subject_before(masked, m.start())
    if subj is None:
        return None
    cleaned = subj[2] or clean_np(subj[0])
    if cleaned is None:
        return None
    return Attribution(cleaned[0], cleaned[1], m.group(), subj[1], m.start())


def _tokens(name: str) -> list[str]:
    return [t.rstrip(".").lower() for t in name.split()]


class Names:
    """People named so far in one article, to resolve short references to the fullest form.

    ``Carroll`` resolves to ``Chad G. Carroll`` if that was seen earlier; when an article
    uses ``Chad Carroll`` and later ``Col. Chad G. Carroll``, each reference resolves to
    the fullest form seen up to that point (the longest compatible name, the latest of
    equals; :func:`_compatible`).

    Both lookups are kept up to date on :meth:`add`, so :meth:`resolve` scans no list of
    names sharing a word: a one-word reference is compatible with every name whose first or
    last word it is, so its answer is stored per word; a longer one needs the same first and
    last word, so only the few names with that pair are checked.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._toks: dict[str, list[str]] = {}
        self._best: dict[str, str] = {}  # word -> longest, then latest, name it starts or ends
        self._best_len: dict[str, int] = {}
        self._by_pair: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}

    def _tokens_of(self, name: str) -> list[str]:
        toks = self._toks.get(name)
        if toks is None:
            toks = self._toks[name] = _tokens(name)
        return toks

    def add(self, name: str) -> None:
        if name in self._seen:
            return
        toks = self._tokens_of(name)
        n = len(toks)
        if n >= 2:
            self._seen.add(name)
            first, last = toks[0], toks[-1]
            self._by_pair.setdefault((first, last), []).append((name, toks))
            best_len = self._best_len
            if n >= best_len.get(first, 0):
                self._best[first], best_len[first] = name, n
            if last != first and n >= best_len.get(last, 0):
                self._best[last], best_len[last] = name, n

    def resolve(self, name: str) -> str:
        toks = self._tokens_of(name)
        n = len(toks)
        if n == 1:
            return self._best.get(toks[0], name)
        if not n:
            return name
        bucket = self._by_pair.get((toks[0], toks[-1]))
        if bucket is None:
            return name
        best = name
        for full, ftoks in bucket:  # in order of addition: later and longer forms win
            if len(ftoks) >= n and all(t in ftoks for t in toks):
                best, n = full, len(ftoks)
        return best


def _compatible(short: list[str], full: list[str]) -> bool:
    if len(short) == 1:
        return short[0] == full[-1] or short[0] == full[0]
    if short[-1] != full[-1] or short[0] != full[0]:
        return False
    return all(t in full for t in short)
