"""The benches of #14 simulate many workers by renaming captured worker results
(``bench/scale_bench.py``'s ``Renamer``): the sources it makes must be ones the sequencer
records and the default ``verify`` (derived source and assertion ids) passes, or the
bench's verify rows measure a failing ledger."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import orjson

from ledger.audit import verify
from ledger.checks import assertion_id_for, source_id_for
from ledger.extractors import ExtractorSpec
from ledger.ingest import Ingestor, ReadOptions, decode, prepare_encoded
from ledger.log import LogStore
from ledger.plugins import get_extractor
from ledger.sources.collect import Input

from helpers import article

BENCH = Path(__file__).resolve().parents[1] / "bench" / "scale_bench.py"


def _scale_bench():
    spec = importlib.util.spec_from_file_location("scale_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_renamed_sources_are_distinct_sources_that_verify_with_derived_ids(tmp_path):
    bench = _scale_bench()
    inputs = []
    for i in range(2):
        (tmp_path / f"{i}.txt").write_text(article(i) + "\n\n" + article(i) + "\n", encoding="utf-8")  # quotes repeat: occurrences > 0
        inputs.append(Input(str(tmp_path / f"{i}.txt"), "file"))
    spec: ExtractorSpec = get_extractor("rules")
    captured = prepare_encoded(inputs, ReadOptions(), spec)
    renamers = [bench.Renamer(blob) for blob in captured]
    blobs = [renamers[i % 2](i) for i in range(6)]
    assert bench.renamed(captured[1], 5) == blobs[5]
    for blob in blobs:  # the packed ids the sequencer's index keeps are those of the renamed lines
        ids = [orjson.loads(line)["assertion_id"] for line in blob.split(b"\n")[2:]]
        assert decode(blob).assertion_ids == bytes.fromhex("".join(i[3:] for i in ids))

    ledger = tmp_path / "l.jsonl"
    outcomes = list(Ingestor(LogStore(ledger), spec).append_many([], ReadOptions(), stream=((decode(b), True) for b in blobs)))
    assert [o.status for o in outcomes] == ["appended"] * 6
    report = verify(LogStore(ledger), jobs=1)  # derived ids recomputed (the default)
    assert report.ok, report.reason

    events = [orjson.loads(line) for line in ledger.read_bytes().splitlines()]
    sources = [e["data"] for e in events if e["type"] == "SourceAppended"]
    assert [s["uri"] for s in sources] == [f"https://bench.example/{i}" for i in range(6)]
    assert all(s["source_id"] == source_id_for(s["uri"], "") for s in sources)
    assert len({s["raw_sha256"] for s in sources}) == 6
    recorded = [e["data"] for e in events if e["type"] == "AssertionRecorded"]
    seen: dict[tuple[str, str], int] = {}
    for d in recorded:
        key = (d["source_id"], d["selector"]["exact"])
        assert d["assertion_id"] == assertion_id_for(d["source_id"], d["selector"]["exact"], seen.get(key, 0))
        seen[key] = seen.get(key, 0) + 1
    assert max(seen.values()) > 1  # a repeated quote was renamed with its occurrence
    assert len({d["assertion_id"] for d in recorded}) == len(recorded)
