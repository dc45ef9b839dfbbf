"""Hostile input gets bounded time and memory and fails alone, in one line (#15 items 6, 7, 10, 11)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")
BODY = "The council said the bridge will reopen on Monday.\n"


def _alias_bomb(field: str) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghi"
    for prev, name in zip(names, names[1:]):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    lines.append(f"{field}: *i")
    return "---\n" + "\n".join(lines) + "\n---\n" + BODY


def _run_capped(args: list[str], cwd: Path, *, mem_bytes: int = 1 << 30, fsize: int | None = None, timeout: float = 60):
    """``factledger ARGS`` in a child with an address-space cap (a regression cannot take the machine down)."""
    prelude = textwrap.dedent(
        f"""
        import resource, signal, sys
        resource.setrlimit(resource.RLIMIT_AS, ({mem_bytes}, {mem_bytes}))
        if {fsize!r} is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, ({fsize!r}, {fsize!r}))
        from ledger.cli import main
        main(sys.argv[1:])
        """
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.run(
        [sys.executable, "-c", prelude, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize("field", ["title", "author", "outlet"])
def test_yaml_alias_bomb_is_refused_in_one_line_under_a_memory_cap(tmp_path, field):
    (tmp_path / "bomb.md").write_text(_alias_bomb(field))
    (tmp_path / "good.txt").write_text(BODY)
    proc = _run_capped(["--ledger", "l.jsonl", "append", "bomb.md", "good.txt"], tmp_path)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "bomb.md" in errors[0] and "alias" in errors[0], proc.stderr
    assert "appended 1" in proc.stdout  # the other input still went in


@pytest.mark.parametrize(
    "front, problem",
    [
        ("title: [a, b]", "'title' must be text, not a list"),
        ("title: {x: 1}", "'title' must be text, not a mapping"),
        ("author: [[a, b], c]", "'author' must be a name or a list of names"),
        ("outlet: !!binary aGVsbG8=", "'outlet' must be text, not binary data"),
        ("title: " + "[" * 5000 + "]" * 5000, "front matter is not valid YAML"),
        ("title: x\nnote: '" + "y" * 70_000 + "'", "front matter is 70,"),
    ],
)
def test_front_matter_shapes_are_refused_in_one_line(run_cli, tmp_path, front, problem):
    md = tmp_path / "doc.md"
    md.write_text(f"---\n{front}\n---\n{BODY}")
    result = run_cli("append", str(md))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert problem in result.output and "doc.md" in result.output, result.output


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_bad_date_fails_one_input_and_the_others_are_appended(run_cli, tmp_path, tmp_ledger, jobs):
    files = []
    for i in range(4):
        f = tmp_path / f"doc{i}.md"
        date = "2026-13-45" if i == 1 else f"2026-03-1{i}"
        f.write_text(f"---\ntitle: Story {i}\ndate: {date}\n---\nStory {i}: the council said the bridge will reopen.\n")
        files.append(str(f))
    result = run_cli("append", *files, "--jobs", jobs)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit) or result.exception is None
    assert "appended 3, unchanged 0, revised 0, failed 1" in result.output
    assert "doc1.md: front matter 'date': '2026-13-45' is not an ISO 8601 date" in result.output
    assert tmp_ledger.read_bytes().count(b'"type":"SourceAppended"') == 3


def test_a_yaml_date_is_still_a_date(run_cli, tmp_path, tmp_ledger):
    f = tmp_path / "d.md"
    f.write_text(f"---\ndate: 2026-03-18\n---\n{BODY}")
    assert run_cli("append", str(f)).exit_code == 0
    assert b'"published":"2026-03-18"' in tmp_ledger.read_bytes()


def test_a_ledger_that_cannot_grow_still_tries_every_input_and_prints_the_summary(tmp_path):
    """A write failure (here RLIMIT_FSIZE, as a full disk would) fails each input; the summary is printed."""
    for i in range(3):
        (tmp_path / f"s{i}.txt").write_text(f"Story {i}: " + "the council said the bridge will reopen. " * 40 + "\n")
    first = _run_capped(["--ledger", "l.jsonl", "append", "--no-fsync", "s0.txt"], tmp_path)
    assert first.returncode == 0, first.stderr
    size = (tmp_path / "l.jsonl").stat().st_size
    proc = _run_capped(["--ledger", "l.jsonl", "append", "--no-fsync", "s1.txt", "s2.txt"], tmp_path, fsize=size + 200)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1
    assert "appended 0, unchanged 0, revised 0, failed 2" in proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "s1.txt" in errors[0] and "s2.txt" in errors[1], proc.stderr
    assert (tmp_path / "l.jsonl").stat().st_size == size  # nothing partial was left


@pytest.mark.parametrize("special", ["/proc/self/status", "fifo"])
def test_special_files_are_refused_as_articles_in_one_line(run_cli, tmp_path, tmp_ledger, special):
    if special == "fifo":
        special = str(tmp_path / "pipe.txt")
        os.mkfifo(special)
    good = tmp_path / "good.txt"
    good.write_text(BODY)
    result = run_cli("append", special, str(good))
    assert result.exit_code == 1
    assert "not a regular file" in result.output, result.output
    assert "appended 1" in result.output


def test_max_size_too_large_is_a_one_line_usage_error(run_cli, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(BODY)
    result = run_cli("append", str(f), "--max-size", "99999999999999999999999G")
    assert result.exit_code == 2
    assert "Traceback" not in result.output and result.exception is not None and isinstance(result.exception, SystemExit)
    assert "--max-size" in result.output


def test_a_worker_that_dies_fails_only_its_input(tmp_path):
    """--jobs 2: a process killed by one input (a segfault, the OOM killer) fails that input only."""
    from helpers import crash_on_marker

    from ledger.extractors import ExtractorSpec
    from ledger.ingest import Failed, Ingestor, ReadOptions
    from ledger.log import LogStore
    from ledger.sources.collect import Input

    inputs = []
    for i in range(20):
        f = tmp_path / f"s{i:02d}.txt"
        f.write_text(f"Story {i}. " + ("KILL-THIS-WORKER" if i == 5 else "The council said so.") + "\n")
        inputs.append(Input(str(f), "file"))
    spec = ExtractorSpec(name="crashy", version="1", extract=crash_on_marker)
    ingestor = Ingestor(LogStore(tmp_path / "l.jsonl", fsync=False), spec)
    outcomes = list(ingestor.append_many(inputs, ReadOptions(), jobs=2))
    assert [o.origin for o in outcomes] == [i.origin for i in inputs]  # every input, in order
    failed = [o for o in outcomes if isinstance(o, Failed)]
    assert [f.origin for f in failed] == [inputs[5].origin]
    assert "the process reading and extracting it died" in failed[0].message
