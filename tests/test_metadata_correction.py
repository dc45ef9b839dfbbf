"""Correcting a source's metadata (#13 item 3): a SourceMetadataCorrected event, `factledger correct`,
views that re-resolve relative dates, and append warnings that say what to run."""

from __future__ import annotations

import orjson

A = (
    "Kessling Bridge Shut\n\n"
    "The Kessling harbour bridge was closed to all traffic on Monday after engineers found cracks, the city said.\n"
)
B = (
    "Cracks Close Harbour Bridge\n\n"
    "The Kessling harbour bridge was closed to all traffic on Tuesday after engineers found cracks, the city said.\n"
)


def _setup(run_cli, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(A)
    b.write_text(B)
    assert run_cli("append", str(a), "--published", "2026-03-18", "--outlet", "Gazette").exit_code == 0
    added = run_cli("append", str(b), "--outlet", "Courier")
    assert added.exit_code == 0, added.output
    sid = orjson.loads(run_cli("sources", "--json").stdout)[1]["source_id"]
    return b, sid, added


def test_append_warns_about_relative_dates_without_a_published_date(run_cli, tmp_path):
    _b, sid, added = _setup(run_cli, tmp_path)
    warning = [line for line in added.stderr.splitlines() if "no published date" in line]
    assert len(warning) == 1 and "(Tuesday)" in warning[0] and f"factledger correct {sid} --published" in warning[0]
    quiet = tmp_path / "c.txt"
    quiet.write_text("The bridge opened in 1968, the city said.\n")
    assert "no published date" not in run_cli("append", str(quiet)).stderr


def test_reappend_with_other_metadata_says_what_to_run(run_cli, tmp_path, tmp_ledger):
    b, sid, _ = _setup(run_cli, tmp_path)
    before = tmp_ledger.read_bytes()
    again = run_cli("append", str(b), "--published", "2026-03-18", "--outlet", "The Courier")
    assert again.exit_code == 0 and "unchanged" in again.stdout
    assert f"run: factledger correct {sid} --outlet 'The Courier' --published 2026-03-18" in again.stderr
    assert tmp_ledger.read_bytes() == before
    same = run_cli("append", str(b), "--outlet", "Courier")
    assert "factledger correct" not in same.stderr


def test_correct_redates_relative_dates_and_conflicts_appear(run_cli, tmp_path, tmp_ledger):
    _b, sid, _ = _setup(run_cli, tmp_path)
    timeline = orjson.loads(run_cli("timeline", "--json").stdout)
    assert [r["date"] for r in timeline if r["source_id"] == sid] == []
    claims = orjson.loads(run_cli("claims", "--json").stdout)
    assert not [c for claim in claims for c in claim["conflicts"] if c["field"] == "date"]
    done = run_cli("correct", sid, "--published", "2026-03-18", "--outlet", "The Courier", "--reason", "print date")
    assert done.exit_code == 0, done.output
    assert "published (none) -> 2026-03-18, outlet Courier -> The Courier" in done.stdout
    seq = len(tmp_ledger.read_bytes().splitlines())
    last = orjson.loads(tmp_ledger.read_bytes().splitlines()[-1])
    assert last["type"] == "SourceMetadataCorrected" and last["data"] == {
        "source_id": sid, "title": None, "outlet": "The Courier", "authors": None, "published": "2026-03-18",
        "reason": "print date",
    }
    timeline = orjson.loads(run_cli("timeline", "--json").stdout)
    assert {r["date"] for r in timeline if r["source_id"] == sid} == {"2026-03-17"}  # Tuesday before Wed 18 March
    rows = {r["source_id"]: r for r in orjson.loads(run_cli("sources", "--json").stdout)}
    assert rows[sid]["published"] == "2026-03-18" and rows[sid]["outlet"] == "The Courier"
    before = {r["source_id"]: r for r in orjson.loads(run_cli("sources", "--json", "--as-of", str(seq - 1)).stdout)}
    assert before[sid]["published"] is None and before[sid]["outlet"] == "Courier"
    claims = orjson.loads(run_cli("claims", "--json").stdout)
    conflicts = [c for claim in claims for c in claim["conflicts"] if c["field"] == "date"]
    assert conflicts and "Monday" in conflicts[0]["explanation"] and "Tuesday" in conflicts[0]["explanation"]
    assert run_cli("verify").exit_code == 0
    trail = run_cli("show", sid).stdout
    assert "SourceMetadataCorrected" in trail and "published 2026-03-18; outlet The Courier (print date)" in trail


def test_correct_refuses_nothing_to_do_and_unknown_sources(run_cli, tmp_path, tmp_ledger):
    _b, sid, _ = _setup(run_cli, tmp_path)
    before = tmp_ledger.read_bytes()
    assert run_cli("correct", sid).exit_code == 2
    same = run_cli("correct", sid, "--outlet", "Courier")
    assert same.exit_code == 1 and "already says that" in same.stderr
    missing = run_cli("correct", "src-0000000000000000", "--outlet", "X")
    assert missing.exit_code == 1 and "no source 'src-0000000000000000'" in missing.stderr
    bad = run_cli("correct", sid, "--published", "yesterday-ish")
    assert bad.exit_code == 2
    assert tmp_ledger.read_bytes() == before


def test_blank_bylines_and_reasons_are_refused_and_never_damage_the_ledger(run_cli, tmp_path, tmp_ledger):
    """``correct --author ''`` and ``--reason ''`` used to record a SourceMetadataCorrected that
    breaks its own schema (minLength 1): the append-only ledger was damaged for good and every
    later command failed. They are refused like a blank --outlet, nothing written; and a re-append
    with a blank --author no longer suggests running that command."""
    b, sid, _ = _setup(run_cli, tmp_path)
    before = tmp_ledger.read_bytes()
    for args in (["--author", ""], ["--author", "A. Writer", "--author", "  "], ["--title", "New", "--reason", ""],
                 ["--title", "New", "--reason", " \t"]):
        res = run_cli("correct", sid, *args)
        assert res.exit_code == 2, (args, res.output)
        assert "must not be blank" in res.stderr.strip().splitlines()[-1], (args, res.stderr)
        assert tmp_ledger.read_bytes() == before
    again = run_cli("append", str(b), "--author", "", "--outlet", "Courier")
    assert again.exit_code == 0 and "factledger correct" not in again.stderr, again.stderr
    assert run_cli("correct", sid, "--author", "A. Writer", "--reason", "byline was missing").exit_code == 0
    assert run_cli("verify").exit_code == 0
