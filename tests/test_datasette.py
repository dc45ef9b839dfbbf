"""A ready Datasette of a ledger (#13 item 18): the sqlite plugin's export plus its metadata, served
by a real Datasette on 127.0.0.1, read as pages and JSON, and one page screenshotted in Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from ledger.testing import build_sample_ledger, SAMPLE_IDS as IDS, SRC_A

pytest.importorskip("datasette", reason="datasette is in the test extra: pip install -e '.[test]'")
pytest.importorskip("sqlite_utils")

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_SRC = ROOT / "plugins" / "factledger-sqlite" / "src"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PLUGIN_SRC), str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    return env


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The sample ledger exported with the plugin (entry point supplied by a throwaway dist-info)."""
    base = tmp_path_factory.mktemp("datasette")
    site = base / "site"
    info = site / "factledger_sqlite-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: factledger-sqlite\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[factledger]\nsqlite = factledger_sqlite\n")
    env = _env()
    env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    ledger = build_sample_ledger(base / "ledger.jsonl")
    db = base / "facts.db"
    out = subprocess.run([sys.executable, "-m", "ledger", "--ledger", str(ledger), "export", "sqlite", "-o", str(db)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    meta = base / "facts.datasette.json"
    assert meta.exists(), "the export writes the Datasette metadata beside the database"
    return db, meta, env


@pytest.fixture(scope="module")
def server(exported):
    db, meta, env = exported
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db), "--metadata", str(meta), "--host", "127.0.0.1",
         "--port", str(port), "--setting", "sql_time_limit_ms", "5000"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"datasette did not start: {proc.stdout.read().decode()[-2000:]}")
            time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as r:
        assert r.status == 200
        return r.read().decode("utf-8")


def _json(url: str) -> dict:
    return json.loads(_get(url))


@pytest.mark.slow
def test_metadata_facets_search_and_links(server):
    """Titles and descriptions, facets on outlet/speaker/kind/modality, FTS on quotes, links to source text."""
    home = _get(server + "/")
    assert "The views of a factledger ledger as of seq" in home
    database = _get(server + "/facts")
    assert "Fact ledger" in database and "follow an assertion to its source text" in database
    assert "Conflicts between sources" in database and "A speaker&#39;s statements" in database
    table = _json(server + "/facts/assertions.json?_extra=facet_results&_extra=metadata&_shape=objects")
    facets = table["facet_results"]
    facets = facets.get("results", facets)
    assert {"outlet", "speaker", "kind", "modality"} <= set(facets)
    outlets = {v["value"] for v in facets["outlet"]["results"]}
    assert outlets == {"Harbour Gazette", "Coast Courier"}
    hits = _json(server + "/facts/assertions.json?_search=ashore&_shape=objects")["rows"]
    assert {h["assertion_id"] for h in hits} == {IDS["a-quote"], IDS["b-safe"]}
    quote = _json(server + f"/facts/assertions/{IDS['a-quote']}.json?_shape=objects")["rows"][0]
    page = _get(server + f"/facts/assertions?assertion_id={IDS['a-quote']}")
    assert f'href="/facts/source_texts/{urllib.parse.quote(quote["text_id"])}"' in page
    text = _json(server + f"/facts/source_texts/{urllib.parse.quote(quote['text_id'])}.json?_shape=objects")["rows"][0]
    assert text["text"][quote["start"] : quote["end"]] == quote["exact"]


@pytest.mark.slow
def test_canned_queries(server):
    """Conflicts, a speaker's statements (any part of the name) and what a revision changed."""
    conflicts = _json(server + "/facts/conflicts.json?_shape=objects")["rows"]
    assert conflicts and {"quote_a", "quote_b", "outlet_a", "outlet_b"} <= set(conflicts[0])
    said = _json(server + "/facts/speaker_statements.json?speaker=okafor&_shape=objects")["rows"]
    assert [r["assertion_id"] for r in said] == [IDS["a-quote"]]
    changed = _json(server + f"/facts/revision_changes.json?source_id={SRC_A}&_shape=objects")["rows"]
    assert {(r["change"], r["assertion_id"]) for r in changed} >= {("added", IDS["a-repairs2"]), ("withdrawn", IDS["a-repairs"])}
    page = _get(server + "/facts/conflicts")
    assert "Conflicts between sources" in page


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium); "
                                             "the page and JSON tests above still ran")
def test_screenshot_of_the_assertions_page(server, tmp_path):
    """Headless Chromium renders the faceted assertions page: a real PNG, not blank."""
    shot = tmp_path / "assertions.png"
    profile = tmp_path / "profile"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--window-size=1280,900", f"--screenshot={shot}",
           server + "/facts/assertions"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert shot.exists(), run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 900)
    colours = _distinct_colours(shot)
    assert colours > 50, f"the page looks blank ({colours} colours)"
    keep = os.environ.get("FACTLEDGER_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)


def _distinct_colours(png: Path) -> int:
    """Distinct RGB values in a PNG (decoded with zlib; 8-bit RGB/RGBA, non-interlaced, as Chromium writes)."""
    import struct
    import zlib

    data = png.read_bytes()
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, _h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    seen = set()
    i = 0
    while i < len(raw):
        f, line = raw[i], bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 0xFF
            elif f == 2:
                line[x] = (line[x] + b) & 0xFF
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        prev = line
        for x in range(0, stride, bpp * 7):
            seen.add(bytes(line[x : x + 3]))
    return len(seen)
