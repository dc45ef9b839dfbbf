"""The JSON-LD export is proven with real processors, offline: pyld, rdflib (SPARQL) and pyshacl."""

from __future__ import annotations

from importlib import resources

import orjson
import pytest

from ledger import plugins
from ledger.testing import build_sample_ledger, run_export, SAMPLE_IDS as IDS, SRC_A

pyld = pytest.importorskip("pyld")
rdflib = pytest.importorskip("rdflib")
from pyld import jsonld  # noqa: E402


def refuse_network(url, options=None):
    """A pyld document loader that refuses everything: the export must need no remote document."""
    raise jsonld.JsonLdError(f"network access refused for {url}", "loading document failed", code="loading document failed")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    ledger = build_sample_ledger(tmp_path_factory.mktemp("jsonld") / "ledger.jsonl")
    plugins.load_plugins()
    data, _ = run_export(plugins.get_exporter("jsonld"), ledger)
    return data


@pytest.fixture(scope="module")
def graph(exported):
    g = rdflib.Graph()
    g.parse(data=exported.decode("utf-8"), format="json-ld")
    return g


def test_pyld_expands_and_converts_offline(exported):
    """pyld expands the document and turns it into N-Quads with a loader that refuses the network."""
    doc = orjson.loads(exported)
    expanded = jsonld.expand(doc, {"documentLoader": refuse_network})
    assert len(expanded) > 20
    nquads = jsonld.to_rdf(doc, {"documentLoader": refuse_network, "format": "application/n-quads"})
    assert "http://www.w3.org/ns/oa#TextQuoteSelector" in nquads


def test_pyld_and_rdflib_agree_on_triples(exported, graph):
    """pyld's RDF and rdflib's graph hold the same number of distinct triples."""
    doc = orjson.loads(exported)
    nquads = jsonld.to_rdf(doc, {"documentLoader": refuse_network, "format": "application/n-quads"})
    pyld_triples = {line for line in nquads.splitlines() if line.strip()}
    assert len(pyld_triples) == len(graph) > 100


def test_sparql_finds_quote_and_speaker(graph):
    """A SPARQL query returns the exact quote and the speaker of a known assertion."""
    rows = list(
        graph.query(
            """
            PREFIX schema: <http://schema.org/>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            PREFIX oa: <http://www.w3.org/ns/oa#>
            PREFIX fl: <https://factledger.example/ns#>
            SELECT ?exact ?speaker ?seq WHERE {
              ?claim fl:assertionId "%s" ; a schema:Quotation ;
                     schema:spokenByCharacter/schema:name ?speaker ;
                     prov:wasQuotedFrom/oa:hasSelector ?sel ;
                     prov:wasGeneratedBy/fl:sequence ?seq .
              ?sel a oa:TextQuoteSelector ; oa:exact ?exact .
            }""" % IDS["a-quote"]
        )
    )
    assert len(rows) == 1
    exact, speaker, seq = (str(x) for x in rows[0])
    assert exact == "\"Nobody was hurt, and *all 212 passengers* were brought ashore,\""
    assert speaker == "Ines Okafor"
    assert seq == "20"  # re-recorded in version 2 of the source: the latest recording wins


def test_corroboration_conflict_and_verdict(graph):
    """Corroboration and conflict are CiTO links between assertions; the verdict is a ClaimReview."""
    q = """
        PREFIX cito: <http://purl.org/spar/cito/>
        PREFIX fl: <https://factledger.example/ns#>
        SELECT ?a ?b WHERE { ?x cito:%s ?y . ?x fl:assertionId ?a . ?y fl:assertionId ?b }"""
    agrees = {tuple(sorted(map(str, r))) for r in graph.query(q % "agreesWith")}
    disagrees = {tuple(sorted(map(str, r))) for r in graph.query(q % "disagreesWith")}
    assert tuple(sorted((IDS["a-quote"], IDS["b-safe"]))) in agrees  # linked by the analyst
    assert tuple(sorted((IDS["a-crew"], IDS["b-crew"]))) in disagrees  # 14 vs 11 crew members
    assert not agrees & disagrees
    reviews = list(
        graph.query(
            """PREFIX schema: <http://schema.org/>
               SELECT ?status ?id WHERE { ?r a schema:ClaimReview ; schema:reviewRating/schema:alternateName ?status ;
                 schema:itemReviewed/<https://factledger.example/ns#assertionId> ?id }"""
        )
    )
    assert {(str(s), str(i)) for s, i in reviews} == {("supported", IDS["a-quote"]), ("supported", IDS["b-safe"])}


def test_revisions_and_agents(graph):
    """Version 2 of a source is a prov:wasRevisionOf version 1; the extractor is a prov:SoftwareAgent."""
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    base = "https://factledger.example/ledger/"
    v1 = rdflib.URIRef(base + f"source/{SRC_A}/v1")
    v2 = rdflib.URIRef(base + f"source/{SRC_A}/v2")
    assert (v2, prov.wasRevisionOf, v1) in graph
    agents = set(graph.subjects(rdflib.RDF.type, prov.SoftwareAgent))
    assert agents == {rdflib.URIRef(base + "agent/extractor/sample/1.0")}


def _shapes():
    g = rdflib.Graph()
    g.parse(data=(resources.files("ledger.exporters") / "shapes.ttl").read_text("utf-8"), format="turtle")
    return g


def test_shacl_shapes_shipped_in_the_package_pass(graph):
    """The export conforms to the SHACL shapes shipped in ledger/exporters/shapes.ttl."""
    pyshacl = pytest.importorskip("pyshacl")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none")
    assert conforms, text


def test_shacl_catches_a_claim_without_position_selector_or_time(exported):
    """The shapes reject a claim whose anchor lost its position selector and whose time is gone."""
    pyshacl = pytest.importorskip("pyshacl")
    doc = orjson.loads(exported)
    for node in doc["@graph"]:
        if node.get("@id", "").endswith(IDS["a-quote"] + "/anchor"):
            node["oa:hasSelector"] = node["oa:hasSelector"][:1]
        if node.get("fl:assertionId") == IDS["b-safe"]:
            del node["prov:generatedAtTime"]
    g = rdflib.Graph()
    g.parse(data=orjson.dumps(doc).decode(), format="json-ld")
    conforms, _, text = pyshacl.validate(g, shacl_graph=_shapes(), inference="none")
    assert not conforms
    assert "TextPositionSelector" in text and "generatedAtTime" in text


def test_context_is_inline_and_schema_org_is_http(exported):
    """The context is one inline object (no remote URL) and schema.org is http://schema.org/."""
    doc = orjson.loads(exported)
    assert isinstance(doc["@context"], dict)
    assert doc["@context"]["schema"] == "http://schema.org/"
    assert b"https://schema.org" not in exported


HOSTILE = (
    'He said "no\\" </script><!-- \x00\x01\x02\x1f\x7f \u2028\u2029 \U0001F600 港 @FLQ0@ @FLQ1@ ,"@FLQ2@":0 \\u0001.',
    "Officials confirmed 12 boats left at 5 a.m. on Monday.",
    "A second 'quoted' line with a tab\tand a CR\r ends here.",
)


def _hostile_ledger(path):
    """A ledger whose rows carry what a store template must keep escaped exactly as the exporter does:
    quotes, control characters, ``</script>``, unicode, the template's own marker strings; extractors whose
    ``name/version`` collide; sources revised (a new URL, outlet, date), corrected, and one with a URL that is
    not an IRI; retractions, withdrawals, links and verdicts."""
    import hashlib

    from ledger.events import (AssertionRecorded, AssertionRetracted, AssertionsLinked, AssertionWithdrawn, Mention,
                               SourceAppended, SourceMetadataCorrected, SourceRevised, Value, VerdictRecorded)
    from ledger.extractors import anchor
    from ledger.log import LogStore

    log = LogStore(path, fsync=False)
    text = " ".join(HOSTILE)

    def source(cls, sid, version, uri, outlet, published, **extra):
        digest = hashlib.sha256(text.encode()).hexdigest()
        return cls(source_id=sid, version=version, uri=uri, title='T "1" </script>', outlet=outlet,
                   authors=("A. \"B\"",), published=published, retrieved=None, media_type="text/plain",
                   raw_sha256=digest, text_sha256=digest, text=text, **extra)

    def assertion(aid, sid, version, k, speaker, made_by=("rules", "1")):
        start = text.index(HOSTILE[k])
        end = start + len(HOSTILE[k])
        return AssertionRecorded(
            assertion_id=aid, source_id=sid, version=version, selector=anchor(text, start, end), kind="statement",
            speaker=speaker, speaker_cue=None, modality="asserted", modality_cue=None,
            values=(Value(type="quantity", text=text[start:start + 2], start=start, end=start + 2, value='1"2',
                          unit="</script>\x01"),),
            entities=(Mention(text=text[start:start + 3], start=start, end=start + 3, type="PERSON",
                              entity='Ma "x" \x02 @FLQ1@'),),
            extractor=made_by[0], extractor_version=made_by[1])

    speakers = [None, 'Dr. "Q" </script>\x01 @FLQ0@', "Ilona Varga", "港 Speaker"]
    log.append([source(SourceAppended, "src-a", 1, "https://news.example/a", "Gazette", "2026-03-18"),
                *(assertion(f"as-a{k}", "src-a", 1, k % 3, speakers[k % 4], (("a/b", "c"), ("a", "b/c"))[k % 2])
                  for k in range(6))])
    log.append([source(SourceAppended, "src-b", 1, 'javascript:alert("x")</script>', None, None),
                *(assertion(f"as-b{k}", "src-b", 1, k % 3, speakers[(k + 1) % 4], (("@FLQ x", '1"\x00'), ("a/b", "c"))[k % 2])
                  for k in range(4))])
    log.append([AssertionRetracted(assertion_id="as-a1", reason="no"), AssertionsLinked(a="as-a0", b="as-b0"),
                VerdictRecorded(target="as-a2", status="disputed", note='</script> "n"')])
    log.append([source(SourceRevised, "src-a", 2, "https://news.example/a?v=2 \"x\"", "Herald", "2026-03-19T10:00:00Z",
                       revision_of=1),
                *(assertion(f"as-a{k}", "src-a", 2, k % 3, speakers[k % 4]) for k in (0, 2, 4)),
                AssertionWithdrawn(assertion_id="as-a3", source_id="src-a", version=2, reason="gone")])
    log.append([SourceMetadataCorrected(source_id="src-b", outlet="Corrected </script>", title="t2")])
    log.append([assertion("as-c0", "src-b", 1, 1, "Ilona Varga", ("new", "2"))])
    return log


def test_jsonld_from_stored_templates_is_byte_identical(tmp_path, monkeypatch):
    """With a projection store the export writes each assertion from its stored text (no dict per row): the same
    bytes as the per-row path over the store's rows and as the fold without a store, for both views, at every
    seq, with and without ``-O base``; the document still parses and holds the hostile text unchanged."""
    import io
    import shutil

    from ledger.exporters import ExportContext, export_to_stream, make_context
    from ledger.projections.store import open_store, store_path

    log = _hostile_ledger(tmp_path / "ledger.jsonl")
    plugins.load_plugins()
    spec = plugins.get_exporter("jsonld")

    def export(view, as_of, options):
        out = io.BytesIO()
        export_to_stream(spec, make_context(log, spec, view=view, as_of=as_of, options=options), out)
        return out.getvalue()

    head = log.head().seq
    cases = [(view, as_of, options) for view in spec.views for as_of in range(1, head + 1)
             for options in ({}, {"base": "https://desk.example/l/"})]
    folded = []
    for case in cases:
        shutil.rmtree(store_path(log).parent, ignore_errors=True)  # the graph view's claims build a store
        folded.append(export(*case))
    shutil.rmtree(store_path(log).parent, ignore_errors=True)
    open_store(log, log.head()).close()
    used = []
    real = ExportContext.assertion_jsonld

    def spy(self):
        rows = real(self)
        used.append(rows is not None)
        return rows

    monkeypatch.setattr(ExportContext, "assertion_jsonld", spy)
    fast = [export(*case) for case in cases]
    assert used and all(used)
    monkeypatch.setattr(ExportContext, "assertion_jsonld", lambda self: None)  # the per-row path, over the store
    per_row = [export(*case) for case in cases]
    for case, a, b, c in zip(cases, fast, per_row, folded):
        assert a == b == c, case
    doc = orjson.loads(fast[cases.index(("assertions", head, {}))])
    texts = {n.get("schema:text") for n in doc["@graph"]}
    assert set(HOSTILE) <= texts
    people = {n["schema:name"] for n in doc["@graph"] if "schema:Person" in n.get("@type", ())}
    assert {'Dr. "Q" </script>\x01 @FLQ0@', "Ilona Varga", "港 Speaker"} <= people
    for marker in (b"\x00", b"\x01", b"\x02"):
        assert all(marker not in out for out in fast)
    names = {n["schema:name"] for n in doc["@graph"] if "prov:SoftwareAgent" in n.get("@type", ())}
    assert names == {"a/b", "a", "rules", "@FLQ x", "new"}
    shutil.rmtree(store_path(log).parent)
