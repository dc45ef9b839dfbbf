"""The rules extractor on articles unlike the corpus (issue #3): wire, Reuters and BBC
styles, local news full of numbers, analysis with hedges, a correction note, a live blog
and Markdown with lists. Every article is written here; each test pins one behaviour
that was wrong before this pass.
"""

from __future__ import annotations

from helpers import find, run

WIRE = (
    'Strong quake shakes southern Chile\n'
    '\n'
    'By Ana Torres and Mark Fielding\n'
    'Associated Press\n'
    '\n'
    'VALDIVIA, Chile (AP) — A magnitude 6.8 earthquake struck southern Chile at 3:42 a.m. on Saturday, according to the U.S. Geological Survey. There were no immediate reports of deaths.\n'
    '\n'
    'The quake was centred 40 kilometres (25 miles) northeast of Valdivia at a depth of 10 km, the USGS said. Dr. Elena Ruiz, a seismologist at the University of Chile, said aftershocks were likely to continue for days.\n'
    '\n'
    '"The houses shook like paper," said Jorge Pérez, 54, a fisherman in the port of Corral. "We ran to the hills."\n'
    '\n'
    'President Gabriel Boric is expected to visit Valdivia on Sunday. He met emergency officials on Thursday, his office said in a statement.\n'
    '\n'
    'About 1,200 people spent the night in shelters, according to a statement from the National Disaster Prevention and Response Service (Senapred).\n'
    '\n'
    'Associated Press writer Luis Andrés Henao in Santiago contributed to this report.\n'
    '\n'
    'Copyright 2024 The Associated Press. All rights reserved.'
)

REUTERS = (
    'Shipping rates climb as Red Sea detours drag on\n'
    '\n'
    'LONDON (Reuters) - Container shipping rates rose for a fifth straight week, industry data showed on Wednesday, as carriers continued to avoid the Red Sea.\n'
    '\n'
    'The Drewry World Container Index rose 6% to $3,160 per 40-foot container, according to the London-based consultancy. That is still well below the 2021 peak.\n'
    '\n'
    '"We don\'t see relief before the third quarter," said Lars Jensen, chief executive of Vespucci Maritime, in an interview. Rates on the Asia–Europe route have more than doubled since December, he said.\n'
    '\n'
    "A.P. Moller-Maersk, the world's second-largest carrier, said on May 2 it would add capacity. The company did not give a figure.\n"
    '\n'
    'U.N. trade body UNCTAD said last week that the detours could add 1.3 percentage points to global inflation.\n'
    '\n'
    '(Reporting by Jonathan Saul; Editing by Kirsten Donovan)'
)

BBC = (
    'Council to close three libraries to save £1.2m\n'
    '\n'
    'Three libraries in Northfield are to close after councillors approved cuts worth £1.2m.\n'
    '\n'
    "The council's leader, Sarah Mills, said the decision was 'painful but unavoidable'.\n"
    '\n'
    "'We have looked at every option,' she said. 'There is simply no money left.'\n"
    '\n'
    'Campaigners, who gathered 4,500 signatures, said they might challenge the decision in court.\n'
    '\n'
    "Jane Okoro, from the Save Our Libraries group, told the BBC: 'This is a sad day for the town.'\n"
    '\n'
    'The libraries will shut on 31 March, the council confirmed.\n'
    '\n'
    'Related: Council tax to rise by 4.99%\n'
    '\n'
    'Follow BBC West Midlands on Facebook and X.'
)

LOCAL = (
    'Harbor project costs jump to $2.3 million\n'
    '\n'
    'By Priya Natarajan\n'
    'Staff Writer\n'
    '\n'
    'The cost of repairing the Old Harbor seawall has risen to $2.3 million, up from an estimate of $1.8 million last year, city officials said Thursday.\n'
    '\n'
    "Between 20 and 30 workers will be on site each day, and the work is expected to take 18 months. About a third of the budget will come from a state grant; two-thirds will be paid from the city's reserves.\n"
    '\n'
    'A 1,200-strong petition asked the council to delay the project. The council voted 5-2 to go ahead.\n'
    '\n'
    'Harbor master Tom Reilly, 61, said fishing boats would be moved to a temporary dock 300 metres away. "It\'s the biggest job we\'ve done in 40 years," Reilly said.\n'
    '\n'
    "The European partner, Nordsee Marine GmbH, quoted €15m for a full rebuild, roughly 12% more than the city's plan. Unemployment in the county is 4.1 per cent.\n"
    '\n'
    'Work begins on July 1 and is due to finish in the first quarter of 2026.\n'
    '\n'
    'Photo: Harbor master Tom Reilly on the seawall. (Staff photo/Ann Kerr)'
)

ANALYSIS = (
    'Analysis: Can the coalition survive the summer?\n'
    '\n'
    'The coalition could collapse before the summer recess, sources say. It is unclear whether the junior partner will back the budget.\n'
    '\n'
    'The prime minister is likely to call a confidence vote next month. That might force rebels to choose sides.\n'
    '\n'
    'Some analysts believe the government will hold. "I don\'t think they have the numbers to bring it down," said Maria Costa, a political scientist at Leiden University.\n'
    '\n'
    'The finance minister has not ruled out early elections. Neither party wants a vote now, according to people familiar with the talks.\n'
    '\n'
    'Opinion polls show support for the governing party at 21 percent, its lowest since 2019.\n'
    '\n'
    "This is an opinion piece. The views expressed are the author's own."
)

CORRECTION = (
    'School board approves later start times\n'
    '\n'
    'Correction: An earlier version of this article misstated the number of students affected. It is 8,400, not 4,800.\n'
    '\n'
    "Editor's note: This story has been updated with comment from the teachers' union.\n"
    '\n'
    'The Riverside school board voted 4-1 on Monday to move high school start times to 8:45 a.m. from 7:30 a.m., starting next school year.\n'
    '\n'
    'The change affects 8,400 students across six high schools, district spokesperson Karen Liu said.\n'
    '\n'
    '"Teenagers need more sleep," said board member Alan Brooks, who proposed the change. He said bus routes would be redrawn over the summer.\n'
    '\n'
    "The teachers' union said in a statement that it had not been consulted.\n"
    '\n'
    'Parents have until Feb. 15 to comment.'
)

LIVE = (
    'Live: Floods hit northern Italy\n'
    '\n'
    'Updated 14:05 BST\n'
    '\n'
    '14:05 — Rescuers have reached the village of San Martino, the civil protection agency said. Around 300 people are still stranded.\n'
    '\n'
    "13:40 — Italy's Prime Minister Giorgia Meloni said she would travel to the region on Friday.\n"
    '\n'
    '12:15 — Rainfall of 200mm was recorded in 24 hours in Bologna, the regional weather service said. "We have never seen anything like this," said Marco Bianchi, the mayor of Imola.\n'
    '\n'
    '11:50 — Key points so far:\n'
    '\n'
    '- At least 2 people have died\n'
    '- Rail services between Milan and Bologna are suspended\n'
    '- Schools in the region will stay closed tomorrow\n'
    '\n'
    'Read more: How climate change is making floods worse'
)

MARKDOWN = (
    '# What the new housing law means for renters\n'
    '\n'
    '*By Olivia Grant, Housing Correspondent*\n'
    '\n'
    'The new housing law takes effect on Oct. 1. Here is what changes.\n'
    '\n'
    '## Rent increases\n'
    '\n'
    'Landlords can raise rents by no more than 5% a year, down from 10%. The cap applies to about 60% of rental homes, the housing ministry said.\n'
    '\n'
    '## Evictions\n'
    '\n'
    "- Tenants must get at least 90 days' notice.\n"
    '- "No-fault" evictions are banned.\n'
    '- Landlords may still evict for unpaid rent.\n'
    '\n'
    '## What critics say\n'
    '\n'
    '"This will shrink supply," said Rob Hale, chief executive of the National Landlords Association. The association said it might challenge the law.\n'
    '\n'
    '*Photo: A block of flats in Leeds. (Getty Images)*'
)


def kinds(text, **kw):
    return [(x.kind, q) for q, x in run(text, **kw)]


def vals(x):
    return [(v.type, v.text, v.value, v.unit, v.qualifier) for v in x.values]


def ents(x):
    return {m.text: m.type for m in x.entities}


# -- attribution -------------------------------------------------------------------------


def test_according_to_reads_through_dotted_abbreviations():
    """``according to the U.S. Geological Survey`` names the survey, not ``U``."""
    x = find(WIRE, "magnitude 6.8", published="2024-03-16")
    assert (x.speaker, x.speaker_cue) == ("U.S. Geological Survey", "according to")


def test_dotted_abbreviations_and_initials_in_every_attribution_form():
    """Titles, initials, U.S./U.N./U.K., Jr. and Inc. survive inside speaker phrases."""
    cases = {
        "The plant will close, according to the U.N. refugee agency.": "U.N. refugee agency",
        "The plant will close, according to the U.K. Treasury.": "U.K. Treasury",
        "The plant will close, according to Dr. Ana Ruiz of St. Mary's Hospital.": "Ana Ruiz",
        "The plant will close, according to Acme Inc. and its lawyers.": "Acme Inc.",
        "The plant will close, said Martin Luther King Jr., the pastor.": "Martin Luther King Jr.",
        "The plant will close, said J.R. Smith, the coach.": "J.R. Smith",
        "The plant will close, J. R. R. Tolkien said.": "J. R. R. Tolkien",
        "The U.S. State Department said the plant will close.": "U.S. State Department",
        "The plant will close, said the U.S. State Department.": "U.S. State Department",
    }
    for sentence, speaker in cases.items():
        assert find("Plant To Close\n" + sentence, "plant will close").speaker == speaker, sentence


def test_said_x_after_plain_text_and_person_of_organisation():
    """``..., said X, a spokesperson for Y`` and ``X of the Y said`` give the person."""
    text = (
        "Plant To Close\nThe plant will close in May, said Ana Ruiz, a spokesperson for the Interior Ministry.\n"
        "Ben Ode of the Labour Ministry said talks would go on. The site is old, said the mayor.\n"
        "He arrived, said hello, and left."
    )
    assert find(text, "close in May").speaker == "Ana Ruiz"
    assert find(text, "talks would go on").speaker == "Ben Ode"
    assert find(text, "The site is old").speaker == "mayor"
    assert find(text, "said hello").speaker is None


def test_ages_and_relative_clauses_are_not_speakers():
    """``X, 54, said`` and ``X, who ..., said`` attribute to X, and the age is an ``age``."""
    x = find(LOCAL, "temporary dock", published="2024-06-14")
    assert x.speaker == "Tom Reilly"
    assert ("age", "61", "61", "years", None) in vals(x)
    assert find(BBC, "challenge the decision", published="2024-02-09").speaker == "Campaigners"
    assert find(WIRE, "shook like paper", published="2024-03-16").speaker == "Jorge Pérez"


def test_statement_from_and_possessive_titles():
    """``according to a statement from Y`` gives Y; ``Italy's Prime Minister X`` gives X."""
    x = find(WIRE, "spent the night", published="2024-03-16")
    assert x.speaker == "National Disaster Prevention and Response Service"
    assert find(LIVE, "travel to the region", published="2024-07-04").speaker == "Giorgia Meloni"
    assert find(WIRE, "met emergency officials", published="2024-03-16").speaker == "his office"


def test_single_quoted_quotations_attribute_and_continue():
    """BBC-style single quotes: the quote is masked, attributed and continued like a double-quoted one."""
    assert find(BBC, "every option", published="2024-02-09").speaker == "Sarah Mills"
    x = find(BBC, "no money left", published="2024-02-09")
    assert (x.speaker, x.speaker_cue) == ("Sarah Mills", "said")
    assert find(BBC, "sad day", published="2024-02-09").speaker == "Jane Okoro"


# -- values ------------------------------------------------------------------------------


def test_clock_times_are_times_not_counts():
    """``3:42 a.m.`` is one ``time`` value ``03:42``; no 3 or 42 is counted."""
    x = find(WIRE, "magnitude 6.8", published="2024-03-16")
    got = vals(x)
    assert ("time", "3:42 a.m.", "03:42", None, None) in got
    assert not any(v[2] in ("3", "42") for v in got)
    y = find(CORRECTION, "start times", published="2024-01-22")
    assert [v[2] for v in vals(y) if v[0] == "time"] == ["08:45", "07:30"]
    assert not any(v[0] == "quantity" for v in vals(y))  # nor the 4-1 tally


def test_future_weekday_is_the_coming_one():
    """In a future-tense clause a bare weekday is the next such day; in a past one the last."""
    assert vals(find(WIRE, "expected to visit", published="2024-03-16"))[0][2] == "2024-03-17"
    assert vals(find(WIRE, "met emergency officials", published="2024-03-16"))[0][2] == "2024-03-14"
    assert vals(find(LIVE, "travel to the region", published="2024-07-04"))[0][2] == "2024-07-05"


def test_future_month_day_is_the_coming_one():
    """A month-day without a year in a future clause is on or after publication, not last year's."""
    assert ("date", "31 March", "2024-03-31", None, None) in vals(find(BBC, "will shut", published="2024-02-09"))
    assert ("date", "Feb. 15", "2024-02-15", None, None) in vals(find(CORRECTION, "Parents have until", published="2024-01-22"))
    assert ("date", "July 1", "2024-07-01", None, None) in vals(find(LOCAL, "Work begins", published="2024-06-14"))
    assert ("date", "Oct. 1", "2024-10-01", None, None) in vals(find(MARKDOWN, "takes effect", published="2024-09-03"))


def test_money_ranges_fractions_and_strength():
    """``£1.2m``, ``€15m``, ``between 20 and 30``, ``a third of``, ``two-thirds`` and ``1,200-strong`` read as said."""
    assert ("quantity", "£1.2m", "1200000", "GBP", None) in vals(find(BBC, "cuts worth", published="2024-02-09"))
    assert ("quantity", "€15m", "15000000", "EUR", None) in vals(find(LOCAL, "full rebuild", published="2024-06-14"))
    x = vals(find(LOCAL, "Between 20 and 30", published="2024-06-14"))
    assert ("range", "Between 20 and 30", "20/30", "workers", None) in x
    x = vals(find(LOCAL, "a third of", published="2024-06-14"))
    assert ("fraction", "About a third", "1/3", None, "about") in x
    assert ("fraction", "two-thirds", "2/3", None, None) in x
    assert ("quantity", "1,200-strong", "1200", "petition", None) in vals(find(LOCAL, "petition", published="2024-06-14"))
    assert vals(find(LOCAL, "voted 5-2", published="2024-06-14")) == []  # a tally is not a count
    assert ("quantity", "200mm", "200", "mm", None) in vals(find(LIVE, "Rainfall", published="2024-07-04"))


def test_units_stop_before_verbs_and_other_values():
    """What is counted ends at a verb or a date: ``1,200 people``, ``$1.8 million`` (not ``USD last year``)."""
    assert ("quantity", "About 1,200", "1200", "people", "about") in vals(find(WIRE, "spent the night", published="2024-03-16"))
    assert ("quantity", "$1.8 million", "1800000", "USD", None) in vals(find(LOCAL, "seawall", published="2024-06-14"))


def test_no_more_than_is_a_bound_not_a_negation():
    """``no more than 5%`` is an at-most value and does not negate the sentence."""
    x = find(MARKDOWN, "raise rents", published="2024-09-03")
    assert x.modality == "asserted"
    assert ("percent", "no more than 5%", "5", "percent", "at most") in vals(x)


# -- hedges ------------------------------------------------------------------------------


def test_analysis_hedges():
    """``could``, ``is likely to``, ``might``, ``it is unclear whether`` and ``X believe`` hedge; ``not`` negates."""
    for needle in ("could collapse", "unclear whether", "likely to call", "might force", "analysts believe"):
        assert find(ANALYSIS, needle, published="2024-04-20").modality == "hedged", needle
    assert find(ANALYSIS, "not ruled out", published="2024-04-20").modality == "negated"
    x = find(ANALYSIS, "Neither party", published="2024-04-20")
    assert (x.speaker, x.modality) == ("people familiar with the talks", "negated")
    assert find(ANALYSIS, "sources say", published="2024-04-20").speaker == "sources"
    assert find("Fans\n\"I believe in this city,\" she said.", "believe in").modality == "asserted"


# -- kinds -------------------------------------------------------------------------------


def test_wire_byline_block_contributor_line_and_copyright():
    """Byline and its agency line, the contributor line and copyright are boilerplate; the dateline a credit."""
    got = kinds(WIRE, published="2024-03-16", title="Strong quake shakes southern Chile")
    assert got[:4] == [
        ("headline", "Strong quake shakes southern Chile"),
        ("boilerplate", "By Ana Torres and Mark Fielding"),
        ("boilerplate", "Associated Press"),
        ("credit", "VALDIVIA, Chile (AP) —"),
    ]
    assert ("boilerplate", "Associated Press writer Luis Andrés Henao in Santiago contributed to this report.") in got
    assert got[-2:] == [("boilerplate", "Copyright 2024 The Associated Press."), ("boilerplate", "All rights reserved.")]
    assert ("boilerplate", "(Reporting by Jonathan Saul; Editing by Kirsten Donovan)") in kinds(REUTERS)


def test_staff_line_related_and_follow_prompts():
    """``Staff Writer`` under a byline, ``Related:`` and ``Follow X on Facebook`` are not statements."""
    got = kinds(LOCAL, published="2024-06-14")
    assert got[1:3] == [("boilerplate", "By Priya Natarajan"), ("boilerplate", "Staff Writer")]
    got = kinds(BBC, published="2024-02-09")
    assert got[-2:] == [
        ("boilerplate", "Related: Council tax to rise by 4.99%"),
        ("boilerplate", "Follow BBC West Midlands on Facebook and X."),
    ]


def test_photo_caption_with_trailing_credit():
    """``Photo: <caption>. (<credit>)`` is a caption and a credit, also inside Markdown emphasis."""
    got = kinds(LOCAL, published="2024-06-14")
    assert got[-2:] == [("caption", "Photo: Harbor master Tom Reilly on the seawall."), ("credit", "(Staff photo/Ann Kerr)")]
    got = kinds(MARKDOWN, published="2024-09-03")
    assert got[-2:] == [("caption", "*Photo: A block of flats in Leeds."), ("credit", "(Getty Images)*")]


def test_correction_is_a_statement_and_editors_note_boilerplate():
    """A correction states facts in the outlet's voice (statements); an editor's note is about the page (boilerplate)."""
    got = kinds(CORRECTION, published="2024-01-22")
    assert ("statement", "Correction: An earlier version of this article misstated the number of students affected.") in got
    x = find(CORRECTION, "It is 8,400", published="2024-01-22")
    assert x.speaker is None and ("quantity", "8,400", "8400", None, None) in vals(x)
    assert ("boilerplate", "Editor's note: This story has been updated with comment from the teachers' union.") in got


def test_opinion_disclaimer_and_question_headline():
    """A first line that is a short question is the headline; an opinion disclaimer is boilerplate."""
    got = kinds(ANALYSIS, published="2024-04-20")
    assert got[0] == ("headline", "Analysis: Can the coalition survive the summer?")
    assert got[-2:] == [("boilerplate", "This is an opinion piece."), ("boilerplate", "The views expressed are the author's own.")]


def test_live_blog_time_stamps_and_lists():
    """``Updated 14:05 BST`` is boilerplate, an entry's ``14:05 —`` a credit with its time; list items are statements."""
    got = run(LIVE, published="2024-07-04")
    assert (got[1][1].kind, got[1][0]) == ("boilerplate", "Updated 14:05 BST")
    q, x = got[2]
    assert (x.kind, q, vals(x)) == ("credit", "14:05 —", [("time", "14:05", "14:05", None, None)])
    assert got[3][0].startswith("Rescuers have reached")
    assert find(LIVE, "At least 2 people", published="2024-07-04").kind == "statement"
    assert ("quantity", "At least 2", "2", "people", "at least") in vals(find(LIVE, "At least 2", published="2024-07-04"))


def test_markdown_subheads_and_byline():
    """Markdown ``#`` headings are headlines without their ``#`` marks (not statements, not speakers);
    an emphasised byline is boilerplate."""
    got = kinds(MARKDOWN, published="2024-09-03")
    assert got[0] == ("headline", "What the new housing law means for renters")
    assert got[1] == ("boilerplate", "*By Olivia Grant, Housing Correspondent*")
    for head in ("Rent increases", "Evictions", "What critics say"):
        assert ("headline", head) in got
    assert not any(quote.startswith("#") for _kind, quote in got)
    assert find(MARKDOWN, "shrink supply", published="2024-09-03").speaker == "Rob Hale"


def test_nothing_is_dropped_from_any_article():
    """Every non-space character of every article here lies in a recorded span (Markdown heading
    marks aside: ``## `` is syntax, not words of the heading)."""
    import re

    for text in (WIRE, REUTERS, BBC, LOCAL, ANALYSIS, CORRECTION, LIVE, MARKDOWN):
        covered = bytearray(len(text))
        for m in re.finditer(r"(?m)^#{1,6}(?=[ \t])|[ \t]#+[ \t]*$", text):
            covered[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        for _q, x in run(text):
            covered[x.start : x.end] = b"\x01" * (x.end - x.start)
        assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace())


# -- entities ----------------------------------------------------------------------------


def test_entity_types_on_unseen_names():
    """Speakers are people, ``University of Chile`` an org, a dateline city and ``London-based`` places."""
    assert ents(find(WIRE, "shook like paper", published="2024-03-16"))["Jorge Pérez"] == "person"
    assert ents(find(WIRE, "aftershocks", published="2024-03-16"))["University of Chile"] == "org"
    assert ents(find(WIRE, "magnitude 6.8", published="2024-03-16"))["U.S. Geological Survey"] == "org"
    dl = [x for _q, x in run(WIRE, published="2024-03-16") if x.kind == "credit"][0]
    assert ents(dl)["VALDIVIA"] == "place"
    assert ents(find(REUTERS, "London-based"))["London"] == "place"
    assert ents(find(LOCAL, "full rebuild", published="2024-06-14"))["Nordsee Marine GmbH"] == "org"
    assert "Italy's Prime Minister Giorgia Meloni" not in ents(find(LIVE, "travel to the region", published="2024-07-04"))
    assert "Landlords" not in ents(find(MARKDOWN, "may still evict", published="2024-09-03"))  # a list item's first word
