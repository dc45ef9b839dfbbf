"""Damage in the middle is never repaired: verify names the first bad seq and what is wrong."""

from __future__ import annotations

import hashlib

import orjson
import pytest
from conftest import AS_PLAIN, all_types_payloads

from ledger.audit import verify
from ledger.log import LogStore
from helpers import _rehash_from


@pytest.fixture
def lines(all_types_ledger) -> list[bytes]:
    return all_types_ledger.read_bytes().splitlines(keepends=True)


def _write(path, lines):
    path.write_bytes(b"".join(lines))


def _check(path, run_cli, seq: int, words: str):
    report = verify(LogStore(path))
    assert not report.ok
    assert report.bad_seq == seq, report.reason
    assert words in report.reason
    res = run_cli("verify")
    assert res.exit_code == 1
    assert f"seq {seq}" in res.stderr and words in res.stderr


def test_intact_ledger_verifies(all_types_ledger, run_cli):
    """The untouched test ledger verifies and the CLI prints a summary with the event rate."""
    res = run_cli("verify")
    assert res.exit_code == 0, res.stderr
    n = sum(len(b) + (len(b) > 1) for b in all_types_payloads())  # a batch of 2+ opens with a BatchStarted
    assert f"OK: {n} events verified (seq 1-{n})" in res.stdout and "events/s" in res.stdout


def test_one_changed_byte(all_types_ledger, lines, run_cli):
    """Changing one letter of a stored text breaks that event's hash: verify names its seq."""
    lines[3] = lines[3].replace(b"Harbour", b"Harbor!", 1)
    _write(all_types_ledger, lines)
    _check(all_types_ledger, run_cli, 4, "hash mismatch")


def test_one_byte_making_the_line_unparseable(all_types_ledger, lines, run_cli):
    """A byte edit that breaks the JSON of a middle line is reported at that seq, not as a crash."""
    lines[2] = lines[2].replace(b'"seq":3', b'"seq":3,', 1)
    _write(all_types_ledger, lines)
    _check(all_types_ledger, run_cli, 3, "not a valid JSON event")


def test_dropped_line(all_types_ledger, lines, run_cli):
    """Removing a line leaves a gap: verify names the missing seq."""
    del lines[4]
    _write(all_types_ledger, lines)
    _check(all_types_ledger, run_cli, 5, "seq 5 is missing")


def test_swapped_lines(all_types_ledger, lines, run_cli):
    """Swapping two lines is found at the first out-of-place seq."""
    lines[5], lines[6] = lines[6], lines[5]
    _write(all_types_ledger, lines)
    _check(all_types_ledger, run_cli, 6, "missing")


def test_inserted_duplicate_line(all_types_ledger, lines, run_cli):
    """A copy of an earlier line inserted later is named as a repeated seq."""
    lines.insert(7, lines[2])
    _write(all_types_ledger, lines)
    _check(all_types_ledger, run_cli, 8, "appears again")


def test_inserted_forged_event_breaks_chain(all_types_ledger, lines, run_cli):
    """A forged event with a correct own hash but spliced into the middle breaks the prev chain."""
    forged = _rehash_from(lines[:3] + [lines[8]], 3)[3]
    raw = orjson.loads(forged)
    raw["seq"] = 4
    raw.pop("hash")
    raw["prev"] = "f" * 64
    raw["hash"] = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
    lines.insert(3, orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n")
    _write(all_types_ledger, lines)
    _check(all_types_ledger, run_cli, 4, "prev does not match")


def test_edited_quote_with_rehashed_chain(all_types_ledger, lines, run_cli):
    """Even with every hash recomputed, a quote that no longer matches the stored text is named."""
    raw = orjson.loads(lines[3])
    assert raw["type"] == "AssertionRecorded"
    raw["data"]["selector"]["exact"] = raw["data"]["selector"]["exact"].replace("1,200", "9,200")
    lines[3] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"
    _write(all_types_ledger, _rehash_from(lines, 3))
    _check(all_types_ledger, run_cli, 4, "exact quote differs")


def test_non_canonical_line_with_valid_hash(all_types_ledger, lines, run_cli):
    """Re-serialising a line with spaces (same JSON value) is caught as non-canonical."""
    raw = orjson.loads(lines[5])
    lines[5] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).replace(b"\n", b"") + b"\n"
    _write(all_types_ledger, lines)
    report = verify(LogStore(all_types_ledger))
    assert not report.ok and report.bad_seq == 6


def test_schema_violation_with_rehashed_chain(all_types_ledger, lines, run_cli):
    """A well-chained event whose data breaks its schema (unknown verdict status) is named."""
    index = next(i for i, line in enumerate(lines) if b'"VerdictRecorded"' in line)
    raw = orjson.loads(lines[index])
    raw["data"]["status"] = "probably"
    lines[index] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"
    _write(all_types_ledger, _rehash_from(lines, index))
    _check(all_types_ledger, run_cli, index + 1, "VerdictRecorded v1 schema")


def test_damaged_ledger_refuses_writes_and_stays_untouched(all_types_ledger, lines, run_cli, tmp_path, simple_extractor):
    """With an unreadable middle line, verify, append and retract fail in one line and change nothing."""
    lines[4] = b"this is not an event\n"
    _write(all_types_ledger, lines)
    before = all_types_ledger.read_bytes()
    article = tmp_path / "new.txt"
    article.write_text("A new article about the harbour.\n", encoding="utf-8")
    assert run_cli("verify").exit_code == 1
    for args in (("retract", AS_PLAIN, "--reason", "x"), ("append", "--extractor", "simple-test", str(article))):
        res = run_cli(*args)
        assert res.exit_code == 1
        assert res.stderr.count("\n") == 1 and str(all_types_ledger) in res.stderr
    assert all_types_ledger.read_bytes() == before


def _append_refused(path, run_cli, tmp_path, seq: int) -> str:
    """Append a new article; assert it is refused in one line naming ``seq`` and verify, bytes unchanged."""
    before = path.read_bytes()
    article = tmp_path / "later.txt"
    article.write_text("The ferry resumed service on Tuesday. About 40 boats sailed.\n", encoding="utf-8")
    res = run_cli("append", "--extractor", "simple-test", str(article))
    assert res.exit_code == 1
    assert res.stderr.count("\n") == 1 and str(path) in res.stderr, res.stderr
    assert f"seq {seq}" in res.stderr and "factledger verify" in res.stderr, res.stderr
    assert path.read_bytes() == before
    return res.stderr


def test_append_refuses_a_dropped_line(all_types_ledger, lines, run_cli, tmp_path, simple_extractor):
    """Append catches up over the log and refuses when a middle line was removed, naming the missing seq."""
    del lines[4]
    _write(all_types_ledger, lines)
    assert "missing" in _append_refused(all_types_ledger, run_cli, tmp_path, 5)


def test_append_refuses_swapped_lines(all_types_ledger, lines, run_cli, tmp_path, simple_extractor):
    """Two swapped middle lines make append refuse at the first out-of-place seq."""
    lines[5], lines[6] = lines[6], lines[5]
    _write(all_types_ledger, lines)
    _append_refused(all_types_ledger, run_cli, tmp_path, 6)


def test_append_refuses_a_broken_prev(all_types_ledger, lines, run_cli, tmp_path, simple_extractor):
    """A middle line whose prev no longer names the previous hash (seq intact) makes append refuse."""
    raw = orjson.loads(lines[3])
    raw["prev"] = "f" * 64
    lines[3] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"
    _write(all_types_ledger, lines)
    assert "does not chain" in _append_refused(all_types_ledger, run_cli, tmp_path, 4)


def test_intact_ledger_still_appends_after_catch_up(all_types_ledger, run_cli, tmp_path, simple_extractor):
    """The chain check accepts an intact ledger: append after catching up succeeds and verify passes."""
    article = tmp_path / "later.txt"
    article.write_text("The ferry resumed service on Tuesday. About 40 boats sailed.\n", encoding="utf-8")
    res = run_cli("append", "--extractor", "simple-test", str(article))
    assert res.exit_code == 0, res.stderr
    assert verify(LogStore(all_types_ledger)).ok


def test_prefix_and_suffix_are_checked_exactly(all_types_ledger, lines, run_cli):
    """A rehashed selector whose prefix is one character short, or not a string, is named even without schemas."""
    raw = orjson.loads(lines[3])
    assert raw["type"] == "AssertionRecorded" and raw["data"]["selector"]["prefix"]
    for prefix, words in ((raw["data"]["selector"]["prefix"][1:], "prefix/suffix differ"), (7, "prefix/suffix differ")):
        raw["data"]["selector"]["prefix"] = prefix
        edited = list(lines)
        edited[3] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"
        _write(all_types_ledger, _rehash_from(edited, 3))
        report = verify(LogStore(all_types_ledger), schemas=False)
        assert not report.ok and report.bad_seq == 4 and words in report.reason, report.reason
