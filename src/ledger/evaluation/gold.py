"""Score an extractor against a gold file, or count what it finds in any folder.

Pure functions; :mod:`ledger.cli.eval` prints them. Definitions (the gold file's
``about`` is the authority, these restate it):

* **recall**: a gold assertion is found when some assertion recorded for that source
  with kind ``statement`` has an ``exact`` text containing the gold quote (an
  assertion never crosses a sentence, so the quote lies within one sentence).
* **not-statements**: statement-kind assertions whose span overlaps an occurrence of a
  line listed under ``not_statements`` (a headline trailer, a photo credit...). Target 0.
* **speaker accuracy**: over found gold items, our speaker equals gold ``speaker``
  (missing = null), compared case-insensitively after collapsing spaces and stripping
  one leading article (a/an/the): ``a state newspaper`` == ``State newspaper``.
* **hedge accuracy**: over found items, ``modality == "hedged"`` equals gold ``hedged``
  (missing = false). ``negated`` counts as not hedged.
* **values recall**: over the gold values of found items, the fraction present among
  the normalised ``value`` strings of the matching assertion.
* **mean length**: mean ``exact`` length in code points of statement-kind assertions.

When several recorded statements contain a quote, the shortest is the match (the one a
reader would land on).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from attrs import define, field

from ..extractors import Extracted, SourceInfo, check_extracted

ExtractFn = Callable[[str, SourceInfo], Iterable[Extracted]]

_ARTICLE_RE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
_WS_RE = re.compile(r"\s+")

TARGETS = {
    "recall": 0.95,
    "not_statements": 0,
    "speaker_accuracy": 0.9,
    "hedge_accuracy": 0.9,
    "values_recall": 0.9,
}


def speaker_key(speaker: str | None) -> str | None:
    """How speakers are compared: case-folded, spaces collapsed, one leading a/an/the removed."""
    if speaker is None:
        return None
    s = _ARTICLE_RE.sub("", _WS_RE.sub(" ", speaker).strip())
    return s.casefold() or None


@define
class SourceScore:
    """Metrics of one source (or, summed, of the whole gold file)."""

    name: str
    gold: int = 0
    found: int = 0
    not_statements: int = 0
    speaker_ok: int = 0
    hedge_ok: int = 0
    values_gold: int = 0
    values_found: int = 0
    statements: int = 0
    statement_chars: int = 0
    missed: list[str] = field(factory=list)
    wrong_speaker: list[str] = field(factory=list)
    wrong_hedge: list[str] = field(factory=list)
    missed_values: list[str] = field(factory=list)
    kinds: dict[str, int] = field(factory=dict)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_ok / self.found if self.found else 1.0

    @property
    def hedge_accuracy(self) -> float:
        return self.hedge_ok / self.found if self.found else 1.0

    @property
    def values_recall(self) -> float:
        return self.values_found / self.values_gold if self.values_gold else 1.0

    @property
    def mean_length(self) -> float:
        return self.statement_chars / self.statements if self.statements else 0.0

    def metrics(self) -> dict[str, Any]:
        return {
            "source": self.name,
            "gold": self.gold,
            "found": self.found,
            "recall": round(self.recall, 4),
            "not_statements": self.not_statements,
            "speaker_accuracy": round(self.speaker_accuracy, 4),
            "hedge_accuracy": round(self.hedge_accuracy, 4),
            "values_recall": round(self.values_recall, 4),
            "values": [self.values_found, self.values_gold],
            "statements": self.statements,
            "mean_assertion_chars": round(self.mean_length, 1),
            "kinds": dict(sorted(self.kinds.items())),
            "missed": self.missed,
            "wrong_speaker": self.wrong_speaker,
            "wrong_hedge": self.wrong_hedge,
            "missed_values": self.missed_values,
        }


class EvalInputError(ValueError):
    """A gold file, labels file or corpus article eval cannot use: one line naming it."""


def load_gold(path: str | Path) -> dict[str, Any]:
    try:
        gold = json.loads(read_text(Path(path)))
    except json.JSONDecodeError as exc:
        raise EvalInputError(f"{path}: gold file is not JSON ({exc})") from None
    if not isinstance(gold, dict) or not all(isinstance(gold.get(k), dict) for k in ("sources", "assertions")):
        raise EvalInputError(f"{path}: not a gold file (a JSON object with 'sources' and 'assertions' objects)")
    return gold


def read_text(path: Path, *, newline: str | None = "") -> str:
    """Article text as the ledger would store it: UTF-8, newlines kept as written (``newline=None``:
    universal newlines). Undecodable or unreadable: an :class:`EvalInputError` naming the file."""
    try:
        with open(path, encoding="utf-8", newline=newline) as f:
            return f.read()
    except UnicodeDecodeError as exc:
        raise EvalInputError(f"{path}: is not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})") from None
    except OSError as exc:
        raise EvalInputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def score_source(
    name: str, text: str, items: list[Extracted], gold_items: list[dict], not_statements: list[str]
) -> SourceScore:
    sc = SourceScore(name)
    sc.kinds = dict(Counter(x.kind for x in items))
    statements = [x for x in items if x.kind == "statement"]
    sc.statements = len(statements)
    sc.statement_chars = sum(x.end - x.start for x in statements)
    for line in not_statements:
        start = text.find(line)
        while start >= 0:
            end = start + len(line)
            sc.not_statements += sum(1 for x in statements if x.start < end and start < x.end)
            start = text.find(line, start + 1)
    for g in gold_items:
        sc.gold += 1
        quote = g["quote"]
        matches = [x for x in statements if quote in text[x.start : x.end]]
        if not matches:
            sc.missed.append(g["id"])
            continue
        sc.found += 1
        x = min(matches, key=lambda m: m.end - m.start)
        if speaker_key(x.speaker) == speaker_key(g.get("speaker")):
            sc.speaker_ok += 1
        else:
            sc.wrong_speaker.append(f"{g['id']}: got {x.speaker!r}, gold {g.get('speaker')!r}")
        if (x.modality == "hedged") == bool(g.get("hedged", False)):
            sc.hedge_ok += 1
        else:
            sc.wrong_hedge.append(f"{g['id']}: got {x.modality!r}, gold hedged={bool(g.get('hedged', False))}")
        ours = {v.value for v in x.values}
        for v in g.get("values", []):
            sc.values_gold += 1
            if v in ours:
                sc.values_found += 1
            else:
                sc.missed_values.append(f"{g['id']}: {v}")
    return sc


def evaluate(gold: dict[str, Any], corpus: str | Path, extract: ExtractFn) -> tuple[list[SourceScore], SourceScore]:
    """Run ``extract`` over the gold file's sources in ``corpus``; per-source and overall scores."""
    corpus = Path(corpus)
    per = []
    total = SourceScore("overall")
    for name, meta in gold["sources"].items():
        text = read_text(corpus / name)
        info = SourceInfo(source_id=name, title=meta.get("title"), published=meta.get("published"))
        items = check_extracted(text, extract(text, info))
        sc = score_source(
            name, text, items, gold["assertions"].get(name, []), gold.get("not_statements", {}).get(name, [])
        )
        per.append(sc)
        for attr in (
            "gold", "found", "not_statements", "speaker_ok", "hedge_ok", "values_gold", "values_found",
            "statements", "statement_chars",
        ):
            setattr(total, attr, getattr(total, attr) + getattr(sc, attr))
        for attr in ("missed", "wrong_speaker", "wrong_hedge", "missed_values"):
            getattr(total, attr).extend(getattr(sc, attr))
        for k, n in sc.kinds.items():
            total.kinds[k] = total.kinds.get(k, 0) + n
    return per, total


def failures(total: SourceScore) -> list[str]:
    """Targets (:data:`TARGETS`) the overall score misses, as readable lines."""
    out = []
    m = total.metrics()
    for key, target in TARGETS.items():
        if key == "not_statements":
            if m[key] > target:
                out.append(f"{key} = {m[key]} (target {target})")
        elif m[key] < target:
            out.append(f"{key} = {m[key]:.3f} (target >= {target})")
    return out


def format_report(per: list[SourceScore], total: SourceScore) -> str:
    rows = []
    head = f"{'source':<28} {'recall':>12} {'not-stmt':>8} {'speaker':>8} {'hedge':>6} {'values':>12} {'mean len':>8}"
    rows.append(head)
    for sc in [*per, total]:
        rows.append(
            f"{sc.name[:28]:<28} {sc.found:>3}/{sc.gold:<3} {sc.recall:>4.2f} {sc.not_statements:>8} "
            f"{sc.speaker_accuracy:>8.2f} {sc.hedge_accuracy:>6.2f} "
            f"{sc.values_found:>3}/{sc.values_gold:<3} {sc.values_recall:>4.2f} {sc.mean_length:>8.1f}"
        )
    rows.append("")
    for sc in per:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(sc.kinds.items()))
        rows.append(f"{sc.name}: {kinds}")
        for label, lst in (
            ("missed", sc.missed), ("wrong speaker", sc.wrong_speaker), ("wrong hedge", sc.wrong_hedge),
            ("missed values", sc.missed_values),
        ):
            if lst:
                rows.append(f"  {label}: " + "; ".join(lst))
    rows.append("")
    rows.append(
        "speaker match: case-insensitive, spaces collapsed, one leading a/an/the stripped; "
        "a gold item is found when a statement's exact text contains its quote."
    )
    fails = failures(total)
    rows.append("targets: " + ("all met" if not fails else "MISSED: " + "; ".join(fails)))
    return "\n".join(rows)


def count_kinds(corpus: str | Path, extract: ExtractFn, pattern: str = "*.txt") -> list[tuple[str, dict[str, int]]]:
    """No-gold mode: assertions by kind for every article in ``corpus`` (sorted by name)."""
    out = []
    for path in sorted(Path(corpus).glob(pattern)):
        if not path.is_file():
            continue
        text = read_text(path)
        items = check_extracted(text, extract(text, SourceInfo(source_id=path.name)))
        counts = Counter(x.kind for x in items)
        counts["hedged"] = sum(1 for x in items if x.kind == "statement" and x.modality == "hedged")
        counts["attributed"] = sum(1 for x in items if x.kind == "statement" and x.speaker)
        out.append((path.name, dict(counts)))
    return out


def format_counts(rows: list[tuple[str, dict[str, int]]]) -> str:
    cols = ["statement", "headline", "caption", "credit", "boilerplate", "attributed", "hedged"]
    lines = [f"{'file':<40} " + " ".join(f"{c:>11}" for c in cols)]
    totals = Counter()
    for name, counts in rows:
        totals.update(counts)
        lines.append(f"{name[:40]:<40} " + " ".join(f"{counts.get(c, 0):>11}" for c in cols))
    lines.append(f"{'total (' + str(len(rows)) + ' files)':<40} " + " ".join(f"{totals.get(c, 0):>11}" for c in cols))
    return "\n".join(lines)
