"""One rule for the end of a ledger file (issue #15 item 5) in verify and the stdlib verifier of
docs/log-format.md, and ledger paths that are not regular files or cannot be written (items 10, 11)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import all_types_payloads, source_payload
from helpers import TAILS, _run, tails_ledger, verifier  # noqa: F401  (the doc's verifier, as a fixture)

from ledger import log as log_module
from ledger.log import LedgerError, LogStore


@pytest.mark.parametrize("case", list(TAILS))
def test_one_rule_for_the_end_of_the_file(case, tmp_ledger, run_cli, verifier):  # noqa: F811
    """verify and the doc's stdlib verifier give the same exit code: 0 intact, 1 damage (a complete last
    line that is wrong included; a v beyond 2^31-1 or not an integer), 3 an interrupted append."""
    damage, code = TAILS[case]
    lines = tails_ledger(tmp_ledger)
    tmp_ledger.write_bytes(b"".join(damage(lines)))
    res = run_cli("verify")
    assert res.exit_code == code, res.output
    doc = _run(verifier, tmp_ledger)
    assert doc.returncode == code, doc.stderr
    if code == 3:
        assert "factledger repair" in res.stderr and "repair" in doc.stderr
    if code == 1 and "last line" in case:
        assert f"FAILED at seq {len(lines) + ('garbage' in case)}" in res.stderr
        before = tmp_ledger.read_bytes()
        if "still JSON" in case:
            assert LogStore(tmp_ledger).repair() == (0, None)  # a parseable line: nothing to set aside
        else:
            with pytest.raises(LedgerError, match="factledger verify"):
                LogStore(tmp_ledger).repair()  # damage is never repaired
        assert tmp_ledger.read_bytes() == before


# -- item 10: special files --------------------------------------------------------------------


@pytest.mark.parametrize("command", [("verify",), ("sources",), ("log",), ("export", "csv"), ("repair",), ("append", "-")])
def test_a_fifo_ledger_is_refused_without_hanging(tmp_path, command):
    """A FIFO as the ledger: every command refuses it in one line (verify used to hang, append to
    crash). Run in a subprocess with a timeout, so a hang fails the test instead of stalling it."""
    fifo = tmp_path / "ledger.jsonl"
    os.mkfifo(fifo)
    res = subprocess.run(
        [sys.executable, "-m", "ledger", "--ledger", str(fifo), *command],
        input=b"Some article text. It has two sentences.\n", capture_output=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    err = res.stderr.decode()
    assert res.returncode == 1 and err.count("\n") == 1 and "is a FIFO, not a ledger file" in err, err


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/full", "/dev/null"])
@pytest.mark.parametrize("command", [("verify",), ("assertions",), ("append", "-"), ("repair",)])
def test_a_device_ledger_is_refused(device, command, run_cli):
    """/dev/zero was read as one endless line; /dev/full and /dev/null are no ledgers either."""
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    res = run_cli(*command, ledger=device, input="Some article text.\n")
    assert res.exit_code == 1 and res.exception.__class__ is SystemExit, res.exception
    assert res.stderr.count("\n") == 1 and "is a device, not a ledger file" in res.stderr


def test_a_directory_ledger_is_refused_by_export(tmp_path, run_cli):
    res = run_cli("export", "csv", ledger=tmp_path)
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "is a directory, not a ledger file" in res.stderr


# -- item 11: repair when the side file cannot be written ---------------------------------------


def _interrupted(path):
    lines = tails_ledger(path)
    path.write_bytes(b"".join(lines[:6]))  # an incomplete second batch
    return path.read_bytes()


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO])
def test_repair_that_cannot_write_its_side_file_changes_nothing(err, tmp_ledger, run_cli, monkeypatch):
    """Disk full, file too large, quota, I/O error while writing the side file: one line, exit 1, no side
    file left (not even an empty one), the ledger byte-identical."""
    before = _interrupted(tmp_ledger)
    real_write = os.write

    def failing(fd, data):
        real_write(fd, bytes(data[:10]))  # part of it lands, then the disk fails
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(log_module.os, "write", failing)
    res = run_cli("repair")
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "the ledger is unchanged" in res.stderr, res.stderr
    assert tmp_ledger.read_bytes() == before
    assert sorted(p.name for p in tmp_ledger.parent.iterdir()) == [tmp_ledger.name]


def test_repair_without_permission_for_the_side_file(tmp_ledger, run_cli, monkeypatch):
    before = _interrupted(tmp_ledger)
    real_open = os.open

    def no_permission(path, flags, *args, **kw):
        if ".torn-" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(log_module.os, "open", no_permission)
    res = run_cli("repair")
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "Permission denied" in res.stderr
    assert tmp_ledger.read_bytes() == before and len(list(tmp_ledger.parent.iterdir())) == 1


def test_repair_under_a_real_file_size_limit(tmp_ledger):
    """A real EFBIG: RLIMIT_FSIZE below the size of the interrupted append, in a child process."""
    lines = tails_ledger(tmp_ledger)
    store = LogStore(tmp_ledger, fsync=False)
    store.append([source_payload("word " * 40000, source_id="src-00000000000000bb"), *all_types_payloads()[0][1:]])
    big = tmp_ledger.read_bytes()
    tmp_ledger.write_bytes(big[: len(b"".join(lines)) + 150_000])  # 150 KB of an incomplete batch
    before = tmp_ledger.read_bytes()
    script = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        from ledger.cli.main import main
        main(["--ledger", {str(tmp_ledger)!r}, "repair"])
        """
    )
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "file too large" in res.stderr, res.stderr
    assert tmp_ledger.read_bytes() == before and len(list(tmp_ledger.parent.iterdir())) == 1
