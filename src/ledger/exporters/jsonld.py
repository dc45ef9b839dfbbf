"""JSON-LD export (built-in plugin ``jsonld``): one self-contained document, no remote contexts.

Vocabulary (see docs/plugins.md and the shapes in ``shapes.ttl``):

* PROV-O is the backbone: an article is a ``prov:Entity`` + ``schema:NewsArticle``; each
  stored version (snapshot) is a ``prov:Entity`` that ``prov:specializationOf`` the
  article, later versions ``prov:wasRevisionOf`` the one before; each recording event is
  a ``prov:Activity`` (``fl:sequence``, ``fl:eventHash``) associated with the extractor, a
  ``prov:SoftwareAgent``.
* Each assertion is a ``schema:Claim`` (a quote also a ``schema:Quotation`` with
  ``schema:spokenByCharacter``), ``prov:wasQuotedFrom`` a W3C Web Annotation
  ``oa:SpecificResource`` carrying both a ``TextQuoteSelector`` and a
  ``TextPositionSelector`` into the snapshot.
* Every accepted link of the claims view is a CiTO ``agreesWith`` (corroborates) or
  ``disagreesWith`` (conflicts) triple plus a reified ``cito:Citation`` whose ``rdfs:comment``
  is the link's evidence (``fl:grade`` hard/soft, ``fl:revision`` between two versions of one
  source). A corroboration whose statements disagree on one measure (one sentence, two facts)
  also gives each side's words for it as an ``fl:ClaimPart`` (``schema:isPartOf`` the
  assertion) and the two parts ``disagreesWith`` each other; display groups are ``fl:Claim`` collections; verdicts are ``schema:ClaimReview`` with
  ``reviewRating``, ``author`` (the actor who recorded it) and ``datePublished``. Statements of an
  earlier version that a revision withdrew are exported with ``fl:superseded`` when they are
  claim members.

schema.org is ``http://schema.org/`` (what schema.org's own context uses), and the
project's own terms live in ``fl:`` = :data:`FL_NS`. Node IRIs are minted under the
``base`` option (default :data:`DEFAULT_BASE`); articles with an http(s) URL use it as
their IRI, percent-encoded where it holds characters an IRI cannot (quotes, spaces,
``<>``); any other "URL" (``_:b0``, ``javascript:``, a relative path) gets a minted IRI and is
kept as the literal ``fl:url``, so a hostile URL can never make invalid N-Quads or turn an
article into a blank node. Ids from the log are percent-encoded as IRI path segments.

The document is streamed node by node: memory grows with sources, speakers and
extractors, never with assertions (the ``graph`` view also needs the claims list that
:func:`ledger.projections.build_claims` builds).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from typing import IO, Any
from urllib.parse import quote

import orjson

from .. import hookimpl
from . import ExportContext, ExporterSpec

FL_NS = "https://factledger.example/ns#"
"""The project's own vocabulary (``fl:sequence``, ``fl:eventHash``, ``fl:Speaker``...)."""

DEFAULT_BASE = "https://factledger.example/ledger/"
"""Default base for minted node IRIs; set ``-O base=https://your.desk/ledger/`` to publish."""

CONTEXT: dict[str, Any] = {
    "@version": 1.1,
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "cito": "http://purl.org/spar/cito/",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "fl": FL_NS,
    **{
        term: {"@type": "xsd:dateTime"}
        for term in ("prov:generatedAtTime", "prov:startedAtTime", "prov:endedAtTime", "oa:sourceDate")
    },
    **{term: {"@type": "xsd:nonNegativeInteger"} for term in ("oa:start", "oa:end", "fl:sequence", "fl:version")},
    **{
        term: {"@type": "@id"}
        for term in (
            "prov:wasDerivedFrom", "prov:wasQuotedFrom", "prov:wasGeneratedBy", "prov:wasAttributedTo",
            "prov:hadPrimarySource", "prov:wasRevisionOf", "prov:specializationOf", "prov:used",
            "prov:wasAssociatedWith", "prov:agent", "prov:hadRole", "schema:appearance",
            "schema:interpretedAsClaim", "schema:author", "schema:publisher",
            "schema:spokenByCharacter", "schema:itemReviewed", "schema:url", "oa:hasSource",
            "oa:cachedSource", "cito:agreesWith", "cito:disagreesWith", "cito:hasCitingEntity",
            "cito:hasCitedEntity", "cito:hasCitationCharacterization", "prov:hadMember", "schema:isPartOf",
        )
    },
}

_SLUG = re.compile(r"[^a-z0-9]+")
_IRI_SAFE = "/:?#[]@!$&'()*+,;=%-._~"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")
"""What ``quote(text, safe="-._~")`` leaves as it is (checked first: ids from the log almost always are)."""


def _seg(text: str) -> str:
    """An id from the log as one IRI path segment (content-derived ids come out unchanged)."""
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="-._~")


def web_iri(uri: str | None) -> str | None:
    """``uri`` as an absolute IRI if it is an http(s) URL with a host, percent-encoding what
    an IRI may not hold; ``None`` for anything else."""
    from urllib.parse import urlsplit

    if not uri:
        return None
    try:
        parts = urlsplit(uri.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(uri.strip(), safe=_IRI_SAFE)


def check_base(base: str) -> str:
    """The ``base`` option must be an absolute IRI prefix that needs no escaping."""
    from . import ExportError

    if not _SCHEME.match(base) or quote(base, safe=_IRI_SAFE) != base:
        raise ExportError(f"-O base={base!r}: not an absolute IRI (e.g. https://your.desk/ledger/)")
    return base


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or quote(text, safe="")


def _date(value: str) -> dict[str, str]:
    """A publication date typed as what it is: ``xsd:dateTime`` with a time, else ``xsd:date``."""
    return {"@value": value, "@type": "xsd:dateTime" if "T" in value else "xsd:date"}


class Iris:
    """Mints the IRIs of one export, all under one base.

    IRIs that need quoting or slugging (outlets, extractors, speakers) are memoised: there
    are few of them, and each assertion names one or two.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self._memo: dict[tuple[str, ...], str] = {}

    def article(self, row: Any) -> str:
        key = ("article", row.source_id, row.uri)
        iri = self._memo.get(key)
        if iri is None:
            iri = self._memo[key] = web_iri(row.uri) or self.minted_article(row.source_id)
        return iri

    def minted_article(self, source_id: str) -> str:
        return f"{self.base}source/{_seg(source_id)}"

    def snapshot(self, source_id: str, version: int) -> str:
        key = ("snapshot", source_id, version)  # every assertion names its source's: few distinct
        iri = self._memo.get(key)
        if iri is None:
            iri = self._memo[key] = f"{self.base}source/{_seg(source_id)}/v{version}"
        return iri

    def outlet(self, name: str) -> str:
        key = ("outlet", name)
        iri = self._memo.get(key)
        if iri is None:
            iri = self._memo[key] = f"{self.base}outlet/{_slug(name)}"
        return iri

    def assertion(self, assertion_id: str) -> str:
        return f"{self.base}assertion/{_seg(assertion_id)}"

    def anchor(self, assertion_id: str) -> str:
        return f"{self.base}assertion/{_seg(assertion_id)}/anchor"

    def event(self, seq: int) -> str:
        return f"{self.base}event/{seq}"

    def extractor(self, name: str, version: str) -> str:
        key = ("extractor", name, version)
        iri = self._memo.get(key)
        if iri is None:
            iri = self._memo[key] = f"{self.base}agent/extractor/{quote(name, safe='')}/{quote(version, safe='')}"
        return iri

    def speaker(self, name: str) -> str:
        key = ("speaker", name)
        iri = self._memo.get(key)
        if iri is None:
            iri = self._memo[key] = f"{self.base}agent/speaker/{_slug(name)}"
        return iri

    def claim(self, claim_id: str) -> str:
        return f"{self.base}claim/{_seg(claim_id)}"

    def ledger(self) -> str:
        return f"{self.base}ledger"


def source_nodes(row: Any, iris: Iris) -> Iterator[dict[str, Any]]:
    article = iris.article(row)
    node: dict[str, Any] = {"@id": article, "@type": ["prov:Entity", "schema:NewsArticle"], "fl:sourceId": row.source_id}
    if row.title:
        node["schema:headline"] = row.title
    if row.published:
        node["schema:datePublished"] = _date(row.published)
    if row.uri:
        url = web_iri(row.uri)
        if url is not None:
            node["schema:url"] = url
        if url != row.uri:
            node["fl:url"] = row.uri  # as given, a literal: it is not (or not exactly) an IRI
    if row.authors:
        node["schema:author"] = [{"@type": "schema:Person", "schema:name": a} for a in row.authors]
    if row.outlet:
        org = iris.outlet(row.outlet)
        node["schema:publisher"] = org
        node["prov:wasAttributedTo"] = org
        yield {"@id": org, "@type": ["prov:Organization", "schema:NewsMediaOrganization"], "schema:name": row.outlet}
    yield node
    for version in range(1, row.version + 1):
        snap: dict[str, Any] = {
            "@id": iris.snapshot(row.source_id, version),
            "@type": "prov:Entity",
            "prov:specializationOf": article,
            "fl:version": version,
        }
        if version > 1:
            snap["prov:wasRevisionOf"] = iris.snapshot(row.source_id, version - 1)
        if version == row.version:
            snap["schema:sha256"] = row.text_sha256
            snap["schema:encodingFormat"] = f"{row.media_type}; charset=utf-8"
            snap["prov:generatedAtTime"] = row.recorded.at
            snap["fl:sequence"] = row.recorded.seq
        elif version == 1:
            snap["prov:generatedAtTime"] = row.first_recorded.at
            snap["fl:sequence"] = row.first_recorded.seq
        yield snap


def assertion_nodes(a: dict[str, Any], source: Any, iris: Iris) -> list[dict[str, Any]]:
    """The nodes of one assertion, given as the converter unstructures an ``AssertionRow``
    (``ExportContext.assertion_dicts``: the projection store's rows, no attrs object per row).
    A list, not a generator: a million assertions make three nodes each. The projection store
    keeps their text (:func:`assertion_template`): bump ``store.FORMAT`` when this output changes."""
    aid = a["assertion_id"]
    snapshot = iris.snapshot(a["source_id"], a["version"])
    claim_iri = iris.assertion(aid)
    anchor = f"{claim_iri}/anchor"  # iris.anchor(aid)
    article = iris.article(source) if source is not None else iris.minted_article(a["source_id"])
    rec, sel = a["recorded"], a["selector"]
    event = f"{iris.base}event/{rec['seq']}"  # iris.event
    extractor = iris.extractor(a["extractor"], a["extractor_version"])
    at = rec["at"]
    anchor_node = {
        "@id": anchor,
        "@type": ["oa:SpecificResource", "prov:Entity"],
        "oa:hasSource": snapshot,
        "oa:hasSelector": [
            {"@type": "oa:TextQuoteSelector", "oa:exact": sel["exact"], "oa:prefix": sel["prefix"], "oa:suffix": sel["suffix"]},
            {"@type": "oa:TextPositionSelector", "oa:start": sel["start"], "oa:end": sel["end"]},
        ],
        "oa:hasState": {"@type": "oa:TimeState", "oa:sourceDate": at, "oa:cachedSource": snapshot},
    }
    claim: dict[str, Any] = {
        "@id": claim_iri,
        "@type": ["prov:Entity", "schema:Claim"],
        "fl:assertionId": aid,
        "fl:kind": a["kind"],
        "fl:modality": a["modality"],
        "schema:text": sel["exact"],
        "schema:appearance": article,
        "prov:wasQuotedFrom": anchor,
        "prov:hadPrimarySource": article,
        "prov:wasGeneratedBy": event,
        "prov:generatedAtTime": at,
    }
    if a["speaker"]:
        speaker = iris.speaker(a["speaker"])
        claim["@type"].append("schema:Quotation")
        claim["schema:spokenByCharacter"] = speaker
        claim["schema:author"] = speaker
        claim["prov:qualifiedAttribution"] = {"@type": "prov:Attribution", "prov:agent": speaker, "prov:hadRole": "fl:Speaker"}
    elif source is not None and source.outlet:
        claim["schema:author"] = iris.outlet(source.outlet)
    if source is not None and source.published:
        claim["schema:datePublished"] = _date(source.published)
    if a["values"]:
        claim["fl:value"] = [
            {"@type": "fl:Value", "fl:valueType": v["type"], "schema:text": v["text"], "schema:value": v["value"]}
            | ({"schema:unitText": v["unit"]} if v.get("unit") else {})
            for v in a["values"]
        ]
    if a["entities"]:
        claim["schema:mentions"] = [{"schema:name": m["entity"], "fl:entityType": m["type"]} for m in a["entities"]]
    return [anchor_node, claim, {
        "@id": event,
        "@type": ["prov:Activity", "fl:AssertionRecorded"],
        "fl:sequence": rec["seq"],
        "fl:eventHash": rec["hash"],
        "prov:used": snapshot,
        "prov:wasAssociatedWith": extractor,
        "prov:startedAtTime": at,
        "prov:endedAtTime": at,
        "fl:actor": rec["actor"],
    }]


def link_nodes(link: Any, iris: Iris) -> Iterator[dict[str, Any]]:
    """One accepted link: the CiTO triple and a reified ``cito:Citation`` carrying its evidence."""
    from ..projections.claims.explain import evidence

    relation = "disagreesWith" if link.relation == "conflicts" else "agreesWith"
    yield {"@id": iris.assertion(link.a), f"cito:{relation}": iris.assertion(link.b)}
    citation: dict[str, Any] = {
        "@id": f"{iris.base}link/{_seg(link.a)}/{_seg(link.b)}",
        "@type": ["cito:Citation", "prov:Entity"],
        "cito:hasCitingEntity": iris.assertion(link.a),
        "cito:hasCitedEntity": iris.assertion(link.b),
        "cito:hasCitationCharacterization": f"cito:{relation}",
        "fl:relation": link.relation,
        "fl:linkedBy": link.how,
        "fl:score": link.score,
        "rdfs:comment": evidence(link),
    }
    if link.grade:
        citation["fl:grade"] = link.grade
    if link.revision:
        citation["fl:revision"] = True
    yield citation
    if link.relation == "corroborates":
        yield from part_nodes(link, iris)


def part_nodes(link: Any, iris: Iris) -> Iterator[dict[str, Any]]:
    """A corroboration that disagrees on one measure (one sentence, two facts): each side's
    words for that measure become an ``fl:ClaimPart`` of its assertion, and the two parts
    ``cito:disagreesWith`` each other, so the statements agree and only those parts conflict."""
    from ..projections.claims.explain import describe_slot

    for s in link.slots:
        if s.outcome == "agree":
            continue
        ends = []
        for aid, text, value in ((link.a, s.a_text, s.a_value), (link.b, s.b_text, s.b_value)):
            part = f"{iris.assertion(aid)}/part/{_seg(s.slot)}"
            ends.append(part)
            yield {"@id": part, "@type": "fl:ClaimPart", "schema:isPartOf": iris.assertion(aid), "schema:text": text,
                   "fl:slot": s.slot, "fl:value": value}
        yield {"@id": ends[0], "cito:disagreesWith": ends[1]}
        yield {
            "@id": f"{iris.base}link/{_seg(link.a)}/{_seg(link.b)}/part/{_seg(s.slot)}",
            "@type": ["cito:Citation", "prov:Entity"],
            "cito:hasCitingEntity": ends[0],
            "cito:hasCitedEntity": ends[1],
            "cito:hasCitationCharacterization": "cito:disagreesWith",
            "fl:relation": "conflicts",
            "fl:grade": s.outcome,
            "rdfs:comment": describe_slot(s),
        }


def claim_nodes(claim: Any, iris: Iris) -> Iterator[dict[str, Any]]:
    """A display group (``fl:Claim``) with its members, and the analyst's verdict as a ``schema:ClaimReview``."""
    node: dict[str, Any] = {
        "@id": iris.claim(claim.claim_id),
        "@type": ["fl:Claim", "prov:Collection"],
        "fl:status": claim.status,
        "schema:text": claim.label,
        "prov:hadMember": [iris.assertion(m.assertion_id) for m in claim.members],
    }
    if claim.conflicts:
        node["fl:conflict"] = [
            {"@type": "fl:Conflict", "fl:field": c.field, "fl:grade": c.grade, "rdfs:comment": c.explanation}
            | ({"fl:revision": True} if c.revision else {})
            for c in claim.conflicts
        ]
    yield node
    if claim.verdict is not None:
        v = claim.verdict
        review: dict[str, Any] = {
            "@id": f"{iris.claim(claim.claim_id)}/review/{v.recorded.seq}",
            "@type": "schema:ClaimReview",
            "schema:itemReviewed": [iris.assertion(m.assertion_id) for m in claim.members],
            "schema:claimReviewed": claim.label,
            "schema:reviewRating": {"@type": "schema:Rating", "schema:alternateName": v.status},
            "schema:author": {"@type": "schema:Person", "schema:name": v.recorded.actor},
            "schema:datePublished": {"@value": v.recorded.at, "@type": "xsd:dateTime"},
            "prov:wasGeneratedBy": iris.event(v.recorded.seq),
        }
        if v.note:
            review["schema:reviewBody"] = v.note
        yield review


def iter_nodes(context: ExportContext) -> Iterator[dict[str, Any]]:
    """Every node of the document, in order."""
    return chain.from_iterable(iter_node_groups(context))


def iter_node_groups(context: ExportContext) -> Iterator[list[dict[str, Any]]]:
    """The document's nodes in non-empty lists (an assertion's three, a source's few): what
    :func:`write` dumps, with no generator step per node."""
    iris = Iris(check_base(context.options.get("base") or DEFAULT_BASE))
    sources = context.source_index()
    yield from _head_groups(context, iris, sources)
    yield from _assertion_groups(context, iris, sources)
    yield from _tail_groups(context, iris, sources)


def _head_groups(context: ExportContext, iris: Iris, sources: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The ledger node, then each source's nodes."""
    yield [{
        "@id": iris.ledger(),
        "@type": ["prov:Collection", "fl:Ledger"],
        "fl:headSequence": context.head_seq,
        "fl:headHash": context.head_hash,
    }]
    for row in sources.values():
        yield list(source_nodes(row, iris))


def _agent_nodes(made_by: tuple[str, str] | None, speaker: str | None, iris: Iris) -> list[dict[str, Any]]:
    """The agent nodes written before the first assertion an extractor or a speaker made."""
    agents = []
    if made_by is not None:
        agents.append({
            "@id": iris.extractor(*made_by),
            "@type": ["prov:SoftwareAgent", "schema:SoftwareApplication"],
            "schema:name": made_by[0],
            "schema:softwareVersion": made_by[1],
        })
    if speaker:
        agents.append({"@id": iris.speaker(speaker), "@type": ["prov:Agent", "schema:Person"], "schema:name": speaker})
    return agents


def _assertion_groups(context: ExportContext, iris: Iris, sources: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """Each current assertion's nodes, after the agents it is the first to name."""
    extractors: set[tuple[str, str]] = set()
    speakers: set[str] = set()
    get_source = sources.get
    for a in context.assertion_dicts():
        made_by = (a["extractor"], a["extractor_version"])
        speaker = a["speaker"]
        if made_by not in extractors or (speaker and speaker not in speakers):
            new_made_by = None if made_by in extractors else made_by
            new_speaker = speaker if speaker and speaker not in speakers else None
            extractors.add(made_by)
            if new_speaker:
                speakers.add(new_speaker)
            yield _agent_nodes(new_made_by, new_speaker, iris) + assertion_nodes(a, get_source(a["source_id"]), iris)
        else:
            yield assertion_nodes(a, get_source(a["source_id"]), iris)


def _tail_groups(context: ExportContext, iris: Iris, sources: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The claims, links and verdicts (``graph`` view), then the speaker role."""
    if context.view == "graph":
        from ..serialization import converter

        view = context.claims_view()
        for claim in view.claims:
            for m in claim.members:  # an earlier version's statement, compared with its revision
                if m.assertion_id in claim.superseded:
                    nodes = assertion_nodes(converter.unstructure(m), sources.get(m.source_id), iris)
                    for n in nodes:
                        if n.get("@id") == iris.assertion(m.assertion_id):
                            n["fl:superseded"] = True
                    yield nodes
            if len(claim.members) >= 2 or claim.verdict is not None:
                yield list(claim_nodes(claim, iris))
        for link in view.links:
            yield list(link_nodes(link, iris))
    yield [{"@id": "fl:Speaker", "@type": "prov:Role", "rdfs:label": "speaker"}]


# -- the stored text of an assertion's nodes (the projection store's ``jsonld`` column) ----
# Projection stores keep what assertion_template wrote when each row was folded: bump
# ledger.projections.store.FORMAT whenever assertion_nodes or assertion_template changes its
# output, so that older stores are rebuilt (the tests build fresh stores and would not notice).

BASE_SLOT, ARTICLE_SLOT, SOURCE_SLOT = b"\x00", b"\x01", b"\x02"
"""Where an assertion template takes the export's base IRI, its source's article IRI, and its
source's ``schema:author`` (outlet, when no speaker) and ``schema:datePublished`` members (with
their leading comma, or nothing). orjson escapes every control character of the data
(``\\u0000``), so these bytes occur in a template nowhere else."""


class _TemplateIris(Iris):
    """Mints IRIs under a marker base, with a marker for the article (both replaced by slots)."""

    def __init__(self, base: str, article: str) -> None:
        super().__init__(base)
        self._article = article

    def article(self, row: Any) -> str:
        return self._article

    def minted_article(self, source_id: str) -> str:
        return self._article


class _NoSourceFields:
    """A source with neither outlet nor published date: those members go into :data:`SOURCE_SLOT`."""

    outlet = None
    published = None


_TEMPLATE_IRIS: dict[str, _TemplateIris] = {}


def assertion_template(a: dict[str, Any]) -> bytes:
    """The bytes :func:`write` writes for one assertion's nodes (as ``assertion_nodes``, dumped and
    joined with ``,\\n``), with the export-time parts left as slots: :data:`BASE_SLOT` (``-O base``),
    :data:`ARTICLE_SLOT` and :data:`SOURCE_SLOT` (its source as it stands at the export's point: a
    revision or a correction can change its URL, outlet or date after the row was written).

    Built from ``assertion_nodes`` with marker strings (ids, quotes and names are escaped exactly
    as there): a marker starts with ``@FL``, which no minted IRI holds (``@`` is always
    percent-encoded in them) and which is lengthened until the row's own data does not hold it."""
    mark = "@FLQ"
    data = orjson.dumps(a)
    while mark.encode() in data:
        mark += "Q"
    iris = _TEMPLATE_IRIS.get(mark)
    if iris is None or len(iris._memo) > 10_000:  # its memo grows with speakers: bounded
        iris = _TemplateIris(mark + "0@", mark + "1@")
        if mark == "@FLQ":  # the one almost every row uses; others are not kept
            _TEMPLATE_IRIS[mark] = iris
    nodes = assertion_nodes(a, _NoSourceFields(), iris)
    slot = mark + "2@"
    claim = nodes[1]
    after = [(key, claim.pop(key)) for key in ("fl:value", "schema:mentions") if key in claim]
    claim[slot] = 0  # where a source's author and date go: after the speaker's members, before these
    claim.update(after)
    text = b",\n".join(map(orjson.dumps, nodes))
    return (
        text.replace(iris.base.encode(), BASE_SLOT)
        .replace(iris._article.encode(), ARTICLE_SLOT)
        .replace(b',"' + slot.encode() + b'":0', SOURCE_SLOT)
    )


def _source_parts(source: Any, source_id: str, iris: Iris) -> tuple[bytes, bytes, bytes]:
    """What the slots of a template take for assertions of ``source_id``: the article IRI (JSON
    string content), the members after an assertion without a speaker (``schema:author`` the
    outlet, ``schema:datePublished``) and after one with a speaker (the date only)."""
    article = iris.article(source) if source is not None else iris.minted_article(source_id)
    date: dict[str, Any] = {}
    by_outlet: dict[str, Any] = {}
    if source is not None:
        if source.outlet:
            by_outlet["schema:author"] = iris.outlet(source.outlet)
        if source.published:
            date["schema:datePublished"] = _date(source.published)
            by_outlet.update(date)

    def members(d: dict[str, Any]) -> bytes:
        return b"," + orjson.dumps(d)[1:-1] if d else b""

    return orjson.dumps(article)[1:-1], members(by_outlet), members(date)


_FLUSH = 1 << 16
_ROWS_PER_WRITE = 128


def _stored_assertions(
    out: IO[bytes], stored: Iterator[tuple[str, str | None, bytes, bytes]], iris: Iris, sources: dict[str, Any],
) -> None:
    """Write the assertions' nodes from the store's templates (each preceded by ``,\\n``), the
    same bytes as :func:`_assertion_groups` dumped. Per row: two
    ``bytes.replace``; the base goes in once per write of about ``_ROWS_PER_WRITE`` rows."""
    base = iris.base.encode()
    dumps = orjson.dumps
    extractors: set[bytes] = set()
    speakers: set[str] = set()
    parts: dict[str, tuple[bytes, bytes, bytes]] = {}
    get_parts = parts.get
    chunk: list[bytes] = [b""]
    n = 0
    for sid, speaker, made_by, template in stored:
        p = get_parts(sid)
        if p is None:
            p = parts[sid] = _source_parts(sources.get(sid), sid, iris)
        if made_by not in extractors or (speaker and speaker not in speakers):
            new_made_by = None
            if made_by not in extractors:
                extractors.add(made_by)
                name, version = orjson.loads(made_by)
                new_made_by = (name, version)
            new_speaker = speaker if speaker and speaker not in speakers else None
            if new_speaker:
                speakers.add(new_speaker)
            chunk.append(b",\n".join(map(dumps, _agent_nodes(new_made_by, new_speaker, iris))))
        chunk.append(template.replace(ARTICLE_SLOT, p[0]).replace(SOURCE_SLOT, p[2] if speaker else p[1]))
        n += 1
        if n == _ROWS_PER_WRITE:
            out.write(b",\n".join(chunk).replace(BASE_SLOT, base))
            chunk = [b""]
            n = 0
    if len(chunk) > 1:
        out.write(b",\n".join(chunk).replace(BASE_SLOT, base))


class _GroupWriter:
    """Dumps node groups joined by ``,\\n``, written about 64 KiB at a time."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.chunk: list[bytes] = []
        self.size = 0
        self.first = True

    def write(self, groups: Iterator[list[dict[str, Any]]]) -> None:
        dumps = orjson.dumps
        chunk = self.chunk
        for group in groups:
            if not group:
                continue
            data = b",\n".join(map(dumps, group)) if len(group) > 1 else dumps(group[0])
            chunk.append(data)
            self.size += len(data)
            if self.size > _FLUSH:
                self.flush()

    def flush(self) -> None:
        if self.chunk:
            self.out.write((b"" if self.first else b",\n") + b",\n".join(self.chunk))
            self.first = False
            self.chunk.clear()
            self.size = 0


class _ScriptSafe:
    """Writes JSON with ``<``, ``>`` and ``&`` as ``\\u`` escapes (same document once parsed).

    Fact-check pages publish JSON-LD inside ``<script type="application/ld+json">``, where a
    quote or title holding ``</script>`` or ``<!--`` would end the element and run what follows.
    In JSON these bytes occur only inside strings, so replacing them anywhere is exact."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, data: bytes) -> int:
        if b"<" in data or b">" in data or b"&" in data:
            data = data.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
        return self.out.write(data)


def write(context: ExportContext, out: IO[bytes]) -> None:
    """Stream the document: nodes joined by ``,\\n``, written about 64 KiB at a time.

    With a projection store, each assertion's nodes are its stored text
    (``ExportContext.assertion_jsonld``, :func:`assertion_template`) with the base, its source's
    IRI and members put in: no dict is built or parsed per assertion."""
    base = check_base(context.options.get("base") or DEFAULT_BASE)  # refused before the first byte is written
    out = _ScriptSafe(out)
    out.write(b'{\n"@context": ' + orjson.dumps(CONTEXT) + b',\n"@graph": [\n')
    writer = _GroupWriter(out)
    stored = context.assertion_jsonld()
    if stored is None:
        writer.write(iter_node_groups(context))
    else:
        iris = Iris(base)
        sources = context.source_index()
        writer.write(_head_groups(context, iris, sources))  # never empty: the ledger node
        writer.flush()
        _stored_assertions(out, stored, iris, sources)
        writer.write(_tail_groups(context, iris, sources))
    writer.flush()
    out.write(b"\n]\n}\n")


SPEC = ExporterSpec(
    name="jsonld",
    media_type="application/ld+json",
    extension="jsonld",
    write=write,
    views=("graph", "assertions"),
    description="JSON-LD (PROV-O, Web Annotation, schema.org Claim, CiTO) with an inline context",
    options=(("base", f"Base IRI for minted node ids (default {DEFAULT_BASE})"),),
)


@hookimpl
def register_exporters(register):
    register(SPEC)
