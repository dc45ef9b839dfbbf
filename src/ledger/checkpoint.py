"""The ledger's Merkle tree, kept warm in a cache, and signed checkpoints of it.

A checkpoint is the C2SP ``tlog-checkpoint`` body (origin, tree size, base64 root) in a
C2SP signed note with an Ed25519 signature (https://c2sp.org/signed-note): published,
it commits the ledger's first ``size`` lines; anyone holding it and the public key can
later check that the ledger (or a proof bundle) extends it.

The tree's interior nodes down to blocks of :data:`BLOCK` leaves, plus the leaf hashes of
the last partial block, are cached beside the ledger (``<ledger>.cache/merkle.bin``),
keyed like the view cache by the seq and hash of the last line they cover and re-checked
against that line before use; a checkpoint after an append then reads only the new lines.
Beside it, ``merkle.leaves`` keeps the leaf hashes of the complete blocks (32 bytes an
event, appended as blocks complete): proofs never need them, but once the ledger is
rewritten they are what lets ``verify --checkpoint`` name the exact first changed seq in
any block, not just its block (each block's leaves are checked against its cached root
before use).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import struct
import tempfile
from pathlib import Path
from typing import Any

import orjson
from attrs import frozen

from . import merkle
from .log import LedgerError, LogStore

BLOCK = 256
"""Leaves per cached subtree: a proof reads at most two blocks of lines (the leaf's and the
last one); the cache holds 40 bytes per block (256 KiB for a million events)."""

CACHE_FORMAT = "factledger-merkle/2"
"""/2: ``merkle.leaves`` is kept beside ``merkle.bin`` (a /1 cache had none, so it is rebuilt
once, and set aside as any cache the ledger no longer matches)."""
_READABLE_FORMATS = ("factledger-merkle/1", CACHE_FORMAT)  # what the set-aside caches may be
LEAF_BYTES = 32

_HASH_KEY = b',"hash":"'


class CheckpointError(LedgerError):
    """A checkpoint, key or proof that does not check out, in one line."""


# -- the tree of one snapshot of the ledger ----------------------------------------------


class LedgerTree:
    """The Merkle tree of the ledger's lines up to its head when it was built.

    Complete blocks are held as their roots (and byte ranges); the leaves of a block are
    read from the file only when a proof needs them.
    """

    def __init__(self, store: LogStore, size: int, ends: list[int], roots: list[bytes], tail: list[bytes]) -> None:
        self.store = store
        self.size = size
        self.ends = ends  # byte offset just past block k
        self.roots = roots  # root of block k
        self.tail = tail  # leaf hashes after the last complete block
        self._blocks: dict[int, list[bytes]] = {}
        self._perfect: dict[tuple[int, int], bytes] = {}
        self.lines_read = 0  # for tests and the bench: what building or proving read

    # leaves and subtrees ------------------------------------------------------

    def block_lines(self, k: int) -> list[bytes]:
        """The lines (without newline) of complete block ``k``, read from the ledger."""
        start = self.ends[k - 1] if k else 0
        data = self.store.read_range(start, self.ends[k])
        lines = data.split(b"\n")[:-1]
        self.lines_read += len(lines)
        if len(lines) != BLOCK:
            raise LedgerError(f"{self.store.path}: the ledger changed under the Merkle cache; run 'factledger verify'")
        return lines

    def leaves_of_block(self, k: int) -> list[bytes]:
        leaves = self._blocks.get(k)
        if leaves is None:
            leaves = self._blocks[k] = [merkle.leaf_hash(line) for line in self.block_lines(k)]
            if merkle.perfect_root(leaves) != self.roots[k]:
                raise LedgerError(
                    f"{self.store.path}: seq {k * BLOCK + 1}-{(k + 1) * BLOCK} no longer hash to the cached tree; "
                    "the ledger was rewritten: run 'factledger verify'"
                )
        return leaves

    def leaf(self, index: int) -> bytes:
        k = index // BLOCK
        if k < len(self.roots):
            return self.leaves_of_block(k)[index % BLOCK]
        return self.tail[index - len(self.roots) * BLOCK]

    def perfect(self, lo: int, size: int) -> bytes:
        """The root of the perfect, aligned subtree of ``size`` leaves from ``lo``."""
        if size == 1:
            return self.leaf(lo)
        if size == BLOCK and lo // BLOCK < len(self.roots):
            return self.roots[lo // BLOCK]
        key = (lo, size)
        h = self._perfect.get(key)
        if h is None:
            if size < BLOCK:
                k = lo // BLOCK
                leaves = self.leaves_of_block(k) if k < len(self.roots) else self.tail
                base = lo - k * BLOCK
                h = merkle.root(leaves[base : base + size])
            else:
                half = size // 2
                h = merkle.node_hash(self.perfect(lo, half), self.perfect(lo + half, half))
            self._perfect[key] = h
        return h

    def mth(self, lo: int, hi: int) -> bytes:
        """RFC 9162 MTH of leaves ``lo..hi-1``."""
        n = hi - lo
        if n <= 0:
            return merkle.EMPTY_ROOT
        if n & (n - 1) == 0 and lo % n == 0:
            return self.perfect(lo, n)
        k = merkle.split(n)
        return merkle.node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        return self.mth(0, self.size if size is None else size)

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        return merkle.inclusion_path(index, self.size if size is None else size, self.mth)

    def consistency(self, old: int, size: int | None = None) -> list[bytes]:
        return merkle.consistency_path(old, self.size if size is None else size, self.mth)


def cache_path(store: LogStore) -> Path:
    return store.path.with_name(store.path.name + ".cache") / "merkle.bin"


def tree_of(store: LogStore, *, cache: bool = True) -> LedgerTree:
    """The tree of the ledger as it is now (its head when called), from the cache and the
    lines after it. A cache that does not match the ledger is ignored and rewritten."""
    head = store.head()
    ends: list[int] = []
    roots: list[bytes] = []
    tail: list[bytes] = []
    offset = 0
    hit = _load(store, head.seq, head.size) if cache else None
    if hit is not None:
        ends, roots, tail, offset = hit
    elif cache:
        _set_aside(store)
    tree = LedgerTree(store, head.seq, ends, roots, tail)
    n = cached = len(roots) * BLOCK + len(tail)
    if offset < head.size:
        f = store.open_for_reading()
        if f is None:
            raise LedgerError(f"{store.path}: no such ledger")
        leaf = merkle._LEAF
        leaves_out = _open_leaves(store, len(roots)) if cache else None
        with f, leaves_out or _NoFile():
            f.seek(offset)
            last = b""
            for line in f:
                offset += len(line)
                if offset > head.size:
                    break
                h = leaf.copy()
                h.update(line[:-1])
                tail.append(h.digest())
                n += 1
                if len(tail) == BLOCK:
                    roots.append(merkle.perfect_root(tail))
                    ends.append(offset)
                    if leaves_out is not None:
                        leaves_out.write(b"".join(tail))
                    tail.clear()
                last = line
            tree.lines_read = n - cached
        if n != head.seq:
            raise LedgerError(
                f"{store.path}: {n} lines up to the head, but the head is seq {head.seq}; run 'factledger verify'"
            )
        if cache:
            _save(store, tree, head.size, last)
    return tree


class _NoFile:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def leaves_path(cache: Path) -> Path:
    """The leaf-hash file of a Merkle cache file (``merkle.bin[.stale-X]`` -> ``merkle.leaves[.stale-X]``)."""
    return cache.with_name(cache.name.replace("merkle.bin", "merkle.leaves", 1))


def _open_leaves(store: LogStore, blocks: int):
    """``merkle.leaves`` open for writing the leaves of block ``blocks`` on (everything after them
    cut off: an interrupted earlier write), or None when the leaves of the blocks before are not
    all there (a cache from before this file existed, or one deleted): then it is left as it is,
    and naming a changed seq in those blocks falls back to the block."""
    path = leaves_path(cache_path(store))
    want = blocks * BLOCK * LEAF_BYTES
    try:
        path.parent.mkdir(exist_ok=True)
        f = open(path, "r+b" if blocks else "w+b")  # noqa: SIM115 - closed by tree_of's with
    except OSError:
        return None
    try:
        if f.seek(0, os.SEEK_END) < want:
            f.close()
            return None
        f.truncate(want)
        f.seek(want)
        return f
    except OSError:
        f.close()
        return None


def _event_hash_of(line: bytes) -> str | None:
    i = line.rfind(_HASH_KEY)
    return line[i + 9 : i + 73].decode("ascii") if i >= 0 else None


def _load(store: LogStore, head_seq: int, head_size: int):
    """(block ends, block roots, tail leaves, byte offset covered) if the cache is good for this ledger."""
    try:
        data = cache_path(store).read_bytes()
        newline = data.index(b"\n")
        key = orjson.loads(data[:newline])
        if key.get("format") != CACHE_FORMAT or key.get("block") != BLOCK:
            return None
        seq, digest, start, end = key["seq"], key["hash"], key["start"], key["end"]
        blocks, tail_n = divmod(seq, BLOCK)
        body = memoryview(data)[newline + 1 :]
        if seq > head_seq or end > head_size or len(body) != blocks * 40 + tail_n * 32:
            return None
        line = store.read_range(start, end)  # re-check: the line the cache ends at is still there
        raw = orjson.loads(line)
        if raw.get("seq") != seq or raw.get("hash") != digest or not line.endswith(b"\n"):
            return None
        ends = [struct.unpack_from(">Q", body, 40 * k)[0] for k in range(blocks)]
        roots = [bytes(body[40 * k + 8 : 40 * k + 40]) for k in range(blocks)]
        base = blocks * 40
        tail = [bytes(body[base + 32 * i : base + 32 * i + 32]) for i in range(tail_n)]
        return ends, roots, tail, end
    except Exception:  # missing, stale or corrupt: build from the start
        return None


def _set_aside(store: LogStore) -> None:
    """Keep a cache the ledger no longer matches as ``merkle.bin.stale-<seq>-<hash>``: the
    ledger was rewritten, and those roots of its old state (once they hash to a signed
    checkpoint) are what lets ``verify --checkpoint`` name the first changed seq."""
    cache = cache_path(store)
    try:
        with open(cache, "rb") as f:
            key = orjson.loads(f.readline())
        suffix = f".stale-{int(key['seq'])}-{str(key['hash'])[:16]}"
        leaves = leaves_path(cache)
        if leaves.exists():  # first: a crash between the two leaves a cache without leaves, never the reverse
            os.replace(leaves, leaves.with_name(leaves.name + suffix))
        os.replace(cache, cache.with_name(cache.name + suffix))
    except Exception:  # none, or unreadable: nothing worth keeping
        return


def _save(store: LogStore, tree: LedgerTree, end: int, last: bytes) -> None:
    if not tree.size or not last:
        return
    digest = _event_hash_of(last)
    if digest is None:
        return
    key = {"format": CACHE_FORMAT, "block": BLOCK, "seq": tree.size, "hash": digest, "start": end - len(last), "end": end}
    parts = [orjson.dumps(key), b"\n"]
    parts += [struct.pack(">Q", e) + r for e, r in zip(tree.ends, tree.roots)]
    parts += tree.tail
    path = cache_path(store)
    try:
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".merkle.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(b"".join(parts))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # a cache that cannot be written is simply not written
        return


# -- keys and signed notes (C2SP signed-note, Ed25519) -----------------------------------

_ED25519 = b"\x01"  # the signed-note signature type of Ed25519
_NAME = re.compile(r"[^\s+]+")


def key_id(name: str, public: bytes) -> bytes:
    """The 4-byte key hash of signed-note: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + _ED25519 + public).digest()[:4]


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key named ``name``: (private key text, verifier key text)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not _NAME.fullmatch(name):
        raise CheckpointError(f"key name {name!r}: must be non-empty, without spaces or '+'")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes_raw()
    kid = key_id(name, public).hex()
    skey = f"PRIVATE+KEY+{name}+{kid}+{base64.b64encode(_ED25519 + seed).decode()}"
    vkey = f"{name}+{kid}+{base64.b64encode(_ED25519 + public).decode()}"
    return skey, vkey


@frozen
class SigningKey:
    name: str
    seed: bytes

    def sign(self, text: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(text)

    @property
    def public(self) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes_raw()


@frozen
class VerifierKey:
    name: str
    id: bytes
    public: bytes

    def verify(self, text: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, text)
        except InvalidSignature:
            return False
        return True


def _b64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise CheckpointError(f"{where}: not valid base64") from None


def read_signing_key(path: str | os.PathLike[str]) -> SigningKey:
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{where}: cannot read the signing key ({getattr(exc, 'strerror', None) or exc})") from None
    parts = text.split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise CheckpointError(f"{where}: not a signing key (expected PRIVATE+KEY+<name>+<id>+<key>, from 'factledger keygen')")
    name, kid, blob = parts[2], parts[3], _b64(parts[4], where)
    if len(blob) != 33 or blob[:1] != _ED25519:
        raise CheckpointError(f"{where}: not an Ed25519 signing key")
    key = SigningKey(name, blob[1:])
    if key_id(name, key.public).hex() != kid:
        raise CheckpointError(f"{where}: the key id does not match the key")
    return key


def parse_vkey(text: str, where: str) -> VerifierKey:
    parts = text.strip().split("+", 2)
    if len(parts) != 3 or not _NAME.fullmatch(parts[0]) or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise CheckpointError(f"{where}: not a verifier key (expected <name>+<8 hex>+<base64 key>)")
    blob = _b64(parts[2], where)
    if len(blob) != 33 or blob[:1] != _ED25519:
        raise CheckpointError(f"{where}: not an Ed25519 verifier key")
    key = VerifierKey(parts[0], bytes.fromhex(parts[1]), blob[1:])
    if key_id(key.name, key.public) != key.id:
        raise CheckpointError(f"{where}: the key id does not match the key")
    return key


def read_vkey(path: str | os.PathLike[str]) -> VerifierKey:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path}: cannot read the verifier key ({getattr(exc, 'strerror', None) or exc})") from None
    return parse_vkey(text, str(path))


def sign_note(text: bytes, key: SigningKey) -> bytes:
    """A signed note: the text, a blank line, one signature line."""
    sig = key_id(key.name, key.public) + key.sign(text)
    return text + b"\n\xe2\x80\x94 " + key.name.encode("utf-8") + b" " + base64.b64encode(sig) + b"\n"


def open_note(note: bytes, key: VerifierKey, where: str) -> bytes:
    """The text of a signed note if ``key`` signed it, else a :class:`CheckpointError`."""
    cut = note.rfind(b"\n\n")
    if cut < 0 or not note.endswith(b"\n"):
        raise CheckpointError(f"{where}: not a signed note (text, blank line, signature lines)")
    text, sigs = note[: cut + 1], note[cut + 2 :].decode("utf-8", "replace").splitlines()
    for sig in sigs:
        if not sig.startswith("\u2014 "):
            raise CheckpointError(f"{where}: malformed signature line {sig[:40]!r}")
        name, _, blob = sig[2:].rpartition(" ")
        if name != key.name:
            continue
        raw = _b64(blob, where)
        if raw[:4] == key.id and len(raw) == 68:
            if key.verify(text, raw[4:]):
                return text
            raise CheckpointError(f"{where}: the signature by {key.name} does not verify: the note was altered or forged")
    raise CheckpointError(f"{where}: no signature by key {key.name}+{key.id.hex()}")


# -- checkpoints -------------------------------------------------------------------------


@frozen
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> bytes:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n".encode()


def parse_checkpoint(text: bytes, where: str) -> Checkpoint:
    lines = text.decode("utf-8", "replace").split("\n")
    if len(lines) < 4 or not lines[0] or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise CheckpointError(f"{where}: not a checkpoint (origin, tree size, base64 root hash)")
    root = _b64(lines[2], where)
    if len(root) != 32:
        raise CheckpointError(f"{where}: the root hash is not 32 bytes")
    return Checkpoint(lines[0], int(lines[1]), root)


def make_checkpoint(tree: LedgerTree, key: SigningKey, origin: str | None = None) -> bytes:
    """A signed checkpoint of ``tree``; the origin defaults to the key's name."""
    origin = origin or key.name
    if not origin.strip() or "\n" in origin:
        raise CheckpointError(f"origin {origin!r}: must be one non-empty line")
    return sign_note(Checkpoint(origin, tree.size, tree.root()).body(), key)


def read_checkpoint(path: str | os.PathLike[str], key: VerifierKey) -> tuple[Checkpoint, bytes]:
    """A checkpoint file checked against ``key``: (checkpoint, note bytes)."""
    try:
        note = Path(path).read_bytes()
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read the checkpoint ({exc.strerror})") from None
    return parse_checkpoint(open_note(note, key, str(path)), str(path)), note


def check_extends(tree: LedgerTree, cp: Checkpoint, where: str, old: list[OldNodes] | None = None) -> list[bytes]:
    """That the ledger extends checkpoint ``cp``: the consistency proof from it to the
    tree, verified as a third party would; a :class:`CheckpointError` naming what differs.
    ``old``: subtree hashes of the ledger as it was (:func:`stale_nodes`, read before
    :func:`tree_of` replaced the cache, or an older copy's tree); when they hash to the
    checkpoint's root they are authentic, and the error names the first differing seq."""
    if cp.size > tree.size:
        found = first_difference(old, tree, cp, tree.size) if tree.size else None
        raise CheckpointError(
            f"{where}: the checkpoint covers {cp.size} events but the ledger has {tree.size}: "
            + (f"event {cp.size} was" if cp.size == tree.size + 1 else f"events {tree.size + 1}-{cp.size} were")
            + " removed (truncated)" + _located(found, rewritten=True)
        )
    if cp.size == 0:
        return []
    new_root = tree.root()
    proof = tree.consistency(cp.size)
    if not merkle.verify_consistency(cp.size, tree.size, cp.root, new_root, proof):
        found = first_difference(old, tree, cp, cp.size)
        raise CheckpointError(
            f"{where}: the ledger's first {cp.size} events do not hash to the checkpoint's root: "
            "events it covers were rewritten since it was signed" + _located(found)
        )
    return proof


def _located(found: tuple[int, int] | None, rewritten: bool = False) -> str:
    if found is None:
        return ""
    lo, hi = found
    what = "; before them, the first event that differs is" if rewritten else "; the first event that differs is"
    return f"{what} seq {lo + 1}" if hi == lo + 1 else f"{what} within seq {lo + 1}-{hi}"


# -- naming the first differing seq ------------------------------------------------------


class OldNodes:
    """Subtree hashes of the ledger as it was, as far as they are known: ``mth(lo, hi)``
    gives RFC 9162's MTH of leaves ``lo..hi-1`` or None. Nothing here is trusted: they are
    used only after they hash to a signed root (:func:`first_difference`)."""

    def __init__(self, roots: list[bytes], tail: list[bytes], leaves: Any = None) -> None:
        self.roots = roots  # roots of complete blocks 0..k-1
        self.tail = tail  # leaf hashes of the block after them
        self.size = len(roots) * BLOCK + len(tail)
        self.leaves = leaves  # merkle.leaves of the same cache, open for reading (or None)
        self._blocks: dict[int, list[bytes] | None] = {}

    def block_leaves(self, k: int) -> list[bytes] | None:
        """The leaf hashes of complete block ``k`` from ``merkle.leaves``, if there and they hash
        to the block's root (so they are as authentic as the root)."""
        if k in self._blocks:
            return self._blocks[k]
        found = None
        if self.leaves is not None and 0 <= k < len(self.roots):
            try:
                self.leaves.seek(k * BLOCK * LEAF_BYTES)
                data = self.leaves.read(BLOCK * LEAF_BYTES)
            except (OSError, ValueError):
                data = b""
            if len(data) == BLOCK * LEAF_BYTES:
                found = [data[i : i + LEAF_BYTES] for i in range(0, len(data), LEAF_BYTES)]
                if merkle.perfect_root(found) != self.roots[k]:
                    found = None  # not the leaves of that block: say only the block
        self._blocks[k] = found
        return found

    def mth(self, lo: int, hi: int) -> bytes | None:
        n = hi - lo
        if n <= 0 or hi > self.size:
            return merkle.EMPTY_ROOT if n == 0 else None
        if n & (n - 1) == 0 and lo % n == 0:
            return self._perfect(lo, n)
        k = merkle.split(n)
        left, right = self.mth(lo, lo + k), self.mth(lo + k, hi)
        return None if left is None or right is None else merkle.node_hash(left, right)

    def _perfect(self, lo: int, n: int) -> bytes | None:
        if n >= BLOCK:  # aligned whole blocks
            blocks = self.roots[lo // BLOCK : (lo + n) // BLOCK]
            return merkle.perfect_root(blocks) if len(blocks) == n // BLOCK else None
        base = len(self.roots) * BLOCK
        if lo < base:  # inside a complete block: its leaves, if merkle.leaves has them
            k = lo // BLOCK
            leaves = self.block_leaves(k)
            return None if leaves is None else merkle.root(leaves[lo - k * BLOCK : lo - k * BLOCK + n])
        return merkle.root(self.tail[lo - base : lo - base + n])


def stale_nodes(store: LogStore) -> list[OldNodes]:
    """The Merkle caches on disk, whichever ledger state each was written for: the current one
    (read it before :func:`tree_of` replaces it) and those :func:`tree_of` set aside when the
    ledger no longer matched them (``merkle.bin.stale-*``)."""
    path = cache_path(store)
    found = []
    for candidate in [path, *sorted(path.parent.glob(path.name + ".stale-*"))]:
        nodes = _nodes_of(candidate)
        if nodes is not None:
            found.append(nodes)
    return found


def _nodes_of(cache: Path) -> OldNodes | None:
    try:
        data = cache.read_bytes()
        newline = data.index(b"\n")
        key = orjson.loads(data[:newline])
        if key.get("format") not in _READABLE_FORMATS or key.get("block") != BLOCK:
            return None
        blocks, tail_n = divmod(key["seq"], BLOCK)
        body = memoryview(data)[newline + 1 :]
        if len(body) != blocks * 40 + tail_n * 32:
            return None
        roots = [bytes(body[40 * k + 8 : 40 * k + 40]) for k in range(blocks)]
        base = blocks * 40
        tail = [bytes(body[base + 32 * i : base + 32 * i + 32]) for i in range(tail_n)]
    except Exception:  # missing or corrupt: nothing known
        return None
    try:  # open now: tree_of may set this cache aside (a rename) before the leaves are read
        leaves = open(leaves_path(cache), "rb") if blocks else None  # noqa: SIM115 - read on failure only
    except OSError:
        leaves = None
    return OldNodes(roots, tail, leaves)


def first_difference(olds: list[OldNodes] | None, tree: LedgerTree, cp: Checkpoint, size: int) -> tuple[int, int] | None:
    """:func:`_first_difference` with the first of ``olds`` that hashes to ``cp``'s root."""
    for old in olds or ():
        if old.size >= cp.size and old.mth(0, cp.size) == cp.root:
            return _first_difference(old, tree, size)
    return None


def _first_difference(old: OldNodes, tree: LedgerTree, size: int) -> tuple[int, int] | None:
    """``(lo, hi)``: the first leaf below ``size`` where the ledger differs from the state
    ``cp`` signed lies in ``lo..hi-1`` (``hi == lo + 1``: exactly), found by descending the
    RFC 9162 tree, comparing old and new subtree roots: O(log n) hashes. None when ``old``
    is missing, does not reach ``cp.size``, or does not hash to ``cp``'s root (then it is
    not the signed state and says nothing)."""
    lo, hi = 0, size
    if old.mth(lo, hi) == tree.mth(lo, hi):
        return None  # the first ``size`` leaves are unchanged
    while hi - lo > 1:
        k = merkle.split(hi - lo)
        left = old.mth(lo, lo + k)
        if left is None:
            return lo, hi
        if left != tree.mth(lo, lo + k):
            hi = lo + k
        else:
            lo += k
    return lo, hi
