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

import hashlib
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import orjson
import pytest
from conftest import AS_PLAIN, AS_REV

from ledger import checkpoint as C
from ledger.audit import verify
from ledger.checks import assertion_id_for, source_id_for
from ledger.log import LogStore
from ledger.serialization import converter

DOC = Path(__file__).resolve().parents[1] / "docs" / "log-format.md"

# The all-types ledger, by index: 0 BatchStarted, 1 SourceAppended, 2 AS_PLAIN, 3 AS_RICH (a value and an
# entity), 4 BatchStarted, 5 SourceRevised, 6 AS_REV, 7 AssertionWithdrawn(AS_RICH), 8 AssertionsLinked,
# 9 AssertionsUnlinked, 10 VerdictRecorded(AS_PLAIN), 11 AssertionRetracted(AS_REV).


def _dump(raw: dict) -> bytes:
    return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"


def rehash(lines: list[bytes], start: int = 0) -> list[bytes]:
    """Renumber, re-chain and re-hash from ``start``: what a forger does to hide an edit."""
    out = list(lines[:start])
    prev = orjson.loads(out[-1])["hash"] if out else "0" * 64
    for seq, line in enumerate(lines[start:], start + 1):
        raw = orjson.loads(line)
        raw.pop("hash")
        raw["seq"], raw["prev"] = seq, prev
        raw["hash"] = prev = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
        out.append(_dump(raw))
    return out


def edit(index: int, fn):
    """Edit the event at ``index`` (``fn(raw)`` changes it in place), then rehash from it."""

    def damage(lines):
        raw = orjson.loads(lines[index])
        fn(raw)
        return rehash(lines[:index] + [_dump(raw)] + lines[index + 1 :], index)

    return damage


def data(index: int, **changes):
    return edit(index, lambda raw: raw["data"].update(changes))


def _event(type_name: str, payload, like: bytes, n: int) -> bytes:
    """A new event line of ``type_name`` shaped like the line ``like`` (its time, actor), hashes fixed by rehash."""
    raw = orjson.loads(like)
    raw.update(type=type_name, v=1, id=f"01a2092c-48ce-7de2-8dd7-{n:012x}",
               data=payload if isinstance(payload, dict) else converter.unstructure(payload))
    return _dump(raw)


def insert(index: int, *events):
    """Insert events before ``index`` (each ``(type, data)``), then renumber and rehash."""

    def damage(lines):
        like = lines[min(index, len(lines) - 1)]
        new = [_event(t, d, like, 900 + k) for k, (t, d) in enumerate(events)]
        return rehash(lines[:index] + new + lines[index:], index)

    return damage


def append(*events):
    def damage(lines):
        return insert(len(lines), *events)(lines)

    return damage


def delete(index: int):
    return lambda lines: rehash(lines[:index] + lines[index + 1 :], index)


def nested(index: int, fn):
    return edit(index, lambda raw: fn(raw["data"]))


def _nfd(raw):
    d = raw["data"]
    d["text"] = unicodedata.normalize("NFD", d["text"])
    d["text_sha256"] = hashlib.sha256(d["text"].encode()).hexdigest()


def _crlf(raw):
    d = raw["data"]
    d["text"] = d["text"].replace("\n", "\r\n")
    d["text_sha256"] = hashlib.sha256(d["text"].encode()).hexdigest()


def _other_text(raw):
    d = raw["data"]
    d["text"] = d["text"].replace("safe.", "sure.")  # past every quote, prefix and suffix
    d["text_sha256"] = hashlib.sha256(d["text"].encode()).hexdigest()


def _source(text: str, uri: str | None = None, version: int = 1, source_id: str | None = None) -> dict:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return dict(source_id=source_id or source_id_for(uri, digest), version=version, uri=uri, title=None, outlet=None,
                authors=[], published=None, retrieved=None, media_type="text/plain", raw_sha256=digest,
                text_sha256=digest, text=text)


def _assertion(text: str, start: int, end: int, source_id: str, aid: str, version: int = 1) -> dict:
    from ledger.extractors import anchor

    sel = converter.unstructure(anchor(text, start, end))
    return dict(assertion_id=aid, source_id=source_id, version=version, selector=sel, kind="statement", speaker=None,
                speaker_cue=None, modality="asserted", modality_cue=None, values=[], entities=[], extractor="hand",
                extractor_version="1")


OTHER = "The ferry sailed. The ferry sailed. The ferry sailed."
OTHER_ID = source_id_for(None, hashlib.sha256(OTHER.encode()).hexdigest())
SAILED = "The ferry sailed."


def _repeats(*occurrences):
    """A new source whose one sentence is recorded three times, with these occurrence numbers."""
    starts = (0, 18, 36)
    return append(("SourceAppended", _source(OTHER)), *(
        ("AssertionRecorded", _assertion(OTHER, s, s + len(SAILED), OTHER_ID, assertion_id_for(OTHER_ID, SAILED, n)))
        for s, n in zip(starts, occurrences)
    ))


def _float_seq(lines):
    raw = orjson.loads(lines[2])
    raw.pop("hash")
    raw["seq"] = 3.0  # json and orjson both write 3.0
    raw["hash"] = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return rehash(lines[:2] + [_dump(raw)], 3)[:3] + rehash(lines[:2] + [_dump(raw)] + lines[3:], 3)[3:]


def _move_entity(d):
    d["entities"][0]["start"] += 1


# name -> (damage, seq plain verify fails at or None, a schema violation only the schema pass sees)
CASES = {
    # consistent rewrites and cuts: only a checkpoint tells
    "intact": (lambda lines: lines, None, False),
    "last line dropped": (lambda lines: lines[:-1], None, False),
    "last 9 lines dropped (at a batch boundary)": (lambda lines: lines[:4], None, False),
    "actor rewritten": (edit(8, lambda raw: raw.update(actor="someone@else")), None, False),
    "actor rewritten inside a batch": (edit(6, lambda raw: raw.update(actor="someone@else")), 7, False),
    "retraction reason rewritten": (data(11, reason="it was true after all"), None, False),
    "verdict status rewritten": (data(10, status="false"), None, False),
    "link note rewritten": (data(8, note="not the same"), None, False),
    "withdrawal deleted (the batch falls short)": (delete(7), 8, False),
    "retraction deleted": (delete(11), None, False),
    "link deleted": (delete(8), None, False),
    "retraction inserted": (insert(10, ("AssertionRetracted", {"assertion_id": AS_PLAIN, "reason": "forged"})), None, False),
    "verdict inserted": (insert(10, ("VerdictRecorded", {"target": AS_REV, "status": "false", "note": None})), None, False),
    "forged verdict appended": (append(("VerdictRecorded", {"target": AS_PLAIN, "status": "false", "note": None})), None, False),
    "verdict on a claim appended": (append(("VerdictRecorded", {"target": "cl-" + AS_PLAIN[3:], "status": "disputed", "note": None})), None, False),
    "source text edited, quotes still match": (edit(1, _other_text), None, False),
    "repeated quote, occurrences 0 1 2": (_repeats(0, 1, 2), None, False),
    # bytes and chain
    "one changed byte": (lambda lines: lines[:3] + [lines[3].replace(b"Harbour", b"Harbor!", 1)] + lines[4:], 4, False),
    "dropped middle line": (lambda lines: lines[:4] + lines[5:], 5, False),
    "swapped lines": (lambda lines: lines[:5] + [lines[6], lines[5]] + lines[7:], 6, False),
    "duplicated line": (lambda lines: lines[:7] + [lines[2]] + lines[7:], 8, False),
    "garbage middle line": (lambda lines: lines[:4] + [b"this is not an event\n"] + lines[5:], 5, False),
    "non-canonical spacing": (lambda lines: lines[:5] + [lines[5].replace(b'","', b'", "', 1)] + lines[6:], 6, False),
    "prev broken": (lambda lines: lines[:3] + [lines[3].replace(lines[3][lines[3].index(b'"prev":"') + 8:][:64], b"f" * 64)] + lines[4:], 4, False),
    # integers
    "seq written as 3.0": (lambda lines: _float_seq(lines), 3, False),
    "v written as 1.0": (edit(8, lambda raw: raw.update(v=1.0)), 9, False),
    "version written as 1.0": (data(2, version=1.0), 3, False),
    "selector start written as 0.0": (nested(2, lambda d: d["selector"].update(start=0.0)), 3, False),
    "value end written as 44.0": (nested(3, lambda d: d["values"][0].update(end=44.0)), 4, False),
    # ids and time
    "duplicate event id": (edit(9, lambda raw: raw.update(id=orjson.loads(_ALL[0][6])["id"])), 10, False),
    "at moved back years": (edit(8, lambda raw: raw.update(at="2019-01-01T00:00:00.000000Z")), 9, False),
    "source_id not derived from its uri": (data(1, source_id="src-0123456789abcdef"), 2, False),
    "source uri changed": (data(1, uri="https://example.org/other"), 2, False),
    "assertion_id not derived": (data(2, assertion_id="as-0123456789abcdef"), 3, False),
    "assertion id reused in another source": (append(("SourceAppended", _source(OTHER)), ("AssertionRecorded", _assertion(OTHER, 0, 17, OTHER_ID, AS_PLAIN))), 15, False),
    "assertion recorded twice in a version": (None, 6, False),  # built from the ledger's own line in the test
    "repeated quote, occurrences 0 0": (_repeats(0, 0), 16, False),
    "repeated quote, occurrences 0 2": (_repeats(0, 2), 16, False),
    "repeated quote, occurrence 1 first": (_repeats(1), 15, False),
    # sources and revisions
    "stored text in NFD": (edit(5, _nfd), 6, False),
    "stored text with CRLF": (edit(1, _crlf), 2, False),
    "text edited, text_sha256 kept": (data(1, text="Harbour Gate closed on Monday. About 1,200 cars crossed it.\nOfficials reportedly said it is safe."), 2, False),
    "source appended twice": (None, 6, False),  # built from the ledger's own line in the test
    "revision numbered 3": (data(5, version=3), 6, False),
    "revision_of wrong": (data(5, revision_of=2), 6, False),
    "revision of an unknown source": (data(5, source_id="src-ffffffffffffffff"), 6, False),
    # spans
    "quote edited": (nested(2, lambda d: d["selector"].update(exact=d["selector"]["exact"].replace("Monday", "Sunday"))), 3, False),
    "prefix edited": (nested(3, lambda d: d["selector"].update(prefix=d["selector"]["prefix"][1:])), 4, False),
    "suffix edited": (nested(3, lambda d: d["selector"].update(suffix=d["selector"]["suffix"] + "x")), 4, False),
    "span past the text": (nested(2, lambda d: d["selector"].update(end=10_000)), 3, False),
    "entity text edited": (nested(3, lambda d: d["entities"][0].update(text="Harbour Gale")), 4, False),
    "entity span moved": (nested(3, _move_entity), 4, False),
    "value text edited": (nested(3, lambda d: d["values"][0].update(text="1,300")), 4, False),
    "value span past the text": (nested(3, lambda d: d["values"][0].update(start=500, end=505)), 4, False),
    "assertion in an unknown source version": (data(2, version=7), 3, False),
    # references
    "retraction of an unknown assertion": (data(11, assertion_id="as-0000000000000000"), 12, False),
    "withdrawal of an unknown assertion": (data(7, assertion_id="as-0000000000000000"), 8, False),
    "withdrawal from another source": (data(7, source_id="src-ffffffffffffffff"), 8, False),
    "withdrawal from a later version": (data(7, version=9), 8, False),
    "self-link": (data(8, b=AS_PLAIN), 9, False),
    "link to an unknown assertion": (data(8, b="as-0000000000000000"), 9, False),
    "unlink of an unknown assertion": (data(9, a="as-0000000000000000"), 10, False),
    "verdict on an unknown target": (data(10, target="as-0000000000000000"), 11, False),
    "verdict on an unknown claim": (append(("VerdictRecorded", {"target": "cl-0000000000000000", "status": "false", "note": None})), 14, False),
    "retraction moved before its assertion": (lambda lines: rehash([lines[11]] + lines[:11]), 1, False),
    # schema-only: the stdlib verifier does not check JSON Schemas
    "verdict status outside the enum": (data(10, status="probably"), 11, True),
    "unknown field in data": (data(10, confidence="high"), 11, True),
}

_ALL: list[list[bytes]] = [[]]  # the intact lines of the current test, for cases that copy from them


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
    if case == "source appended twice":
        damage = insert(5, ("SourceAppended", orjson.loads(lines[1])["data"]))
    if case == "assertion recorded twice in a version":
        damage = insert(5, ("AssertionRecorded", orjson.loads(lines[2])["data"]))
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
