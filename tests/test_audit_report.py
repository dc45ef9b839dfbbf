"""factledger audit (#11 item 5): the report an auditor attaches, in Markdown and JSON, pinned by --as-of."""

from __future__ import annotations

import json

from conftest import AS_PLAIN, AS_REV, AS_RICH, SRC_GATE

from ledger import checkpoint as C
from ledger.log import LogStore


def test_markdown_report_lists_every_human_act(all_types_ledger, run_cli):
    """Head, verify result, counts by type/actor/extractor, the retraction with reason and quote, the revision
    with what it added and withdrew, the verdict and both analyst links."""
    res = run_cli("audit")
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    head = LogStore(all_types_ledger).head()
    assert f"- Head: seq {head.seq}, hash `{head.hash}`" in out
    assert "- Verify (whole file, 13 events): OK" in out and "Checkpoint: none given" in out
    assert "| AssertionRecorded | 3 |" in out and "| BatchStarted | 2 |" in out and "| tester@example | 13 |" in out and "| hand 1 | 3 |" in out
    assert f"`{AS_REV}` “Officials said it is safe — ça va, 港口” — reason: duplicate" in out
    assert f"`{SRC_GATE}` v1 → v2: 1 added, 1 withdrawn, 0 carried" in out
    assert f"  - added: `{AS_REV}`" in out and f"  - withdrawn: `{AS_RICH}`" in out
    assert f"`{AS_PLAIN}` **supported**" in out
    assert f"linked `{AS_PLAIN}` and `{AS_REV}` — same reopening" in out and f"unlinked `{AS_PLAIN}` and `{AS_REV}`" in out


def test_json_report_as_of(all_types_ledger, run_cli):
    """--json gives the same facts as one document; --as-of 4 (the first batch) stops before the revision and every analyst act."""
    full = json.loads(run_cli("audit", "--json").stdout)
    assert full["head"]["seq"] == 13 and full["verify"]["ok"] and len(full["retractions"]) == 1
    assert full["revisions"][0]["added"] == [AS_REV] and full["revisions"][0]["withdrawn"] == [AS_RICH]
    early = json.loads(run_cli("audit", "--json", "--as-of", "4").stdout)
    assert early["head"] == {"seq": 4, "hash": json.loads(all_types_ledger.read_bytes().splitlines()[3])["hash"], "as_of": 4}
    assert early["events_by_type"] == {"AssertionRecorded": 2, "BatchStarted": 1, "SourceAppended": 1}
    assert early["retractions"] == early["revisions"] == early["verdicts"] == early["links"] == []


def test_report_with_checkpoint_and_hostile_text(all_types_ledger, run_cli, tmp_path):
    """The checkpoint result is stated (extends / FAILED); a reason with Markdown and control characters
    cannot start a heading or a list item in the report."""
    skey, vkey = C.generate_key("audit.example/log")
    (tmp_path / "k.key").write_text(skey)
    (tmp_path / "k.vkey").write_text(vkey)
    cp = tmp_path / "cp"
    cp.write_bytes(C.make_checkpoint(C.tree_of(LogStore(all_types_ledger)), C.read_signing_key(tmp_path / "k.key")))
    assert run_cli("retract", AS_PLAIN, "--reason", "bad\n# Injected heading\n- item\x1b[31m").exit_code == 0
    res = run_cli("audit", "--checkpoint", str(cp), "--vkey", str(tmp_path / "k.vkey"))
    assert res.exit_code == 0, res.stderr
    assert "(audit.example/log, 13 events): the ledger extends it" in res.stdout
    assert "\n# Injected" not in res.stdout and "\n- item" not in res.stdout and "\x1b" not in res.stdout
    all_types_ledger.write_bytes(b"".join(all_types_ledger.read_bytes().splitlines(keepends=True)[:12]))
    res = run_cli("audit", "--checkpoint", str(cp), "--vkey", str(tmp_path / "k.vkey"), "--json")
    assert json.loads(res.stdout)["checkpoint"]["ok"] is False and "truncated" in json.loads(res.stdout)["checkpoint"]["reason"]


def test_report_states_an_interrupted_append(all_types_ledger, run_cli):
    """A torn last line is what verify exits 3 for: the report says verify passed only up to it."""
    with open(all_types_ledger, "ab") as f:
        f.write(b'{"seq": 14, "torn')
    res = run_cli("audit")
    assert res.exit_code == 0, res.stderr
    assert "- Verify (whole file, 13 events): OK up to an interrupted append: the last 17 bytes, after seq 13" in res.stdout
    assert json.loads(run_cli("audit", "--json").stdout)["verify"]["interrupted"].startswith("the last 17 bytes")
