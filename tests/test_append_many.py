"""Appending many sources at once: order, summary, failures, --jobs, progress."""

from __future__ import annotations

import io
import sys

import orjson
import pytest

import ledger
from ledger import plugins
from ledger.extractors import Extracted, ExtractorSpec
from ledger.ingest import CHUNK, Failed, ReadOptions, ready_stream
from ledger.sources.collect import Input
from helpers import article, make_folder, stable


def test_jobs_2_gives_the_same_log_as_jobs_1(tmp_path, run_cli, simple_extractor):
    """Parallel extraction records the same events in the same order as serial extraction."""
    folder = make_folder(tmp_path / "in")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    r1 = run_cli("append", str(folder), "--jobs", "1", "--extractor", "simple-test", "--no-fsync", ledger=one)
    r2 = run_cli("append", str(folder), "--jobs", "2", "--extractor", "simple-test", "--no-fsync", ledger=two)
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    assert r1.stdout == r2.stdout
    assert stable(one) == stable(two)
    origins = [line.split("(")[1].split(")")[0] for line in r1.stdout.splitlines()[:-1]]
    assert origins == sorted(origins)
    assert r1.stdout.splitlines()[-1] == "appended 12, unchanged 0, revised 0, failed 0"
    assert run_cli("verify", ledger=two).exit_code == 0


def test_one_bad_file_does_not_stop_the_batch(tmp_path, run_cli, simple_extractor, tmp_ledger):
    """The bad file is reported at the end with exit 1; every other file is recorded, it is not."""
    folder = make_folder(tmp_path / "in", n=6)
    (folder / "part1/a04.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    r = run_cli("append", str(folder), "--jobs", "2", "--extractor", "simple-test")
    assert r.exit_code == 1
    lines = r.stdout.strip().splitlines()
    assert lines[-1] == "appended 5, unchanged 0, revised 0, failed 1"
    errors = [line for line in r.stderr.splitlines() if not line.startswith("warning: ")]  # undated sources warn
    assert errors == [f"error: {folder / 'part1/a04.md'}: looks like a PNG image, not text"]
    texts = [orjson.loads(x)["data"]["text"] for x in tmp_ledger.read_bytes().splitlines() if b'"SourceAppended"' in x]
    assert len(texts) == 5 and not any("Number 4\n" in t for t in texts)


def test_second_run_reports_unchanged(tmp_path, run_cli, simple_extractor, tmp_ledger):
    """Appending the same folder again records nothing and says so in the summary."""
    folder = make_folder(tmp_path / "in", n=4)
    run_cli("append", str(folder), "--extractor", "simple-test")
    before = tmp_ledger.read_bytes()
    r = run_cli("append", str(folder), "--extractor", "simple-test")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[-1] == "appended 0, unchanged 4, revised 0, failed 0"
    assert tmp_ledger.read_bytes() == before


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, run_cli, simple_extractor):
    """Redirected output stays clean: no bar on stderr for a good batch (only the warnings about undated sources)."""
    folder = make_folder(tmp_path / "in", n=4)
    r = run_cli("append", str(folder), "--extractor", "simple-test")
    assert r.exit_code == 0 and "\r" not in r.stderr and "src/s" not in r.stderr
    assert all(line.startswith("warning: ") and "no published date" in line for line in r.stderr.splitlines())


def test_progress_bar_on_a_terminal_shows_counts(monkeypatch):
    """On a TTY the bar is drawn on stderr with done/total counts."""
    from ledger.cli import append as append_cmd

    class FakeTTY(io.StringIO):
        def isatty(self):
            return True

    fake = FakeTTY()
    monkeypatch.setattr(sys, "stderr", fake)
    bar = append_cmd._progress(3)
    assert bar is not None
    bar.update(3)
    bar.refresh()
    bar.close()
    assert "3/3" in fake.getvalue()
    assert append_cmd._progress(1) is None


def test_single_source_flags_refuse_many_sources(tmp_path, run_cli, simple_extractor, tmp_ledger):
    """--url/--title/--source-id apply to a single source; with several inputs nothing is written."""
    folder = make_folder(tmp_path / "in", n=2)
    r = run_cli("append", str(folder), "--url", "https://example.org/x", "--extractor", "simple-test")
    assert r.exit_code == 2 and "--url applies to a single source, but 2 sources were given" in r.output
    assert not tmp_ledger.exists()


def _boom_extract(text, info):
    if "Number 1\n" in text:
        raise RuntimeError("cannot cope")
    return [Extracted(kind="statement", start=0, end=len(text.rstrip()))]


class _BoomPlugin:
    @ledger.hookimpl
    def register_extractors(self, register):
        register(ExtractorSpec(name="boom-test", version="1", extract=_boom_extract))


class _LambdaPlugin:
    @ledger.hookimpl
    def register_extractors(self, register):
        register(ExtractorSpec(name="lambda-test", version="1",
                               extract=lambda text, info: [Extracted(kind="statement", start=0, end=5)]))


@pytest.fixture
def extra_extractors():
    plugins.load_plugins()
    plugins.register_plugin(_BoomPlugin(), "boom-test")
    plugins.register_plugin(_LambdaPlugin(), "lambda-test")
    yield
    plugins.unregister_plugin("boom-test")
    plugins.unregister_plugin("lambda-test")


def test_extractor_crash_fails_only_that_source(tmp_path, run_cli, extra_extractors, tmp_ledger):
    """An extractor raising on one document fails that input with its name; others are recorded."""
    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(article(i))
    r = run_cli("append", *(str(tmp_path / f"a{i}.txt") for i in range(3)), "--jobs", "2", "--extractor", "boom-test")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[-1] == "appended 2, unchanged 0, revised 0, failed 1"
    assert "extractor 'boom-test' failed: RuntimeError: cannot cope" in r.stderr


def test_unpicklable_extractor_falls_back_to_one_job(tmp_path, run_cli, extra_extractors, tmp_ledger):
    """A lambda extractor cannot reach workers: a note says so and the batch still succeeds."""
    for i in range(2):
        (tmp_path / f"a{i}.txt").write_text(article(i))
    r = run_cli("append", str(tmp_path / "a0.txt"), str(tmp_path / "a1.txt"), "--jobs", "2", "--extractor", "lambda-test")
    assert r.exit_code == 0, r.output
    assert "not picklable); running with --jobs 1" in r.stderr
    assert r.stdout.splitlines()[-1] == "appended 2, unchanged 0, revised 0, failed 0"


def test_parallel_preparation_streams_with_a_bounded_window(simple_extractor):
    """Workers never run far ahead: when the first result arrives only a window of inputs was read."""
    pulled = 0

    def inputs():
        nonlocal pulled
        for i in range(400):
            pulled += 1
            yield Input("<stdin>", "stdin", data=article(i).encode())

    stream = (item for item, _more in ready_stream(inputs(), ReadOptions(), simple_extractor, jobs=2))
    first = next(stream)
    assert not isinstance(first, Failed)
    assert pulled <= 4 * 2 * CHUNK + CHUNK
    rest = list(stream)
    assert pulled == 400 and len(rest) == 399
    texts = [orjson.loads(item.bodies()[0][1])["text"] for item in [first, *rest]]
    assert [t.split("\n")[0] for t in texts] == [f"Market Report Number {i}" for i in range(400)]


def test_rules_extractor_end_to_end_with_jobs(tmp_path, run_cli):
    """With the real rules extractor, a parallel batch verifies and matches a serial one."""
    pytest.importorskip("ledger.extractors.rules")
    folder = make_folder(tmp_path / "in", n=6)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run_cli("append", str(folder), "--no-fsync", ledger=one).exit_code == 0
    assert run_cli("append", str(folder), "--jobs", "2", "--no-fsync", ledger=two).exit_code == 0
    assert stable(one) == stable(two)
    assert run_cli("verify", ledger=two).exit_code == 0
