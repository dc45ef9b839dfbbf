"""People, organisations and places named in the article, with one canonical name each.

A mention is a run of capitalized words (with ``of``/``for`` inside and initials such as
``G.``), minus leading function words (``The``, ``In``...), dates (months, weekdays) and a
trailing possessive. A single capitalized word opening a sentence counts only when the
article also capitalizes it elsewhere, or it is an acronym or a known place or outlet.

Typing is by cues, not by lists of people: a title (``Col.``, ``Dr.``) or a middle
initial makes a person; an organisation head word (``Command``, ``Ministry``,
``University``) or an acronym makes an organisation; a small gazetteer of countries and
capitals, a place head word (``Province``, ``River``) or a locative preposition (``in
Suwon``) makes a place; demonyms and events are ``other``.

Variants resolve to one entity within the article: an acronym defined in parentheses
(``People's Army (KPA)``), acronyms and half-acronyms that spell the initials of a full
name (``UNC`` and ``UN Command`` -> ``United Nations Command``), and people's short
names (``Carroll`` -> the fullest form seen so far, ``Chad G. Carroll``).
"""

from __future__ import annotations

import re

from ...events import Mention
from .speakers import ORG_HEADS, ROLE_TITLES, Names

_UP = "A-ZÀ-ÖØ-Þ"
_TOK = r"(?:(?:[" + _UP + r"]\.){2,}|[" + _UP + r"][\w’'&.-]*)"
# The first token's two alternatives share their first character; written with it factored
# out, the pattern opens with a character class and ``re`` skips to candidates in C.
_TOK_FIRST = r"[" + _UP + r"](?:\.(?:[" + _UP + r"]\.)+|[\w’'&.-]*)"
RUN_RE = re.compile(_TOK_FIRST + r"(?:[ \t]+(?:(?:of|for)(?:[ \t]+the)?|de|la|del|van|von|bin|al)?[ \t]*" + _TOK + r")*")
ACR_DEF_RE = re.compile(r"\s*\(([A-Z][A-Z&]{1,7})\)")
TOKEN_RE = re.compile(r"\S+")

CAP_STOP = frozenset(
    """the a an it its he she they we i you his her their our my your this that these those there
    but and or so yet however meanwhile nevertheless nonetheless in on at for from with without after
    before while when if as since although though by to of also still then now later earlier
    another both all some many most only about more one shortly just even not no yes according
    here what who why how where which mr mrs ms despite during under over into among between
    instead indeed finally first second third last next other each every such much several""".split()
)
DATE_WORDS = frozenset(
    """january february march april may june july august september october november december jan
    feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday
    sunday""".split()
)
TITLE_TOKENS = frozenset(
    """mr mrs ms dr prof gen col lt sgt capt maj adm cmdr gov sen rep rev president minister
    secretary senator governor mayor judge colonel lieutenant captain admiral professor
    pope king queen prince princess sheikh chairman chairwoman ambassador""".split()
)
ORG_KNOWN = frozenset(
    """cnn reuters ap afp bbc nbc cbs abc fox msnbc npr yonhap kcna xinhua upi nato un eu who imf
    getty google apple facebook twitter""".split()
)
PLACE_HEADS = frozenset(
    """province county city state river sea ocean island islands mountains mountain peninsula
    strait valley bay lake gulf street avenue road square district region border""".split()
)
PLACES = frozenset(
    """afghanistan albania algeria argentina armenia australia austria azerbaijan bahrain bangladesh
    belarus belgium bolivia bosnia brazil bulgaria cambodia cameroon canada chile china colombia
    congo croatia cuba cyprus czechia denmark ecuador egypt england estonia ethiopia finland france
    georgia germany ghana greece guatemala haiti honduras hungary iceland india indonesia iran iraq
    ireland israel italy jamaica japan jordan kazakhstan kenya korea kosovo kuwait laos latvia
    lebanon libya lithuania malaysia mali mexico moldova mongolia morocco myanmar nepal netherlands
    nicaragua niger nigeria norway oman pakistan palestine panama paraguay peru philippines poland
    portugal qatar romania russia rwanda scotland senegal serbia singapore slovakia slovenia somalia
    spain sudan sweden switzerland syria taiwan tajikistan tanzania thailand tunisia turkey
    turkmenistan uganda ukraine uruguay uzbekistan venezuela vietnam wales yemen zambia zimbabwe
    america europe asia africa antarctica seoul pyongyang tokyo beijing moscow london paris berlin
    washington york kabul baghdad tehran damascus cairo jerusalem delhi mumbai shanghai
    hong kong manila jakarta bangkok hanoi sydney toronto ottawa brussels geneva rome madrid kyiv
    kiev warsaw vienna stockholm oslo dubai riyadh istanbul ankara panmunjom suwon busan
    u.s. us usa uk u.k. dmz""".split()
)
COMPASS = frozenset("north south east west northern southern eastern western new great upper lower central".split())
LOCATIVE_RE = re.compile(r"(?:\b(?:in|near|at|from|to|into|across|outside|inside|toward|towards)[ \t]+(?:the[ \t]+)?)$")
ROLE_BEFORE_RE = re.compile(
    r"\b(?:surgeon|doctor|commander|spokesman|spokeswoman|spokesperson|president|minister|director|chief|"
    r"leader|officer|official|lawyer|attorney|professor|analyst|author|reporter|correspondent|editor|"
    r"secretary|chairman|ambassador|envoy|researcher|expert|defector|soldier|student|judge|senator|"
    r"dictator|ruler|coach|ceo|founder|spokesman)[ \t,]+$"
)
PERSON_AFTER_RE = re.compile(
    r"(?:,[ \t]+(?:a|an|the|who|director|head|chief|spokesman|spokeswoman|[a-z]+[ \t]+(?:of|for|at)\b)"
    r"|[ \t]+(?:said|says|told|added|asserted|wrote|explained|argued|noted|claimed)\b)"
)
EVENT_HEADS = frozenset("war wars games olympics cup summit agreement armistice treaty accord act law".split())
LOCATIVE_ENDS = ("in", "near", "at", "from", "to", "into", "across", "outside", "inside", "toward", "towards", "the")
ROLE_ENDS = tuple(ROLE_BEFORE_RE.pattern[len(r"\b(?:") : ROLE_BEFORE_RE.pattern.index(")")].split("|"))
"""Words the context regexes end on: a window that does not end with one is not searched."""
DEMONYM_ENDS = ("an", "ans", "ese", "ish")


def _tokens(run: str) -> list[str]:
    return run.split()


def _is_acronym(tok: str) -> bool:
    if not tok.isupper():
        return False
    t = tok.replace(".", "")
    return len(t) >= 2 and t.isupper() and t.isalpha()


def _initials(tokens: list[str]) -> str:
    out = []
    for t in tokens:
        if t in ("of", "for", "the", "de", "la", "del", "van", "von", "bin", "al"):
            continue
        if _is_acronym(t):
            out.append(t.replace(".", ""))
        else:
            out.append(t[0])
    return "".join(out).upper()


def _kind(tokens: list[str], had_title: bool, where: tuple[str, int, int, int, int] | None = None) -> str:
    """Type of a run; ``where`` (text, start, end, span start, span end) is read for context
    (a locative preposition before, a role word before, an appositive or speech verb after)
    only when the cheap cues fail."""
    kind = _kind_of_words(tokens, had_title)
    if kind is not None:
        return kind
    if where is None:
        return "other"
    return _kind_in_context(tokens, where)


def _kind_of_words(tokens: list[str], had_title: bool) -> str | None:
    """The type the words alone give, or None when only the context can tell (see :func:`_kind`)."""
    if len(tokens) == 1:
        t0 = tokens[0]
        l0 = t0.lower()
        if l0 in PLACES:
            return "place"
        low = [l0.rstrip(".")]
    else:
        low = [t.lower().rstrip(".") for t in tokens]
    last = low[-1]
    joined = " ".join(low)
    if had_title:
        return "person"
    if last in ORG_HEADS or joined in ORG_KNOWN or low[0] in ORG_KNOWN and len(low) <= 2:
        return "org"
    for i in range(1, len(low) - 1):
        if low[i] in ("of", "for"):
            # the word before "of" heads the name: University of Chile, Republic of Korea
            head = low[i - 1]
            if head in ORG_HEADS:
                return "org"
            if head in PLACE_HEADS or head in ("republic", "kingdom"):
                return "place"
            break
    if joined in PLACES or (len(low) == 2 and low[0] in COMPASS and low[1] in PLACES) or last in PLACE_HEADS:
        return "place"
    if last in EVENT_HEADS:
        return "other"
    if len(tokens) == 1 and _is_acronym(tokens[0]):
        return "org"
    for t in tokens[1:-1]:
        if len(t) == 2 and t[1] == "." and t[0].isupper():
            return "person"  # middle initial
    for t in tokens:
        if not (t[0].isupper() and t[1:].replace("-", "").isalpha() and t[1:2].islower()):
            return "other"  # not title case
    if last.endswith(DEMONYM_ENDS):
        return "other"
    return None


def _kind_in_context(tokens: list[str], where: tuple[str, int, int, int, int]) -> str:
    text, s, e, us, ue = where
    if len(tokens) <= 3 and not text.startswith(("'s", "’s"), e):
        lo = max(us, s - 16)
        w = text[lo:s]
        if w.rstrip(" \t").endswith(LOCATIVE_ENDS) and LOCATIVE_RE.search(text, lo, s) is not None:
            return "place"
    if len(tokens) <= 4 and tokens[0].lower().rstrip(".") not in COMPASS:
        lo = max(us, s - 30)
        if text[lo:s].rstrip(" \t,").endswith(ROLE_ENDS) and ROLE_BEFORE_RE.search(text, lo, s):
            return "person"
        if PERSON_AFTER_RE.match(text, e, ue):
            return "person"
    return "other"


_NO_RUN = ()
_TITLE_OR_ROLE = TITLE_TOKENS | ROLE_TITLES


def _analyse_run(g: str):
    """What a capitalized run's own words say, independent of where it stands.

    None when nothing is left after trimming; else (offset and end of the mention in ``g``,
    its tokens, whether a title was stripped, its type from the words or None when the
    context decides, whether a token is an acronym, its initials).
    """
    if " " not in g and "\t" not in g:
        toks = [(g, 0)]
    else:
        toks = []
        pos = 0
        for t in g.split():  # a run's only spaces are spaces and tabs
            pos = g.index(t, pos)
            toks.append((t, pos))
            pos += len(t)
    # trim leading function words and dates, trailing dates
    while toks and (
        (toks[0][0].lower() in CAP_STOP and not _is_acronym(toks[0][0]))
        or toks[0][0].lower().rstrip(".") in DATE_WORDS
    ):
        toks.pop(0)
    while toks and toks[-1][0].lower().rstrip(".") in DATE_WORDS:
        toks.pop()
    if not toks:
        return None
    # trailing period (sentence end), possessive, stray punctuation
    last, ls = toks[-1]
    if last.endswith(".") and not (len(last) == 2 or _is_acronym(last) or last.count(".") > 1):
        last = last[:-1]
    if last.endswith(("'s", "’s")):
        last = last[:-2]
    if last.endswith("-based") and len(last) > 6:
        last = last[:-6]  # "London-based" names London
    last = last.rstrip("-'’&.") if not _is_acronym(last) and len(last) != 2 else last
    if not last:
        toks.pop()
        if not toks:
            return None
    else:
        toks[-1] = (last, ls)
    # titles and role words before a name: "Col.", "Finance Minister", "Italy's Prime Minister"
    k = 0
    if len(toks) > 2 and toks[0][0].endswith(("'s", "’s")) and toks[1][0].lower().rstrip(".") in _TITLE_OR_ROLE:
        del toks[0]
    for i, (t, _) in enumerate(toks[:-1]):
        low = t.lower()
        if low.rstrip(".") in TITLE_TOKENS:
            k = i + 1
        elif low not in ROLE_TITLES:
            break
    had_title = k > 0 and toks[-1][0].lower() not in ORG_HEADS
    if had_title:
        del toks[:k]
    s = toks[0][1]
    e = toks[-1][1] + len(toks[-1][0])
    words = [t for t, _ in toks]
    acr = any(map(_is_acronym, words))
    initials = _initials(words) if len(words) >= 2 or acr else None
    return s, e, words, had_title, _kind_of_words(words, had_title), acr, initials


def find_mentions(text: str, spans: list[tuple[int, int]], speakers: Names | None = None) -> list[list[Mention]]:
    """Mentions in each of ``spans`` (in document order), with canonical entity names.

    A run's own words are analysed once per article (:func:`_analyse_run`); only the
    context cues are read at each occurrence.
    """
    # one tuple per mention found: (unit, start, end, text, tokens, type, initial, acronym, initials)
    raws: list[tuple] = []
    acr_defs: dict[str, str] = {}
    mid_caps: set[str] = set()
    seen: dict[str, tuple | None] = {}
    for ui, (us, ue) in enumerate(spans):
        for m in RUN_RE.finditer(text, us, ue):
            g = m.group()
            info = seen.get(g, _NO_RUN)
            if info is _NO_RUN:
                if " " not in g and g.lower() in CAP_STOP:
                    info = None  # fast path: "The", "He", "In"
                else:
                    info = _analyse_run(g)
                seen[g] = info
            if info is None:
                continue
            rs, re_, toks, had_title, kind, acr, initials = info
            s = m.start() + rs
            e = m.start() + re_
            j = s - 1
            while j >= us and text[j] in " \t\"“‘'(-*•#>":
                j -= 1
            initial = j < us or text[j] in ".!?:;"
            if kind is None:
                kind = _kind_in_context(toks, (text, s, e, us, ue))
            if not initial and len(toks) == 1:
                mid_caps.add(toks[0])
            mtext = g[rs:re_]
            raws.append((ui, s, e, mtext, toks, kind, initial, acr, initials))
            if len(toks) >= 2:
                a = ACR_DEF_RE.match(text, e, ue)
                if a:
                    acr_defs[a.group(1)] = mtext
    # full forms by initials: "United Nations Command" -> "UNC"
    full_by_initials: dict[str, str] = {}
    kind_of: dict[str, str] = {}
    for r in raws:
        if not r[7] and len(r[4]) >= 2:
            full_by_initials.setdefault(r[8], r[3])
            kind_of.setdefault(r[3], r[5])
    names = Names()
    out: list[list[Mention]] = [[] for _ in spans]
    for unit, start, end, rtext, toks, kind, initial, acr, initials in raws:
        if initial and len(toks) == 1 and rtext not in mid_caps:
            low = rtext.lower()
            if not (_is_acronym(rtext) or low in PLACES or low in ORG_KNOWN or names.resolve(rtext) != rtext):
                continue
        entity = rtext
        if rtext in acr_defs:
            entity = acr_defs[rtext]
            kind = kind_of.get(entity, "org")
        elif acr:
            full = full_by_initials.get(initials)
            if full:
                entity, kind = full, kind_of.get(full, kind)
        if kind == "person" or len(toks) == 1 or kind == "other":
            resolved = names.resolve(rtext)
            if resolved != rtext:
                entity, kind = resolved, "person"
            elif kind == "person":
                names.add(rtext)
        out[unit].append(Mention(rtext, start, end, kind, entity))
    return out
