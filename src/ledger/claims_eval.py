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

Run it standalone: ``python -m ledger.claims_eval GOLD --corpus DIR``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from attrs import evolve, frozen

from .ingest import Ingestor
from .log import LogStore
from .projections import build_claims
from .projections.records import AssertionRow, Claim
from .sources import read_path


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
        return sum(p.same_claim for p in self.corroborate)

    @property
    def conflicts_flagged(self) -> int:
        return sum(p.same_claim and p.flagged_conflict for p in self.conflict)

    @property
    def wrongly_flagged(self) -> tuple[PairResult, ...]:
        return tuple(p for p in self.corroborate if p.flagged_conflict)

    @property
    def cross_pairs(self) -> int:
        """Cross-source member pairs inside claims (the denominator of precision)."""
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
    from . import plugins

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
        built: list[Claim] = claims if claims is not None else build_claims(store, cache=False)
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
        x, y = ours.get(a), ours.get(b)
        claim = claim_of.get(x) if x else None
        same = bool(x and y and claim is not None and claim is claim_of.get(y))
        flagged = same and any({c.a, c.b} == {x, y} for c in claim.conflicts)
        return PairResult(a, b, note, x, y, same, flagged, claim.claim_id if same else None)

    cross = gold.get("cross_source", {})
    corro = tuple(judge(*p) for p in cross.get("corroborate", []))
    confl = tuple(judge(*p) for p in cross.get("conflict", []))
    gold_pairs = {frozenset((p[0], p[1])) for p in [*cross.get("corroborate", []), *cross.get("conflict", [])]}
    extra, n_cross = [], 0
    for c in built:
        if len(c.sources) < 2:
            continue
        for i, ma in enumerate(c.members):
            for mb in c.members[i + 1 :]:
                if ma.source_id == mb.source_id:
                    continue
                n_cross += 1
                ga, gb = gold_of.get(ma.assertion_id, []), gold_of.get(mb.assertion_id, [])
                if any(frozenset((x, y)) in gold_pairs for x in ga for y in gb):
                    continue
                extra.append(
                    ExtraLink(c.claim_id, "/".join(ga) or ma.assertion_id, "/".join(gb) or mb.assertion_id,
                              ma.selector.exact, mb.selector.exact, c.status)
                )
    statements = sum(len(v) for v in rows_by_file.values())
    return ClaimsReport(
        corroborate=corro, conflict=confl, extra=tuple(extra), claims=len(built),
        multi_source_claims=sum(len(c.sources) > 1 for c in built), statements=statements, cross=n_cross,
    )


def format_claims_report(report: ClaimsReport) -> str:
    """Human summary: recall on gold pairs, conflicts, and the extra links to judge."""
    lines = [
        f"claims: {report.claims} ({report.multi_source_claims} joining 2+ sources) from {report.statements} statements",
        f"corroborating gold pairs in one claim: {report.corroborated_found}/{len(report.corroborate)}",
        f"gold conflicts flagged as conflict: {report.conflicts_flagged}/{len(report.conflict)}",
        f"corroborating pairs wrongly flagged as conflict: {len(report.wrongly_flagged)}",
        f"cross-source linked pairs: {report.cross_pairs}, of which gold: {report.cross_pairs - len(report.extra)} "
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

    parser = argparse.ArgumentParser(prog="python -m ledger.claims_eval", description=__doc__.splitlines()[0])
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
