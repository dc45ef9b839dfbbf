"""The view commands: tables by default, --json, --as-of, one-line errors."""

from __future__ import annotations

import json

from ledger.log import LogStore
from ledger.projections import trail
from helpers import _ledger


def test_views_json_and_tables(tmp_path, run_cli):
    """Every view prints a table and valid JSON with the expected rows."""
    store = _ledger(tmp_path)
    for view in ("sources", "assertions", "entities", "timeline", "claims"):
        table = run_cli(view, ledger=store.path)
        assert table.exit_code == 0, (view, table.output)
        data = json.loads(run_cli(view, "--json", ledger=store.path).stdout)
        assert isinstance(data, list)
    srcs = json.loads(run_cli("sources", "--json", ledger=store.path).stdout)
    assert [s["source_id"] for s in srcs] == ["src-a", "src-b"]
    claims = run_cli("claims", ledger=store.path).stdout
    assert "CONFLICT (date, hard)" in claims and "2024-03-03 (Sunday" in claims


def test_as_of_and_filters(tmp_path, run_cli):
    """--as-of limits what a view shows; filters narrow assertions."""
    store = _ledger(tmp_path)
    early = json.loads(run_cli("assertions", "--json", "--as-of", "4", ledger=store.path).stdout)
    assert {a["source_id"] for a in early} == {"src-a"}
    only_b = json.loads(run_cli("assertions", "--json", "--source", "src-b", ledger=store.path).stdout)
    assert [a["assertion_id"] for a in only_b] == ["as-b1", "as-b2", "as-b3"]
    nocache = json.loads(run_cli("assertions", "--json", "--no-cache", ledger=store.path).stdout)
    assert len(nocache) == 6


def test_show_trail(tmp_path, run_cli):
    """show prints every event with seq, actor, hash and the quote in context."""
    store = _ledger(tmp_path)
    out = run_cli("show", "as-b2", ledger=store.path)
    assert out.exit_code == 0
    assert "AssertionRecorded as-b2" in out.stdout and "[Councillors approved" in out.stdout
    recorded = next(e for e in trail(LogStore(store.path), "as-b2") if e.type == "AssertionRecorded")
    assert f"seq {recorded.seq}  {recorded.at}  {recorded.actor}  {recorded.hash[:16]}" in out.stdout
    claim = run_cli("show", "cl-a1", ledger=store.path)
    assert claim.exit_code == 0 and "[conflict]" in claim.stdout


def test_bad_input_one_line_errors(tmp_path, run_cli):
    """A bad --as-of, an unknown id or a missing ledger fail with one line and exit 1."""
    store = _ledger(tmp_path)
    for args in (("claims", "--as-of", "99"), ("claims", "--as-of", "soon"), ("show", "as-zzz")):
        r = run_cli(*args, ledger=store.path)
        assert r.exit_code == 1 and r.stderr.count("\n") == 1 and r.stderr.startswith("Error:"), (args, r.stderr)
    missing = run_cli("sources", ledger=tmp_path / "none.jsonl")
    assert missing.exit_code == 1 and "no such ledger" in missing.stderr
    assert not (tmp_path / "none.jsonl").exists()
