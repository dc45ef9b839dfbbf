"""`factledger export`: stdout by default, atomic -o, --as-of, and one-line errors that write nothing."""

from __future__ import annotations

import pytest

import ledger
from ledger import plugins
from ledger.exporters import ExporterSpec
from ledger.testing import build_sample_ledger, SAMPLE_IDS as IDS


@pytest.fixture
def sample(tmp_ledger):
    return build_sample_ledger(tmp_ledger)


def test_stdout_by_default(run_cli, sample):
    """Without -o the export goes to stdout and nothing is written beside the ledger."""
    before = set(sample.parent.iterdir())
    result = run_cli("export", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"assertion_id,") and b"\r\n" in result.stdout_bytes
    assert {p for p in sample.parent.iterdir() if not p.name.startswith("ledger.jsonl")} == {
        p for p in before if not p.name.startswith("ledger.jsonl")
    }


def test_output_file_and_view(run_cli, sample, tmp_path):
    """-o writes the file (and the CSV sidecar beside it); --view picks the view."""
    out = tmp_path / "claims.csv"
    result = run_cli("export", "csv", "--view", "claims", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"claim_id,")
    assert (tmp_path / "claims.csv-metadata.json").exists()
    assert "wrote" in result.stderr and result.stdout == ""


def test_spreadsheet_safe_and_sidecar_flags(run_cli, sample, tmp_path):
    """--spreadsheet-safe neutralises formula-like cells; --sidecar writes the CSVW metadata even on stdout."""
    side = tmp_path / "meta.json"
    result = run_cli("export", "csv", "--spreadsheet-safe", "--sidecar", str(side))
    assert result.exit_code == 0, result.output
    assert ",'=SUM(A1) is not a formula" in result.stdout and ",=SUM(A1)" not in result.stdout
    assert b'"fl:spreadsheetSafe": true' in side.read_bytes()


def test_as_of_seq_and_time(run_cli, sample):
    """--as-of takes a seq or an RFC 3339 time; a seq beyond the head is a one-line error."""
    early = run_cli("export", "csv", "--as-of", "8")  # the first source's batch: BatchStarted + 7 events
    assert early.exit_code == 0, early.output
    ids = [line.split(",")[0] for line in early.stdout.splitlines()[1:]]
    assert ids == [IDS["a-head"], IDS["a-fire"], IDS["a-quote"], IDS["a-crew"], IDS["a-tricky"], IDS["a-repairs"]]
    at = run_cli("export", "csv", "--as-of", "2999-01-01T00:00:00Z")
    assert at.exit_code == 0 and at.stdout == run_cli("export", "csv").stdout
    beyond = run_cli("export", "csv", "--as-of", "999")
    assert beyond.exit_code == 1 and beyond.stderr.startswith("Error:") and len(beyond.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (("export", "nope"), "no export format named 'nope'; loaded:"),
        (("export", "csv", "--view", "nope"), "format 'csv' has no view 'nope'; it exports: assertions, claims, links, sources, entities, timeline"),
        (("export", "markdown", "--spreadsheet-safe"), "format 'markdown' has no option 'spreadsheet_safe'"),
        (("export", "csv", "-O", "novalue"), "expected NAME=VALUE"),
    ],
)
def test_bad_requests_are_one_line_errors_writing_nothing(run_cli, sample, tmp_path, args, message):
    """Unknown format, view or option: one line naming the problem, exit 1, no file written."""
    out = tmp_path / "out.file"
    result = run_cli(*args, "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_missing_ledger(run_cli, tmp_path):
    """Exporting a ledger that does not exist names the file."""
    missing = tmp_path / "nope.jsonl"
    result = run_cli("export", "csv", ledger=missing)
    assert result.exit_code == 1 and f"{missing}: no such ledger" in result.stderr


class _Fragile:
    """A plugin whose exporter writes half its output and then fails, and a file-only format."""

    @ledger.hookimpl
    def register_exporters(self, register):
        def half(context, out):
            out.write(b"half an export\n")
            raise ValueError("upstream service said no")

        def file_only(context, path):
            path.write_bytes(b"binary")

        register(ExporterSpec(name="fragile", media_type="text/plain", extension="txt", write=half))
        register(ExporterSpec(name="fileonly", media_type="application/x-test", extension="bin", write=file_only, needs_path=True))


@pytest.fixture
def fragile():
    plugins.register_plugin(_Fragile(), "fragile-plugin")
    yield
    plugins.unregister_plugin("fragile-plugin")


def test_failed_export_names_plugin_and_keeps_destination(run_cli, sample, tmp_path, fragile):
    """A failing exporter is named in a one-line error and the existing destination is untouched."""
    out = tmp_path / "report.txt"
    out.write_text("yesterday's good export")
    result = run_cli("export", "fragile", "-o", str(out))
    assert result.exit_code == 1
    assert "export 'fragile' (plugin 'fragile-plugin') failed: ValueError: upstream service said no" in result.stderr
    assert out.read_text() == "yesterday's good export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []
    assert run_cli("export", "csv").exit_code == 0  # other formats keep working


def test_file_formats_require_output(run_cli, sample, tmp_path, fragile):
    """A needs_path format refuses stdout with a one-line error and writes its file with -o."""
    refused = run_cli("export", "fileonly")
    assert refused.exit_code == 1 and "format 'fileonly' writes a file (bin); give -o PATH" in refused.stderr
    out = tmp_path / "x.bin"
    assert run_cli("export", "fileonly", "-o", str(out)).exit_code == 0
    assert out.read_bytes() == b"binary"


def test_end_to_end_with_rules_extractor(run_cli, tmp_path):
    """Articles appended with the real rules extractor export to all three built-in formats."""
    pytest.importorskip("ledger.extractors.rules")
    article = tmp_path / "dam.txt"
    article.write_text(
        "Dam Inspection Finds Leaks\n\nThe Orrin Dam leaked 40 litres a second on Tuesday, "
        "engineers said. \"We will lower the reservoir,\" water director Paula Mendes said.\n"
    )
    appended = run_cli("append", str(article), "--url", "https://example.org/dam", "--outlet", "Valley Post", "--published", "2026-04-02")
    assert appended.exit_code == 0, appended.output
    for fmt in ("csv", "jsonld", "markdown"):
        result = run_cli("export", fmt)
        assert result.exit_code == 0, result.output
        assert "lower the reservoir" in result.stdout


@pytest.mark.parametrize(
    "args",
    [("export", "csv"), ("export", "csv", "--sidecar", "FIFO"), ("export", "jsonld"), ("checkpoint", "--key", "KEY"),
     ("audit",)],
)
def test_output_that_is_not_a_regular_file_is_refused_and_a_link_is_written_through(run_cli, sample, tmp_path, args):
    """``-o`` (and ``--sidecar``) rename a finished temporary file over the path. Over a FIFO (or a
    device: as root, ``export -o /dev/null`` replaced the device node with a file) that replaced
    the special file; it is now one line naming it, exit 1, the FIFO left as it was. A symbolic
    link is written through: the file it names gets the output and the link stays a link."""
    import os
    import stat

    assert run_cli("keygen", "-o", str(tmp_path / "k"), "--name", "t").exit_code == 0
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    filled = [str(fifo) if a == "FIFO" else str(tmp_path / "k.key") if a == "KEY" else a for a in args]
    output = tmp_path / "plain.out" if "FIFO" in args else fifo
    res = run_cli(*filled, "-o", str(output))
    assert res.exit_code == 1, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and str(fifo) in lines[0] and "FIFO" in lines[0], res.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert output == fifo or not output.exists()
    real, link = tmp_path / "real.out", tmp_path / "link.out"
    real.write_bytes(b"old")
    link.symlink_to(real)
    through = [a for a in filled if a not in ("--sidecar", str(fifo))]
    res = run_cli(*through, "-o", str(link))
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and real.read_bytes() not in (b"old", b"")


def test_a_sidecar_named_like_the_csv_output_is_refused(run_cli, sample, tmp_path):
    """``-o out.csv --sidecar out.csv`` renamed both into place, so the CSV silently replaced its
    own CSVW metadata (or the reverse); it is one line, exit 1, and the old file stays."""
    out = tmp_path / "out.csv"
    out.write_bytes(b"old")
    res = run_cli("export", "csv", "-o", str(out), "--sidecar", str(out))
    assert res.exit_code == 1, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "--sidecar names the CSV output itself" in lines[0], res.stderr
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == ["out.csv"]
