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
