"""Kinds: headline, credit, caption, boilerplate and statement, on articles written here."""

from __future__ import annotations

from helpers import run

ARTICLE = (
    "Storm Floods Valley Town\n\n"
    "AP Photo/Jane Doe\n\n"
    "By Kim Lee and Sam Ortiz\n"
    "Rescuers pulled 40 people from the river on Monday.\n"
    "Residents sit on a roof in Valley Town on Monday. (Reuters/John Smith)\n"
    "Sign up for our daily newsletter. Share this article\n"
    "Storm Floods Valley Town\n"
    "Storm Floods Valley Town | World\n"
    "Storm Floods Valley Town | U.S.Another Story Headline Here"
)


def kinds(text, **kw):
    return [(x.kind, q) for q, x in run(text, **kw)]


def test_kinds_of_every_line():
    got = kinds(ARTICLE, title="Storm floods valley town")
    assert got == [
        ("headline", "Storm Floods Valley Town"),
        ("credit", "AP Photo/Jane Doe"),
        ("boilerplate", "By Kim Lee and Sam Ortiz"),
        ("statement", "Rescuers pulled 40 people from the river on Monday."),
        ("caption", "Residents sit on a roof in Valley Town on Monday."),
        ("credit", "(Reuters/John Smith)"),
        ("boilerplate", "Sign up for our daily newsletter."),
        ("boilerplate", "Share this article"),
        ("boilerplate", "Storm Floods Valley Town"),
        ("boilerplate", "Storm Floods Valley Town | World"),
        ("boilerplate", "Storm Floods Valley Town | U.S."),
        ("boilerplate", "Another Story Headline Here"),
    ]


def test_headline_without_title_is_a_short_unpunctuated_first_line():
    got = kinds("Mayor Quits After Vote\nThe mayor quit on Friday after a vote.")
    assert got[0] == ("headline", "Mayor Quits After Vote")
    assert got[1][0] == "statement"


def test_first_line_that_is_prose_is_a_statement():
    got = kinds("The mayor quit on Friday after a long and bitter vote in the council.")
    assert got == [("statement", "The mayor quit on Friday after a long and bitter vote in the council.")]


def test_agency_slash_credit_and_photo_prefix():
    for line in ("Handout/Getty Images News/Getty Images", "Photo: Ann Berg", "Photograph by Tom Wu/EPA", "(Reuters)"):
        got = kinds("Some Headline\n" + line + "\nA claim is made here.")
        assert got[1] == ("credit", line), line


def test_wire_dateline_is_a_credit_and_the_rest_a_statement():
    got = kinds("Quake Hits Coast\nLIMA, Peru (Reuters) - A strong quake hit the coast on Monday.")
    assert got[1] == ("credit", "LIMA, Peru (Reuters) -")
    assert got[2] == ("statement", "A strong quake hit the coast on Monday.")


def test_a_sentence_mentioning_an_agency_is_still_a_statement():
    got = kinds("Headline Here\nReuters reported that Getty Images was sold.")
    assert got[1][0] == "statement"


def test_nothing_is_dropped():
    text = ARTICLE + "\n\nA final claim with a number, 7, in it."
    covered = set()
    for _q, x in run(text, title="Storm floods valley town"):
        covered.update(range(x.start, x.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
