"""Event frames: which kind of happening a statement reports, from a general news verb lexicon.

A frame is the class of the statement's event verb (or event noun: ``death``, ``rescue``)
with the slots the statement fills (see :mod:`.features`). Two statements about the same
happening share a frame class even when the words differ (``freed`` / ``brought out``);
two statements that share only the story's nouns usually do not.

The classes are ordinary newswire vocabulary, written from general English usage and kept
small on purpose; docs/projections.md lists them. They are not tuned to any story.
"""

from __future__ import annotations

from attrs import frozen

FRAME_CLASSES: dict[str, str] = {
    # class: verb lemmas (and multiword verbs joined by "_"), then event nouns after "|"
    "blaze": "burn ignite explode | fire blaze explosion wildfire",
    "attack": "attack hit strike shoot fire shell bomb stab assault ambush raid | attack strike shooting gunfire "
              "airstrike bombing assault raid",
    "kill": "kill slay murder execute assassinate | killing murder execution assassination",
    "die": "die perish drown succumb suffocate pass_away lose_life run_out_of_air run_out_of_oxygen "
           "lose_consciousness | death fatality toll dead drowning",
    "injure": "injure wound hurt maim | injury wound casualty",
    "rescue": "rescue save free extract evacuate bring_out pull_out airlift recover drag_to_safety pull_to_safety "
              "carry_to_safety bring_to_safety lead_to_safety help_to_safety winch_to_safety get_to_safety haul_out "
              "lift_out carry_out bring_to_the_surface | rescue extraction evacuation",
    "find": "find discover locate spot uncover reach trace track_down come_across stumble_upon | discovery",
    "chase": "chase pursue hunt | chase pursuit",
    "flee": "flee escape defect cross run_away | escape defection flight",
    "release": "release publish show unveil issue post broadcast air | release publication footage video",
    "transport": "fly carry ship drive transport send deliver ferry transfer move | transfer flight",
    "revive": "revive resuscitate bring_round bring_to | resuscitation cpr",
    "treat": "treat hospitalise hospitalize admit quarantine examine recover | treatment quarantine hospital",
    "arrest": "arrest detain apprehend charge jail imprison | arrest detention charge",
    "meet": "meet visit host | meeting visit summit talks",
    "lose": "lose miss vanish disappear go_missing | loss disappearance",
    "violate": "violate breach break infringe | violation breach",
    "ask": "ask request urge demand appeal | request appeal demand",
    "resign": "resign quit step_down | resignation",
    "announce": "announce declare confirm proclaim | announcement declaration",
    "trap": "trap strand stick block cut_off | ",
    "enter": "enter go_into go_in | entry",
    "exit": "emerge exit leave come_out get_out | exit",
    "start": "start begin resume launch restart | start beginning launch",
    "stop": "stop halt pause suspend end finish complete delay postpone | halt pause suspension end delay postponement",
    "participate": "participate take_part join mobilise mobilize deploy involve help assist volunteer | "
                   "participation deployment",
    "search": "search look_for comb | search",
    "flood": "flood rain inundate | flood flooding rain rainfall monsoon storm",
    "increase": "rise increase grow climb soar jump | rise increase growth",
    "decrease": "fall drop decline decrease shrink plunge | fall drop decline",
    "build": "build construct erect | construction",
    "close": "close shut | closure",
    "open": "open reopen | opening",
    "approve": "approve pass adopt sign ratify | approval",
    "vote": "vote elect | vote election",
    "win": "win beat defeat | victory win",
    "pay": "pay fund spend cost | payment funding",
    "sue": "sue | lawsuit",
    "ban": "ban prohibit forbid | ban",
    "say": "say tell state report claim add note warn | statement",
}
"""Frame class -> its verbs and event nouns (general news vocabulary)."""

VERB_CLASS: dict[str, str] = {}
NOUN_CLASS: dict[str, str] = {}
MULTIWORD: dict[tuple[str, ...], str] = {}
for _cls, _spec in FRAME_CLASSES.items():
    _verbs, _, _nouns = _spec.partition("|")
    for _v in _verbs.split():
        if "_" in _v:
            MULTIWORD[tuple(_v.split("_"))] = _cls
        else:
            VERB_CLASS.setdefault(_v, _cls)
    for _n in _nouns.split():
        NOUN_CLASS.setdefault(_n, _cls)

REPORTING_CLASSES = frozenset({"say", "announce"})
"""Reporting and confirming frame the telling, not the happening: never evidence of one fact."""


@frozen
class Frame:
    """One event in a statement: its class and the word that gave it."""

    cls: str
    word: str
    negated: bool = False
    verb: bool = False
    """Told as an action (a verb), not named by a noun (``fire swept`` vs ``the mill fire``)."""


def frames_of(tokens: list[tuple[str, str, str]]) -> tuple[Frame, ...]:
    """Frames from ``(surface, lemma, pos)`` tokens of a statement's core, in order.

    ``pos`` is ``V`` for a word lemminflect reads as a verb, ``N`` otherwise. Multiword verbs
    (``took part``, ``brought out``) are matched on lemmas over at most four tokens.
    """
    out: list[Frame] = []
    lemmas = [t[1] for t in tokens]
    n = len(lemmas)
    used: set[int] = set()
    for i in range(n):
        for words, cls in MULTIWORD.items():
            k = len(words)
            if lemmas[i] != words[0]:
                continue
            if lemmas[i : i + k] == list(words):
                span = range(i, i + k)
            elif k > 1 and tokens[i + 1 : i + 2] and (tokens[i + 1][0].lower().endswith("ly") or lemmas[i + 1] in _OBJECT_PRONOUNS) \
                    and lemmas[i + 2 : i + k + 1] == list(words[1:]):
                span = range(i, i + k + 1)  # one adverb or pronoun inside: "brought safely out", "bring him round"
            else:
                continue
            out.append(Frame(cls, " ".join(tokens[j][0] for j in span), _negated_before(lemmas, i), True))
            used.update(span)
    for i, (surface, lemma, pos) in enumerate(tokens):
        if i in used:
            continue
        # after "to" or a modal the word is a verb whatever its other readings ("appears to cross")
        verb = pos == "V" or (i > 0 and lemmas[i - 1] in _VERB_BEFORE)
        cls = VERB_CLASS.get(lemma) if verb else None
        as_verb = cls is not None
        if cls is None:
            cls = NOUN_CLASS.get(lemma)
        if cls is None and pos == "V":
            continue
        if cls is not None:
            out.append(Frame(cls, surface, _negated_before(lemmas, i), as_verb))
    return tuple(out)


_VERB_BEFORE = frozenset("to will would can could may might must should shall did do does n't not never".split())
"""Words after which an event word reads as a verb (an infinitive, a modal, a negated auxiliary)."""

_NEG = frozenset({"not", "never", "n't", "no"})

_OBJECT_PRONOUNS = frozenset("him her them it us me you".split())


def _negated_before(lemmas: list[str], i: int) -> bool:
    """A negator within the three words before the verb (``did not find``, ``has never been``),
    or further back over auxiliaries only (``does not appear to have halted``)."""
    if any(w in _NEG for w in lemmas[max(0, i - 3) : i]):
        return True
    j = i - 1
    while j >= 0 and lemmas[j] in _AUX_BETWEEN:
        j -= 1
    return j >= 0 and j < i - 1 and lemmas[j] in _NEG


_AUX_BETWEEN = frozenset("appear seem to have be do yet ever even also been".split())
