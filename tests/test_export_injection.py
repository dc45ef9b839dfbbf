"""Exports carry no live markup or formulas from hostile metadata and text (#15 items 12-14)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import assertion_payload, source_payload
from ledger import plugins
from ledger.log import LogStore
from ledger.testing import run_export


def _spec(name: str):
    plugins.load_plugins()
    return plugins.get_exporter(name)


# -- CSV: OWASP's formula starters, fullwidth forms, and leading blanks (item 14)

FORMULA_QUOTES = ["\t=1+1", "\r=1+1", "\uff1dHYPERLINK(1)", "\uff0d1+2", "\uff0b1", "\uff20SUM(1)", " =1+1", "=1", "@A1"]


@pytest.fixture
def formula_ledger(tmp_path) -> Path:
    text = " | ".join(FORMULA_QUOTES)
    store = LogStore(tmp_path / "ledger.jsonl", fsync=False)
    payloads = [source_payload(text, title="\uff1dcmd|' /C calc'!A0", outlet="\t@evil")]
    at = 0
    for i, quote in enumerate(FORMULA_QUOTES):
        start = text.index(quote, at)
        payloads.append(assertion_payload(text, start, start + len(quote), assertion_id=f"as-f{i:015d}"))
        at = start + len(quote)
    store.append(payloads, actor="t")
    return tmp_path / "ledger.jsonl"


def test_spreadsheet_safe_neutralises_owasp_and_fullwidth_starters(formula_ledger):
    spec = _spec("csv")
    canonical, _ = run_export(spec, formula_ledger)
    safe, _ = run_export(spec, formula_ledger, options={"spreadsheet_safe": "true"})
    canon_rows = list(csv.DictReader(io.StringIO(canonical.decode(), newline="")))
    safe_rows = list(csv.DictReader(io.StringIO(safe.decode(), newline="")))
    assert sorted(r["exact"] for r in canon_rows) == sorted(FORMULA_QUOTES)  # canonical stays exact
    starters = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
    for row in safe_rows:
        for cell in row.values():
            assert not cell.lstrip(" \t\r\n").startswith(starters), repr(cell)
    assert {r["exact"] for r in safe_rows} == {"'" + q for q in FORMULA_QUOTES}


# -- Markdown: rendered as an attacker would see it, with HTML allowed (item 12)

HOSTILE_URIS = [
    "http://x.example/a><script>alert(1)</script>",
    "javascript:alert(1)",
    "https://x.example/b c\"d<e>\n# injected url heading",
    "data:text/html,<script>alert(2)</script>",
]


@pytest.fixture
def hostile_markdown_ledger(tmp_path) -> Path:
    store = LogStore(tmp_path / "ledger.jsonl", fsync=False)
    for i, uri in enumerate(HOSTILE_URIS):
        text = f"Quote {i} <script>alert({i})</script> and [x](javascript:alert({i})).\n# heading in text {i}\n"
        sid = f"src-{i:016d}"
        store.append(
            [
                source_payload(
                    text, source_id=sid, uri=uri,
                    title=f"Title {i}\n# Injected heading {i}\n<script>alert('t')</script>\n\n<img src=x onerror=alert(1)>",
                    outlet=f"Outlet\n\n## sub {i}\n[click](javascript:alert(3))",
                    published="2026-01-01\n---",
                ),
                assertion_payload(text, 0, len(text) - 1, source_id=sid, assertion_id=f"as-m{i:015d}"),
            ],
            actor="t",
        )
    return tmp_path / "ledger.jsonl"


def _render_as_attacker(markdown: str) -> str:
    import markdown_it
    from mdit_py_plugins import footnote

    return markdown_it.MarkdownIt("commonmark", {"html": True}).use(footnote.footnote_plugin).render(markdown)


def test_markdown_metadata_cannot_inject_html_links_or_headings(hostile_markdown_ledger):
    import re

    data, _ = run_export(_spec("markdown"), hostile_markdown_ledger)
    html = _render_as_attacker(data.decode("utf-8"))
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered
    headings = re.findall(r"<h(\d)>(.*?)</h\1>", html, re.S)
    expected = {"Fact ledger report", "Claims in several sources", "Single-source assertions"}
    for _level, text in headings:
        assert text in expected or text.startswith("Title "), text  # only the report's own headings
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://", "#fn")), href
    # the URL that tried to close the autolink stays one link, percent-encoded
    assert 'href="http://x.example/a%3E%3Cscript%3Ealert(1)%3C/script%3E"' in html
    # the text is still there to read, as text
    assert "&lt;script&gt;alert(0)&lt;/script&gt;" in html
    assert "javascript:alert(1)" in html  # shown, not linked


def test_markdown_report_carries_no_bidi_override_from_the_data(tmp_path):
    """Bidi embeddings, overrides and isolates (U+202A-E, U+2066-9) in a title or quote reorder
    the rest of the rendered line ("Trojan Source"): a title could make the citation beside it
    read backwards. The report folds them like other controls; the words stay."""
    text = "The mayor said \u202eyad on\u202c the bridge \u2067closed\u2069 today.\n"
    store = LogStore(tmp_path / "ledger.jsonl", fsync=False)
    store.append([source_payload(text, title="Evil \u202dtitle\u202a here", outlet="Out\u2066let"),
                  assertion_payload(text, 0, len(text) - 1, assertion_id="as-b000000000000001")], actor="t")
    data, _ = run_export(_spec("markdown"), tmp_path / "ledger.jsonl")
    report = data.decode("utf-8")
    for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert ch not in report
    assert "yad on" in report and "closed" in report and "title" in report


def test_markdown_escape_folds_lines_and_escapes_block_starts():
    from ledger.exporters.markdown import code, escape, link

    assert "\n" not in escape("a\n# b\r\n- c")
    assert _render_as_attacker(escape("# not a heading")).strip() == "<p># not a heading</p>"
    assert link("javascript:alert(1)") == "javascript:alert(1)"
    assert link("https://x.example/a b>") == "<https://x.example/a%20b%3E>"
    rendered = _render_as_attacker(code("a``b`"))
    assert "<code>a``b`</code>" in rendered


# -- JSON-LD: node ids are valid absolute IRIs whatever the URL says (item 13)

JSONLD_URIS = [
    'http://x.example/a"b c',
    "_:b0",
    "https://x.example/p?q=<script>&r={x}|`^\\",
    "javascript:alert(1)",
    "relative/path",
    "http://x.example/ok",
]


@pytest.fixture
def hostile_jsonld_ledger(tmp_path) -> Path:
    store = LogStore(tmp_path / "ledger.jsonl", fsync=False)
    for i, uri in enumerate(JSONLD_URIS):
        text = f"Story {i} says the bridge is safe.\n"
        sid = f"src-{i:016d}"
        store.append(
            [source_payload(text, source_id=sid, uri=uri, title=f"T{i}"),
             assertion_payload(text, 0, len(text) - 1, source_id=sid, assertion_id=f"as-j{i:015d}")],
            actor="t",
        )
    # an id from the log with characters an IRI cannot hold
    text = "Odd ids still make valid IRIs.\n"
    store.append(
        [source_payload(text, source_id='src-"odd id"', uri=None),
         assertion_payload(text, 0, len(text) - 1, source_id='src-"odd id"', assertion_id="as-<x> y")],
        actor="t",
    )
    return tmp_path / "ledger.jsonl"


def test_jsonld_hostile_urls_round_trip_through_nquads(hostile_jsonld_ledger):
    rdflib = pytest.importorskip("rdflib")
    data, _ = run_export(_spec("jsonld"), hostile_jsonld_ledger)
    g = rdflib.Graph()
    g.parse(data=data.decode("utf-8"), format="json-ld")
    nquads = g.serialize(format="nt")  # N-Triples lines are N-Quads lines in the default graph
    g2 = rdflib.Graph()
    g2.parse(data=nquads, format="nquads")  # an invalid IRI fails to parse here
    assert len(g2) == len(g) > 0
    schema = rdflib.Namespace("http://schema.org/")
    fl = rdflib.Namespace("https://factledger.example/ns#")
    articles = list(g.subjects(rdflib.RDF.type, schema.NewsArticle))
    assert len(articles) == len(JSONLD_URIS) + 1
    assert all(isinstance(a, rdflib.URIRef) for a in articles)  # no blank node from "_:b0"
    for a in articles:
        assert not any(c in str(a) for c in ' "<>{}|`^\\'), a
    by_id = {str(g.value(a, fl.sourceId)): a for a in articles}
    assert str(by_id["src-0000000000000005"]) == "http://x.example/ok"  # a clean URL is the IRI as before
    assert str(by_id["src-0000000000000000"]) == "http://x.example/a%22b%20c"
    # a URL that is not an http(s) IRI is kept, as a literal, on a minted node
    kept = {str(g.value(by_id[f"src-{i:016d}"], fl.url)) for i in (1, 3, 4)}
    assert kept == {"_:b0", "javascript:alert(1)", "relative/path"}
    assert str(by_id["src-0000000000000001"]).startswith("https://factledger.example/ledger/source/")


def test_jsonld_refuses_a_base_that_is_not_an_iri(hostile_jsonld_ledger):
    from ledger.exporters import ExportError

    with pytest.raises(ExportError, match="not an absolute IRI"):
        run_export(_spec("jsonld"), hostile_jsonld_ledger, options={"base": "_:b"})


# -- JSON-LD embedded in HTML: a fact-check page carries it in <script type="application/ld+json">

def _strings(node) -> set[str]:
    """Every string value in a parsed JSON document."""
    if isinstance(node, dict):
        return set().union(*map(_strings, node.values()))
    if isinstance(node, list):
        return set().union(*map(_strings, node))
    return {node} if isinstance(node, str) else set()


def test_jsonld_text_cannot_close_an_embedding_script_element(tmp_path, run_cli):
    """A quote or title holding ``</script>`` or ``<!--`` would end (or comment out) the
    ``<script type="application/ld+json">`` element a publisher pastes the export into, and run
    what follows: the export writes ``<``, ``>`` and ``&`` as JSON escapes, so the document parses
    to the same strings (the quote still equals the stored text's span), on the projection
    store's path (the CLI, twice) and on the fold's (no store)."""
    import orjson

    text = 'The mayor said "</script><script>alert(1)</script> <!-- & -->" on Monday.\n'
    ledger = tmp_path / "ledger.jsonl"
    LogStore(ledger, fsync=False).append(
        [source_payload(text, title="</SCRIPT><img src=x onerror=alert(2)>", outlet="A & B"),
         assertion_payload(text, 0, len(text) - 1, assertion_id="as-s000000000000001")],
        actor="t",
    )
    outputs = [run_export(_spec("jsonld"), ledger)[0]]
    for view in ("graph", "assertions", "graph"):
        res = run_cli("export", "jsonld", "--view", view, ledger=ledger)
        assert res.exit_code == 0, res.stderr
        outputs.append(res.stdout_bytes)
    for data in outputs:
        assert b"<" not in data and b">" not in data and b"&" not in data
        strings = _strings(orjson.loads(data))
        assert text[:-1] in strings and "A & B" in strings
