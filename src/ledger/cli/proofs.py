"""Commands for third-party audits: ``keygen``, ``checkpoint``, ``prove``, ``check-proof``, ``consistency``, ``audit``.

A checkpoint signs the Merkle root of the ledger; a proof bundle carries events with their
inclusion paths in a checkpoint, so whoever holds the public key can check them without
the ledger (docs/log-format.md, "Checkpoints" and "Proof bundles").
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import click
import orjson

from .. import checkpoint as C
from .. import proofs
from .main import cli, settings
from .render import echo, echo_json

_KEY = click.option(
    "--key", "key_path", type=click.Path(dir_okay=False, path_type=Path), envvar="FACTLEDGER_KEY",
    help="Signing key from 'factledger keygen' (env FACTLEDGER_KEY).",
)
_VKEY = click.option(
    "--vkey", "vkey_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="The signer's public key (the .vkey file from 'factledger keygen').",
)


def _signing_key(path: Path | None) -> C.SigningKey:
    if path is None:
        raise C.CheckpointError("no signing key: pass --key FILE or set FACTLEDGER_KEY (make one with 'factledger keygen')")
    return C.read_signing_key(path)


def _write(path: Path | None, data: bytes) -> None:
    """To stdout, or to ``path`` whole or not at all."""
    if path is None:
        # byte-exact to a pipe; on a terminal, C1 and bidi controls from quoted articles as \\u escapes (same JSON)
        echo_json(data.decode("utf-8"), raw_unless_tty=True, nl=False)
        return
    from ..exporters import output_target

    path = output_target(path)  # never rename over a device or FIFO; write through a symbolic link
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise C.CheckpointError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


@cli.command()
@click.option("--name", default=lambda: f"{socket.gethostname()}/factledger", show_default="<host>/factledger",
              help="Key name (appears in every signature line; no spaces or '+').")
@click.option("-o", "--output", "prefix", default="factledger", show_default=True, type=click.Path(path_type=Path),
              help="Write PREFIX.key (private, mode 0600) and PREFIX.vkey (public).")
def keygen(name, prefix):
    """Make an Ed25519 key for signing checkpoints (C2SP signed-note format)."""
    skey, vkey = C.generate_key(name)
    private, public = Path(f"{prefix}.key"), Path(f"{prefix}.vkey")
    for path in (private, public):
        if path.exists():
            raise C.CheckpointError(f"{path}: already exists; not overwriting a key")
    try:
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise C.CheckpointError(f"{private}: cannot create ({exc.strerror})") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(skey + "\n")
    public.write_text(vkey + "\n", encoding="utf-8")
    echo(f"wrote {private} (keep it secret) and {public} (publish it)")
    echo(vkey)


@cli.command("checkpoint")
@_KEY
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write it here instead of stdout.")
@click.option("--origin", help="The log's name in the checkpoint (default: the key's name).")
@click.option("--no-cache", is_flag=True, help="Hash every line; neither read nor write the Merkle cache.")
def checkpoint_command(key_path, output, origin, no_cache):
    """Sign the ledger's Merkle root: a C2SP checkpoint anyone can later check it against."""
    key = _signing_key(key_path)
    store = settings().existing_store()
    tree = C.tree_of(store, cache=not no_cache)
    _write(output, C.make_checkpoint(tree, key, origin))
    if output is not None:
        echo(f"{output}: checkpoint of {tree.size} events, root {tree.root().hex()}", err=True)


@cli.command()
@click.argument("item_id", metavar="ID")
@_KEY
@click.option("--checkpoint", "cp_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Prove against this signed checkpoint (needs --vkey) instead of signing a new one.")
@click.option("--vkey", "vkey_path", type=click.Path(dir_okay=False, path_type=Path), help="Public key of --checkpoint.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the bundle here instead of stdout.")
@click.option("--with-sources", is_flag=True,
              help="For an assertion or claim, also include the source versions its quotes point into (whole articles), "
              "so check-proof also checks each quote against its text.")
def prove(item_id, key_path, cp_path, vkey_path, output, with_sources):
    """Write a proof bundle for an assertion, source, claim or event id: its events, their
    inclusion paths and a signed checkpoint, checkable offline with 'factledger check-proof'."""
    store = settings().existing_store()
    head = store.head()
    tree = C.tree_of(store)
    if cp_path is not None:
        if vkey_path is None:
            raise click.UsageError("--checkpoint needs --vkey to check its signature")
        cp, note = C.read_checkpoint(cp_path, C.read_vkey(vkey_path))
    else:
        note = C.make_checkpoint(tree, _signing_key(key_path))
        cp = C.parse_checkpoint(note[: note.rfind(b"\n\n") + 1], "checkpoint")
    bundle = proofs.prove(store, tree, head.size, item_id, note, cp, with_sources)
    _write(output, orjson.dumps(bundle, option=orjson.OPT_INDENT_2) + b"\n")
    if output is not None:
        echo(f"{output}: {len(bundle['entries'])} events proved in a tree of {cp.size}", err=True)


@cli.command("check-proof")
@click.argument("bundle", type=click.Path(dir_okay=False, path_type=Path))
@_VKEY
def check_proof(bundle, vkey_path):
    """Verify a proof bundle offline, with the signer's public key only."""
    key = C.read_vkey(vkey_path)
    try:
        data = bundle.read_bytes()
    except OSError as exc:
        raise C.CheckpointError(f"{bundle}: cannot read ({exc.strerror})") from None
    kind, cp, events = proofs.check_bundle(data, key, str(bundle))
    if kind == proofs.CONSISTENCY_FORMAT:
        echo(f"OK: checkpoint of {cp.size} events extends the earlier one ({cp.origin}, signed by {key.name})")
        return
    echo(f"OK: {len(events)} events included in the checkpoint of {cp.size} events ({cp.origin}, signed by {key.name})")
    for raw in events:
        echo(f"  seq {raw['seq']}: {raw.get('type')} {raw.get('id')}")
    checked, recorded = proofs.quotes_checked(events)
    if recorded:
        echo(f"{checked} of {recorded} quotes checked against their source text in the bundle"
             + ("" if checked == recorded else " (the others: prove --with-sources includes the texts)"))


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@_VKEY
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the consistency proof bundle here.")
def consistency(old, new, vkey_path, output):
    """Prove, from the ledger, that checkpoint NEW extends checkpoint OLD."""
    key = C.read_vkey(vkey_path)
    store = settings().existing_store()
    tree = C.tree_of(store)
    bundle = proofs.consistency_bundle(tree, C.read_checkpoint(old, key), C.read_checkpoint(new, key))
    data = orjson.dumps(bundle, option=orjson.OPT_INDENT_2) + b"\n"
    proofs.check_bundle(data, key, "consistency proof")  # what a third party will run
    if output is not None:
        _write(output, data)
    o = C.parse_checkpoint(bundle["old"].encode()[: bundle["old"].encode().rfind(b"\n\n") + 1], str(old))
    n = C.parse_checkpoint(bundle["new"].encode()[: bundle["new"].encode().rfind(b"\n\n") + 1], str(new))
    echo(f"OK: {new} ({n.size} events) extends {old} ({o.size} events); proof of {len(bundle['proof'])} hashes")


@cli.command("audit")
@click.option("--as-of", "as_of", metavar="SEQ|TIME", help="The ledger as it stood at a seq or RFC 3339 time.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of Markdown.")
@click.option("--checkpoint", "cp_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Check the ledger extends this signed checkpoint (needs --vkey) and say so in the report.")
@click.option("--vkey", "vkey_path", type=click.Path(dir_okay=False, path_type=Path), help="Public key of --checkpoint.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here instead of stdout.")
def audit_command(as_of, as_json, cp_path, vkey_path, output):
    """A report to attach to an audit: head, verify and checkpoint results, who and what wrote
    the events, every retraction, revision, verdict and analyst link (Markdown or --json)."""
    import warnings

    from .. import report as R
    from ..audit import verify as verify_log
    from ..projections import resolve_as_of

    store = settings().existing_store()
    if cp_path is not None and vkey_path is None:
        raise click.UsageError("--checkpoint needs --vkey to check its signature")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        seq = resolve_as_of(store, as_of)
        facts = R.build(store, seq)
        checked = verify_log(store)
    facts["verify"] = {"ok": checked.ok, "events": checked.events, "bad_seq": checked.bad_seq, "reason": checked.reason,
                       "interrupted": checked.interrupted}
    facts["warnings"] = [str(w.message) for w in caught] + [
        f"{n} events of type {t!r} unknown to this version were checked against the envelope only"
        for t, n in sorted(checked.unknown_types.items())
    ]
    if cp_path is not None:
        cp, _note = C.read_checkpoint(cp_path, C.read_vkey(vkey_path))
        entry = {"file": str(cp_path), "origin": cp.origin, "size": cp.size, "ok": True, "reason": None}
        try:
            old = C.stale_nodes(store)
            C.check_extends(C.tree_of(store), cp, str(cp_path), old)
        except C.CheckpointError as exc:
            entry.update(ok=False, reason=str(exc))
        facts["checkpoint"] = entry
    else:
        facts["checkpoint"] = None
    text = orjson.dumps(facts, option=orjson.OPT_INDENT_2).decode() + "\n" if as_json else R.markdown(facts)
    _write(output, text.encode("utf-8"))
