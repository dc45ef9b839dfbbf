"""Commands an auditor uses: ``log``, ``verify``, ``repair``, and ``retract``."""

from __future__ import annotations

from pathlib import Path

import click

from .. import checkpoint as C
from ..audit import verify as verify_log
from ..events import AssertionRetracted
from ..log import LedgerError
from ..serialization import structure_event
from .main import cli, settings
from .render import describe_event, echo, echo_json


@cli.command("log")
@click.option("--type", "types", multiple=True, help="Only events of this type (repeatable).")
@click.option("--limit", type=click.IntRange(min=0), help="At most N events (the last N).")
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line, exactly as stored.")
def log_command(types, limit, as_json):
    """List the events in the ledger."""
    from collections import deque

    store = settings().existing_store()
    selected = ((line, raw) for _off, line, raw in store.lines() if not types or raw["type"] in types)
    if limit is not None:
        selected = iter(deque(selected, maxlen=limit))
    if not as_json:
        from .terminal import Output, log_lines

        with Output() as out:
            if out.fancy:  # a terminal: a header, coloured columns, long lines wrapped under EVENT, paged
                out.stream(log_lines(out, (structure_event(raw) for _line, raw in selected)))
                return
    for line, raw in selected:
        if as_json:
            echo_json(line.rstrip(b"\n").decode("utf-8"), raw_unless_tty=True)
        else:
            event = structure_event(raw)
            echo(
                f"{event.seq:>6}  {event.at[:19]}Z  {event.actor:<16}  {event.type:<18}  {describe_event(event)}".rstrip()
            )


@cli.command()
@click.option("--no-schema", is_flag=True, help="Skip JSON Schema validation (chain, hashes and quotes are still checked).")
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes to use (0: all cores). With more than 1 and a ledger of 8 MB or more, the file is cut "
    "into byte ranges at batch starts and every check runs on each range in N-1 worker processes and this "
    "one, the links between ranges checked here; on any failure the one-process replay names it, so the "
    "report is the same. --jobs 1 keeps everything in this process.",
)
@click.option("--checkpoint", "cp_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also prove the ledger extends this signed checkpoint (needs --vkey): truncation or "
              "rewriting of the events it covers fails.")
@click.option("--vkey", "vkey_path", type=click.Path(dir_okay=False, path_type=Path), help="Public key of --checkpoint.")
@click.option("--no-derived-ids", is_flag=True,
              help="Do not recompute source_id and assertion_id from their derivations (rules 7 and 9 of "
              "docs/log-format.md): for a foreign ledger with ids of its own. Every other rule is still checked "
              "(in this process, not on --scheduler/--cluster).")
@click.option("--scheduler", envvar="FACTLEDGER_SCHEDULER", metavar="ADDRESS",
              help="Check byte ranges of the ledger on this Dask cluster's workers (they read it at the same path); same report.")
@click.option("--cluster", "local_cluster", metavar="local[:N]", help="Check byte ranges on a Dask LocalCluster of N workers.")
def verify(no_schema, jobs, cp_path, vkey_path, scheduler, local_cluster, no_derived_ids):
    """Replay the ledger and check its hash chain, schemas, batches and every quote.

    Exit 0: intact. Exit 1: damaged (never repaired). Exit 3: intact up to an interrupted
    append at the end (a torn line or an incomplete batch), which 'factledger repair' sets aside.
    """
    store = settings().existing_store(snapshot=False)  # verify reads and judges the whole file
    cp = None
    if cp_path is not None:  # a bad checkpoint or key fails before the long replay
        if vkey_path is None:
            raise click.UsageError("--checkpoint needs --vkey to check its signature")
        cp, _note = C.read_checkpoint(cp_path, C.read_vkey(vkey_path))
    derived_ids = not no_derived_ids
    if (scheduler or local_cluster) and derived_ids:  # the ranges always recompute the ids
        from ..cluster import connect, workers
        from ..ranges import verify_partitioned

        with connect(scheduler, local_cluster) as client:
            report = verify_partitioned(store, client, workers(client), schemas=not no_schema)
    else:
        report = verify_log(store, schemas=not no_schema, jobs=jobs, derived_ids=derived_ids)
    if not report.ok:
        echo(f"FAILED at seq {report.bad_seq}: {report.reason}", err=True)
        echo(f"{report.events} events before it verified", err=True)
        raise SystemExit(1)
    size = store.path.stat().st_size
    if report.events == 0 and size:  # only a torn line: an interrupted append by the one rule (exit 3)
        echo(f"INTERRUPTED: {store.path} holds {size} bytes but not one complete event: not a ledger, "
             "or only an interrupted first append ('factledger repair' sets it aside)", err=True)
        raise SystemExit(3)
    if cp is not None:
        try:
            old = C.stale_nodes(store)  # the cache as the checkpoint may have left it: names the first changed seq
            proof = C.check_extends(C.tree_of(store), cp, str(cp_path), old)
        except C.CheckpointError as exc:
            echo(f"FAILED: {exc}", err=True)
            raise SystemExit(1) from None
        echo(f"OK: the ledger extends {cp_path} ({cp.origin}, {cp.size} events; consistency proof of {len(proof)} hashes)")
    if report.interrupted:
        echo(f"INTERRUPTED: seq 1-{report.head_seq} verified (head {report.head_hash}), but {report.interrupted}", err=True)
        raise SystemExit(3)
    echo(
        f"OK: {report.events} events verified (seq 1-{report.head_seq}), head {report.head_hash}, "
        f"{report.rate:,.0f} events/s"
    )
    for type_name, n in sorted(report.unknown_types.items()):
        echo(f"note: {n} events of type {type_name!r} unknown to this version were checked against the envelope only")


@cli.command()
def repair():
    """Move an interrupted append (a torn line or an incomplete batch) to a side file; nothing is deleted."""
    store = settings().store()
    moved, side = store.repair()
    if not moved:
        echo(f"{store.path}: no interrupted append; nothing to repair")
        return
    echo(f"{store.path}: moved {moved} torn bytes (an interrupted append) to {side}; the ledger ends at seq {store.head().seq}")


@cli.command()
@click.argument("assertion_id")
@click.option("--reason", required=True, help="Why it is retracted (recorded in the event).")
def retract(assertion_id, reason):
    """Record that an assertion is retracted (the original event stays)."""
    if not reason.strip():
        raise click.ClickException("--reason must not be blank: say why the assertion is retracted")
    s = settings()
    store = s.store()
    with store.writer() as writer:
        writer.check_appendable()
        state = None
        for raw in store.current_events():
            d = raw["data"]
            if d.get("assertion_id") != assertion_id:
                continue
            if raw["type"] == "AssertionRecorded":
                state = "recorded"
            elif raw["type"] == "AssertionRetracted":
                state = "retracted"
        if state is None:
            raise LedgerError(f"{store.path}: no assertion {assertion_id!r}")
        if state == "retracted":
            raise LedgerError(f"{store.path}: assertion {assertion_id} is already retracted")
        appended = writer.append([AssertionRetracted(assertion_id=assertion_id, reason=reason)], actor=s.actor)
    echo(f"retracted {assertion_id} at seq {appended.first_seq}")
