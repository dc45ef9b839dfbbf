"""The template's tests: factledger's exporter contract, then checks of this format's own output."""

from __future__ import annotations

import json

import pytest
from ledger import plugins
from ledger.testing import ExporterContract, build_sample_ledger, run_export, SAMPLE_IDS as IDS


class TestNdjsonContract(ExporterContract):
    exporter_name = "ndjson"
    plugin_name = "ndjson"  # the entry point name: the contract tests this plugin's spec, not a namesake's

    def check_output(self, data, context):
        lines = data.decode("utf-8").splitlines()
        for line in lines:
            assert isinstance(json.loads(line), dict)


@pytest.fixture
def spec():
    return plugins.get_exporter("ndjson:ndjson")


def test_one_line_per_current_assertion_with_its_source(spec, tmp_path):
    ledger_path = build_sample_ledger(tmp_path / "ledger.jsonl")
    data, context = run_export(spec, ledger_path)
    rows = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    ids = [r["assertion_id"] for r in rows]
    assert len(ids) == len(set(ids)) == len(list(context.assertions()))
    assert IDS["a-fire"] not in ids  # retracted in the sample ledger
    quote = next(r for r in rows if r["assertion_id"] == IDS["a-quote"])
    assert quote["speaker"] == "Ines Okafor" and quote["outlet"] == "Harbour Gazette"
    assert quote["exact"].startswith('"Nobody was hurt')


def test_fields_option(spec, tmp_path):
    ledger_path = build_sample_ledger(tmp_path / "ledger.jsonl")
    data, _ = run_export(spec, ledger_path, options={"fields": "assertion_id,exact"})
    assert all(set(json.loads(line)) == {"assertion_id", "exact"} for line in data.decode().splitlines())
    with pytest.raises(ValueError, match="no field 'nope'"):
        run_export(spec, ledger_path, options={"fields": "nope"})
