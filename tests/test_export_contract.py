"""The built-in exporters pass the same contract third-party exporters subclass (ledger.testing)."""

from __future__ import annotations

import csv
import io

import orjson

from ledger.testing import ExporterContract


class TestCsvContract(ExporterContract):
    exporter_name = "csv"
    plugin_name = "csv"

    def check_output(self, data, context):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        assert rows and len({len(r) for r in rows}) == 1, "every row has the header's width"


class TestJsonLdContract(ExporterContract):
    exporter_name = "jsonld"
    plugin_name = "jsonld"

    def check_output(self, data, context):
        doc = orjson.loads(data)
        assert isinstance(doc["@context"], dict) and doc["@graph"]


class TestMarkdownContract(ExporterContract):
    exporter_name = "markdown"
    plugin_name = "markdown"

    def check_output(self, data, context):
        text = data.decode("utf-8")
        assert text.startswith("# Fact ledger report\n")
        assert f"seq **{context.head_seq}**" in text
