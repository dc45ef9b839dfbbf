"""The Merkle tree, signed checkpoints and proof bundles (#11): RFC 9162 hashing, a cache that
reads only new lines, and proofs a third party checks with the docs' verifier alone."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from conftest import AS_PLAIN, AS_REV, SRC_GATE, assertion_payload, source_payload
from helpers import doc_code_block

from ledger import checkpoint as C
from ledger import merkle
from ledger.log import LogStore



# -- the tree: RFC 9162 2.1, against a literal transcription of its recursive definitions ----


def _mth(d):
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = merkle.split(len(d))
    return hashlib.sha256(b"\x01" + _mth(d[:k]) + _mth(d[k:])).digest()


def _path(m, d):
    if len(d) <= 1:
        return []
    k = merkle.split(len(d))
    return _path(m, d[:k]) + [_mth(d[k:])] if m < k else _path(m - k, d[k:]) + [_mth(d[:k])]


def _subproof(m, d, b):
    if m == len(d):
        return [] if b else [_mth(d)]
    k = merkle.split(len(d))
    return _subproof(m, d[:k], b) + [_mth(d[k:])] if m <= k else _subproof(m - k, d[k:], False) + [_mth(d[:k])]


def test_tree_matches_rfc9162_definitions():
    """Roots, inclusion paths and consistency proofs equal RFC 9162's recursive MTH/PATH/PROOF
    for every size up to 40, verify, and fail for a wrong leaf or old root."""
    assert merkle.leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    for n in range(1, 41):
        d = [merkle.leaf_hash(b"%d" % i) for i in range(n)]
        root, mth = _mth(d), merkle.mth_of_list(d)
        assert merkle.root(d) == root
        for i in range(n):
            path = merkle.inclusion_path(i, n, mth)
            assert path == _path(i, d)
            assert merkle.verify_inclusion(i, n, d[i], path, root)
            assert n == 1 or not merkle.verify_inclusion(i, n, d[(i + 1) % n], path, root)
        for m in range(1, n + 1):
            proof = merkle.consistency_path(m, n, mth)
            assert proof == _subproof(m, d, True)
            assert merkle.verify_consistency(m, n, _mth(d[:m]), root, proof)
            assert m == n or not merkle.verify_consistency(m, n, _mth(d[1 : m + 1]), root, proof)


def test_subtree_hashes_of_ranges_combine_into_the_root():
    """range_nodes over any split of the leaves, merged, gives the root of the whole (partitioned hashing)."""
    d = [merkle.leaf_hash(b"%d" % i) for i in range(37)]
    for cut in (0, 1, 5, 16, 23, 37):
        for cut2 in (cut, min(37, cut + 9)):
            parts = [merkle.range_nodes(0, d[:cut]), merkle.range_nodes(cut, d[cut:cut2]), merkle.range_nodes(cut2, d[cut2:])]
            nodes = merkle.merge_nodes(merkle.merge_nodes(parts[0], parts[1]), parts[2])
            assert merkle.root_of_nodes(nodes) == _mth(d)
            assert len(nodes) <= 6  # one per set bit of 37


def test_proof_size_is_logarithmic():
    """An inclusion path in a tree of a million leaves is at most 20 hashes (640 bytes), whatever the leaf."""
    fake = lambda lo, hi: hashlib.sha256(b"%d:%d" % (lo, hi)).digest()  # noqa: E731 - shape only
    for index in (0, 31, 500_000, 999_999):
        assert 12 <= len(merkle.inclusion_path(index, 1_000_000, fake)) <= 20
    assert len(merkle.consistency_path(123_457, 1_000_000, fake)) <= 2 * 20


# -- the ledger's tree and its cache ------------------------------------------------------------


def _ledger(path: Path, batches: int, per_batch: int = 50) -> LogStore:
    store = LogStore(path, fsync=False)
    text = "The ferry sailed at dawn. " * 60
    for b in range(batches):
        sid = f"src-{b:016x}"
        store.append([source_payload(text, source_id=sid)] + [
            assertion_payload(text, 26 * i, 26 * i + 25, source_id=sid, assertion_id=f"as-{b:08x}{i:08x}") for i in range(per_batch - 1)
        ], actor="t@x")
    return store


def _leaves(path: Path) -> list[bytes]:
    return [merkle.leaf_hash(line) for line in path.read_bytes().split(b"\n")[:-1]]


def test_tree_of_ledger_and_incremental_cache(tmp_ledger):
    """The ledger's root is the MTH of its lines; after an append the cached tree hashes only the new lines;
    a rewritten ledger (hashes recomputed) makes the cache miss instead of answering from it."""
    store = _ledger(tmp_ledger, 12)  # 612 lines (600 and a BatchStarted per batch): two full blocks of 256 and a partial one
    tree = C.tree_of(store)
    assert tree.size == 612 and tree.lines_read == 612
    assert tree.root() == _mth(_leaves(tmp_ledger))
    assert C.cache_path(store).exists()
    for index in (0, 255, 256, 611):
        assert merkle.verify_inclusion(index, 612, _leaves(tmp_ledger)[index], tree.inclusion(index), tree.root())
    _ledger_more = LogStore(tmp_ledger, fsync=False)
    text = "The ferry sailed at dawn. " * 60
    _ledger_more.append([assertion_payload(text, 0, 25, source_id="src-0000000000000000", assertion_id=f"as-x{i}") for i in range(7)])
    again = C.tree_of(store)
    assert again.size == 620 and again.lines_read == 8
    assert again.root() == _mth(_leaves(tmp_ledger))
    assert merkle.verify_consistency(612, 620, tree.root(), again.root(), again.consistency(612))
    # rewrite line 3 and re-chain everything after it: the cache's key line no longer matches
    lines = tmp_ledger.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b"dawn", b"dusk", 1)
    tmp_ledger.write_bytes(b"".join(_rehash_from(lines, 2)))
    fresh = C.tree_of(store)
    assert fresh.lines_read == 620 and fresh.root() == _mth(_leaves(tmp_ledger)) != again.root()


def _rehash_from(lines, index):
    out = list(lines[:index])
    prev = orjson.loads(out[-1])["hash"] if out else "0" * 64
    for seq, line in enumerate(lines[index:], index + 1):
        raw = orjson.loads(line)
        raw["prev"], raw["seq"] = prev, seq  # renumbered too: a forger hides a deletion
        raw.pop("hash")
        raw["hash"] = prev = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
        out.append(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n")
    return out


# -- keys, checkpoints, verify --checkpoint -----------------------------------------------------


@pytest.fixture
def keys(tmp_path, run_cli):
    prefix = tmp_path / "signer"
    res = run_cli("keygen", "--name", "example.org/ledger", "-o", str(prefix))
    assert res.exit_code == 0, res.stderr
    return prefix.with_suffix(".key"), prefix.with_suffix(".vkey")


def test_keygen_writes_a_private_key_0600_and_a_signed_note_vkey(keys, run_cli, tmp_path):
    """The private key is mode 0600; the vkey is name+keyid+base64(0x01||pub) with the signed-note key id."""
    skey, vkey = keys
    assert stat.S_IMODE(os.stat(skey).st_mode) == 0o600
    name, kid, blob = vkey.read_text().strip().split("+", 2)
    import base64

    pub = base64.b64decode(blob)
    assert name == "example.org/ledger" and pub[0] == 1 and len(pub) == 33
    assert hashlib.sha256(name.encode() + b"\n" + pub).digest()[:4].hex() == kid
    again = run_cli("keygen", "-o", str(tmp_path / "signer"))
    assert again.exit_code == 1 and "already exists" in again.stderr


def _checkpoint(run_cli, skey, out):
    res = run_cli("checkpoint", "--key", str(skey), "-o", str(out))
    assert res.exit_code == 0, res.stderr
    return out


def test_checkpoint_is_a_c2sp_signed_note(all_types_ledger, keys, run_cli, tmp_path):
    """Body: origin, size, base64 MTH; then a blank line and '— name base64(keyid||sig)' verifying with the key."""
    skey, vkey = keys
    note = _checkpoint(run_cli, skey, tmp_path / "cp").read_bytes()
    body, sig = note.split(b"\n\n")
    origin, size, root = body.decode().split("\n")
    assert origin == "example.org/ledger" and int(size) == len(_leaves(all_types_ledger))
    import base64

    assert base64.b64decode(root) == _mth(_leaves(all_types_ledger))
    assert re.fullmatch(r"— example\.org/ledger [A-Za-z0-9+/=]+\n", sig.decode())
    key = C.read_vkey(vkey)
    assert C.open_note(note, key, "cp") == body + b"\n"
    forged = note.replace(size.encode(), str(int(size) + 1).encode(), 1)
    with pytest.raises(C.CheckpointError, match="does not verify"):
        C.open_note(forged, key, "cp")


def test_no_key_is_a_one_line_error(all_types_ledger, run_cli, tmp_path):
    res = run_cli("checkpoint", env={"FACTLEDGER_KEY": ""})
    assert res.exit_code == 1 and "factledger keygen" in res.stderr and res.stderr.count("\n") == 1


def test_verify_checkpoint_detects_truncation_and_rewrites(all_types_ledger, keys, run_cli, tmp_path, simple_extractor):
    """With a checkpoint, appending later passes; dropping covered lines, or rewriting one with every
    hash recomputed (which plain verify cannot see), exits 1."""
    skey, vkey = keys
    cp = _checkpoint(run_cli, skey, tmp_path / "cp")
    article = tmp_path / "later.txt"
    article.write_text("The ferry resumed service on Tuesday. About 40 boats sailed.\n", encoding="utf-8")
    assert run_cli("append", "--extractor", "simple-test", str(article)).exit_code == 0
    ok = run_cli("verify", "--checkpoint", str(cp), "--vkey", str(vkey))
    assert ok.exit_code == 0 and "extends" in ok.stdout, ok.stderr
    lines = all_types_ledger.read_bytes().splitlines(keepends=True)
    n = int(cp.read_text().split("\n")[1])
    for damaged, words in (
        (lines[: n - 1], "truncated"),
        (lines[: n - 7], "truncated"),
        # line 9, a batch of one (another actor inside a batch would be caught by plain verify)
        (_rehash_from(lines[:8] + [lines[8].replace(b"tester@example", b"someone@else")] + lines[9:], 8), "rewritten"),
        (_rehash_from(lines[:n - 1] + lines[n:], n - 1), "rewritten"),  # the last covered event deleted
    ):
        all_types_ledger.write_bytes(b"".join(damaged))
        res = run_cli("verify", "--checkpoint", str(cp), "--vkey", str(vkey))
        assert res.exit_code == 1 and words in res.stderr, (words, res.stdout, res.stderr)
    other = tmp_path / "other"
    run_cli("keygen", "--name", "someone.else", "-o", str(other))
    res = run_cli("verify", "--checkpoint", str(cp), "--vkey", str(other) + ".vkey")
    assert res.exit_code == 1 and "no signature by key someone.else" in res.stderr


def _derived_ledger(path: Path, batches: int, per_batch: int = 50) -> LogStore:
    """:func:`_ledger` with derived ids (so plain verify passes): batch b is seq 51b+1 .. 51b+51."""
    store = LogStore(path, fsync=False)
    text = "The ferry sailed at dawn. " * 60
    for b in range(batches):
        src = source_payload(text, uri=f"https://news.example/{b}")
        store.append([src] + [
            assertion_payload(text, 26 * i, 26 * i + 25, source_id=src.source_id, occurrence=i) for i in range(per_batch - 1)
        ], actor="t@x")
    return store


def test_a_failed_checkpoint_names_the_first_changed_seq(tmp_ledger, keys, run_cli, tmp_path):
    """The Merkle cache the checkpoint left hashes to its signed root, so verify --checkpoint descends
    old and new trees to the first differing leaf: in the cached tail and, through the leaf hashes kept
    in merkle.leaves (checked against their block's root), in any earlier block too. The first verify
    after a rewrite sets the old cache aside, so asking again still names it."""
    skey, vkey = keys
    _derived_ledger(tmp_ledger, 12)  # 612 lines: blocks 0-255 and 256-511 are cached as roots, 512-611 as leaves
    cp = _checkpoint(run_cli, skey, tmp_path / "cp")
    cache = C.cache_path(LogStore(tmp_ledger))
    assert C.leaves_path(cache).stat().st_size == 2 * C.BLOCK * C.LEAF_BYTES
    lines = tmp_ledger.read_bytes().splitlines(keepends=True)
    def other_actor(start):  # the batches from line ``start`` on appended by someone else, re-chained
        return _rehash_from([x.replace(b'"t@x"', b'"u@x"') if i >= start else x for i, x in enumerate(lines)], start)

    def without_batch(b):  # batch b (a source and its assertions) deleted, the rest re-chained
        return _rehash_from(lines[: 51 * b] + lines[51 * b + 51 :], 51 * b)

    for damaged, expect in ((other_actor(561), "is seq 562"), (without_batch(10), "is seq 511"),
                            (without_batch(3), "is seq 154"), (other_actor(51), "is seq 52"),
                            (without_batch(2)[: 51 * 8], "is seq 103")):  # rewritten and cut short
        tmp_ledger.write_bytes(b"".join(damaged))
        assert run_cli("verify").exit_code == 0  # every rule holds: only the checkpoint tells
        for _ in range(2):
            res = run_cli("verify", "--checkpoint", str(cp), "--vkey", str(vkey))
            assert res.exit_code == 1 and f"the first event that differs {expect}" in res.stderr, res.stderr
    # only the block roots of the signed state (its leaf file lost, or altered): the block, never a wrong seq
    for spoil in (lambda leaves: leaves.unlink(),
                  lambda leaves: leaves.write_bytes(leaves.read_bytes()[:-1] + bytes([leaves.read_bytes()[-1] ^ 0xFF]))):
        tmp_ledger.write_bytes(b"".join(lines))
        for stale in cache.parent.iterdir():
            stale.unlink()
        _checkpoint(run_cli, skey, cp)
        spoil(C.leaves_path(cache))
        tmp_ledger.write_bytes(b"".join(without_batch(6)))
        res = run_cli("verify", "--checkpoint", str(cp), "--vkey", str(vkey))
        assert res.exit_code == 1 and "the first event that differs is within seq 257-512" in res.stderr, res.stderr
    # no cache of the signed state: the failure stands, without a seq
    tmp_ledger.write_bytes(b"".join(other_actor(306)))
    for stale in cache.parent.iterdir():
        stale.unlink()
    res = run_cli("verify", "--checkpoint", str(cp), "--vkey", str(vkey))
    assert res.exit_code == 1 and "rewritten" in res.stderr and "differs" not in res.stderr


def test_the_leaf_file_grows_with_the_ledger(tmp_ledger):
    """merkle.leaves holds the leaf hashes of every complete block, appended by incremental trees (an
    interrupted write past them is cut off), and is left alone when the blocks before are not all there."""
    store = _derived_ledger(tmp_ledger, 6)  # 306 lines: one complete block
    cache = C.cache_path(store)
    C.tree_of(store)
    leaves = C.leaves_path(cache)
    lines = tmp_ledger.read_bytes().split(b"\n")[:-1]
    expect = b"".join(merkle.leaf_hash(x) for x in lines)
    assert leaves.read_bytes() == expect[: C.BLOCK * C.LEAF_BYTES]
    with open(leaves, "ab") as f:
        f.write(b"half a block from an interrupted write")
    _derived_ledger(tmp_ledger, 6)  # 612 lines: two complete blocks
    tree = C.tree_of(store)
    assert tree.lines_read == 306
    expect = b"".join(merkle.leaf_hash(x) for x in tmp_ledger.read_bytes().split(b"\n")[:-1])
    assert leaves.read_bytes() == expect[: 2 * C.BLOCK * C.LEAF_BYTES]
    leaves.unlink()  # a cache without its leaves: appends cannot fill the gap, so nothing is written
    _derived_ledger(tmp_ledger, 6)
    assert C.tree_of(store).lines_read == 306 and not leaves.exists()


def test_first_difference_against_every_prefix():
    """The descent names the first changed leaf for every position in trees up to 40 leaves (all in a
    cached tail), and nothing for a cache that is not the signed state."""
    for n in range(1, 41):
        old = [merkle.leaf_hash(b"%d" % i) for i in range(n)]
        cp = C.Checkpoint("o", n, merkle.root(old))
        for j in range(n):
            new = old[:j] + [merkle.leaf_hash(b"x%d" % i) for i in range(j, n)]
            tree = C.LedgerTree(None, n, [], [], new)
            assert C.first_difference([C.OldNodes([], old)], tree, cp, n) == (j, j + 1)
            assert C.first_difference([C.OldNodes([], new)], tree, cp, n) is None  # not the signed state


# -- proof bundles and the docs' verifier --------------------------------------------------------


@pytest.fixture(scope="module")
def doc_verifier(tmp_path_factory) -> Path:
    """The proof verifier printed in docs/log-format.md, saved verbatim as a script."""
    code = doc_code_block("stdlib-proof-verifier")
    modules = {m for line in re.findall(r"^(?:import|from) ([\w., ]+?)(?: import .*)?$", code, re.M) for m in line.replace(" ", "").split(",")}
    assert all(m.split(".")[0] in {"base64", "hashlib", "json", "sys", "cryptography"} for m in modules), modules
    assert "import ledger" not in code and "from ledger" not in code
    path = tmp_path_factory.mktemp("doc") / "check_proof.py"
    path.write_text(code, encoding="utf-8")
    return path


def _doc_check(verifier: Path, bundle: Path, vkey: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-I", str(verifier), str(bundle), str(vkey)], capture_output=True, text=True)


def _prove(run_cli, what, skey, out, *flags):
    res = run_cli("prove", what, "--key", str(skey), "-o", str(out), *flags)
    assert res.exit_code == 0, res.stderr
    return out


@pytest.mark.parametrize("what, flags, types", [
    (AS_PLAIN, (), {"AssertionRecorded", "AssertionsLinked", "AssertionsUnlinked", "VerdictRecorded"}),
    (AS_PLAIN, ("--with-sources",), {"SourceAppended", "AssertionRecorded", "AssertionsLinked", "AssertionsUnlinked", "VerdictRecorded"}),
    (AS_REV, ("--with-sources",), {"SourceRevised", "AssertionRecorded", "AssertionsLinked", "AssertionsUnlinked", "AssertionRetracted"}),
    (SRC_GATE, (), {"SourceAppended", "SourceRevised"}),
])
def test_prove_and_check_offline(all_types_ledger, keys, run_cli, tmp_path, doc_verifier, what, flags, types):
    """A bundle holds the events about the id with inclusion paths (and, --with-sources, the texts its quotes
    point into, which check-proof then checks them against); check-proof and the docs' verifier accept it."""
    skey, vkey = keys
    bundle = _prove(run_cli, what, skey, tmp_path / "b.json", *flags)
    data = json.loads(bundle.read_text())
    assert {orjson.loads(e["line"])["type"] for e in data["entries"]} == types
    lines = all_types_ledger.read_bytes().split(b"\n")
    assert all(e["line"].encode() == lines[e["index"]] for e in data["entries"])
    res = run_cli("check-proof", str(bundle), "--vkey", str(vkey), ledger=None)
    assert res.exit_code == 0 and f"OK: {len(types)} events included" in res.stdout, res.stderr
    if what != SRC_GATE:
        assert ("1 of 1 quotes checked" if flags else "0 of 1 quotes checked") in res.stdout, res.stdout
    doc = _doc_check(doc_verifier, bundle, vkey)
    assert (doc.returncode, doc.stdout.strip()) == (0, "OK"), doc.stderr


def test_an_assertion_bundle_is_small_without_the_article(tmp_ledger, keys, run_cli, tmp_path, doc_verifier):
    """#11: an assertion's inclusion proof is O(log n) bytes plus its event line: the 1.5 KB article its
    quote points into is left out unless --with-sources asks for it."""
    skey, vkey = keys
    _derived_ledger(tmp_ledger, 12)
    lines = tmp_ledger.read_bytes().split(b"\n")
    aid = orjson.loads(lines[400])["data"]["assertion_id"]  # recorded once, nothing else refers to it
    compact = json.loads(_prove(run_cli, aid, skey, tmp_path / "c.json").read_text())
    full = json.loads(_prove(run_cli, aid, skey, tmp_path / "f.json", "--with-sources").read_text())
    assert [e["seq"] for e in compact["entries"]] == [401]
    assert [orjson.loads(e["line"])["type"] for e in full["entries"]] == ["SourceAppended", "AssertionRecorded"]
    size = len(json.dumps(compact, separators=(",", ":")))
    assert size - len(lines[400]) < 1500  # 10 hashes of the path, the checkpoint, the wrapper
    assert len(json.dumps(full)) > size + len(lines[358])  # + the source line with its text
    for bundle in ("c.json", "f.json"):
        assert _doc_check(doc_verifier, tmp_path / bundle, vkey).returncode == 0


def test_a_signed_quote_that_differs_from_its_text_fails_with_sources(all_types_ledger, keys, run_cli, tmp_path, doc_verifier):
    """A ledger whose quote was edited (hashes recomputed) and then signed: the bundle's lines are all in the
    checkpoint, but with the source text in the bundle both verifiers see the quote differ from it."""
    skey, vkey = keys
    lines = all_types_ledger.read_bytes().splitlines(keepends=True)
    raw = orjson.loads(lines[2])
    raw["data"]["selector"]["exact"] = raw["data"]["selector"]["exact"].replace("Monday", "Sunday")
    lines[2] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"
    all_types_ledger.write_bytes(b"".join(_rehash_from(lines, 2)))
    full = _prove(run_cli, AS_PLAIN, skey, tmp_path / "f.json", "--with-sources")
    res = run_cli("check-proof", str(full), "--vkey", str(vkey), ledger=None)
    assert res.exit_code == 1 and "seq 3: the quote differs from the source text" in res.stderr, res.stderr
    doc = _doc_check(doc_verifier, full, vkey)
    assert doc.returncode == 1 and "seq 3: the quote differs" in doc.stderr, doc.stderr
    compact = _prove(run_cli, AS_PLAIN, skey, tmp_path / "c.json")
    res = run_cli("check-proof", str(compact), "--vkey", str(vkey), ledger=None)
    assert res.exit_code == 0 and "0 of 1 quotes checked" in res.stdout


def _tampered_bundles(bundle: Path, other_vkey: Path):
    data = json.loads(bundle.read_text())
    e = data["entries"]
    edited = json.loads(bundle.read_text())
    edited["entries"][0]["line"] = e[0]["line"].replace("Harbour", "Harbor")
    yield "edited line", edited
    shifted = json.loads(bundle.read_text())
    shifted["entries"][1]["proof"] = e[0]["proof"]
    yield "wrong path", shifted
    moved = json.loads(bundle.read_text())
    moved["entries"][1]["index"] += 1
    yield "wrong index", moved
    resized = json.loads(bundle.read_text())
    body, sig = resized["checkpoint"].split("\n\n")
    o, n, r = body.split("\n")
    resized["checkpoint"] = f"{o}\n{int(n) + 1}\n{r}\n\n{sig}"
    yield "re-sized checkpoint", resized


def test_tampered_bundles_fail_in_both_verifiers(all_types_ledger, keys, run_cli, tmp_path, doc_verifier):
    """An edited event line, a wrong path or index, or a checkpoint with another size: exit 1 in check-proof
    and in the docs' verifier alike; a bundle checked with another signer's key fails too."""
    skey, vkey = keys
    bundle = _prove(run_cli, AS_PLAIN, skey, tmp_path / "b.json")
    for name, data in _tampered_bundles(bundle, vkey):
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(data))
        res = run_cli("check-proof", str(bad), "--vkey", str(vkey), ledger=None)
        assert res.exit_code == 1 and res.stderr.count("\n") == 1, (name, res.stderr)
        doc = _doc_check(doc_verifier, bad, vkey)
        assert doc.returncode == 1 and doc.stderr.startswith("FAILED"), (name, doc.stderr)
    run_cli("keygen", "--name", "mallory", "-o", str(tmp_path / "m"))
    assert run_cli("check-proof", str(bundle), "--vkey", str(tmp_path / "m.vkey"), ledger=None).exit_code == 1
    assert _doc_check(doc_verifier, bundle, tmp_path / "m.vkey").returncode == 1


def test_consistency_between_checkpoints(all_types_ledger, keys, run_cli, tmp_path, doc_verifier, simple_extractor):
    """consistency OLD NEW proves NEW extends OLD; the bundle checks offline; reversed or foreign checkpoints fail."""
    skey, vkey = keys
    old = _checkpoint(run_cli, skey, tmp_path / "old")
    article = tmp_path / "later.txt"
    article.write_text("The ferry resumed service on Tuesday. About 40 boats sailed.\n", encoding="utf-8")
    assert run_cli("append", "--extractor", "simple-test", str(article)).exit_code == 0
    new = _checkpoint(run_cli, skey, tmp_path / "new")
    res = run_cli("consistency", str(old), str(new), "--vkey", str(vkey), "-o", str(tmp_path / "c.json"))
    assert res.exit_code == 0 and "extends" in res.stdout, res.stderr
    assert run_cli("check-proof", str(tmp_path / "c.json"), "--vkey", str(vkey), ledger=None).exit_code == 0
    assert _doc_check(doc_verifier, tmp_path / "c.json", vkey).returncode == 0
    assert run_cli("consistency", str(new), str(old), "--vkey", str(vkey)).exit_code == 1
    # a checkpoint of a rewritten history does not extend the old one
    lines = all_types_ledger.read_bytes().splitlines(keepends=True)
    all_types_ledger.write_bytes(b"".join(_rehash_from(lines[:1] + [lines[1].replace(b"tester", b"forger")] + lines[2:], 1)))
    forged = _checkpoint(run_cli, skey, tmp_path / "forged")
    assert run_cli("consistency", str(old), str(forged), "--vkey", str(vkey)).exit_code == 1
    data = json.loads((tmp_path / "c.json").read_text())
    data["new"] = forged.read_text()
    (tmp_path / "c2.json").write_text(json.dumps(data))
    assert run_cli("check-proof", str(tmp_path / "c2.json"), "--vkey", str(vkey), ledger=None).exit_code == 1
    assert _doc_check(doc_verifier, tmp_path / "c2.json", vkey).returncode == 1


def test_prove_against_a_published_checkpoint(all_types_ledger, keys, run_cli, tmp_path, doc_verifier, simple_extractor):
    """prove --checkpoint uses an earlier checkpoint: events after it are not in the bundle; unknown ids fail."""
    skey, vkey = keys
    cp = _checkpoint(run_cli, skey, tmp_path / "cp")
    article = tmp_path / "later.txt"
    article.write_text("The ferry resumed service on Tuesday. About 40 boats sailed.\n", encoding="utf-8")
    assert run_cli("append", "--extractor", "simple-test", str(article)).exit_code == 0
    out = tmp_path / "b.json"
    res = run_cli("prove", AS_PLAIN, "--checkpoint", str(cp), "--vkey", str(vkey), "-o", str(out))
    assert res.exit_code == 0, res.stderr
    assert json.loads(out.read_text())["checkpoint"] == cp.read_text()
    assert _doc_check(doc_verifier, out, vkey).returncode == 0
    missing = run_cli("prove", "as-nothing-here", "--key", str(skey))
    assert missing.exit_code == 1 and "as-nothing-here" in missing.stderr


def test_prove_uses_an_id_index_kept_up_to_date(all_types_ledger, keys, run_cli, tmp_path, doc_verifier):
    """prove indexes ids beside the ledger; a later retraction is found (the index catches up), and a
    ledger rewritten under the index does not answer from it."""
    skey, vkey = keys
    _prove(run_cli, AS_PLAIN, skey, tmp_path / "b1.json")
    index = all_types_ledger.with_name(all_types_ledger.name + ".cache") / "ids.bin"
    assert index.exists()
    assert run_cli("retract", AS_PLAIN, "--reason", "later").exit_code == 0
    data = json.loads(_prove(run_cli, AS_PLAIN, skey, tmp_path / "b2.json").read_text())
    assert [orjson.loads(e["line"])["type"] for e in data["entries"]][-1] == "AssertionRetracted"
    lines = all_types_ledger.read_bytes().splitlines(keepends=True)
    verdict = next(i for i, line in enumerate(lines) if b'"VerdictRecorded"' in line)
    all_types_ledger.write_bytes(b"".join(_rehash_from(lines[:verdict] + lines[verdict + 1 :], verdict)))  # history rewritten
    data = json.loads(_prove(run_cli, AS_PLAIN, skey, tmp_path / "b3.json").read_text())
    assert "VerdictRecorded" not in {orjson.loads(e["line"])["type"] for e in data["entries"]}
    assert _doc_check(doc_verifier, tmp_path / "b3.json", vkey).returncode == 0
