"""plugins/template: the exporter a plugin author copies installs with pip and passes its own tests (#13 item 15)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import pip_install_copy

from ledger.testing import build_sample_ledger, SAMPLE_IDS as IDS

TEMPLATE = Path(__file__).resolve().parents[1] / "plugins" / "template"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The template copied under a new folder (as an author would) and pip-installed into a fresh target."""
    base = tmp_path_factory.mktemp("template")
    src = base / "my-plugin"
    target = pip_install_copy(TEMPLATE, base, "my-plugin")
    assert any(target.glob("factledger_ndjson-*.dist-info/entry_points.txt"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(target), env.get("PYTHONPATH", "")) if p)
    return src, target, env


@pytest.mark.slow
def test_template_installs_and_its_own_tests_pass(installed):
    """`pytest` in the copied template passes against the pip-installed package (the contract and its checks)."""
    src, target, env = installed
    shutil.rmtree(src / "src")  # the tests must use the installed package, not the source beside them
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                            capture_output=True, text=True, env=env, cwd=src, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "10 passed" in result.stdout, result.stdout[-500:]


@pytest.mark.slow
def test_installed_template_is_a_working_format(installed, tmp_path):
    """`factledger plugins` lists it by distribution; `export ndjson` streams one JSON object per assertion."""
    _src, _target, env = installed
    ledger = build_sample_ledger(tmp_path / "ledger.jsonl")
    run = lambda *a: subprocess.run([sys.executable, "-m", "ledger", "--ledger", str(ledger), *a],  # noqa: E731
                                    capture_output=True, text=True, env=env, timeout=120)
    listing = run("plugins").stdout
    line = next(l for l in listing.splitlines() if l.startswith("ndjson "))
    assert "factledger-ndjson" in line and "exporter:ndjson" in line
    out = run("export", "ndjson", "-O", "fields=assertion_id,speaker")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert {"assertion_id": IDS["a-quote"], "speaker": "Ines Okafor"} in rows
