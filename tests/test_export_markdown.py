"""The Markdown report renders (markdown-it-py + footnotes) with every quote and citation intact."""

from __future__ import annotations

import html
import re

import pytest

from ledger import plugins
from ledger.exporters.markdown import escape
from ledger.log import LogStore
from ledger.projections import build_claims
from ledger.testing import build_sample_ledger, run_export

markdown_it = pytest.importorskip("markdown_it")
footnote = pytest.importorskip("mdit_py_plugins.footnote")


def render(text: str) -> str:
    md = markdown_it.MarkdownIt("commonmark").use(footnote.footnote_plugin)
    return md.render(text)


def _plain(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    ledger = build_sample_ledger(tmp_path_factory.mktemp("md") / "ledger.jsonl")
    plugins.load_plugins()
    data, context = run_export(plugins.get_exporter("markdown"), ledger)
    return data.decode("utf-8"), context, build_claims(LogStore(ledger))


def test_every_quote_renders_verbatim_in_a_blockquote(report):
    """Each claim member's exact quote appears, unaltered, as text inside a <blockquote>."""
    text, _, claims = report
    page = render(text)
    quotes = [_plain(b) for b in re.findall(r"<blockquote>(.*?)</blockquote>", page, re.S)]
    members = [m for c in claims for m in c.members]
    assert members
    for m in members:
        exact = " ".join(m.selector.exact.split())
        assert any(exact in q for q in quotes), f"quote of {m.assertion_id} not rendered verbatim"


def test_every_citation_is_a_rendered_footnote(report):
    """Every quote has a footnote reference and a note with outlet, headline, date, URL, span and seq."""
    text, _, claims = report
    page = render(text)
    notes = dict(re.findall(r'<li id="fn(\d+)" class="footnote-item">(.*?)</li>', page, re.S))
    refs = re.findall(r'<sup class="footnote-ref"><a href="#fn(\d+)" id="fnref\d+(?::\d+)?">', page)
    members = [m for c in claims for m in c.members]
    assert len(notes) == len(members) == len(set(refs))
    rendered = [_plain(n) for n in notes.values()]
    for m in members:
        note = next((n for n in rendered if f"event seq {m.recorded.seq}" in n), None)
        assert note is not None, f"no footnote for {m.assertion_id}"
        assert f"chars {m.selector.start}–{m.selector.end}" in note
    assert any("Harbour Gazette, Ferry Service Suspended After Engine Fire, 2026-03-20, https://news-a.example/2026/ferry-fire" in n for n in rendered)


def test_header_and_conflict_callout(report):
    """The report opens with the head seq and hash and calls out the conflict with its explanation."""
    text, context, claims = report
    assert f"seq **{context.head_seq}**, hash `{context.head_hash}`" in text
    conflict = next(c for c in claims if c.status == "conflict")
    page = _plain(render(text))
    assert "Conflict" in page
    assert " ".join(conflict.conflicts[0].explanation.split()) in page


def test_metacharacters_are_escaped():
    """Markdown syntax inside a quote renders as the literal characters, not as markup."""
    nasty = "*bold* _it_ [link](http://x) <b>tag</b> `code` | pipe & amp; ~~s~~ ![i](j)"
    for line in (nasty, "# not a heading", "- not a list", "12. not a list", "> not a quote", "=SUM(1)"):
        page = render(escape(line))
        assert _plain(page) == line
        assert not re.search(r"<(em|strong|a|code|h1|ul|ol|li|blockquote|b|img|s)\b", page)
