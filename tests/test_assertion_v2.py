"""AssertionRecorded v2 (issue #16): the quotation mode and the speaker's antecedent are
recorded; v1 lines still verify against their schema and read with both unknown."""

from __future__ import annotations

import hashlib

from ledger import events as ev
from ledger.audit import verify
from ledger.checks import assertion_id_for, source_id_for
from ledger.log import LogStore
from ledger.serialization import canonical, event_hash

ARTICLE = (
    "Ferry Returns To Service\n\n"
    "Captain Ines Moreau, the master of the ferry, spoke to reporters on the quay. "
    '"The engine is repaired. We sail at noon," she said.\n\n'
    "The operator said the timetable would return to normal.\n"
)


def test_append_records_quotation_mode_and_antecedent(tmp_ledger, tmp_path, run_cli):
    path = tmp_path / "ferry.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert run_cli("append", str(path)).exit_code == 0
    store = LogStore(tmp_ledger)
    text = next(r["data"]["text"] for r in store.raw_events() if r["type"] == "SourceAppended")
    rows = {r["data"]["selector"]["exact"]: r for r in store.raw_events() if r["type"] == "AssertionRecorded"}
    assert {r["v"] for r in rows.values()} == {2}
    first = rows['"The engine is repaired.']["data"]
    said = rows['We sail at noon," she said.']["data"]
    assert first["speaker"] == said["speaker"] == "Ines Moreau"
    assert first["quotation"] == said["quotation"] == "direct"
    ante = said["speaker_antecedent"]  # "she" resolved to the person introduced as speaking
    assert ante["exact"] == text[ante["start"] : ante["end"]] == "Ines Moreau"
    assert first["speaker_antecedent"]["exact"] == "she"  # the sentence of the quotation that attributes it
    reported = rows["The operator said the timetable would return to normal."]["data"]
    assert (reported["speaker"], reported["quotation"], reported["speaker_antecedent"]) == ("operator", "reported", None)
    own = rows["Ferry Returns To Service"]["data"]
    assert (own["speaker"], own["quotation"], own["speaker_antecedent"]) == (None, None, None)
    assert verify(store).ok


def test_a_v1_line_verifies_and_reads_with_unknown_mode(tmp_ledger):
    text = "Officials said the gate is safe."
    sid = source_id_for(None, hashlib.sha256(text.encode()).hexdigest())
    src = ev.SourceAppended(source_id=sid, version=1, uri=None, title=None, outlet=None, authors=(), published=None,
                            retrieved=None, media_type="text/plain", raw_sha256="0" * 64,
                            text_sha256=hashlib.sha256(text.encode()).hexdigest(), text=text)
    store = LogStore(tmp_ledger, fsync=False)
    store.append([src], actor="t@h")
    head = store.head()
    data = {"assertion_id": assertion_id_for(sid, text, 0), "source_id": sid, "version": 1,
            "selector": {"start": 0, "end": len(text), "exact": text, "prefix": "", "suffix": ""},
            "kind": "statement", "speaker": "Officials", "speaker_cue": "said", "modality": "asserted",
            "modality_cue": None, "values": [], "entities": [], "extractor": "rules", "extractor_version": "1.1.0"}
    raw = {"seq": head.seq + 1, "id": "0190a5b2-0000-7000-8000-000000000002", "type": "AssertionRecorded", "v": 1,
           "at": head.at, "actor": "old@host", "prev": head.hash, "data": data}  # at never moves back
    raw["hash"] = event_hash(raw)
    with open(tmp_ledger, "ab") as f:
        f.write(canonical(raw) + b"\n")
    report = verify(LogStore(tmp_ledger))
    assert report.ok, report.reason
    event = list(LogStore(tmp_ledger).events())[-1]
    assert event.v == 1 and event.unknown == {}
    assert (event.data.speaker, event.data.quotation, event.data.speaker_antecedent) == ("Officials", None, None)
    assert event.data.supersedes is None
