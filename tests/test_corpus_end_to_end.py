"""The two real articles of ../shared/corpus, appended with the real rules extractor, verify end to end."""

from __future__ import annotations

import pytest
from conftest import SHARED

from ledger.audit import verify
from ledger.log import LogStore

pytest.importorskip("ledger.extractors.rules")


@pytest.fixture(scope="module")
def corpus() -> list:
    paths = sorted((SHARED / "corpus").glob("*.txt"))
    if len(paths) < 2:
        pytest.skip(f"the shared corpus is missing ({SHARED / 'corpus'})")
    return paths


def test_corpus_appended_with_rules_and_verified(corpus, run_cli, tmp_ledger):
    """append (rules) then verify passes, every source has assertions, every selector equals its text slice."""
    for path in corpus:
        res = run_cli("append", "--extractor", "rules", str(path))
        assert res.exit_code == 0, res.stderr
        assert "appended src-" in res.stdout
    res = run_cli("verify")
    assert res.exit_code == 0, res.stderr
    texts, per_source = {}, {}
    for event in LogStore(tmp_ledger).events():
        d = event.data
        if event.type == "SourceAppended":
            texts[(d.source_id, d.version)] = d.text
            per_source[d.source_id] = 0
        elif event.type == "AssertionRecorded":
            text = texts[(d.source_id, d.version)]
            sel = d.selector
            assert text[sel.start : sel.end] == sel.exact
            assert text[max(0, sel.start - 32) : sel.start] == sel.prefix
            assert text[sel.end : sel.end + 32] == sel.suffix
            for part in (*d.values, *d.entities):
                assert sel.start <= part.start < part.end <= sel.end or 0 <= part.start < part.end <= len(text)
                assert text[part.start : part.end] == part.text
            per_source[d.source_id] += 1
    assert len(per_source) == len(corpus)
    assert all(n > 0 for n in per_source.values()), per_source
    assert verify(LogStore(tmp_ledger)).ok


def test_corpus_reappend_records_nothing(corpus, run_cli, tmp_ledger):
    """Appending the corpus twice leaves the ledger as the first append made it."""
    assert run_cli("append", "--extractor", "rules", *map(str, corpus)).exit_code == 0
    before = tmp_ledger.read_bytes()
    res = run_cli("append", "--extractor", "rules", *map(str, corpus))
    assert res.exit_code == 0 and res.stdout.count("nothing recorded") == len(corpus)
    assert tmp_ledger.read_bytes() == before
