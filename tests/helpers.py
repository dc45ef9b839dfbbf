"""Helpers shared by several test modules (not a test module: pytest collects nothing here).

Test modules import from here, never from each other, so moving or deleting a test file never breaks another."""

from __future__ import annotations

import hashlib
import os
import pty
import re
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest

from ledger.events import AssertionRecorded, SourceAppended, Value
from ledger.extractors import SourceInfo, anchor
from ledger.extractors.rules import extract
from ledger.log import LogStore

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
