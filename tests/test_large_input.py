"""Large inputs: one batch has an upper size, refused in one line before anything is written (#15 item 9).

How extraction and append scale with input size is measured by bench/large_input_bench.py.
"""

from __future__ import annotations

import pytest

from ledger import ingest

SENTENCE = "The council said on Monday that the bridge would reopen after repairs costing $4.5 million. "


@pytest.fixture
def big_and_small(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Bridge news\n\n" + "\n\n".join(SENTENCE * 3 for _ in range(200)) + "\n")
    small = tmp_path / "small.txt"
    small.write_text("Short news\n\n" + SENTENCE + "\n")
    return big, small


def test_a_batch_over_the_limit_fails_in_one_line_and_the_others_go_in(monkeypatch, run_cli, big_and_small, tmp_ledger):
    big, small = big_and_small
    monkeypatch.setattr(ingest, "MAX_BATCH_BYTES", 100_000)
    result = run_cli("append", str(big), str(small))
    assert result.exit_code == 1
    assert "appended 1, unchanged 0, revised 0, failed 1" in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert f"{big}: would append a batch of about" in errors[0]
    assert "over the 0.1 MB limit of one batch; split the source" in errors[0]
    assert b"Bridge news" not in tmp_ledger.read_bytes()


def test_text_alone_over_the_limit_is_refused_before_extraction(big_and_small, monkeypatch):
    from ledger import plugins
    from ledger.sources.collect import Input

    big, _ = big_and_small
    plugins.load_plugins()
    calls = []

    def spy(text, info):
        calls.append(len(text))
        return []

    spec = plugins.get_extractor("rules")
    import attrs

    spec = attrs.evolve(spec, extract=spy)
    out = ingest.prepare(Input(str(big), "file"), ingest.ReadOptions(max_batch_bytes=10_000), spec)
    assert isinstance(out, ingest.Failed) and "limit of one batch" in out.message
    assert calls == []


def test_the_batch_estimate_is_close_to_what_is_written(big_and_small, tmp_path):
    from ledger import plugins
    from ledger.log import LogStore
    from ledger.sources.collect import Input

    big, _ = big_and_small
    plugins.load_plugins()
    prepared = ingest.prepare(Input(str(big), "file"), ingest.ReadOptions(), plugins.get_extractor("rules"))
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    ingest.Ingestor(store, plugins.get_extractor("rules")).record(prepared.doc, prepared.source_id, prepared.extraction)
    written = (tmp_path / "l.jsonl").stat().st_size
    assert 0.7 * written < ingest.batch_estimate(prepared.doc, prepared.extraction) < 1.5 * written


def test_the_source_index_grows_its_assertion_ids_in_place():
    """Folding a source's assertions one by one (catching up with the log) must not copy what
    it holds per assertion: a frozenset union (and then a bytes +=) per id was quadratic."""
    index = ingest.SourceIndex()
    index._source("src-1", 1, "0" * 64)
    known = index.sources["src-1"]
    held = known.packed
    ids = [f"as-{i:016x}" for i in range(100)]
    for aid in ids:
        index._assertion("src-1", 1, aid)
    assert known.packed is held
    assert known.assertion_ids == frozenset(ids)
    index._assertion("src-1", 1, "as-not-hex")  # an id of another form: kept in a set from now on
    held = known.packed
    index._assertion("src-1", 1, "as-other")
    assert known.packed is held
    assert known.assertion_ids == frozenset([*ids, "as-not-hex", "as-other"])


@pytest.mark.parametrize("odd", ["as-0123456789ABCDEF", "as-0123456789abcde ", "as-01234567 9abcdef", "as-0123456789abcdef0",
                                 "xs-0123456789abcdef", "as-0123456789abcdeg", "as-0123456789abcde"])
def test_a_source_of_worker_bytes_keeps_any_assertion_id_exactly(odd):
    """The ids of a source recorded from a worker's bytes are packed 8 bytes each, all at once,
    only when every one is as- and 16 lowercase hex digits: one id of another form among them
    (upper case, a space fromhex would skip, a length that shifts the rest) keeps them all as
    they are."""
    usual = [f"as-{i * 7919123457:016x}" for i in range(5)]
    for ids in (usual, [*usual[:2], odd, *usual[2:]], [odd, "as-0123456789abcdef0"[:-1] + "0" * 2]):
        known = ingest.KnownSource(1, "0" * 64)
        known.add(ids)
        assert known.assertion_ids == frozenset(ids)
        assert isinstance(known.packed, bytearray) == (ids == usual)
