"""What a new user hit on the tour (#13 items 2, 4-11): options where people type them, quiet pipes,
clear answers for --as-of dates, empty or one-version inputs, aligned eval columns, Markdown headings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from ledger.evaluation import gold as evaluation
from ledger.testing import build_sample_ledger, SAMPLE_IDS as IDS, SRC_A, SRC_B

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path | None = None, input: bytes | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    return subprocess.run([sys.executable, "-m", "ledger", *args], capture_output=True, cwd=cwd, input=input,
                          env=env, timeout=120)


@pytest.fixture
def sample(tmp_path) -> Path:
    return build_sample_ledger(tmp_path / "ledger.jsonl")


def test_ledger_and_json_after_the_command_name(run_cli, sample, tmp_path):
    """`factledger sources --ledger X` works like `factledger --ledger X sources`; --json before the command too."""
    after = run_cli("sources", "--ledger", str(sample), "--json", ledger=None)
    before = run_cli("--ledger", str(sample), "sources", "--json", ledger=None)
    assert after.exit_code == 0, after.output
    assert after.stdout == before.stdout and SRC_A in after.stdout
    group_json = run_cli("--json", "sources", "--ledger", str(sample), ledger=None)
    assert orjson.loads(group_json.stdout) == orjson.loads(before.stdout)
    # the later --ledger wins, and a missing one is named
    missing = run_cli("--ledger", str(sample), "sources", "--ledger", str(tmp_path / "nope.jsonl"), ledger=None)
    assert missing.exit_code == 1 and "nope.jsonl: no such ledger" in missing.stderr
    refused = run_cli("--json", "verify", "--ledger", str(sample), ledger=None)
    assert refused.exit_code == 2 and "'factledger verify' has no JSON output" in refused.stderr
    for command in (["assertions"], ["log", "--limit", "1"], ["verify"], ["show", IDS["a-quote"]], ["claims"]):
        result = run_cli(*command, "--ledger", str(sample), ledger=None)
        assert result.exit_code == 0, (command, result.output)


def test_dash_h_is_help(run_cli):
    """-h works like --help, for the group and for every command."""
    for args in (["-h"], ["sources", "-h"], ["append", "-h"], ["export", "-h"]):
        result = run_cli(*args, ledger=None)
        assert result.exit_code == 0 and "Usage: " in result.stdout, args


@pytest.mark.parametrize("command", [["export", "markdown"], ["export", "csv"], ["log"], ["log", "--json"],
                                     ["assertions"], ["claims", "--all"], ["show", IDS["a-quote"]]])
def test_closed_pipe_ends_quietly(sample, command):
    """A reader that goes away (| head) ends the command without a message, exit 141 as a shell reports SIGPIPE."""
    proc = subprocess.Popen([sys.executable, "-m", "ledger", "--ledger", str(sample), *command],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first byte is written
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141, err
    assert err == b"", err


def test_show_a_source_and_verdict_on_a_missing_claim(run_cli, sample):
    """show src-... prints the source's trail; a verdict on an unknown claim names the claim."""
    shown = run_cli("show", SRC_A, ledger=sample)
    assert shown.exit_code == 0, shown.output
    assert f"SourceAppended {SRC_A} v1" in shown.stdout and f"SourceRevised {SRC_A} v2" in shown.stdout
    assert f"AssertionWithdrawn {IDS['a-repairs']}" in shown.stdout
    assert SRC_B not in shown.stdout
    trail = orjson.loads(run_cli("show", SRC_B, "--json", ledger=sample).stdout)
    assert [e["type"] for e in trail] == ["SourceAppended"]
    assert "no source src-0000000000000000" in run_cli("show", "src-0000000000000000", ledger=sample).stderr
    before = sample.read_bytes()
    verdict = run_cli("verdict", "cl-deadbeefdeadbeef", "--status", "disputed", ledger=sample)
    assert verdict.exit_code == 1 and "no claim cl-deadbeefdeadbeef" in verdict.stderr and "as-" not in verdict.stderr
    assert sample.read_bytes() == before


def test_as_of_says_which_seq_and_a_date_is_the_whole_day(run_cli, sample):
    """--as-of prints one stderr line naming the seq; a bare date means the end of that day (UTC)."""
    import datetime

    today = datetime.datetime.now(datetime.UTC).date()
    whole = run_cli("claims", "--all", "--json", ledger=sample)
    dated = run_cli("claims", "--all", "--json", "--as-of", today.isoformat(), ledger=sample)
    assert dated.exit_code == 0, dated.output
    assert orjson.loads(dated.stdout) == orjson.loads(whole.stdout), "today's date includes today's events"
    head = len(sample.read_bytes().splitlines())
    assert dated.stderr.strip().splitlines() == [
        f"as of {today.isoformat()} (the end of that day, UTC) resolved to seq {head} (head is seq {head})"
    ]
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    empty = run_cli("sources", "--as-of", yesterday, ledger=sample)
    assert "resolved to seq 0: nothing had been recorded yet" in empty.stderr
    by_seq = run_cli("export", "csv", "--as-of", "5", ledger=sample)
    assert by_seq.stderr.strip() == f"as of seq 5 (head is seq {head})"
    assert run_cli("sources", ledger=sample).stderr == ""


def test_verify_refuses_a_file_without_one_event(run_cli, tmp_path):
    """A file holding only a torn line is not 'OK: 0 events'; an empty file still verifies."""
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b'{"broken":')
    result = run_cli("verify", ledger=broken)
    # exit 3: an interrupted append by the one rule of docs/log-format.md (damage would be 1)
    assert result.exit_code == 3 and "not one complete event" in result.stderr and "OK" not in result.stdout
    empty = tmp_path / "empty.jsonl"
    empty.touch()
    assert run_cli("verify", ledger=empty).exit_code == 0


def test_diff_of_a_single_version_says_so(run_cli, sample):
    """diff on a source with one version says there is only one, exit 1; two versions still diff."""
    one = run_cli("diff", SRC_B, ledger=sample)
    assert one.exit_code == 1 and "has only one version (v1)" in one.stderr
    two = run_cli("diff", SRC_A, ledger=sample)
    assert two.exit_code == 0 and "v1 -> v2" in two.stdout


def test_eval_columns_line_up():
    """Every row of the eval table is as wide as its header, and each number ends under its header."""
    per = [evaluation.SourceScore(name="000_abcdef.txt")]
    per[0].gold, per[0].found, per[0].values_gold, per[0].values_found = 22, 22, 7, 7
    total = evaluation.SourceScore(name="overall")
    lines = evaluation.format_report(per, total).splitlines()
    header, rows = lines[0], lines[1:3]
    for row in rows:
        assert len(row) == len(header), (header, row)
    ends = [i + len(w) for i, w in ((header.index(w), w) for w in ("recall", "values", "mean len"))]
    for row in rows:
        for end in ends:
            assert row[end - 1] != " " and (end == len(row) or row[end] == " "), (row, end)


def test_markdown_headline_and_stdin_title(run_cli, tmp_path):
    """'# ' is not part of a recorded headline; stdin with --title does not make the first body line a headline."""
    md = tmp_path / "story.md"
    md.write_text("# Council Approves Budget\n\nThe council approved the budget on Monday.\n\n## Next Steps ##\n\nIt costs 5 euros.\n")
    assert run_cli("append", str(md)).exit_code == 0
    rows = orjson.loads(run_cli("assertions", "--json").stdout)
    heads = [r["selector"]["exact"] for r in rows if r["kind"] == "headline"]
    assert heads == ["Council Approves Budget", "Next Steps"]
    piped = run_cli("append", "-", "--title", "Budget Passes", input="The budget passes in May\nIt costs 5 euros.\n")
    assert piped.exit_code == 0, piped.output
    rows = orjson.loads(run_cli("assertions", "--json").stdout)
    first = next(r for r in rows if r["selector"]["exact"] == "The budget passes in May")
    assert first["kind"] == "statement"


def test_small_text(run_cli, tmp_path):
    """Plain wording for flags that apply to one source; `plugins` lists each format's views."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("One sentence here.\n")
    b.write_text("Another sentence here.\n")
    result = run_cli("append", str(a), str(b), "--title", "X")
    assert result.exit_code == 2 and "--title applies to a single source, but 2 sources were given" in result.stderr
    listing = run_cli("plugins", ledger=None).stdout
    assert "format csv: views assertions, claims, links, sources, entities, timeline (default assertions)" in listing
    formats = {f["name"]: f for f in orjson.loads(run_cli("plugins", "--json", ledger=None).stdout)["formats"]}
    assert formats["jsonld"]["views"] == ["graph", "assertions"] and formats["jsonld"]["plugin"] == "jsonld"


def test_error_messages_keep_their_closing_quote(run_cli, sample, tmp_path):
    """The one-line error of a message ending in a quoted value keeps the quote (the group
    stripped every leading and trailing quote, meant only for KeyError's repr), and a
    KeyError's message is still shown without its repr quotes."""
    assert run_cli("keygen", "-o", str(tmp_path / "k"), "--name", "t").exit_code == 0
    res = run_cli("prove", "as-nope", "--key", str(tmp_path / "k.key"))
    assert res.exit_code == 1 and res.stderr.strip().endswith("concerns 'as-nope'"), res.stderr
    bundle = tmp_path / "b.json"
    bundle.write_text('{"format": "x"}', encoding="utf-8")
    res = run_cli("check-proof", str(bundle), "--vkey", str(tmp_path / "k.vkey"))
    assert res.exit_code == 1 and res.stderr.strip().endswith("unknown bundle format 'x'"), res.stderr

    from ledger.cli import cli

    @cli.command("raise-key-error-for-test")
    def _raises():
        raise KeyError("no such thing 'y'")

    try:
        res = run_cli("raise-key-error-for-test")
    finally:
        cli.commands.pop("raise-key-error-for-test")
    assert res.exit_code == 1 and res.stderr.strip() == "Error: no such thing 'y'", res.stderr
