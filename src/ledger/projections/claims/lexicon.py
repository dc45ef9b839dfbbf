"""The claims matcher's vocabulary: general English news words, nothing from any eval set.

Every list here is ordinary newswire vocabulary (units, number words, hedges, bounds, titles,
nouns for people), written from general knowledge of English news style, so the same build
works on stories about any event. docs/projections.md explains each list. Event verbs and
their classes live in :mod:`.frames`.
"""

from __future__ import annotations

NUMBER_WORDS: dict[str, float] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "a dozen": 12,
    "hundred": 100, "a hundred": 100, "thousand": 1000, "a thousand": 1000,
}
"""Number words up to ninety (tens and units join with a hyphen: ``twenty-five``)."""

SCALES: dict[str, float] = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "m": 1_000_000, "billion": 1_000_000_000,
    "bn": 1_000_000_000, "k": 1_000,
}

FRACTIONS: dict[str, float] = {"half": 0.5, "a half": 0.5, "a third": 1 / 3, "a quarter": 0.25, "two thirds": 2 / 3,
                               "three quarters": 0.75}
"""``half of`` = 50 %: a fraction of a group is a share, compared as a percentage."""

# unit word -> (measure, factor to the measure's base unit)
UNITS: dict[str, tuple[str, float]] = {}
for _words, _measure, _factor in [
    ("km kms kilometre kilometres kilometer kilometers", "distance", 1000.0),
    ("m metre metres meter meters", "distance", 1.0),
    ("cm centimetre centimetres centimeter centimeters", "distance", 0.01),
    ("mm millimetre millimetres millimeter millimeters", "distance", 0.001),
    ("mi mile miles", "distance", 1609.344),
    ("yd yard yards", "distance", 0.9144),
    ("ft foot feet", "distance", 0.3048),
    ("in inch inches", "distance", 0.0254),
    ("second seconds sec secs", "duration", 1.0),
    ("minute minutes min mins", "duration", 60.0),
    ("hour hours hr hrs", "duration", 3600.0),
    ("day days", "duration", 86400.0),
    ("night nights", "duration", 86400.0),
    ("week weeks", "duration", 7 * 86400.0),
    ("fortnight fortnights", "duration", 14 * 86400.0),
    ("month months", "duration", 30.4 * 86400.0),
    ("year years", "duration", 365.25 * 86400.0),
    ("kg kilogram kilograms kilo kilos", "mass", 1.0),
    ("g gram grams", "mass", 0.001),
    ("tonne tonnes ton tons", "mass", 1000.0),
    ("lb lbs pound-weight", "mass", 0.4536),
    ("l litre litres liter liters", "volume", 1.0),
    ("gallon gallons", "volume", 3.785),
    ("percent per cent %", "percent", 1.0),
    ("mph", "speed", 1.609344),
    ("kph km/h", "speed", 1.0),
    ("c celsius", "temperature", 1.0),
    ("dollar dollars usd $", "money:usd", 1.0),
    ("euro euros eur €", "money:eur", 1.0),
    ("pound pounds gbp £", "money:gbp", 1.0),
]:
    for _w in _words.split():
        UNITS[_w] = (_measure, _factor)

BOUNDS: dict[str, str] = {
    "at least": "min", "more than": "above", "over": "above", "upwards of": "min", "in excess of": "above",
    "no fewer than": "min", "no less than": "min", "at most": "max", "up to": "max", "as many as": "max",
    "less than": "below", "fewer than": "below", "under": "below", "no more than": "max", "nearly": "near-below",
    "almost": "near-below", "about": "about", "around": "about", "approximately": "about", "roughly": "about",
    "some": "about", "an estimated": "about", "estimated": "about", "close to": "near-below", "just over": "above",
    "just under": "below", "more than a": "above", "over a": "above",
}
"""Bound words before a number and how they read it (``about`` is +-10 %, see conflicts)."""

HEDGES = (
    "reportedly", "allegedly", "apparently", "believed to", "thought to", "said to be", "is said to", "was said to",
    "estimated", "possibly", "probably", "may have", "might have", "could have", "unconfirmed", "appears to",
    "appeared to", "seems to", "seemed to", "understood to", "expected to",
)
"""Words that mark a value or a fact as reported rather than asserted."""

NEGATIONS = ("not", "no", "never", "n't", "none", "neither", "nor", "without", "denied", "denies", "deny")

TITLES = frozenset(
    """governor mayor president minister premier chancellor chief commander director spokesman spokeswoman
    spokesperson secretary chairman chairwoman chair head leader ambassador general colonel captain
    lieutenant sergeant officer admiral judge prosecutor attorney senator representative congressman
    congresswoman councillor councilor sheriff coach manager editor founder owner principal dean professor
    superintendent commissioner inspector deputy king queen prince princess prime""".split()
)
"""Role nouns a person is introduced with (``X, the governor of Y``)."""

TITLE_MODIFIERS = {"former": "former", "ex": "former", "ex-": "former", "retired": "former", "outgoing": "outgoing",
                   "acting": "acting", "interim": "acting", "deputy": "deputy", "vice": "deputy", "late": "former",
                   "then": "former"}
"""Words that change what a title says (a *former* governor is not the governor)."""

PERSON_NOUNS = frozenset(
    """person people man men woman women boy boys girl girls child children kid kids teen teens teenager
    teenagers adult adults student students pupil pupils player players footballer footballers member
    members worker workers soldier soldiers troop troops officer officers police policeman policemen diver
    divers rescuer rescuers volunteer volunteers victim victims survivor survivors resident residents
    civilian civilians patient patients passenger passengers migrant migrants refugee refugees protester
    protesters demonstrator demonstrators journalist journalists doctor doctors nurse nurses firefighter
    firefighters staff employee employees voter voters fan fans athlete athletes crew official officials
    hostage hostages prisoner prisoners inmate inmates suspect suspects militant militants fighter fighters
    expert experts engineer engineers paramedic paramedics""".split()
)
"""Nouns for people: a count of any of them counts people; ``a/an + one of them`` is 1 only
against a small count (see features)."""

PERSON_GROUP = "person"


NEWS_SYNONYMS: tuple[str, ...] = (
    "aircraft plane jet airliner", "helicopter chopper", "ship vessel", "lorry truck", "blast explosion",
    "earthquake quake tremor", "inquiry investigation probe", "lawyer attorney", "doctor physician medic",
    "colleague comrade partner", "abroad overseas", "worldwide global", "disappear vanish",
    "resume restart", "finish complete", "restock replenish refill resupply", "revive resuscitate", "try attempt",
    "funeral burial", "youngster youth teenager teen adolescent", "child kid", "team squad", "buy purchase",
    "begin commence", "dismiss sack", "film movie", "flat apartment", "homeless unhoused", "blaze inferno",
    "storm tempest", "toll tally", "evacuate evacuee", "missing unaccounted", "remains corpse body",
)
"""General newswire synonym classes (the first word names the class), beside those of
:mod:`..text`: two outlets telling one fact pick different words from these."""
