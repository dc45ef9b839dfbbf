"""Articles change after publication: new versions, withdrawn and carried assertions, and diff."""

from __future__ import annotations

import orjson
import pytest

URL = "https://gazette.example/flood"
V1 = (
    "River Flood Warning Issued\n\n"
    "The river rose two metres overnight in Elmsford. "
    "Mayor Rita Holm said 300 homes were evacuated. "
    "Schools will stay closed on Tuesday.\n"
)
V2 = (
    "River Flood Warning Issued\n\n"
    "Emergency crews worked through the night. "
    "The river rose two metres overnight in Elmsford. "
    "Mayor Rita Holm said 300 homes were evacuated.\n"
)
V3 = V2 + "A shelter opened at the sports hall.\n"


def events(path):
    """The ledger's events, without the markers the store writes before each batch."""
    return [e for e in map(orjson.loads, path.read_bytes().splitlines()) if e["type"] != "BatchStarted"]


@pytest.fixture
def append(run_cli, simple_extractor, tmp_path):
    def run(text: str, *flags: str, name: str = "flood.txt"):
        f = tmp_path / name
        f.write_text(text)
        r = run_cli("append", str(f), *flags, "--extractor", "simple-test")
        assert r.exit_code == 0, r.output
        return r

    return run


def test_changed_content_under_the_same_url_records_a_revision(append, tmp_ledger, run_cli):
    """v2 is a SourceRevised; the dropped sentence is withdrawn, the new one recorded, the rest re-anchored."""
    append(V1, "--url", URL)
    n1 = len(events(tmp_ledger))
    r = append(V2, "--url", URL)
    assert r.stdout.startswith("revised src-") and " v2 " in r.stdout and "1 withdrawn" in r.stdout
    new = events(tmp_ledger)[n1:]
    first = new[0]
    assert first["type"] == "SourceRevised"
    assert (first["data"]["version"], first["data"]["revision_of"], first["data"]["uri"]) == (2, 1, URL)
    assert first["data"]["text"] == V2
    old = {e["data"]["assertion_id"]: e["data"] for e in events(tmp_ledger)[:n1] if e["type"] == "AssertionRecorded"}
    recorded = {e["data"]["assertion_id"]: e["data"] for e in new if e["type"] == "AssertionRecorded"}
    withdrawn = [e["data"] for e in new if e["type"] == "AssertionWithdrawn"]
    assert [old[w["assertion_id"]]["selector"]["exact"] for w in withdrawn] == ["Schools will stay closed on Tuesday."]
    assert all(w["version"] == 2 for w in withdrawn)
    carried = old.keys() & recorded.keys()
    added = recorded.keys() - old.keys()
    assert [recorded[a]["selector"]["exact"] for a in added] == ["Emergency crews worked through the night."]
    moved = {old[a]["selector"]["exact"] for a in carried if old[a]["selector"]["start"] != recorded[a]["selector"]["start"]}
    assert moved == {"The river rose two metres overnight in Elmsford.", "Mayor Rita Holm said 300 homes were evacuated."}
    for a in carried:
        sel = recorded[a]["selector"]
        assert V2[sel["start"] : sel["end"]] == sel["exact"] and recorded[a]["version"] == 2
    assert run_cli("verify").exit_code == 0


def test_byte_identical_content_records_nothing(append, tmp_ledger):
    """Appending the same bytes again changes nothing in the ledger."""
    append(V1, "--url", URL)
    before = tmp_ledger.read_bytes()
    r = append(V1, "--url", URL)
    assert r.stdout.startswith("unchanged ") and tmp_ledger.read_bytes() == before


def test_source_id_flag_revises_a_source_without_url(append, tmp_ledger):
    """--source-id names the source a changed file is a new version of."""
    append(V1)
    source_id = events(tmp_ledger)[0]["data"]["source_id"]
    append(V2, "--source-id", source_id, name="flood-updated.txt")
    revised = [e["data"] for e in events(tmp_ledger) if e["type"] == "SourceRevised"]
    assert [(d["source_id"], d["version"]) for d in revised] == [(source_id, 2)]


def test_without_url_or_source_id_a_changed_file_is_a_new_source(append, tmp_ledger):
    """Nothing ties two texts together without a URL or --source-id: the second is its own source."""
    append(V1)
    append(V2)
    kinds = [e["type"] for e in events(tmp_ledger) if e["type"].startswith("Source")]
    assert kinds == ["SourceAppended", "SourceAppended"]


def test_diff_shows_text_changes_and_assertions(append, run_cli):
    """diff by URL: a unified diff of the texts and the assertions added, withdrawn and re-anchored."""
    append(V1, "--url", URL)
    append(V2, "--url", URL)
    r = run_cli("diff", URL)
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "v1 -> v2 (versions: 1, 2)" in out
    assert "-The river rose two metres overnight in Elmsford. Mayor Rita Holm said 300 homes were evacuated. Schools will stay closed on Tuesday." in out
    assert "+Emergency crews worked through the night. The river rose" in out
    assert "assertions: 1 added, 1 withdrawn, 3 carried over (2 re-anchored)" in out
    assert any(line.startswith("+ as-") and line.endswith("Emergency crews worked through the night.") for line in out.splitlines())
    assert any(line.startswith("- as-") and line.endswith("Schools will stay closed on Tuesday.") for line in out.splitlines())


def test_diff_json_between_chosen_versions(append, run_cli, tmp_ledger):
    """--from/--to pick the versions; --json gives the same facts as data."""
    append(V1, "--url", URL)
    append(V2, "--url", URL)
    append(V3, "--url", URL)
    source_id = events(tmp_ledger)[0]["data"]["source_id"]
    r = run_cli("diff", source_id, "--from", "1", "--to", "3", "--json")
    assert r.exit_code == 0, r.output
    d = orjson.loads(r.stdout)
    assert (d["from_version"], d["to_version"], d["versions"]) == (1, 3, [1, 2, 3])
    assert sorted(a["exact"] for a in d["added"]) == [
        "A shelter opened at the sports hall.", "Emergency crews worked through the night."]
    assert [a["exact"] for a in d["withdrawn"]] == ["Schools will stay closed on Tuesday."]
    assert sum(c["moved"] for c in d["carried"]) == 2
    default = orjson.loads(run_cli("diff", source_id, "--json").stdout)
    assert (default["from_version"], default["to_version"]) == (2, 3)
    assert [a["exact"] for a in default["added"]] == ["A shelter opened at the sports hall."] and default["withdrawn"] == []


def test_diff_errors_are_one_line(append, run_cli, tmp_ledger):
    """An unknown source or version is a one-line error with exit 1."""
    append(V1, "--url", URL)
    r = run_cli("diff", "https://nowhere.example/")
    assert r.exit_code == 1 and r.stderr.startswith("Error: no source 'https://nowhere.example/'")
    r = run_cli("diff", URL, "--to", "4")
    assert r.exit_code == 1 and "has no version 4 (versions: 1)" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
