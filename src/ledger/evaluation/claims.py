"""Evaluate the claims view against the gold cross-source pairs (issue #4).

``evaluate_claims(gold, corpus)`` appends the gold sources (with their gold ``published``
and ``title``) to a temporary ledger with the ``rules`` extractor, builds the claims and
checks, using the gold matching rule (a gold item is the statement of that source whose
``exact`` contains the gold quote):

* how many corroborating pairs end up in one claim;
* whether each gold conflict pair is flagged as a conflict inside one claim;
* which corroborating pairs are wrongly flagged as a conflict;
* the cross-source links that are not gold pairs (listed with both quotes, for a person
  to judge: the gold list is not exhaustive, so these are candidates for false links,
  not proven ones).

Run it standalone: ``python -m ledger.evaluation.claims GOLD --corpus DIR``.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

from attrs import evolve, frozen

from ..ingest import Ingestor
from ..log import LogStore
from ..projections import claims_view
from ..projections.records import AssertionRow, Claim
from ..sources import read_path
from .gold import read_text


@frozen
class PairResult:
    """One gold pair and what the claims view made of it."""

    a: str
    b: str
    note: str
    found_a: str | None
    found_b: str | None
    same_claim: bool
    flagged_conflict: bool
    claim_id: str | None = None


@frozen
class ExtraLink:
    """A claim joining two sources on statements no gold pair names."""

    claim_id: str
    a: str
    b: str
    quote_a: str
    quote_b: str
    status: str


@frozen
class ClaimsReport:
    """Outcome of :func:`evaluate_claims`."""

    corroborate: tuple[PairResult, ...]
    conflict: tuple[PairResult, ...]
    extra: tuple[ExtraLink, ...]
    claims: int
    multi_source_claims: int
    statements: int

    @property
    def corroborated_found(self) -> int:
        """Corroborating gold pairs joined by a link (``same_claim`` reads "linked")."""
        return sum(p.same_claim for p in self.corroborate)

    @property
    def conflicts_flagged(self) -> int:
        return sum(p.same_claim and p.flagged_conflict for p in self.conflict)

    @property
    def wrongly_flagged(self) -> tuple[PairResult, ...]:
        return tuple(p for p in self.corroborate if p.flagged_conflict)

    @property
    def cross_pairs(self) -> int:
        """Cross-source links (the denominator of precision)."""
        return self._cross

    _cross: int = 0

    @property
    def precision(self) -> float:
        """Share of cross-source linked pairs that are gold pairs (a lower bound: gold is not exhaustive)."""
        return (self._cross - len(self.extra)) / self._cross if self._cross else 1.0


def _gold_rows(gold: dict, rows_by_file: dict[str, list[AssertionRow]]) -> dict[str, str]:
    """Gold id -> our assertion id by the gold rule (statement whose exact contains the quote)."""
    found = {}
    for name, items in gold["assertions"].items():
        for item in items:
            for row in rows_by_file.get(name, []):
                if row.kind == "statement" and item["quote"] in row.selector.exact:
                    found[item["id"]] = row.assertion_id
                    break
    return found


def evaluate_claims(gold_path: str | Path, corpus_dir: str | Path, *, extractor=None, claims=None) -> ClaimsReport:
    """Build a temporary ledger of the gold sources and score the claims view against gold."""
    from .. import plugins

    gold_path, corpus_dir = Path(gold_path), Path(corpus_dir)
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    extractor = extractor or plugins.get_extractor("rules")
    with tempfile.TemporaryDirectory() as tmp:
        store = LogStore(Path(tmp) / "eval.jsonl", fsync=False)
        ingestor = Ingestor(store, extractor, actor="claims-eval")
        source_of: dict[str, str] = {}
        for name, meta in gold["sources"].items():
            doc = read_path(corpus_dir / name)
            doc = evolve(doc, published=meta.get("published"), title=meta.get("title"))
            source_of[name] = ingestor.append(doc).source_id
        view = claims_view(store, cache=False)
    built: list[Claim] = list(claims) if claims is not None else list(view.claims)
    links = {frozenset((lk.a, lk.b)): lk for lk in view.links}
    file_of = {sid: name for name, sid in source_of.items()}
    rows_by_file: dict[str, list[AssertionRow]] = {}
    claim_of: dict[str, Claim] = {}
    for c in built:
        for m in c.members:
            rows_by_file.setdefault(file_of.get(m.source_id, m.source_id), []).append(m)
            claim_of[m.assertion_id] = c
    for rows in rows_by_file.values():
        rows.sort(key=lambda r: r.selector.start)
    ours = _gold_rows(gold, rows_by_file)
    gold_of: dict[str, list[str]] = {}  # one assertion may hold several gold items (a merged sentence)
    for gid, aid in ours.items():
        gold_of.setdefault(aid, []).append(gid)

    def judge(a: str, b: str, note: str) -> PairResult:
        """Found: a link joins the two (links are the output; groups only arrange them)."""
        x, y = ours.get(a), ours.get(b)
        link = links.get(frozenset((x, y))) if x and y else None
        claim = claim_of.get(x) if x else None
        return PairResult(a, b, note, x, y, link is not None, link is not None and link.relation == "conflicts",
                          claim.claim_id if claim is not None and claim is claim_of.get(y) else None)

    cross = gold.get("cross_source", {})
    corro = tuple(judge(*p) for p in cross.get("corroborate", []))
    confl = tuple(judge(*p) for p in cross.get("conflict", []))
    gold_pairs = {frozenset((p[0], p[1])) for p in [*cross.get("corroborate", []), *cross.get("conflict", [])]}
    extra, n_cross = [], 0
    row_of = {m.assertion_id: m for c in built for m in c.members}
    for lk in view.links:
        ma, mb = row_of.get(lk.a), row_of.get(lk.b)
        if ma is None or mb is None or ma.source_id == mb.source_id:
            continue
        n_cross += 1
        ga, gb = gold_of.get(ma.assertion_id, []), gold_of.get(mb.assertion_id, [])
        if any(frozenset((x, y)) in gold_pairs for x in ga for y in gb):
            continue
        c = claim_of.get(ma.assertion_id)
        extra.append(
            ExtraLink(c.claim_id if c is not None else "-", "/".join(ga) or ma.assertion_id, "/".join(gb) or mb.assertion_id,
                      ma.selector.exact, mb.selector.exact, lk.relation)
        )
    statements = sum(len(v) for v in rows_by_file.values())
    return ClaimsReport(
        corroborate=corro, conflict=confl, extra=tuple(extra), claims=len(built),
        multi_source_claims=sum(len(c.sources) > 1 for c in built), statements=statements, cross=n_cross,
    )


@frozen
class PairOutcome:
    """One pair of a pairs file and the links the claims view made between its two quotes."""

    kind: str
    topic: str
    note: str
    quote_a: str
    quote_b: str
    found: bool
    relations: tuple[str, ...]
    grades: tuple[str, ...]


@frozen
class UnlistedLink:
    """A cross-source link between statements that no pair of the gold names, for a person to judge."""

    relation: str
    a: str
    b: str
    quote_a: str
    quote_b: str
    evidence: str


@frozen
class PairsReport:
    """Outcome of :func:`evaluate_pairs` (the same counts as ``shared/eval/tools/score_claims.py``)."""

    corroborate: tuple[PairOutcome, ...]
    conflict: tuple[PairOutcome, ...]
    not_same_fact: tuple[PairOutcome, ...]
    control_links: int
    agree_links: int
    disagree_links: int
    unlisted: tuple[UnlistedLink, ...]

    @property
    def corroborations(self) -> int:
        return sum(bool(p.relations) and "corroborates" in p.relations for p in self.corroborate)

    @property
    def conflicts(self) -> int:
        return sum("conflicts" in p.relations for p in self.conflict)

    @property
    def conflicts_by_grade(self) -> dict[str, int]:
        out = {"hard": 0, "soft": 0}
        for p in self.conflict:
            if "conflicts" in p.relations:
                g = "hard" if "hard" in p.grades else "soft"
                out[g] += 1
        return out

    @property
    def false_conflicts(self) -> int:
        return sum("conflicts" in p.relations for p in self.corroborate)

    @property
    def not_same_fact_linked(self) -> int:
        return sum(bool(p.relations) for p in self.not_same_fact)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _append_corpus(store: LogStore, corpus_dir: Path, extractor) -> dict[str, str]:
    """Append every article of a pairs corpus as ``score_claims.py`` does; file name -> stored body."""
    from ..sources import document_from_bytes
    from .speakers import header_block

    ingestor = Ingestor(store, extractor, actor="claims-eval")
    bodies: dict[str, str] = {}
    for f in sorted(corpus_dir.glob("[0-9]*.*")):
        text = read_text(f, newline=None)
        if f.suffix == ".md":
            bodies[f.name] = text.split("\n---\n", 1)[1] if "\n---\n" in text else text
            ingestor.append(read_path(f))
            continue
        meta, body = header_block(text, f.name)
        bodies[f.name] = body
        ingestor.append(evolve(document_from_bytes(body.encode("utf-8"), f.name), **meta))
    return bodies


def evaluate_pairs(pairs_path: str | Path, corpus_dir: str | Path, *, extractor=None) -> PairsReport:
    """Score the claims view's links on a pairs file (corroborate / conflict / not_same_fact / unrelated).

    Counts exactly as ``shared/eval/tools/score_claims.py`` does on the JSON-LD export: a quote is
    held by every exported assertion (or disagreeing part of a corroboration) whose text contains
    it (or, over 20 characters, is contained in it); a pair is found when a link of the right
    relation joins any two holders.
    """
    from .. import plugins
    from ..projections import claims_view
    from ..projections.claims.explain import evidence
    from ..projections.views import catalog, current_assertions

    gold = json.loads(read_text(Path(pairs_path)))
    extractor = extractor or plugins.get_extractor("rules")
    with tempfile.TemporaryDirectory() as tmp:
        store = LogStore(Path(tmp) / "eval.jsonl", fsync=False)
        bodies = _append_corpus(store, Path(corpus_dir), extractor)
        view = claims_view(store, cache=False)
        texts = {r.assertion_id: _norm(r.selector.exact) for r in current_assertions(store, catalog(store, cache=False))}
    for c in view.claims:
        for m in c.members:
            texts.setdefault(m.assertion_id, _norm(m.selector.exact))
    relation: dict[frozenset[str], list] = {}
    parts = []  # the parts that disagree within a corroboration, as the JSON-LD exports them
    for link in view.links:
        relation.setdefault(frozenset((link.a, link.b)), []).append(link)
        if link.relation == "corroborates":
            for sc in link.slots:
                if sc.outcome != "agree":
                    pa, pb = f"{link.a}/part/{sc.slot}", f"{link.b}/part/{sc.slot}"
                    texts[pa], texts[pb] = _norm(sc.a_text), _norm(sc.b_text)
                    parts.append(evolve(link, a=pa, b=pb, relation="conflicts", grade=sc.outcome))
                    relation.setdefault(frozenset((pa, pb)), []).append(parts[-1])

    def holders(quote: str) -> set[str]:
        q = _norm(quote)
        return {aid for aid, t in texts.items() if q in t or (len(t) > 20 and t in q)}

    def outcome(kind: str, p: dict) -> PairOutcome:
        xa, xb = holders(p["a"]["quote"]), holders(p["b"]["quote"])
        found = [lk for x in xa for y in xb for lk in relation.get(frozenset((x, y)), ())]
        return PairOutcome(kind, p.get("topic", ""), p.get("note", ""), p["a"]["quote"], p["b"]["quote"], bool(xa and xb),
                           tuple(sorted({lk.relation for lk in found})), tuple(sorted({lk.grade for lk in found if lk.grade})))

    cor = tuple(outcome("corroborate", p) for p in gold.get("corroborate", []))
    con = tuple(outcome("conflict", p) for p in gold.get("conflict", []))
    nsf = tuple(outcome("not_same_fact", p) for p in gold.get("not_same_fact", []))
    controls = [_norm(bodies[n]) for n in gold.get("unrelated", []) if n in bodies]
    ctrl_nodes = {aid for aid, t in texts.items() if len(t) > 15 and any(t in b for b in controls)}
    ctrl = sum(1 for lk in (*view.links, *parts) if lk.a in ctrl_nodes or lk.b in ctrl_nodes)
    listed = set()
    for p in [*gold.get("corroborate", []), *gold.get("conflict", []), *gold.get("not_same_fact", [])]:
        for x in holders(p["a"]["quote"]):
            for y in holders(p["b"]["quote"]):
                listed.add(frozenset((x, y)))
    rows = {m.assertion_id: m for c in view.claims for m in c.members}
    unlisted = tuple(
        UnlistedLink(lk.relation, lk.a, lk.b, rows[lk.a].selector.exact, rows[lk.b].selector.exact, evidence(lk))
        for lk in view.links
        if frozenset((lk.a, lk.b)) not in listed and rows[lk.a].source_id != rows[lk.b].source_id
    )
    return PairsReport(cor, con, nsf, ctrl, sum(lk.relation == "corroborates" for lk in view.links),
                       sum(lk.relation == "conflicts" for lk in (*view.links, *parts)), unlisted)


def format_pairs_report(r: PairsReport, *, show_unlisted: bool = True) -> str:
    """The counts ``score_claims.py`` prints, the misses, and the unlisted links to judge."""
    g = r.conflicts_by_grade
    lines = [
        f"corroborations {r.corroborations}/{len(r.corroborate)}, conflicts {r.conflicts}/{len(r.conflict)} "
        f"(hard {g['hard']}, soft {g['soft']}), false conflicts {r.false_conflicts}, not-same-fact linked "
        f"{r.not_same_fact_linked}/{len(r.not_same_fact)}, control links {r.control_links}, agree/disagree links "
        f"{r.agree_links}/{r.disagree_links}",
    ]
    for p in r.corroborate:
        if "corroborates" not in p.relations:
            lines.append(f"  MISS corroborate{' (flagged conflict)' if 'conflicts' in p.relations else ''}: {p.topic}")
    for p in r.conflict:
        if "conflicts" not in p.relations:
            lines.append(f"  MISS conflict: {p.topic} ({p.note})")
    for p in r.not_same_fact:
        if p.relations:
            lines.append(f"  LINKED not-same-fact: {p.topic} ({p.note})")
    if show_unlisted and r.unlisted:
        lines.append(f"cross-source links not in the gold ({len(r.unlisted)}; judge them):")
        for u in r.unlisted:
            lines.append(f"  [{u.relation}] {u.a} ~ {u.b}: {u.evidence}")
            lines.append(f"      A: {_norm(u.quote_a)}")
            lines.append(f"      B: {_norm(u.quote_b)}")
    return "\n".join(lines)


def format_claims_report(report: ClaimsReport) -> str:
    """Human summary: recall on gold pairs, conflicts, and the extra links to judge."""
    lines = [
        f"claims: {report.claims} ({report.multi_source_claims} joining 2+ sources) from {report.statements} statements",
        f"corroborating gold pairs linked: {report.corroborated_found}/{len(report.corroborate)}",
        f"gold conflicts flagged as conflict: {report.conflicts_flagged}/{len(report.conflict)}",
        f"corroborating pairs wrongly flagged as conflict: {len(report.wrongly_flagged)}",
        f"cross-source links: {report.cross_pairs}, of which gold: {report.cross_pairs - len(report.extra)} "
        f"(precision against gold {report.precision:.2f}; gold is not exhaustive)",
    ]
    for p in (*report.corroborate, *report.conflict):
        mark = "ok " if p.same_claim else "MISS"
        why = " [conflict]" if p.flagged_conflict else ""
        missing = "" if p.found_a and p.found_b else f" (gold quote not found: {p.a if not p.found_a else p.b})"
        lines.append(f"  {mark} {p.a}-{p.b}{why}: {p.note}{missing}")
    if report.extra:
        lines.append("links not among the gold pairs (judge them):")
        for e in report.extra:
            lines.append(f"  {e.claim_id} [{e.status}] {e.a} ~ {e.b}")
            lines.append(f"      A: {e.quote_a}")
            lines.append(f"      B: {e.quote_b}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ledger.evaluation.claims", description=__doc__.splitlines()[0])
    parser.add_argument("gold")
    parser.add_argument("--corpus", required=True)
    args = parser.parse_args(argv)
    try:
        report = evaluate_claims(args.gold, args.corpus)
    except (OSError, ValueError, LookupError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(format_claims_report(report))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
