"""docs/cli.md and the tutorial code in docs/plugins.md are generated from the code (docs/generate.py):
these tests fail when either drifts from what it copies."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATE = ROOT / "docs" / "generate.py"


def _check(env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.update(env_extra or {})
    return subprocess.run([sys.executable, str(GENERATE), "--check"], capture_output=True, text=True, env=env, timeout=120)


def test_cli_reference_and_tutorial_are_current():
    """`docs/generate.py --check` (a fresh process, so no test's registrations leak in) finds nothing stale."""
    result = _check()
    assert result.returncode == 0, result.stderr


def test_cli_reference_lists_every_command_with_its_options():
    from ledger.cli import cli

    doc = (ROOT / "docs" / "cli.md").read_text("utf-8")
    import click

    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        assert f"## factledger {name}\n" in doc, f"docs/cli.md lacks `factledger {name}`"
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in doc, f"docs/cli.md lacks {opt} of `factledger {name}`"


def test_a_changed_tutorial_region_is_caught(tmp_path):
    """The include machinery compares real text: a block that differs from its region is rewritten."""
    gen = runpy.run_path(str(GENERATE))
    doc = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    assert "<!-- include: plugins/factledger-sqlite/src/factledger_sqlite/__init__.py#spec -->" in doc
    assert "import sqlite_utils" in doc  # the snippet the issue found missing is there, from the code
    drifted = doc.replace("import sqlite_utils\n", "", 1)
    assert drifted != doc and gen["with_includes"](drifted) == doc
    with pytest.raises(SystemExit, match="no region"):
        gen["region"](ROOT / "plugins" / "factledger-sqlite" / "src" / "factledger_sqlite" / "__init__.py", "nope")

