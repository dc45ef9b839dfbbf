"""The Merkle tree over the log: RFC 9162 section 2.1, nothing of our own.

Leaf ``i`` (0-based) is the line of seq ``i + 1`` without its newline; its hash is
``SHA-256(0x00 || line)``, an interior node's is ``SHA-256(0x01 || left || right)``, and
the root of ``n`` leaves splits them at the largest power of two below ``n``. So any RFC
9162 (Certificate Transparency) or C2SP tlog verifier checks our proofs, and a proof of
one event is ``log2 n`` hashes instead of every event after it.

Pure functions over hashes, no I/O: :mod:`ledger.checkpoint` feeds them the ledger's
lines. :func:`range_nodes` / :func:`merge_nodes` give the subtree hashes of a contiguous
leaf range, so parts of a ledger hashed separately (by byte range, in parallel) combine
into the root of the whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

_LEAF = hashlib.sha256(b"\x00")
_NODE = b"\x01"

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""RFC 9162: the hash of an empty tree is the hash of the empty string."""


def leaf_hash(line: bytes) -> bytes:
    """Hash of one leaf: ``line`` is an event's line *without* its trailing newline."""
    h = _LEAF.copy()  # a started sha256 copies faster than a new one is made (bench/micro_bench.py, sha256)
    h.update(line)
    return h.digest()


_NODE_H = hashlib.sha256(_NODE)


def node_hash(left: bytes, right: bytes) -> bytes:
    h = _NODE_H.copy()
    h.update(left)
    h.update(right)
    return h.digest()


def perfect_root(leaves: Sequence[bytes]) -> bytes:
    """The root of a perfect tree: ``len(leaves)`` is a power of two (level by level, no stack)."""
    level = list(leaves)
    copy = _NODE_H.copy
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level), 2):
            h = copy()
            h.update(level[i])
            h.update(level[i + 1])
            nxt.append(h.digest())
        level = nxt
    return level[0]


def split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (the whole list is the tree)."""
    if not leaves:
        return EMPTY_ROOT
    return root_of_nodes(range_nodes(0, leaves))


# -- compact ranges: the subtree hashes of a contiguous leaf range -----------------------

Node = tuple[int, int, bytes]
"""``(start, size, hash)`` of a perfect subtree: ``size`` is a power of two dividing ``start``."""


def push(nodes: list[Node], node: Node) -> None:
    """Add the node right after the last one, merging siblings: the compact range grows by it."""
    nodes.append(node)
    while len(nodes) >= 2:
        (ls, lsize, lh), (_rs, rsize, rh) = nodes[-2], nodes[-1]
        if lsize != rsize or ls % (2 * lsize):
            break
        nodes[-2:] = [(ls, 2 * lsize, node_hash(lh, rh))]


def range_nodes(start: int, leaves: Iterable[bytes]) -> list[Node]:
    """The compact range of leaves ``start, start + 1, ...``: the fewest perfect, aligned
    subtrees covering them, left to right (at most ``2 log2 n``)."""
    nodes: list[Node] = []
    for i, h in enumerate(leaves, start):
        push(nodes, (i, 1, h))
    return nodes


def merge_nodes(left: list[Node], right: list[Node]) -> list[Node]:
    """The compact range of two adjacent ranges (``right`` starts where ``left`` ends)."""
    out = list(left)
    for node in right:
        push(out, node)
    return out


def root_of_nodes(nodes: list[Node]) -> bytes:
    """The root of the tree of leaves ``[0, n)`` from their compact range."""
    if not nodes:
        return EMPTY_ROOT
    if nodes[0][0] != 0:
        raise ValueError("a root needs the compact range of a range starting at leaf 0")
    h = nodes[-1][2]
    for _s, _size, left in reversed(nodes[:-1]):
        h = node_hash(left, h)
    return h


# -- proofs (RFC 9162 2.1.3.1 and 2.1.4.1), over any source of subtree hashes ------------

Subtree = Callable[[int, int], bytes]
"""``mth(lo, hi)``: the MTH of leaves ``lo..hi-1`` (a proof only asks for what RFC 9162 names)."""


def inclusion_path(index: int, size: int, mth: Subtree) -> list[bytes]:
    """PATH(index, D[0:size]), bottom-up."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split(hi - lo)
        if index - lo < k:
            path.append(mth(lo + k, hi))
            hi = lo + k
        else:
            path.append(mth(lo, lo + k))
            lo += k
    path.reverse()
    return path


def consistency_path(old: int, size: int, mth: Subtree) -> list[bytes]:
    """PROOF(old, D[0:size]): that the tree of ``old`` leaves is a prefix of this one."""
    if not 0 < old <= size:
        raise ValueError(f"no consistency proof from {old} leaves to {size}")
    path: list[bytes] = []
    lo, hi, m, whole = 0, size, old, True
    while m != hi - lo:
        k = split(hi - lo)
        if m <= k:
            path.append(mth(lo + k, hi))
            hi = lo + k
        else:
            path.append(mth(lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        path.append(mth(lo, hi))
    path.reverse()
    return path


def mth_of_list(leaves: Sequence[bytes]) -> Subtree:
    """A :data:`Subtree` over leaf hashes held in memory (small trees, tests)."""

    def mth(lo: int, hi: int) -> bytes:
        return root_of_nodes(range_nodes(0, leaves[lo:hi]))

    return mth


# -- verification (RFC 9162 2.1.3.2 and 2.1.4.2): what docs/log-format.md prints ----------


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root that ``path`` proves ``leaf`` at ``index`` into, or None if the path cannot be one."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], expected_root: bytes) -> bool:
    return root_from_inclusion(index, size, leaf, path) == expected_root


def verify_consistency(old: int, size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]) -> bool:
    """Whether ``path`` proves the tree (``size``, ``new_root``) extends (``old``, ``old_root``)."""
    if not 0 < old <= size:
        return False
    if old == size:
        return not path and old_root == new_root
    if not path:
        return False
    path = list(path)
    if old & (old - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        path.insert(0, old_root)
    fn, sn = old - 1, size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
