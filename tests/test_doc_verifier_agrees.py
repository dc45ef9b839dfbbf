"""The stdlib verifier printed in docs/log-format.md agrees with ``factledger verify`` case by case (#11
item 4): over the whole tamper matrix, the damaged tails, and hostile lines (nesting, lone surrogates,
wrong types, byte-order marks), the doc's verifier and ``verify --no-schema`` give the same exit code and
name the same seq (the failing line for exit 1, the last line before an interrupted append for exit 3);
``verify`` with its schemas differs from them only by failing earlier, on a schema violation."""

from __future__ import annotations

import hashlib
import json
import re

import orjson
import pytest
import test_tamper_matrix as M
from helpers import _run, verifier  # noqa: F401  (the doc's verifier, as a fixture)
from test_ledger_tails import TAILS, _ledger

from ledger.audit import verify
from ledger.log import LogStore


def _edited(lines, index, fn):
    """Line ``index`` edited by ``fn(raw)`` after the forger's renumbering, its hash recomputed over
    what is left, the lines after it re-chained: only the edit is wrong."""
    raw = orjson.loads(lines[index])
    raw.pop("hash")
    fn(raw)
    body = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()  # any depth
    digest = hashlib.sha256(body).hexdigest().encode()
    cut = body.rindex(b',"id":') if b',"id":' in body else len(body) - 1
    line = body[:cut] + b',"hash":"' + digest + b'"' + body[cut:] + b"\n"  # where sorted keys put it
    return M.rehash(lines[:index] + [line] + lines[index + 1 :], index + 1) if index + 1 < len(lines) else lines[:index] + [line]


def _nested(depth: int):
    def fn(raw):
        value = 1
        for _ in range(depth - 2):  # the event object and data count as two
            value = [value]
        raw.update(type="SomethingNew", data={"x": value})
    return fn


def _surrogate(lines):
    """A note holding a lone surrogate escape, hashed as written: valid JSON text, no UTF-8 string."""
    raw = orjson.loads(lines[10])
    raw.pop("hash")
    body = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS).replace(b'"note":null', b'"note":"\\ud800"')
    cut = body.rindex(b',"id":')
    line = body[:cut] + b',"hash":"' + hashlib.sha256(body).hexdigest().encode() + b'"' + body[cut:] + b"\n"
    return lines[:10] + [line] + lines[11:]


HOSTILE = {
    "trailing blank line": lambda ls: ls + [b"\n"],
    "empty file": lambda ls: [],
    "only a torn line": lambda ls: [ls[0][:20]],
    "CRLF line endings": lambda ls: [x[:-1] + b"\r\n" for x in ls],
    "byte-order mark": lambda ls: [b"\xef\xbb\xbf" + ls[0]] + ls[1:],
    "complete last line nested 100,000 deep": lambda ls: ls + [b"[" * 100000 + b"]" * 100000 + b"\n"],
    "torn last line nested 100,000 deep": lambda ls: ls + [b"[" * 100000],
    "event nested 254 deep": lambda ls: _edited(ls, 12, _nested(254)),
    "event nested 255 deep": lambda ls: _edited(ls, 12, _nested(255)),
    "event nested 600 deep": lambda ls: _edited(ls, 12, _nested(600)),
    "prev missing": lambda ls: _edited(ls, 8, lambda r: r.pop("prev")),
    "seq true": lambda ls: _edited(ls, 0, lambda r: r.update(seq=True)),
    "v missing": lambda ls: _edited(ls, 8, lambda r: r.pop("v")),
    "type missing": lambda ls: _edited(ls, 8, lambda r: r.pop("type")),
    "type a list": lambda ls: _edited(ls, 8, lambda r: r.update(type=[1])),
    "data a list": lambda ls: _edited(ls, 8, lambda r: r.update(data=[1])),
    "data missing": lambda ls: _edited(ls, 8, lambda r: r.pop("data")),
    "id missing": lambda ls: _edited(ls, 8, lambda r: r.pop("id")),
    "at a number": lambda ls: _edited(ls, 8, lambda r: r.update(at=5)),
    "BatchStarted data a list": lambda ls: _edited(ls, 4, lambda r: r.update(data=[3])),
    "selector start true": lambda ls: _edited(ls, 2, lambda r: r["data"]["selector"].update(start=True)),
    "value start false": lambda ls: _edited(ls, 3, lambda r: r["data"]["values"][0].update(start=False)),
    "a JSON array line": lambda ls: ls[:3] + [b"[1]\n"] + ls[4:],
    "garbage after an incomplete batch": lambda ls: ls[:6] + [b"garbage\n"],
    "invalid UTF-8 line": lambda ls: ls[:3] + [b"\xff\xfe\n"] + ls[4:],
    "invalid UTF-8 torn line": lambda ls: ls + [b"\xff\xfe"],
    "a whole event without its newline": lambda ls: ls[:-1] + [ls[-1][:-1]],
    "lone surrogate": _surrogate,
    "seq past 64 bits": lambda ls: ls[:3] + [ls[3].replace(b'"seq":4', b'"seq":1180591620717411303424')] + ls[4:],
    "seq 1e400": lambda ls: ls[:3] + [ls[3].replace(b'"seq":4', b'"seq":1e400')] + ls[4:],
    "duplicate key": lambda ls: ls[:3] + [ls[3].replace(b'"seq":4', b'"seq":4,"seq":4')] + ls[4:],
    "damage inside an incomplete batch": lambda ls: M.nested(5, lambda d: d.update(text_sha256="0" * 64))(ls)[:6],
    "incomplete batch and a torn line after it": lambda ls: ls[:5] + [ls[5][:50]],
    "incomplete batch cut at its marker": lambda ls: ls[:5],
    "a BatchStarted repeated inside its batch": lambda ls: ls[:5] + [ls[4]],
    "unknown type appended": M.append(("SomethingNew", {"x": 1})),
    "known type at v3": lambda ls: _edited(ls, 8, lambda r: r.update(v=3)),
}

CASES = {f"matrix: {name}": damage for name, (damage, _seq, _schema) in M.CASES.items()}
CASES.update({f"tail: {name}": damage for name, (damage, _code) in TAILS.items()})
CASES.update({f"hostile: {name}": damage for name, damage in HOSTILE.items()})


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


def prepared(case, ledger):
    """Write the ledger of ``case`` over the all-types ledger at ``ledger``."""
    if case.startswith("tail: "):  # the same events, appended as that test appends them
        ledger.unlink()
        _ledger(ledger)
    lines = ledger.read_bytes().splitlines(keepends=True)
    M._ALL[0] = lines
    damage = CASES[case]
    if case == "matrix: source appended twice":
        damage = M.insert(5, ("SourceAppended", orjson.loads(lines[1])["data"]))
    if case == "matrix: assertion recorded twice in a version":
        damage = M.insert(5, ("AssertionRecorded", orjson.loads(lines[2])["data"]))
    changed = damage(lines)
    assert (changed == lines) == (case in ("matrix: intact", "tail: intact")), "the damage changed nothing"
    ledger.write_bytes(b"".join(changed))


@pytest.mark.parametrize("case", list(CASES))
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
