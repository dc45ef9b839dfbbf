"""The tamper matrix (#11 item 6): tampered copies of a ledger with revisions, withdrawals,
links, verdicts and retractions, most with every hash recomputed, as a forger would.

Each case names the seq ``factledger verify`` must fail at (None: a consistent rewrite or
cut that no replay can see) and the test holds three verifiers to it: ``verify`` (library
and CLI exit code), the stdlib verifier printed in docs/log-format.md (same pass/fail and
seq, except for schema-only damage, which it does not check), and ``verify --checkpoint``
against a checkpoint signed before the damage, which fails for every change to the events
it covers.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from conftest import AS_PLAIN
from helpers import _ALL, MATRIX, nested

from ledger import checkpoint as C
from ledger.audit import verify
from ledger.log import LogStore
from ledger.serialization import converter

DOC = Path(__file__).resolve().parents[1] / "docs" / "log-format.md"



CASES = MATRIX
"""name -> (damage, seq plain verify fails at or None, a schema violation only the schema pass sees): tests/helpers.py"""


@pytest.fixture(scope="module")
def doc_verifier(tmp_path_factory) -> Path:
    doc = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- stdlib-verifier:start -->\n```python\n(.*?)```\n<!-- stdlib-verifier:end -->", doc, re.S)
    path = tmp_path_factory.mktemp("doc") / "verify_ledger.py"
    path.write_text(block.group(1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def signer(tmp_path_factory):
    skey, vkey = C.generate_key("matrix.example/log")
    folder = tmp_path_factory.mktemp("keys")
    (folder / "k.key").write_text(skey)
    (folder / "k.vkey").write_text(vkey)
    return folder / "k.key", folder / "k.vkey"


def test_matrix_has_the_issue_cases():
    """64 tampered copies (plus the intact ledger), as the issue counted."""
    assert len(CASES) - 1 >= 64


@pytest.mark.parametrize("case", list(CASES))
def test_tamper_case(case, all_types_ledger, run_cli, doc_verifier, signer, tmp_path):
    damage, seq, schema_only = CASES[case]
    lines = all_types_ledger.read_bytes().splitlines(keepends=True)
    _ALL[0] = lines
    skey, vkey = signer
    store = LogStore(all_types_ledger)
    cp = tmp_path / "cp"
    cp.write_bytes(C.make_checkpoint(C.tree_of(store), C.read_signing_key(skey)))  # leaves the Merkle cache
    changed = damage(lines)
    assert (changed == lines) == (case == "intact"), "the damage changed nothing"
    all_types_ledger.write_bytes(b"".join(changed))

    report = verify(LogStore(all_types_ledger))
    assert (report.ok, report.bad_seq) == (seq is None, seq), report.reason
    res = run_cli("verify")
    assert res.exit_code == (0 if seq is None else 1), res.stderr
    if seq is not None:
        assert f"FAILED at seq {seq}:" in res.stderr

    doc = subprocess.run([sys.executable, "-I", "-S", str(doc_verifier), str(all_types_ledger)], capture_output=True, text=True)
    if schema_only:
        assert doc.returncode == 0, doc.stderr
    else:
        assert doc.returncode == (0 if seq is None else 1), doc.stderr
        if seq is not None:
            assert doc.stderr.startswith(f"FAILED: seq {seq}:"), doc.stderr

    covered = changed[: len(lines)] == lines
    res = run_cli("verify", "--checkpoint", str(cp), "--vkey", str(vkey))
    assert res.exit_code == (0 if covered and seq is None else 1), (res.stdout, res.stderr)
    if not covered and seq is None:  # only the checkpoint tells: a consistent rewrite or a cut
        assert "truncated" in res.stderr or "rewritten" in res.stderr, res.stderr
        # the cache left by the checkpoint hashes to its root, so it names the first changed seq
        first = next((i for i, (a, b) in enumerate(zip(changed, lines)) if a != b), None)
        if first is None:
            assert "differs" not in res.stderr, res.stderr
        else:
            assert f"the first event that differs is seq {first + 1}" in res.stderr, res.stderr


def test_a_clock_stepped_back_does_not_move_at_back(all_types_ledger, monkeypatch):
    """The writer never writes an ``at`` before the last event's, so a clock set back keeps the ledger valid."""
    import ledger.log

    last = orjson.loads(all_types_ledger.read_bytes().splitlines()[-1])
    monkeypatch.setattr(ledger.log, "now_rfc3339", lambda: "2001-01-01T00:00:00.000000Z")
    appended = LogStore(all_types_ledger, fsync=False).append([converter.structure(
        {"target": AS_PLAIN, "status": "disputed", "note": None}, __import__("ledger.events").events.VerdictRecorded)])
    assert appended.at == last["at"]
    assert verify(LogStore(all_types_ledger)).ok


def test_source_id_names_an_existing_source_only(tmp_path, run_cli, simple_extractor, tmp_ledger):
    """--source-id records a new version of a source already there; an unknown id is refused in one line,
    so every SourceAppended carries the derived id verify recomputes."""
    article = tmp_path / "a.txt"
    article.write_text("The ferry sailed at dawn.\n", encoding="utf-8")
    res = run_cli("append", "--extractor", "simple-test", "--source-id", "src-mine", str(article))
    assert res.exit_code == 1 and "src-mine" in res.stderr and res.stderr.count("\n") == 1
    assert not tmp_ledger.exists() or tmp_ledger.read_bytes() == b""
    assert run_cli("append", "--extractor", "simple-test", str(article)).exit_code == 0
    assert run_cli("verify").exit_code == 0



def test_hand_made_ids_fail_by_default_and_pass_only_with_the_opt_out(tmp_ledger, run_cli):
    """Ids are recomputed by default (rules 7 and 9); ``--no-derived-ids`` (for a foreign ledger with ids of
    its own) skips only that derivation: a broken quote in the same ledger still fails at its seq."""
    from conftest import assertion_payload, source_payload

    text = "The ferry sailed at dawn. It came back at noon."
    store = LogStore(tmp_ledger, fsync=False)
    store.append([source_payload(text, source_id="src-mine"),
                  assertion_payload(text, 0, 25, source_id="src-mine", assertion_id="as-mine")])
    res = run_cli("verify")
    assert res.exit_code == 1 and "FAILED at seq 2: source_id src-mine is not derived from its text" in res.stderr
    assert run_cli("verify", "--no-derived-ids").exit_code == 0
    assert verify(LogStore(tmp_ledger), derived_ids=False).ok
    lines = tmp_ledger.read_bytes().splitlines(keepends=True)
    tmp_ledger.write_bytes(b"".join(nested(2, lambda d: d["selector"].update(exact="The ferry sailed at dusk."))(lines)))
    res = run_cli("verify", "--no-derived-ids")
    assert res.exit_code == 1 and "FAILED at seq 3: " in res.stderr, res.stderr


def test_an_assertion_id_of_its_own_fails_by_default(tmp_ledger, run_cli):
    from conftest import assertion_payload, source_payload

    text = "The ferry sailed at dawn. It came back at noon."
    LogStore(tmp_ledger, fsync=False).append([source_payload(text), assertion_payload(text, 0, 25, assertion_id="as-mine")])
    res = run_cli("verify")
    assert res.exit_code == 1 and "FAILED at seq 3: assertion_id as-mine is not derived" in res.stderr, res.stderr
    assert run_cli("verify", "--no-derived-ids").exit_code == 0
