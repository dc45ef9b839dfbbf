"""What a line of an article is: headline, credit, caption, boilerplate or prose.

Only prose is split into sentences and recorded as statements; everything else is
recorded whole with its kind, so nothing in the article is silently dropped and nothing
that is not a claim is counted as one.

* headline: the first line, when it equals the known title (case and spacing aside) or
  is short and has no final punctuation;
* boilerplate: a later line repeating the headline or title; a line with a section
  trailer (``<headline> | U.S.``; when a scraped page glued the next teaser on
  straight after the trailer, that rest is boilerplate too); bylines (``By A and B``);
  newsletter/share prompts (``Sign up for ...``, ``Share this article``), per sentence;
* credit: photo credit lines (``Handout/Getty Images``, ``AP Photo/Lee Jin-man``,
  ``Photo: ...``, ``(Reuters)``): short, agency words and slashes, no sentence;
  also a wire dateline opening the first paragraph (``SEOUL (Reuters) -``);
* caption: a short line ending with a credit in parentheses or after ``Photo:``; the
  trailing credit is recorded as a credit.
"""

from __future__ import annotations

import re

WS_RE = re.compile(r"\s+")
PUNCT_END = tuple(".!?…。！？:;")
AGENCY_RE = re.compile(
    r"\b(?:Getty Images|Getty|AP Photo|AP|Associated Press|Reuters|AFP|EPA|EPA-EFE|Shutterstock|Handout|"
    r"Pool|Xinhua|Yonhap|Bloomberg|Corbis|Alamy|NurPhoto|SOPA Images|Anadolu|Courtesy|iStock|"
    r"Wikimedia Commons|KCNA|KNS|UPI|Newscom|Sipa|File)\b"
)
CREDIT_LEAD_RE = re.compile(
    r"^\(?(?i:photo(?:graph)?s?|image|picture|video|credit|illustration|graphic|source)\s*(?:by\b|:)"
)
CREDIT_WORD_OK = frozenset("via for of and the by / | - — via: photo: credit:".split())
PAREN_CREDIT_RE = re.compile(r"\s*\(([^()]*)\)\s*$")
TAIL_CREDIT_RE = re.compile(r"\s+((?i:photo(?:graph)?|image|credit|picture)s?\s*:\s*[^.]{1,80})$")
TRAILER_RE = re.compile(r"\s+\|\s+((?:[A-Z]\.){2,}|[A-Z][A-Za-z&]*(?:[ \t][A-Z][a-z&]*){0,2})")
BYLINE_RE = re.compile(r"^(?i:by)\s+[A-Z][\w.'’-]*(?:,?\s+(?:[A-Z][\w.'’-]*|and|&))*$")
PROMPT_RE = re.compile(
    r"^\W*(?i:sign up\b|subscribe\b|share this\b|share on\b|follow us\b|follow @|read more\b|read next\b|"
    r"click here\b|related:|related coverage\b|advertisement\b|watch:|listen:|more:|see also\b|"
    r"get the latest\b|download (?:the|our)\b|copyright\b|©|all rights reserved\b|"
    r"this (?:article|story) (?:was|has been) (?:updated|corrected)\b|contact the author\b|email us\b|"
    r"tap here\b|don't miss\b|recommended:|trending:|editor['’]s note\b|the views expressed\b|"
    r"this is an opinion\b|follow\b[^.!?]{0,60}\bon (?:facebook|x|twitter|instagram|tiktok|threads|linkedin|bluesky)\b)"
)
CONTRIB_RE = re.compile(
    r"\(?(?i:(?:additional |further )?(?:reporting|writing|editing|compiled|produced|research|"
    r"graphics|translation|translated|fact-checking)(?: and [a-z]+)? by\b)"
)
CONTRIB_TAIL_RE = re.compile(r"contributed(?: reporting)? to this (?:report|story|article)\.?\)?$")
"""Contributor lines (``(Reporting by A; Editing by B)``, ``X contributed to this report.``):
like bylines, boilerplate."""
STAMP_RE = re.compile(
    r"^(?i:(?:last )?updated|published|first published|posted|modified)\b[^.!?]{0,60}\d[^.!?]{0,40}$"
)
"""``Updated 14:05 BST``, ``Published March 3, 2024``: page furniture, boilerplate."""
TIME_LEAD_RE = re.compile(
    r"^\d{1,2}[:.]\d\d(?:\s?[apAP]\.?[mM]\.?)?(?:\s+[A-Z]{2,4})?\s*(?:[—–-]+|:)\s+(?=\S)"
)
"""A live-blog entry's time stamp (``14:05 —``), recorded like a dateline."""
MD_HEADING_RE = re.compile(r"^#{1,6}\s")
MD_HEADING_MARKS_RE = re.compile(r"#{1,6}[ \t]+")
MD_HEADING_TAIL_RE = re.compile(r"[ \t]+#+[ \t]*$")
BULLET_RE = re.compile(r"^(?:[-*•▪–—]|\d{1,2}[.)])\s")
EMPHASIS = "*_"
SUBHEAD_END = tuple(".!?…。！？:;,\"”’')]")
DATELINE_RE = re.compile(
    r"^[A-Z][A-Z.'’ -]{2,}(?:,\s+[A-Z][\w.'’ -]+?)?\s*(?:\([A-Za-z .-]+\)\s*)?[—–-]+\s+(?=\S)"
)


def norm(s: str) -> str:
    """Spacing collapsed and case folded (``str.split`` splits on exactly what ``\\s`` matches)."""
    return " ".join(s.split()).casefold()


def is_credit(line: str) -> bool:
    """A photo credit line: short, made of agency names and slashes, not a sentence."""
    words = line.replace("/", " / ").split()
    if not words or len(words) > 16:
        return False
    if CREDIT_LEAD_RE.match(line):
        return True
    if line.startswith("(") and line.endswith(")") and AGENCY_RE.search(line) and len(words) <= 6:
        return True
    if not AGENCY_RE.search(line):
        return False
    if line.endswith((".", "!", "?")) and not line.endswith(("Inc.", "Co.")):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in CREDIT_WORD_OK for w in words)


def is_headline_shape(line: str) -> bool:
    return len(line.split()) <= 25 and len(line) <= 200 and not line.endswith(PUNCT_END) and not line.endswith(('."', '.”', "'"))


def is_title_case(line: str) -> bool:
    """Most words capitalised, as headlines are set (``Bridge Reopens in May``)."""
    words = [w for w in line.split() if w[:1].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) * 3 >= len(words) * 2


def is_byline(line: str) -> bool:
    """``By A and B`` (Markdown emphasis aside)."""
    core = line.strip(EMPHASIS + " \t")
    return len(core.split()) <= 9 and BYLINE_RE.match(core) is not None


def is_subhead(line: str) -> bool:
    """A heading inside the article: a Markdown ``#`` heading, or a short line (8 words or
    fewer) that opens with a capital and ends without punctuation and is no list item."""
    if MD_HEADING_RE.match(line):
        return True
    if BULLET_RE.match(line) or line.endswith(SUBHEAD_END) or not line[:1].isupper():
        return False
    return len(line.split()) <= 8 and ". " not in line and not PROMPT_RE.match(line)


def is_byline_tail(line: str) -> bool:
    """The line under a byline: a title or an agency (``Staff Writer``, ``Associated Press``)."""
    words = line.split()
    return 0 < len(words) <= 6 and not line.endswith(tuple(".!?:;")) and all(
        w[:1].isupper() or w in ("of", "the", "and", "&", "for") for w in words
    )


def classify_line(
    text: str, start: int, end: int, first: bool, title: str | None, headline: str | None,
    after_byline: bool = False,
) -> list[tuple[int, int, str]]:
    """Kinds of the parts of the trimmed line ``text[start:end]`` (``prose``: split further).

    ``title``/``headline`` are normalised (:func:`norm`) or None; ``after_byline``: the
    line before was a byline.
    """
    line = text[start:end]
    heading = MD_HEADING_MARKS_RE.match(line)
    if heading and heading.end() < len(line):
        # "# Headline" / "## Subhead ##": the marks are Markdown syntax, not words of the headline
        tail = MD_HEADING_TAIL_RE.search(line, heading.end())
        stop = start + (tail.start() if tail and tail.start() > heading.end() else len(line))
        return [(start + heading.end(), stop, "headline")]
    if line[:1] in EMPHASIS or line[-1:] in EMPHASIS:
        # Markdown emphasis around a whole line (*By A*, *Photo: ... (Getty)*): classify what
        # is inside, and let the outer parts keep the marks so nothing goes uncovered
        s2, e2 = start, end
        while s2 < e2 and text[s2] in EMPHASIS:
            s2 += 1
        while e2 > s2 and text[e2 - 1] in EMPHASIS:
            e2 -= 1
        while s2 < e2 and text[s2].isspace():
            s2 += 1
        while e2 > s2 and text[e2 - 1].isspace():
            e2 -= 1
        if s2 >= e2:
            return [(start, end, "boilerplate")]
        parts = classify_line(text, s2, e2, first, title, headline, after_byline)
        if parts[0][2] == "prose" and len(parts) == 1:
            return [(start, end, "prose")]
        parts[0] = (start, parts[0][1], parts[0][2])
        parts[-1] = (parts[-1][0], end, parts[-1][2])
        return parts
    # Each regex below runs only when a character it needs is present: most lines are prose.
    trailer = TRAILER_RE.search(line) if "|" in line else None
    if trailer and len(line[: trailer.start()].split()) <= 30:
        head_end = start + trailer.start()
        t_end = start + trailer.end()
        parts = []
        if first:
            parts.append((start, head_end, "headline"))
            parts.append((start + line.index("|", trailer.start()), t_end, "boilerplate"))
        else:
            parts.append((start, t_end, "boilerplate"))
        rest = line[trailer.end() :]
        if rest.strip():
            r0 = t_end + (len(rest) - len(rest.lstrip()))
            parts.extend(classify_line(text, r0, end, False, title, headline) if not is_headline_shape(rest.strip()) else [(r0, end, "boilerplate")])
        return parts
    if first:
        if (title and norm(line) == title) or MD_HEADING_RE.match(line):
            return [(start, end, "headline")]
        if title and not is_title_case(line):
            pass  # the headline is known and this is not it: a first line of body text (stdin with --title)
        elif is_headline_shape(line) or (line.endswith("?") and len(line.split()) <= 15 and ". " not in line):
            return [(start, end, "headline")]
    elif headline or title:
        n = norm(line)
        if n and (n == headline or n == title):
            return [(start, end, "boilerplate")]
    nwords = len(line.split())
    if after_byline and is_byline_tail(line):
        return [(start, end, "boilerplate")]
    p = PAREN_CREDIT_RE.search(line) if nwords <= 60 and line.endswith(")") else None
    if p and p.start() > 0 and _credit_words(p.group(1)) and len(line[: p.start()].split()) >= 3:
        # "Photo: Residents on a roof. (Staff photo/Ann Kerr)": a caption and its credit
        c0 = start + p.start() + (len(p.group()) - len(p.group().lstrip()))
        return [(start, start + p.start(), "caption"), (c0, end, "credit")]
    if nwords <= 16 and is_credit(line):  # is_credit never accepts more than 16 words
        return [(start, end, "credit")]
    if nwords <= 9 and BYLINE_RE.match(line):
        return [(start, end, "boilerplate")]
    if nwords <= 40 and (CONTRIB_RE.match(line) or ("contributed" in line and CONTRIB_TAIL_RE.search(line))):
        return [(start, end, "boilerplate")]
    if nwords <= 14 and STAMP_RE.match(line):
        return [(start, end, "boilerplate")]
    if not first and is_subhead(line):
        return [(start, end, "headline")]
    if nwords <= 60:
        if p and p.start() > 0 and _credit_words(p.group(1)):
            c0 = start + p.start() + (len(p.group()) - len(p.group().lstrip()))
            return [(start, start + p.start(), "caption"), (c0, end, "credit")]
        t = TAIL_CREDIT_RE.search(line) if ":" in line else None
        if t and t.start() > 0:
            return [(start, start + t.start(), "caption"), (start + t.start(1), end, "credit")]
    return [(start, end, "prose")]


PHOTO_WORD_RE = re.compile(r"(?i:\bphoto\b)|\w/\w")


def _credit_words(inside: str) -> bool:
    """Whether the words in a final parenthesis credit a picture (``Getty Images``,
    ``Staff photo/Ann Kerr``, ``Photo: A. Berg``)."""
    return bool(AGENCY_RE.search(inside) or CREDIT_LEAD_RE.match(inside) or PHOTO_WORD_RE.search(inside))


def is_prompt(sentence: str) -> bool:
    """Newsletter, share and navigation prompts: boilerplate, not claims."""
    return PROMPT_RE.match(sentence) is not None


def dateline(sentence: str) -> int:
    """Length of a wire dateline (``SEOUL (Reuters) - ``) or a live-blog time stamp
    (``14:05 — ``) opening a paragraph, or 0."""
    if sentence[:1].isdigit():
        t = TIME_LEAD_RE.match(sentence)
        return t.end() if t else 0
    m = DATELINE_RE.match(sentence)
    if not m:
        return 0
    head = m.group()
    if sum(c.isupper() for c in head) < 3:
        return 0
    return m.end()
