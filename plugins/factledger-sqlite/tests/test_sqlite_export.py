"""factledger-sqlite passes factledger's exporter contract and builds a browsable, searchable database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ledger import plugins
from ledger.projections import claim_id_for
from ledger.testing import ExporterContract, build_sample_ledger, run_export, SAMPLE_IDS as IDS


def open_db(data: bytes, tmp_path: Path) -> sqlite3.Connection:
    path = tmp_path / "readback.db"
    path.write_bytes(data)
    return sqlite3.connect(path)


# docs:start contract
class TestSqliteContract(ExporterContract):
    exporter_name = "sqlite"
    plugin_name = "sqlite"

    def check_output(self, data, context):
        assert data.startswith(b"SQLite format 3\x00")
# docs:end contract


@pytest.fixture
def db(tmp_path):
    ledger_path = build_sample_ledger(tmp_path / "ledger.jsonl")
    plugins.load_plugins()
    data, context = run_export(plugins.get_exporter("sqlite"), ledger_path, path=tmp_path / "facts.db")
    conn = sqlite3.connect(tmp_path / "facts.db")
    yield conn, context
    conn.close()


def test_registered_by_entry_point():
    """The plugin is found through its entry point, not registered by hand."""
    plugins.load_plugins()
    assert plugins.exporters()["sqlite"].plugin == "sqlite"
    info = {i.name: i for i in plugins.plugin_infos()}["sqlite"]
    assert info.distribution == "factledger-sqlite" and not info.builtin


def test_tables_and_keys(db):
    """Tables have primary keys and foreign keys that hold."""
    conn, _ = db
    pks = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})") if r[5]] for t in ("sources", "assertions", "claims", "claim_members")}
    assert pks == {"sources": ["source_id"], "assertions": ["assertion_id"], "claims": ["claim_id"], "claim_members": ["claim_id", "assertion_id"]}
    fks = {(r[2], r[3]) for r in conn.execute("PRAGMA foreign_key_list(claim_members)")}
    assert fks == {("claims", "claim_id"), ("assertions", "assertion_id")}
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_full_text_search_on_quotes(db):
    """FTS5 finds an assertion by words of its quote and by its speaker."""
    conn, _ = db
    rows = conn.execute(
        "SELECT a.assertion_id, a.exact FROM assertions a JOIN assertions_fts f ON f.rowid = a.rowid "
        "WHERE assertions_fts MATCH 'passengers AND ashore' ORDER BY a.assertion_id"
    ).fetchall()
    assert [r[0] for r in rows] == sorted([IDS["a-quote"], IDS["b-safe"]])
    speaker = conn.execute("SELECT rowid FROM assertions_fts WHERE assertions_fts MATCH 'speaker:Okafor'").fetchall()
    assert len(speaker) == 1


def test_claims_conflicts_and_head(db):
    """Claims, their members, conflicts and the head the database reflects are stored."""
    conn, context = db
    status = dict(conn.execute("SELECT claim_id, status FROM claims"))
    assert status[claim_id_for(IDS["a-quote"])] == "corroborated" and status[claim_id_for(IDS["a-crew"])] == "conflict"
    assert conn.execute("SELECT verdict FROM claims WHERE claim_id=?", (claim_id_for(IDS["a-quote"]),)).fetchone() == ("supported",)
    assert conn.execute("SELECT count(*) FROM conflicts WHERE claim_id=?", (claim_id_for(IDS["a-crew"]),)).fetchone()[0] >= 1
    head = dict(conn.execute("SELECT key, value FROM ledger"))
    assert head["head_seq"] == str(context.head_seq) and head["head_hash"] == context.head_hash
