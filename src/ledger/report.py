"""``factledger audit``: the report an auditor attaches to their work.

One pass over the ledger up to ``as_of`` gathers what a reader of the audit needs without
the ledger: the head it speaks of, what verify and the checkpoint said, who and what wrote
the events, and every human act on the record (retractions with their quotes, revisions
with what they added, withdrew and carried, verdicts, analyst links). Rendered as Markdown
(every ledger string escaped) or as one JSON document.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .events import GENESIS, current_data
from .log import LogStore


def build(store: LogStore, as_of: int | None = None) -> dict[str, Any]:
    """The report's facts from the ledger, up to seq ``as_of`` (None: the head when called)."""
    head = store.head()
    upto = head.seq if as_of is None else min(as_of, head.seq)
    by_type: Counter[str] = Counter()
    by_actor: Counter[str] = Counter()
    by_extractor: Counter[str] = Counter()
    quotes: dict[str, str] = {}
    current: dict[str, set[str]] = {}  # source id -> assertion ids of its last version
    retractions, revisions, verdicts, links = [], [], [], []
    open_revision: dict[str, Any] | None = None
    seq, digest = 0, GENESIS
    for _offset, line, raw in store.lines():
        if raw["seq"] > upto:
            break
        seq, digest = raw["seq"], raw["hash"]
        t, d = raw["type"], current_data(raw) or {}
        by_type[str(t)] += 1
        by_actor[str(raw.get("actor"))] += 1
        where = {"seq": seq, "at": raw.get("at"), "actor": raw.get("actor")}
        if t in ("SourceAppended", "SourceRevised"):
            open_revision = None
            if t == "SourceRevised":
                open_revision = {**where, "source_id": d.get("source_id"), "version": d.get("version"),
                                 "revision_of": d.get("revision_of"), "added": [], "carried": [], "withdrawn": [],
                                 "_before": current.get(d.get("source_id"), set())}
                revisions.append(open_revision)
            current[d.get("source_id")] = set()
        elif t == "AssertionRecorded":
            aid = d.get("assertion_id")
            by_extractor[f"{d.get('extractor')} {d.get('extractor_version')}"] += 1
            quotes[aid] = (d.get("selector") or {}).get("exact", "")
            current.setdefault(d.get("source_id"), set()).add(aid)
            if open_revision is not None and open_revision["source_id"] == d.get("source_id"):
                open_revision["carried" if aid in open_revision["_before"] else "added"].append(aid)
        elif t == "AssertionWithdrawn":
            if open_revision is not None and open_revision["source_id"] == d.get("source_id"):
                open_revision["withdrawn"].append(d.get("assertion_id"))
        elif t == "AssertionRetracted":
            aid = d.get("assertion_id")
            retractions.append({**where, "assertion_id": aid, "reason": d.get("reason"), "quote": quotes.get(aid)})
        elif t == "VerdictRecorded":
            verdicts.append({**where, "target": d.get("target"), "status": d.get("status"), "note": d.get("note")})
        elif t in ("AssertionsLinked", "AssertionsUnlinked"):
            links.append({**where, "linked": t == "AssertionsLinked", "a": d.get("a"), "b": d.get("b"), "note": d.get("note")})
    for r in revisions:
        r.pop("_before")
    return {
        "ledger": str(store.path),
        "head": {"seq": seq, "hash": digest, "as_of": as_of},
        "events_by_type": dict(sorted(by_type.items())),
        "events_by_actor": dict(sorted(by_actor.items())),
        "assertions_by_extractor": dict(sorted(by_extractor.items())),
        "retractions": retractions,
        "revisions": revisions,
        "verdicts": verdicts,
        "links": links,
    }


def markdown(report: dict[str, Any]) -> str:
    from .exporters.markdown import code, escape

    def cell(value: Any) -> str:
        return escape(str(value)) if value not in (None, "") else "—"

    head = report["head"]
    out = ["# Ledger audit", ""]
    out.append(f"- Ledger: {code(report['ledger'])}")
    pinned = f" (as of seq {head['as_of']})" if head["as_of"] is not None else ""
    out.append(f"- Head{pinned}: seq {head['seq']}, hash {code(head['hash'])}")
    v = report.get("verify")
    if v is not None:
        result = "OK" if v["ok"] else f"FAILED at seq {v['bad_seq']}: {escape(v['reason'] or '')}"
        if v["ok"] and v.get("interrupted"):  # verify's exit 3
            result = f"OK up to an interrupted append: {escape(v['interrupted'])}"
        out.append(f"- Verify (whole file, {v['events']} events): {result}")
    c = report.get("checkpoint")
    if c is not None:
        out.append(f"- Checkpoint {code(c['file'])} ({escape(c['origin'] or '?')}, {c['size']} events): "
                   + ("the ledger extends it" if c["ok"] else f"FAILED: {escape(c['reason'] or '')}"))
    else:
        out.append("- Checkpoint: none given (truncation or a consistent rewrite cannot be ruled out)")
    for w in report.get("warnings", []):
        out.append(f"- Warning: {escape(w)}")
    for title, key in (("Events by type", "events_by_type"), ("Events by actor", "events_by_actor"),
                       ("Assertions by extractor", "assertions_by_extractor")):
        out += ["", f"## {title}", "", "| | events |", "|---|---:|"]
        out += [f"| {cell(k)} | {n} |" for k, n in report[key].items()] or ["| (none) | 0 |"]
    out += ["", "## Retractions", ""]
    out += [f"- seq {r['seq']}, {cell(r['at'])}, {cell(r['actor'])}: {code(r['assertion_id'] or '')} "
            f"“{cell(r['quote'])}” — reason: {cell(r['reason'])}" for r in report["retractions"]] or ["(none)"]
    out += ["", "## Revisions", ""]
    out += [f"- seq {r['seq']}, {cell(r['at'])}, {cell(r['actor'])}: {code(str(r['source_id']))} v{cell(r['revision_of'])} → "
            f"v{cell(r['version'])}: {len(r['added'])} added, {len(r['withdrawn'])} withdrawn, {len(r['carried'])} carried"
            + "".join(f"\n  - {what}: " + ", ".join(code(str(a)) for a in r[what]) for what in ("added", "withdrawn") if r[what])
            for r in report["revisions"]] or ["(none)"]
    out += ["", "## Verdicts", ""]
    out += [f"- seq {r['seq']}, {cell(r['at'])}, {cell(r['actor'])}: {code(str(r['target']))} **{cell(r['status'])}**"
            + (f" — {cell(r['note'])}" if r["note"] else "") for r in report["verdicts"]] or ["(none)"]
    out += ["", "## Analyst links", ""]
    out += [f"- seq {r['seq']}, {cell(r['at'])}, {cell(r['actor'])}: {'linked' if r['linked'] else 'unlinked'} "
            f"{code(str(r['a']))} and {code(str(r['b']))}" + (f" — {cell(r['note'])}" if r["note"] else "")
            for r in report["links"]] or ["(none)"]
    return "\n".join(out) + "\n"
