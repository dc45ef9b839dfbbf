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
