"""Helpers shared by several test modules (not a test module: pytest collects nothing here).

Test modules import from here, never from each other, so moving or deleting a test file never breaks another."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import re
import select
import subprocess
import sys
import textwrap
import time
import unicodedata
from pathlib import Path

import orjson
import pytest
from conftest import AS_PLAIN, AS_REV, all_types_payloads

from ledger.checks import assertion_id_for, source_id_for
from ledger.events import AssertionRecorded, SourceAppended, Value
from ledger.extractors import SourceInfo, anchor
from ledger.extractors.rules import extract
from ledger.log import LogStore
from ledger.serialization import converter

# --- rules extractor ---------------------------------------------------------------------------------------------


def run(text: str, published: str | None = "2024-03-15", title: str | None = None):
    """(exact, Extracted) pairs for ``text``."""
    return [(text[x.start : x.end], x) for x in extract(text, SourceInfo(published=published, title=title))]


def statements(text: str, **kw) -> list[str]:
    return [q for q, x in run(text, **kw) if x.kind == "statement"]


def find(text: str, needle: str, **kw):
    """The statement whose exact text contains ``needle``."""
    hits = [x for q, x in run(text, **kw) if x.kind == "statement" and needle in q]
    assert hits, f"no statement contains {needle!r}: {statements(text, **kw)}"
    return hits[0]


# --- batches of articles -----------------------------------------------------------------------------------------


def article(i: int) -> str:
    return (
        f"Market Report Number {i}\n\n"
        f"Traders in Port Alder sold {i * 3} tonnes of fish on Monday. "
        f"Harbour chief Lena Moss said prices rose by {i} percent.\n"
        "Analysts reportedly expect calmer weeks ahead.\n"
    )


def make_folder(root, n=12):
    """A mixed folder: text, Markdown with front matter, and HTML, in subfolders."""
    for i in range(n):
        sub = root / f"part{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 3 == 0:
            (sub / f"a{i:02d}.txt").write_text(article(i))
        elif i % 3 == 1:
            (sub / f"a{i:02d}.md").write_text(f"---\ntitle: Report {i}\npublished: 2026-01-{i + 1:02d}\n---\n" + article(i))
        else:
            body = "".join(f"<p>{line}</p>" for line in article(i).splitlines() if line)
            (sub / f"a{i:02d}.html").write_text(f"<html><head><title>Report {i}</title></head><body><article>{body}</article></body></html>")
    return root


def stable(path):
    """The ledger's events without what depends on the clock (at, id) and what hashes it."""
    out = []
    for line in path.read_bytes().splitlines():
        e = orjson.loads(line)
        for key in ("at", "id", "hash", "prev"):
            e.pop(key)
        out.append(e)
    return out


# --- hand-made events ---------------------------------------------------------------------------------------------


def src(text: str, sid: str, **meta) -> SourceAppended:
    """A SourceAppended with consistent hashes."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    fields = dict(source_id=sid, version=1, uri=None, title=None, outlet=None, authors=(), published=None,
                  retrieved=None, media_type="text/plain", raw_sha256=digest, text_sha256=digest, text=text)
    fields.update(meta)
    return SourceAppended(**fields)


def stmt(text: str, sid: str, aid: str, quote: str, values=(), kind="statement") -> AssertionRecorded:
    """An AssertionRecorded for ``quote`` in ``text`` (values as (type, text, value))."""
    start = text.index(quote)
    vals = tuple(Value(type=t, text=w, start=text.index(w), end=text.index(w) + len(w), value=v) for t, w, v in values)
    return AssertionRecorded(assertion_id=aid, source_id=sid, version=1, selector=anchor(text, start, start + len(quote)),
                             kind=kind, speaker=None, speaker_cue=None, modality="asserted", modality_cue=None,
                             values=vals, entities=(), extractor="hand", extractor_version="1")


def two_source_claims(tmp_path: Path, a: str, b: str):
    """The claims view of two one-source articles, each sentence (split at '. ') a statement."""
    from ledger.projections import claims_view

    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    for sid, text in (("src-a", a), ("src-b", b)):
        batch = [src(text, sid, outlet=sid)]
        for k, sentence in enumerate(re.split(r"(?<=\.) ", text)):
            batch.append(stmt(text, sid, f"as-{sid[-1]}{k}", sentence))
        store.append(batch)
    return claims_view(store, cache=False)


A_TEXT = (
    "Flooding closed the Riverside Bridge on Monday. "
    "The city council approved a budget of 4,500,000 dollars for repairs. "
    "Mayor Ellen Park opened the new library in Eastfield."
)
B_TEXT = (
    "The Riverside Bridge was closed by flooding on Sunday. "
    "Councillors approved 4,500,000 dollars in repair funding for the bridge. "
    "A bakery in Northgate won a regional prize."
)


def _ledger(tmp_path) -> LogStore:
    store = LogStore(tmp_path / "l.jsonl", fsync=False)
    store.append([
        src(A_TEXT, "src-a", outlet="Daily Tide"),
        stmt(A_TEXT, "src-a", "as-a1", "Flooding closed the Riverside Bridge on Monday.", [("date", "Monday", "2024-03-04")]),
        stmt(A_TEXT, "src-a", "as-a2", "The city council approved a budget of 4,500,000 dollars for repairs.",
             [("quantity", "4,500,000", "4500000")]),
        stmt(A_TEXT, "src-a", "as-a3", "Mayor Ellen Park opened the new library in Eastfield."),
    ])
    store.append([
        src(B_TEXT, "src-b", outlet="Evening Post"),
        stmt(B_TEXT, "src-b", "as-b1", "The Riverside Bridge was closed by flooding on Sunday.", [("date", "Sunday", "2024-03-03")]),
        stmt(B_TEXT, "src-b", "as-b2", "Councillors approved 4,500,000 dollars in repair funding for the bridge.",
             [("quantity", "4,500,000", "4500000")]),
        stmt(B_TEXT, "src-b", "as-b3", "A bakery in Northgate won a regional prize."),
    ])
    return store


# --- plugins in a fake site-packages -----------------------------------------------------------------------------


def make_dist(site: Path, dist: str, version: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    """Install a fake distribution (metadata + modules) into ``site`` the way pip lays it out."""
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"  # pip normalises the folder name
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[factledger]\n{lines}")
    for name, source in modules.items():
        (site / f"{name}.py").write_text(textwrap.dedent(source))


def factledger(site: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    full_env["PYTHONPATH"] = os.pathsep.join([str(site), full_env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "ledger", *args], capture_output=True, text=True, env=full_env, timeout=120)


# --- forging -----------------------------------------------------------------------------------------------------


def _rehash_from(lines: list[bytes], index: int) -> list[bytes]:
    """What a forger does: recompute hash and prev from line ``index`` on so the chain looks intact."""
    out = list(lines[:index])
    prev = orjson.loads(out[-1])["hash"] if out else "0" * 64
    for line in lines[index:]:
        raw = orjson.loads(line)
        raw["prev"] = prev
        raw.pop("hash")
        raw["hash"] = prev = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
        out.append(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n")
    return out


def crash_on_marker(text: str, info):
    """An extractor whose process dies on a text holding ``KILL-THIS-WORKER`` (as a C crash would)."""
    if "KILL-THIS-WORKER" in text:
        os._exit(70)
    return []


# --- tampering (verify's cases, shared by the one-process, two-job and cluster tests) ----------------------------


def _reencode(line: bytes, edit) -> bytes:
    raw = orjson.loads(line)
    edit(raw)
    return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"


def _forged_splice(lines):
    raw = orjson.loads(lines[8])
    raw["seq"], raw["prev"] = 4, "f" * 64
    raw.pop("hash")
    raw["hash"] = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return lines[:3] + [orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"] + lines[3:]


def _edited_quote(lines):
    def edit(raw):
        raw["data"]["selector"]["exact"] = raw["data"]["selector"]["exact"].replace("1,200", "9,200")

    return _rehash_from(lines[:3] + [_reencode(lines[3], edit)] + lines[4:], 3)


def _verdict_status(lines):
    i = next(i for i, line in enumerate(lines) if b'"VerdictRecorded"' in line)
    lines[i] = _reencode(lines[i], lambda raw: raw["data"].__setitem__("status", "probably"))
    return _rehash_from(lines, i)


def _event_id_again(lines):
    """An event of the second batch given the id of the first event (rehashed): on a cluster
    the two copies lie in different ranges (ledger.ranges compares the ranges' id digests)."""
    i = [k for k, line in enumerate(lines) if b'"BatchStarted"' in line][1] + 2
    first_id = orjson.loads(lines[0])["id"]
    lines[i] = _reencode(lines[i], lambda raw: raw.__setitem__("id", first_id))
    return _rehash_from(lines, i)


def _non_canonical(lines):
    raw = orjson.loads(lines[5])
    lines[5] = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).replace(b"\n", b"") + b"\n"
    return lines


def _unknown_type(lines):
    lines[7] = _reencode(lines[7], lambda raw: raw.__setitem__("type", "FutureThing"))
    return _rehash_from(lines, 7)


def _unknown_type_then_schema_break(lines):
    lines = _unknown_type(lines)
    lines[8] = _reencode(lines[8], lambda raw: raw["data"].__setitem__("status", "probably"))
    return _rehash_from(lines, 8)


TAMPER = {
    "intact": lambda lines: lines,
    "one changed byte": lambda lines: lines[:3] + [lines[3].replace(b"Harbour", b"Harbor!", 1)] + lines[4:],
    "unparseable middle line": lambda lines: lines[:2] + [lines[2].replace(b'"seq":3', b'"seq":3,', 1)] + lines[3:],
    "dropped line": lambda lines: lines[:4] + lines[5:],
    "swapped lines": lambda lines: lines[:5] + [lines[6], lines[5]] + lines[7:],
    "inserted duplicate": lambda lines: lines[:7] + [lines[2]] + lines[7:],
    "forged event spliced in": _forged_splice,
    "edited quote, rehashed": _edited_quote,
    "non-canonical line": _non_canonical,
    "schema violation, rehashed": _verdict_status,
    "event id used again, rehashed": _event_id_again,
    "garbage middle line": lambda lines: lines[:4] + [b"this is not an event\n"] + lines[5:],
    "torn tail": lambda lines: lines + [b'{"seq":11,"ha'],
    "unknown type (envelope only)": _unknown_type,
    "unknown type, then a schema break": _unknown_type_then_schema_break,
}


# --- the stdlib verifier of docs/log-format.md ---------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[1] / "docs" / "log-format.md"


def doc_code_block(marker: str) -> str:
    """The Python block of docs/log-format.md between ``<!-- MARKER:start -->`` and ``:end``,
    as printed there (the docs' verifiers are run verbatim, so they cannot drift)."""
    doc = DOC.read_text(encoding="utf-8")
    block = re.search(rf"<!-- {marker}:start -->\n```python\n(.*?)```\n<!-- {marker}:end -->", doc, re.S)
    assert block, f"docs/log-format.md lost its {marker} block"
    return block.group(1)


@pytest.fixture(scope="module")
def verifier(tmp_path_factory) -> Path:
    """The verifier code block of docs/log-format.md, saved as a script."""
    code = doc_code_block("stdlib-verifier")
    imported = set(re.findall(r"^\s*import ([\w, ]+)", code, re.M)[0].replace(" ", "").split(","))
    assert imported == {"hashlib", "json", "sys", "unicodedata"} and not re.search(r"^\s*from \S+ import", code, re.M) and "ledger." not in code
    path = tmp_path_factory.mktemp("doc") / "verify_ledger.py"
    path.write_text(code, encoding="utf-8")
    return path


def _run(verifier: Path, ledger: Path) -> subprocess.CompletedProcess:
    # -I -S: isolated, no site-packages, so the script could not import factledger even if it tried.
    return subprocess.run([sys.executable, "-I", "-S", str(verifier), str(ledger)], capture_output=True, text=True)


# --- terminals ---------------------------------------------------------------------------------------------------


def tty_run(args: list[str], env_extra: dict[str, str], cwd: Path) -> bytes:
    """Run factledger with stdout and stderr on a pseudo-terminal; return everything it wrote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_") and k not in ("NO_COLOR", "PAGER")}
    env.update({"TERM": "xterm-256color", "COLUMNS": "160", "LINES": "40"}, **env_extra)
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "ledger", *args], stdin=slave, stdout=slave, stderr=slave,
                            cwd=cwd, env=env, close_fds=True)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    assert proc.returncode == 0, out[-2000:]
    return out


def pip_install_copy(folder: Path, base: Path, name: str) -> Path:
    """``folder`` (a plugin package) copied to ``base/name``, as an author's checkout would be, and
    pip-installed from that path into ``base/site`` (offline, no deps): the site folder."""
    import shutil

    src, target = base / name, base / "site"
    shutil.copytree(folder, src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build", ".pytest_cache"))
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "--target", str(target), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    assert pip.returncode == 0, f"pip could not install {folder.name} from its path:\n{pip.stderr[-3000:]}"
    return target


# --- the tamper matrix (tests/test_tamper_matrix.py), damaged tails (tests/test_ledger_tails.py) and the
# --- hostile lines the doc's verifier is held to (tests/test_doc_verifier_agrees.py, test_verify_parallel.py)


# The all-types ledger, by index: 0 BatchStarted, 1 SourceAppended, 2 AS_PLAIN, 3 AS_RICH (a value and an
# entity), 4 BatchStarted, 5 SourceRevised, 6 AS_REV, 7 AssertionWithdrawn(AS_RICH), 8 AssertionsLinked,
# 9 AssertionsUnlinked, 10 VerdictRecorded(AS_PLAIN), 11 AssertionRetracted(AS_REV).


def _dump(raw: dict) -> bytes:
    return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"


def rehash(lines: list[bytes], start: int = 0) -> list[bytes]:
    """Renumber, re-chain and re-hash from ``start``: what a forger does to hide an edit."""
    out = list(lines[:start])
    prev = orjson.loads(out[-1])["hash"] if out else "0" * 64
    for seq, line in enumerate(lines[start:], start + 1):
        raw = orjson.loads(line)
        raw.pop("hash")
        raw["seq"], raw["prev"] = seq, prev
        raw["hash"] = prev = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
        out.append(_dump(raw))
    return out


def edit(index: int, fn):
    """Edit the event at ``index`` (``fn(raw)`` changes it in place), then rehash from it."""

    def damage(lines):
        raw = orjson.loads(lines[index])
        fn(raw)
        return rehash(lines[:index] + [_dump(raw)] + lines[index + 1 :], index)

    return damage


def data(index: int, **changes):
    return edit(index, lambda raw: raw["data"].update(changes))


def _event(type_name: str, payload, like: bytes, n: int) -> bytes:
    """A new event line of ``type_name`` shaped like the line ``like`` (its time, actor), hashes fixed by rehash."""
    raw = orjson.loads(like)
    raw.update(type=type_name, v=1, id=f"01a2092c-48ce-7de2-8dd7-{n:012x}",
               data=payload if isinstance(payload, dict) else converter.unstructure(payload))
    return _dump(raw)


def insert(index: int, *events):
    """Insert events before ``index`` (each ``(type, data)``), then renumber and rehash."""

    def damage(lines):
        like = lines[min(index, len(lines) - 1)]
        new = [_event(t, d, like, 900 + k) for k, (t, d) in enumerate(events)]
        return rehash(lines[:index] + new + lines[index:], index)

    return damage


def again(index: int, of: int, type_name: str):
    """Insert before ``index`` an event of ``type_name`` carrying the data of line ``of`` (the
    ledger's own), then renumber and rehash."""

    def damage(lines):
        return insert(index, (type_name, orjson.loads(lines[of])["data"]))(lines)

    return damage


def append(*events):
    def damage(lines):
        return insert(len(lines), *events)(lines)

    return damage


def delete(index: int):
    return lambda lines: rehash(lines[:index] + lines[index + 1 :], index)


def nested(index: int, fn):
    return edit(index, lambda raw: fn(raw["data"]))


def _nfd(raw):
    d = raw["data"]
    d["text"] = unicodedata.normalize("NFD", d["text"])
    d["text_sha256"] = hashlib.sha256(d["text"].encode()).hexdigest()


def _crlf(raw):
    d = raw["data"]
    d["text"] = d["text"].replace("\n", "\r\n")
    d["text_sha256"] = hashlib.sha256(d["text"].encode()).hexdigest()


def _other_text(raw):
    d = raw["data"]
    d["text"] = d["text"].replace("safe.", "sure.")  # past every quote, prefix and suffix
    d["text_sha256"] = hashlib.sha256(d["text"].encode()).hexdigest()


def _source(text: str, uri: str | None = None, version: int = 1, source_id: str | None = None) -> dict:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return dict(source_id=source_id or source_id_for(uri, digest), version=version, uri=uri, title=None, outlet=None,
                authors=[], published=None, retrieved=None, media_type="text/plain", raw_sha256=digest,
                text_sha256=digest, text=text)


def _assertion(text: str, start: int, end: int, source_id: str, aid: str, version: int = 1) -> dict:
    from ledger.extractors import anchor

    sel = converter.unstructure(anchor(text, start, end))
    return dict(assertion_id=aid, source_id=source_id, version=version, selector=sel, kind="statement", speaker=None,
                speaker_cue=None, modality="asserted", modality_cue=None, values=[], entities=[], extractor="hand",
                extractor_version="1")


OTHER = "The ferry sailed. The ferry sailed. The ferry sailed."
OTHER_ID = source_id_for(None, hashlib.sha256(OTHER.encode()).hexdigest())
SAILED = "The ferry sailed."


def _repeats(*occurrences):
    """A new source whose one sentence is recorded three times, with these occurrence numbers."""
    starts = (0, 18, 36)
    return append(("SourceAppended", _source(OTHER)), *(
        ("AssertionRecorded", _assertion(OTHER, s, s + len(SAILED), OTHER_ID, assertion_id_for(OTHER_ID, SAILED, n)))
        for s, n in zip(starts, occurrences)
    ))


def _float_seq(lines):
    raw = orjson.loads(lines[2])
    raw.pop("hash")
    raw["seq"] = 3.0  # json and orjson both write 3.0
    raw["hash"] = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return rehash(lines[:2] + [_dump(raw)], 3)[:3] + rehash(lines[:2] + [_dump(raw)] + lines[3:], 3)[3:]


def _move_entity(d):
    d["entities"][0]["start"] += 1


# name -> (damage, seq plain verify fails at or None, a schema violation only the schema pass sees)
MATRIX = {
    # consistent rewrites and cuts: only a checkpoint tells
    "intact": (lambda lines: lines, None, False),
    "last line dropped": (lambda lines: lines[:-1], None, False),
    "last 9 lines dropped (at a batch boundary)": (lambda lines: lines[:4], None, False),
    "actor rewritten": (edit(8, lambda raw: raw.update(actor="someone@else")), None, False),
    "actor rewritten inside a batch": (edit(6, lambda raw: raw.update(actor="someone@else")), 7, False),
    "retraction reason rewritten": (data(11, reason="it was true after all"), None, False),
    "verdict status rewritten": (data(10, status="false"), None, False),
    "link note rewritten": (data(8, note="not the same"), None, False),
    "withdrawal deleted (the batch falls short)": (delete(7), 8, False),
    "retraction deleted": (delete(11), None, False),
    "link deleted": (delete(8), None, False),
    "retraction inserted": (insert(10, ("AssertionRetracted", {"assertion_id": AS_PLAIN, "reason": "forged"})), None, False),
    "verdict inserted": (insert(10, ("VerdictRecorded", {"target": AS_REV, "status": "false", "note": None})), None, False),
    "forged verdict appended": (append(("VerdictRecorded", {"target": AS_PLAIN, "status": "false", "note": None})), None, False),
    "verdict on a claim appended": (append(("VerdictRecorded", {"target": "cl-" + AS_PLAIN[3:], "status": "disputed", "note": None})), None, False),
    "source text edited, quotes still match": (edit(1, _other_text), None, False),
    "repeated quote, occurrences 0 1 2": (_repeats(0, 1, 2), None, False),
    # bytes and chain
    "one changed byte": (lambda lines: lines[:3] + [lines[3].replace(b"Harbour", b"Harbor!", 1)] + lines[4:], 4, False),
    "dropped middle line": (lambda lines: lines[:4] + lines[5:], 5, False),
    "swapped lines": (lambda lines: lines[:5] + [lines[6], lines[5]] + lines[7:], 6, False),
    "duplicated line": (lambda lines: lines[:7] + [lines[2]] + lines[7:], 8, False),
    "garbage middle line": (lambda lines: lines[:4] + [b"this is not an event\n"] + lines[5:], 5, False),
    "non-canonical spacing": (lambda lines: lines[:5] + [lines[5].replace(b'","', b'", "', 1)] + lines[6:], 6, False),
    "prev broken": (lambda lines: lines[:3] + [lines[3].replace(lines[3][lines[3].index(b'"prev":"') + 8:][:64], b"f" * 64)] + lines[4:], 4, False),
    # integers
    "seq written as 3.0": (lambda lines: _float_seq(lines), 3, False),
    "v written as 1.0": (edit(8, lambda raw: raw.update(v=1.0)), 9, False),
    "version written as 1.0": (data(2, version=1.0), 3, False),
    "selector start written as 0.0": (nested(2, lambda d: d["selector"].update(start=0.0)), 3, False),
    "value end written as 44.0": (nested(3, lambda d: d["values"][0].update(end=44.0)), 4, False),
    # ids and time
    "duplicate event id": (edit(9, lambda raw: raw.update(id=orjson.loads(_ALL[0][6])["id"])), 10, False),
    "at moved back years": (edit(8, lambda raw: raw.update(at="2019-01-01T00:00:00.000000Z")), 9, False),
    "source_id not derived from its uri": (data(1, source_id="src-0123456789abcdef"), 2, False),
    "source uri changed": (data(1, uri="https://example.org/other"), 2, False),
    "assertion_id not derived": (data(2, assertion_id="as-0123456789abcdef"), 3, False),
    "assertion id reused in another source": (append(("SourceAppended", _source(OTHER)), ("AssertionRecorded", _assertion(OTHER, 0, 17, OTHER_ID, AS_PLAIN))), 15, False),
    "assertion recorded twice in a version": (again(5, 2, "AssertionRecorded"), 6, False),
    "repeated quote, occurrences 0 0": (_repeats(0, 0), 16, False),
    "repeated quote, occurrences 0 2": (_repeats(0, 2), 16, False),
    "repeated quote, occurrence 1 first": (_repeats(1), 15, False),
    # sources and revisions
    "stored text in NFD": (edit(5, _nfd), 6, False),
    "stored text with CRLF": (edit(1, _crlf), 2, False),
    "text edited, text_sha256 kept": (data(1, text="Harbour Gate closed on Monday. About 1,200 cars crossed it.\nOfficials reportedly said it is safe."), 2, False),
    "source appended twice": (again(5, 1, "SourceAppended"), 6, False),
    "revision numbered 3": (data(5, version=3), 6, False),
    "revision_of wrong": (data(5, revision_of=2), 6, False),
    "revision of an unknown source": (data(5, source_id="src-ffffffffffffffff"), 6, False),
    # spans
    "quote edited": (nested(2, lambda d: d["selector"].update(exact=d["selector"]["exact"].replace("Monday", "Sunday"))), 3, False),
    "prefix edited": (nested(3, lambda d: d["selector"].update(prefix=d["selector"]["prefix"][1:])), 4, False),
    "suffix edited": (nested(3, lambda d: d["selector"].update(suffix=d["selector"]["suffix"] + "x")), 4, False),
    "span past the text": (nested(2, lambda d: d["selector"].update(end=10_000)), 3, False),
    "entity text edited": (nested(3, lambda d: d["entities"][0].update(text="Harbour Gale")), 4, False),
    "entity span moved": (nested(3, _move_entity), 4, False),
    "value text edited": (nested(3, lambda d: d["values"][0].update(text="1,300")), 4, False),
    "value span past the text": (nested(3, lambda d: d["values"][0].update(start=500, end=505)), 4, False),
    "assertion in an unknown source version": (data(2, version=7), 3, False),
    # references
    "retraction of an unknown assertion": (data(11, assertion_id="as-0000000000000000"), 12, False),
    "withdrawal of an unknown assertion": (data(7, assertion_id="as-0000000000000000"), 8, False),
    "withdrawal from another source": (data(7, source_id="src-ffffffffffffffff"), 8, False),
    "withdrawal from a later version": (data(7, version=9), 8, False),
    "self-link": (data(8, b=AS_PLAIN), 9, False),
    "link to an unknown assertion": (data(8, b="as-0000000000000000"), 9, False),
    "unlink of an unknown assertion": (data(9, a="as-0000000000000000"), 10, False),
    "verdict on an unknown target": (data(10, target="as-0000000000000000"), 11, False),
    "verdict on an unknown claim": (append(("VerdictRecorded", {"target": "cl-0000000000000000", "status": "false", "note": None})), 14, False),
    "retraction moved before its assertion": (lambda lines: rehash([lines[11]] + lines[:11]), 1, False),
    # schema-only: the stdlib verifier does not check JSON Schemas
    "verdict status outside the enum": (data(10, status="probably"), 11, True),
    "unknown field in data": (data(10, confidence="high"), 11, True),
}

_ALL: list[list[bytes]] = [[]]  # the intact lines of the current test, for cases that copy from them


def tails_ledger(path):
    store = LogStore(path, fsync=False)
    for batch in all_types_payloads():
        store.append(batch, actor="t@x")
    return path.read_bytes().splitlines(keepends=True)


def _rechained_last(lines, edit):
    """The ledger with its last event edited and its hash recomputed (so only the edit is wrong)."""
    raw = orjson.loads(lines[-1])
    edit(raw)
    raw.pop("hash")
    raw["hash"] = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return lines[:-1] + [orjson.dumps(raw, option=orjson.OPT_SORT_KEYS) + b"\n"]


def _flip_quote(lines):
    last = bytearray(lines[-1])
    last[last.index(b'"', 10)] = ord("'")  # no longer JSON, still a complete line
    return lines[:-1] + [bytes(last)]


TAILS = {
    "intact": (lambda ls: ls, 0),
    "torn last line": (lambda ls: ls[:-1] + [ls[-1][:30]], 3),
    "incomplete last batch": (lambda ls: ls[:6], 3),  # the second batch's marker, its source, 1 of 3
    "incomplete batch and a torn line": (lambda ls: ls[:6] + [ls[6][:40]], 3),
    "byte flip in the last line (still JSON)": (lambda ls: ls[:-1] + [ls[-1].replace(b'"actor":"t@x"', b'"actor":"t@y"')], 1),
    "byte flip in the last line (not JSON)": (_flip_quote, 1),
    "garbage complete last line": (lambda ls: ls + [b"\x00\x00garbage\n"], 1),
    "v of 2^31 on a known type": (lambda ls: _rechained_last(ls, lambda r: r.__setitem__("v", 2**31)), 1),
    "v of 1e308 on a known type": (
        lambda ls: ls[:-1] + [_rechained_last(ls, lambda r: r.__setitem__("v", 7))[-1].replace(b'"v":7', b'"v":1e308')], 1
    ),
}


def _edited(lines, index, fn):
    """Line ``index`` edited by ``fn(raw)`` after the forger's renumbering, its hash recomputed over
    what is left, the lines after it re-chained: only the edit is wrong."""
    raw = orjson.loads(lines[index])
    raw.pop("hash")
    fn(raw)
    body = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()  # any depth
    digest = hashlib.sha256(body).hexdigest().encode()
    cut = body.rindex(b',"id":') if b',"id":' in body else len(body) - 1
    line = body[:cut] + b',"hash":"' + digest + b'"' + body[cut:] + b"\n"  # where sorted keys put it
    return rehash(lines[:index] + [line] + lines[index + 1 :], index + 1) if index + 1 < len(lines) else lines[:index] + [line]


def _nested(depth: int):
    def fn(raw):
        value = 1
        for _ in range(depth - 2):  # the event object and data count as two
            value = [value]
        raw.update(type="SomethingNew", data={"x": value})
    return fn


def _surrogate(lines):
    """A note holding a lone surrogate escape, hashed as written: valid JSON text, no UTF-8 string."""
    raw = orjson.loads(lines[10])
    raw.pop("hash")
    body = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS).replace(b'"note":null', b'"note":"\\ud800"')
    cut = body.rindex(b',"id":')
    line = body[:cut] + b',"hash":"' + hashlib.sha256(body).hexdigest().encode() + b'"' + body[cut:] + b"\n"
    return lines[:10] + [line] + lines[11:]


HOSTILE = {
    "trailing blank line": lambda ls: ls + [b"\n"],
    "empty file": lambda ls: [],
    "only a torn line": lambda ls: [ls[0][:20]],
    "CRLF line endings": lambda ls: [x[:-1] + b"\r\n" for x in ls],
    "byte-order mark": lambda ls: [b"\xef\xbb\xbf" + ls[0]] + ls[1:],
    "complete last line nested 100,000 deep": lambda ls: ls + [b"[" * 100000 + b"]" * 100000 + b"\n"],
    "torn last line nested 100,000 deep": lambda ls: ls + [b"[" * 100000],
    "event nested 254 deep": lambda ls: _edited(ls, 12, _nested(254)),
    "event nested 255 deep": lambda ls: _edited(ls, 12, _nested(255)),
    "event nested 600 deep": lambda ls: _edited(ls, 12, _nested(600)),
    "prev missing": lambda ls: _edited(ls, 8, lambda r: r.pop("prev")),
    "seq true": lambda ls: _edited(ls, 0, lambda r: r.update(seq=True)),
    "v missing": lambda ls: _edited(ls, 8, lambda r: r.pop("v")),
    "type missing": lambda ls: _edited(ls, 8, lambda r: r.pop("type")),
    "type a list": lambda ls: _edited(ls, 8, lambda r: r.update(type=[1])),
    "data a list": lambda ls: _edited(ls, 8, lambda r: r.update(data=[1])),
    "data missing": lambda ls: _edited(ls, 8, lambda r: r.pop("data")),
    "id missing": lambda ls: _edited(ls, 8, lambda r: r.pop("id")),
    "at a number": lambda ls: _edited(ls, 8, lambda r: r.update(at=5)),
    "BatchStarted data a list": lambda ls: _edited(ls, 4, lambda r: r.update(data=[3])),
    "selector start true": lambda ls: _edited(ls, 2, lambda r: r["data"]["selector"].update(start=True)),
    "value start false": lambda ls: _edited(ls, 3, lambda r: r["data"]["values"][0].update(start=False)),
    "a JSON array line": lambda ls: ls[:3] + [b"[1]\n"] + ls[4:],
    "garbage after an incomplete batch": lambda ls: ls[:6] + [b"garbage\n"],
    "invalid UTF-8 line": lambda ls: ls[:3] + [b"\xff\xfe\n"] + ls[4:],
    "invalid UTF-8 torn line": lambda ls: ls + [b"\xff\xfe"],
    "a whole event without its newline": lambda ls: ls[:-1] + [ls[-1][:-1]],
    "lone surrogate": _surrogate,
    "seq past 64 bits": lambda ls: ls[:3] + [ls[3].replace(b'"seq":4', b'"seq":1180591620717411303424')] + ls[4:],
    "seq 1e400": lambda ls: ls[:3] + [ls[3].replace(b'"seq":4', b'"seq":1e400')] + ls[4:],
    "duplicate key": lambda ls: ls[:3] + [ls[3].replace(b'"seq":4', b'"seq":4,"seq":4')] + ls[4:],
    "damage inside an incomplete batch": lambda ls: nested(5, lambda d: d.update(text_sha256="0" * 64))(ls)[:6],
    "incomplete batch and a torn line after it": lambda ls: ls[:5] + [ls[5][:50]],
    "incomplete batch cut at its marker": lambda ls: ls[:5],
    "a BatchStarted repeated inside its batch": lambda ls: ls[:5] + [ls[4]],
    "unknown type appended": append(("SomethingNew", {"x": 1})),
    "known type at v3": lambda ls: _edited(ls, 8, lambda r: r.update(v=3)),
}

AGREEMENT = {f"matrix: {name}": damage for name, (damage, _seq, _schema) in MATRIX.items()}
AGREEMENT.update({f"tail: {name}": damage for name, (damage, _code) in TAILS.items()})
AGREEMENT.update({f"hostile: {name}": damage for name, damage in HOSTILE.items()})


def prepared(case, ledger):
    """Write the ledger of ``case`` over the all-types ledger at ``ledger``."""
    if case.startswith("tail: "):  # the same events, appended as that test appends them
        ledger.unlink()
        tails_ledger(ledger)
    lines = ledger.read_bytes().splitlines(keepends=True)
    _ALL[0] = lines
    changed = AGREEMENT[case](lines)
    assert (changed == lines) == (case in ("matrix: intact", "tail: intact")), "the damage changed nothing"
    ledger.write_bytes(b"".join(changed))


