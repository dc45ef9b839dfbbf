"""The stdlib verifier printed in docs/log-format.md agrees with ``factledger verify`` case by case (#11
item 4): over the whole tamper matrix, the damaged tails, and hostile lines (nesting, lone surrogates,
wrong types, byte-order marks), the doc's verifier and ``verify --no-schema`` give the same exit code and
name the same seq (the failing line for exit 1, the last line before an interrupted append for exit 3);
``verify`` with its schemas differs from them only by failing earlier, on a schema violation."""

from __future__ import annotations

import re

import pytest
from helpers import AGREEMENT, _run, prepared, verifier  # noqa: F401  (the doc's verifier, as a fixture)

from ledger.audit import verify
from ledger.log import LogStore


def _ours(path, schemas: bool):
    """(exit code, seq named, reason) of verify: the failing seq (1), the head before an interrupted append (3)."""
    r = verify(LogStore(path), schemas=schemas)
    if not r.ok:
        return 1, r.bad_seq, r.reason
    return (3, r.head_seq, r.interrupted) if r.interrupted else (0, None, None)


def _docs(verifier, path):  # noqa: F811
    res = _run(verifier, path)
    if res.returncode == 0:
        return 0, None, res.stdout
    named = re.match(r"(?:FAILED: seq (\d+):|INCOMPLETE: interrupted append after seq (\d+):)", res.stderr)
    assert named, res.stderr  # a one-line verdict, never a traceback
    return res.returncode, int(named.group(1) or named.group(2)), res.stderr


@pytest.mark.parametrize("case", list(AGREEMENT))
def test_doc_verifier_agrees_with_verify(case, all_types_ledger, verifier, run_cli):  # noqa: F811
    prepared(case, all_types_ledger)

    doc = _docs(verifier, all_types_ledger)
    plain = _ours(all_types_ledger, schemas=False)
    full = _ours(all_types_ledger, schemas=True)
    assert doc[:2] == plain[:2], (doc, plain)
    if full[:2] != plain[:2]:  # only the schema pass, which the doc's verifier leaves out, may fail first
        assert full[0] == 1 and "schema" in full[2] and (plain[0] == 0 or full[1] <= plain[1]), (full, plain)
    for args, expect in ((("verify",), full), (("verify", "--no-schema"), plain)):
        res = run_cli(*args)
        assert res.exit_code == expect[0], res.output
        if expect[0] == 1:
            assert f"FAILED at seq {expect[1]}:" in res.stderr
        if expect[0] == 3 and expect[1]:
            assert f"seq 1-{expect[1]} verified" in res.stderr
