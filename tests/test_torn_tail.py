"""A torn tail (interrupted append) is detected, read around, refused for appends, and set aside by repair."""

from __future__ import annotations

import warnings

import pytest
from conftest import all_types_payloads, source_payload

from ledger.audit import verify
from ledger.log import DamagedLogError, LogStore, TornTailError, TornTailWarning


def _good_ledger(path):
    store = LogStore(path, fsync=False)
    for batch in all_types_payloads():
        store.append(batch, actor="t@x")
    return store


def _cut_mid_last_line(path) -> tuple[bytes, bytes]:
    """Cut the file in the middle of its last line; returns (kept, torn) bytes."""
    data = path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    cut = last_start + (len(data) - last_start) // 2
    path.write_bytes(data[:cut])
    return data[:last_start], data[last_start:cut]


def test_reads_stop_before_torn_tail_with_warning(tmp_ledger):
    """Reading a ledger cut mid-line yields every complete event and warns about the torn bytes."""
    store = _good_ledger(tmp_ledger)
    total = store.head().seq
    _kept, torn = _cut_mid_last_line(tmp_ledger)
    with pytest.warns(TornTailWarning, match="repair"):
        seqs = [e.seq for e in store.events()]
    assert seqs == list(range(1, total))
    head = store.head()
    assert (head.seq, head.torn) == (total - 1, len(torn))


def test_append_refused_on_torn_tail_and_ledger_unchanged(tmp_ledger):
    """An append onto a torn tail raises an error naming 'factledger repair' and writes nothing."""
    store = _good_ledger(tmp_ledger)
    _cut_mid_last_line(tmp_ledger)
    before = tmp_ledger.read_bytes()
    with pytest.raises(TornTailError, match="factledger repair") as exc:
        store.append([source_payload("Another text.")])
    assert str(tmp_ledger) in str(exc.value)
    assert tmp_ledger.read_bytes() == before


def test_repair_moves_torn_bytes_to_side_file(tmp_ledger):
    """repair keeps the torn bytes in a side file beside the ledger, truncates, and appends work again."""
    store = _good_ledger(tmp_ledger)
    kept, torn = _cut_mid_last_line(tmp_ledger)
    moved, side = store.repair()
    assert moved == len(torn)
    assert side.parent == tmp_ledger.parent and side.name.startswith(tmp_ledger.name + ".torn-")
    assert side.read_bytes() == torn
    assert tmp_ledger.read_bytes() == kept
    store.append([source_payload("Another text.")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = verify(store)
    assert report.ok, report.reason
    assert store.repair() == (0, None)


def test_newline_terminated_garbage_last_line_is_damage(tmp_ledger, run_cli):
    """A last line that ends in a newline but does not parse is damage (issue #15 item 5), not a torn tail:
    verify exits 1 naming its seq, readers, appends and repair refuse in one line, and nothing changes."""
    store = _good_ledger(tmp_ledger)
    bad_seq = len(tmp_ledger.read_bytes().splitlines()) + 1  # the fixture grows when event types are added
    with open(tmp_ledger, "ab") as f:
        f.write(b'{"seq": %d, "ha\n' % bad_seq)
    damaged = tmp_ledger.read_bytes()
    for call in (store.head, lambda: list(store.lines()), store.repair,
                 lambda: store.append([source_payload("x", source_id="src-00000000000000ff")])):
        with pytest.raises(DamagedLogError, match="factledger verify"):
            call()
    res = run_cli("verify")
    assert res.exit_code == 1 and f"FAILED at seq {bad_seq}" in res.stderr and "damage" in res.stderr
    res = run_cli("repair")
    assert res.exit_code == 1 and len(res.stderr.strip().splitlines()) == 1 and "never repaired" in res.stderr
    assert tmp_ledger.read_bytes() == damaged


def test_ledger_that_is_only_a_torn_line(tmp_ledger):
    """A crash during the very first append leaves only torn bytes; repair leaves an empty ledger."""
    tmp_ledger.write_bytes(b'{"actor":"x","at":"2026')
    store = LogStore(tmp_ledger)
    assert store.head().torn == 23
    moved, side = store.repair()
    assert moved == 23 and side.read_bytes() == b'{"actor":"x","at":"2026'
    assert tmp_ledger.read_bytes() == b""


def test_cli_append_refused_then_repair(tmp_ledger, tmp_path, run_cli, simple_extractor):
    """Through the CLI: append fails naming repair, repair reports the side file, append then works."""
    article = tmp_path / "a.txt"
    article.write_text("Bridge shut on Monday. Traffic moved to the tunnel.\n", encoding="utf-8")
    _good_ledger(tmp_ledger)
    _kept, torn = _cut_mid_last_line(tmp_ledger)
    before = tmp_ledger.read_bytes()
    res = run_cli("append", "--extractor", "simple-test", str(article))
    assert res.exit_code == 1
    assert "factledger repair" in res.stderr and str(tmp_ledger) in res.stderr
    assert tmp_ledger.read_bytes() == before
    res = run_cli("repair")
    assert res.exit_code == 0, res.stderr
    assert f"moved {len(torn)} torn bytes" in res.stdout
    res = run_cli("append", "--extractor", "simple-test", str(article))
    assert res.exit_code == 0, res.stderr
    assert run_cli("verify").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [("sources",), ("assertions",), ("claims",), ("timeline",), ("entities",), ("export", "csv"), ("export", "jsonld")],
)
def test_every_read_warns_once_about_a_torn_tail(tmp_ledger, run_cli, args):
    """Each run of a read command says, once, that an interrupted append is being ignored and how to
    repair it: also the runs after the first, which answer from the projection store without reading
    the log (they used to be silent), and commands that read the log twice (they used to warn twice)."""
    _good_ledger(tmp_ledger)
    _cut_mid_last_line(tmp_ledger)
    for _run in range(2):
        res = run_cli(*args)
        assert res.exit_code == 0, res.stderr
        warned = [line for line in res.stderr.splitlines() if "interrupted append" in line]
        assert len(warned) == 1 and "factledger repair" in warned[0] and str(tmp_ledger) in warned[0], res.stderr
