"""The real third-party plugin in plugins/factledger-sqlite, installed from its path and run via the CLI."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import pip_install_copy

from ledger.testing import build_sample_ledger

PLUGIN = Path(__file__).resolve().parents[1] / "plugins" / "factledger-sqlite"

pytest.importorskip("sqlite_utils")
pytestmark = pytest.mark.slow  # a real pip install of the plugin, then its suite in a subprocess


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The plugin installed into a fresh folder (a copy of its source, so the checkout stays clean)."""
    base = tmp_path_factory.mktemp("sqlite-plugin")
    src = base / "src"
    # The test extra requires setuptools >= 70.1, which builds the wheel offline without
    # the separate 'wheel' package, so this is a real pip install from the plugin's path.
    target = pip_install_copy(PLUGIN, base, "src")
    assert (target / "factledger_sqlite").is_dir()
    assert any(target.glob("factledger_sqlite-*.dist-info/entry_points.txt"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(target), env.get("PYTHONPATH", "")) if p)
    return src, env


def test_cli_discovers_and_exports_sqlite(installed, tmp_path):
    """`factledger plugins` lists it by distribution and version; `export sqlite -o` builds a searchable database."""
    _src, env = installed
    ledger = build_sample_ledger(tmp_path / "ledger.jsonl")
    listing = subprocess.run([sys.executable, "-m", "ledger", "plugins"], capture_output=True, text=True, env=env, timeout=120)
    line = next(l for l in listing.stdout.splitlines() if l.startswith("sqlite "))
    assert "0.1.0" in line and "factledger-sqlite" in line and "exporter:sqlite" in line
    out = tmp_path / "facts.db"
    result = subprocess.run(
        [sys.executable, "-m", "ledger", "--ledger", str(ledger), "export", "sqlite", "-o", str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(out) as conn:
        hits = conn.execute("SELECT rowid FROM assertions_fts WHERE assertions_fts MATCH 'ashore'").fetchall()
        assert len(hits) == 2
    refused = subprocess.run(
        [sys.executable, "-m", "ledger", "--ledger", str(ledger), "export", "sqlite"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert refused.returncode == 1 and "give -o PATH" in refused.stderr


def test_plugin_own_test_suite_passes(installed):
    """The plugin's own tests (the exporter contract and its database checks) pass against the install."""
    src, env = installed
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(src / "tests")],
        capture_output=True, text=True, env=env, cwd=src, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
