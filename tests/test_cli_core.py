"""The core commands end to end: append, log, retract, verify, repair, ledger selection, bad input."""

from __future__ import annotations

import orjson
import pytest

from conftest import AS_PLAIN, AS_REV

from ledger.log import LogStore

ARTICLE = "Dam Opens After Repairs\n\nThe dam opened on Friday. About 3,000 people watched.\nOfficials reportedly said it is safe.\n"


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "dam.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def _append(run_cli, *args, **kw):
    return run_cli("append", "--extractor", "simple-test", *args, **kw)


def _raws(path):
    """The ledger's events, without the markers the store writes before each batch."""
    return [r for r in LogStore(path).raw_events() if r["type"] != "BatchStarted"]


def test_append_prints_source_id_and_counts_per_kind(run_cli, tmp_ledger, article, simple_extractor):
    """append prints the source id, the total and the count of each kind it recorded."""
    res = _append(run_cli, str(article))
    assert res.exit_code == 0, res.stderr
    raws = _raws(tmp_ledger)
    source_id = raws[0]["data"]["source_id"]
    kinds = [r["data"]["kind"] for r in raws if r["type"] == "AssertionRecorded"]
    assert kinds.count("headline") == 1 and kinds.count("statement") == 3
    assert source_id in res.stdout
    assert "4 assertions (1 headline, 3 statement)" in res.stdout
    assert f"seq 1-{len(raws) + 1}" in res.stdout  # and the batch's BatchStarted


def test_byte_identical_reappend_records_nothing(run_cli, tmp_ledger, article, simple_extractor):
    """Appending the same bytes again records nothing and says so."""
    assert _append(run_cli, str(article)).exit_code == 0
    before = tmp_ledger.read_bytes()
    copy = article.with_name("copy.txt")
    copy.write_bytes(article.read_bytes())
    res = _append(run_cli, str(copy))
    assert res.exit_code == 0, res.stderr
    assert "unchanged" in res.stdout and "nothing recorded" in res.stdout
    assert tmp_ledger.read_bytes() == before


def test_stdin_with_metadata_flags(run_cli, tmp_ledger, simple_extractor):
    """'-' reads stdin; --title --url --published --outlet --author land in SourceAppended."""
    res = _append(run_cli, "-", "--title", "Dam Opens", "--url", "https://example.org/dam",
                  "--published", "2026-03-18", "--outlet", "Example Gazette", "--author", "Jo Li", "--author", "Ann Wu",
                  input=ARTICLE.encode())
    assert res.exit_code == 0, res.stderr
    src = _raws(tmp_ledger)[0]
    assert src["type"] == "SourceAppended"
    d = src["data"]
    assert (d["title"], d["uri"], d["outlet"], d["authors"]) == ("Dam Opens", "https://example.org/dam", "Example Gazette", ["Jo Li", "Ann Wu"])
    assert d["published"].startswith("2026-03-18")
    assert d["text"] == ARTICLE


def test_log_type_limit_json(run_cli, tmp_ledger, article, simple_extractor):
    """log filters by --type, keeps the last --limit N, and --json prints the stored lines exactly."""
    assert _append(run_cli, str(article)).exit_code == 0
    lines = tmp_ledger.read_bytes().decode().splitlines()
    res = run_cli("log")
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == len(lines)
    res = run_cli("log", "--type", "SourceAppended")
    assert len(res.stdout.splitlines()) == 1 and "SourceAppended" in res.stdout
    res = run_cli("log", "--json", "--limit", "2")
    assert res.stdout.splitlines() == lines[-2:]
    res = run_cli("log", "--json", "--type", "AssertionRecorded", "--limit", "1")
    assert [orjson.loads(x)["seq"] for x in res.stdout.splitlines()] == [len(lines)]


def test_retract_and_its_refusals(run_cli, tmp_ledger, article, simple_extractor):
    """retract records an AssertionRetracted; an unknown or already-retracted id fails cleanly."""
    assert _append(run_cli, str(article)).exit_code == 0
    aid = next(r["data"]["assertion_id"] for r in _raws(tmp_ledger) if r["type"] == "AssertionRecorded")
    res = run_cli("retract", aid, "--reason", "not a claim")
    assert res.exit_code == 0, res.stderr
    last = _raws(tmp_ledger)[-1]
    assert (last["type"], last["data"]) == ("AssertionRetracted", {"assertion_id": aid, "reason": "not a claim"})
    before = tmp_ledger.read_bytes()
    for args, words in (((aid, "--reason", "again"), "already retracted"), (("as-nope", "--reason", "x"), "no assertion")):
        res = run_cli("retract", *args)
        assert res.exit_code == 1 and words in res.stderr and res.stderr.count("\n") == 1
    assert tmp_ledger.read_bytes() == before
    assert run_cli("verify").exit_code == 0


def test_retract_needs_a_reason(run_cli, tmp_ledger, article, simple_extractor):
    """A blank --reason is refused before anything is written (the schema requires a reason)."""
    assert _append(run_cli, str(article)).exit_code == 0
    aid = next(r["data"]["assertion_id"] for r in _raws(tmp_ledger) if r["type"] == "AssertionRecorded")
    before = tmp_ledger.read_bytes()
    res = run_cli("retract", aid, "--reason", "  ")
    assert res.exit_code != 0 and "--reason" in res.stderr and "blank" in res.stderr and res.stderr.count("\n") == 1
    assert tmp_ledger.read_bytes() == before


def test_verify_summary_and_repair(run_cli, tmp_ledger, article, simple_extractor):
    """verify prints events checked and events/s; repair on a clean ledger says there is nothing to do."""
    assert _append(run_cli, str(article)).exit_code == 0
    n = len(_raws(tmp_ledger)) + 1  # and the batch's BatchStarted
    res = run_cli("verify")
    assert res.exit_code == 0 and f"{n} events verified" in res.stdout and "events/s" in res.stdout
    res = run_cli("repair")
    assert res.exit_code == 0 and "nothing to repair" in res.stdout


def test_ledger_flag_env_and_default(run_cli, tmp_path, article, simple_extractor, monkeypatch):
    """--ledger wins over FACTLEDGER_LEDGER, which wins over ./ledger.jsonl in the current folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FACTLEDGER_LEDGER", raising=False)
    assert _append(run_cli, str(article), ledger=None).exit_code == 0
    assert (tmp_path / "ledger.jsonl").exists()
    other = article.with_name("other.txt")
    other.write_text("Another story. It is short.\n", encoding="utf-8")
    env_ledger = tmp_path / "env.jsonl"
    assert _append(run_cli, str(other), ledger=None, env={"FACTLEDGER_LEDGER": str(env_ledger)}).exit_code == 0
    flag_ledger = tmp_path / "flag.jsonl"
    assert _append(run_cli, str(other), ledger=flag_ledger, env={"FACTLEDGER_LEDGER": str(env_ledger)}).exit_code == 0
    assert [len(_raws(p)) for p in (env_ledger, flag_ledger)] == [3, 3]
    assert len(_raws(tmp_path / "ledger.jsonl")) == 5


def _bad_source(tmp_path, kind):
    p = tmp_path / f"bad-{kind}.txt"
    if kind == "missing":
        return p
    if kind == "binary":
        p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    elif kind == "empty":
        p.write_bytes(b"")
    elif kind == "whitespace":
        p.write_bytes(b" \n\t\r\n  \n")
    elif kind == "invalid-utf8":
        p.write_bytes("Caf\u00e9 opened today.\n".encode("latin-1") + b"\xff\xfe more text\n")
    return p


@pytest.mark.parametrize("kind", ["missing", "binary", "empty", "whitespace", "invalid-utf8"])
def test_bad_source_input(run_cli, tmp_ledger, tmp_path, article, simple_extractor, kind):
    """Each bad input: non-zero exit, one stderr line naming the file, the ledger byte-for-byte unchanged."""
    assert _append(run_cli, str(article)).exit_code == 0
    before = tmp_ledger.read_bytes()
    bad = _bad_source(tmp_path, kind)
    res = _append(run_cli, str(bad))
    assert res.exit_code != 0
    assert res.stderr.count("\n") == 1, res.stderr
    assert bad.name in res.stderr
    assert tmp_ledger.read_bytes() == before


@pytest.mark.parametrize("where", ["under-a-file", "missing-folder", "a-directory"])
def test_unwritable_ledger_path(run_cli, tmp_path, article, simple_extractor, where):
    """A ledger path that cannot be a file fails in one line naming it, and nothing is created."""
    blocker = tmp_path / "somefile.txt"
    blocker.write_text("not a folder\n")
    ledger = {"under-a-file": blocker / "ledger.jsonl", "missing-folder": tmp_path / "nope" / "ledger.jsonl",
              "a-directory": tmp_path}[where]
    listing = sorted(tmp_path.rglob("*"))
    res = _append(run_cli, str(article), ledger=ledger)
    assert res.exit_code != 0
    assert res.stderr.count("\n") == 1 and str(ledger) in res.stderr, res.stderr
    assert sorted(tmp_path.rglob("*")) == listing
    assert blocker.read_text() == "not a folder\n"


@pytest.mark.parametrize("damage", ["garbage-middle-line", "torn-tail"])
def test_damaged_ledger(run_cli, tmp_ledger, tmp_path, article, simple_extractor, damage):
    """Appending to a damaged ledger fails in one line naming it and leaves it byte-for-byte unchanged."""
    assert _append(run_cli, str(article)).exit_code == 0
    lines = tmp_ledger.read_bytes().splitlines(keepends=True)
    if damage == "garbage-middle-line":
        lines[1] = b"\x00\x01 not json\n"
    else:
        lines[-1] = lines[-1][:40]
    tmp_ledger.write_bytes(b"".join(lines))
    before = tmp_ledger.read_bytes()
    other = tmp_path / "other.txt"
    other.write_text("Another story. It is short.\n", encoding="utf-8")
    res = _append(run_cli, str(other))
    assert res.exit_code != 0
    assert res.stderr.count("\n") == 1 and str(tmp_ledger) in res.stderr, res.stderr
    assert tmp_ledger.read_bytes() == before


def test_log_describes_every_event_type_and_unknown_ones(run_cli, all_types_ledger):
    """log prints one line per event, each in the wording show uses, and names a type it does not know."""
    import hashlib
    import json

    last = json.loads(all_types_ledger.read_bytes().splitlines()[-1])
    future = {"seq": last["seq"] + 1, "id": "01a2092c-48ce-7de2-8dd7-2eac0b064a4c", "type": "FutureThing", "v": 3,
              "at": last["at"], "actor": "newer@example", "prev": last["hash"], "data": {"z": 1}}
    body = json.dumps(future, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    future["hash"] = hashlib.sha256(body).hexdigest()
    with open(all_types_ledger, "ab") as f:
        f.write(json.dumps(future, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")
    res = run_cli("log")
    assert res.exit_code == 0, res.output
    out = res.stdout.splitlines()
    assert len(out) == future["seq"]
    assert any("AssertionsLinked" in line and f"{AS_PLAIN} {AS_REV}: same reopening" in line for line in out)
    assert any("VerdictRecorded" in line and f"{AS_PLAIN} supported" in line for line in out)
    assert any("AssertionRetracted" in line and f"{AS_REV}: duplicate" in line for line in out)
    assert "FutureThing" in out[-1] and "unknown to this version, v3" in out[-1]
