"""Fast start (#12): a command imports only what it uses, and plugins load only when needed.

The lazy table must name every command, its module and the help ``factledger --help`` prints
for it without importing it; a view must run without importing the extractor, the claims
matcher or any other command's module."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys

import click
import pytest

import ledger.cli
from ledger import plugins
from ledger.cli import LAZY, cli


def _first_paragraph(cmd: click.Command) -> str:
    return " ".join(inspect.cleandoc(cmd.help or "").split("\n\n")[0].split())


def test_the_lazy_table_names_every_command_its_module_and_help():
    for info in pkgutil.iter_modules(ledger.cli.__path__):
        importlib.import_module(f"ledger.cli.{info.name}")  # a command missing from the table shows up here
    core = {n: c for n, c in cli.commands.items() if c.callback.__module__.startswith("ledger.cli.")}
    assert set(core) == set(LAZY), "add new commands to ledger.cli.LAZY"
    for name, cmd in core.items():
        module, help_text = LAZY[name]
        assert cmd.callback.__module__ == f"ledger.cli.{module}", name
        assert help_text == _first_paragraph(cmd), name


def test_builtin_plugins_add_no_commands():
    """What lets --help skip importing them when no third-party plugin is installed."""
    plugins.load_plugins()
    for impl in plugins.pm.hook.register_commands.get_hookimpls():
        info = next((i for i in plugins.plugin_infos() if plugins.pm.get_plugin(i.name) is impl.plugin), None)
        assert info is None or not info.builtin, info


PROBE = """
import sys
from ledger.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = ("ledger.extractors", "ledger.projections.claims", "ledger.projections.views", "ledger.ingest",
         "ledger.audit", "ledger.exporters", "ledger.cli.audit", "ledger.cli.append", "cattrs")
print(",".join(sorted(m for m in sys.modules if m.startswith(heavy))), file=sys.stderr)
"""


def _imported(*args: str, cwd, probe: str = PROBE) -> set[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    last = (done.stderr.strip().splitlines() or [""])[-1]
    return {m for m in last.split(",") if m}


@pytest.fixture
def storable_ledger(tmp_ledger):
    """Every payload type the projection store keeps (a SourceMetadataCorrected makes views fold the
    log instead: the store cannot re-date rows; test_metadata_correction.py covers that path)."""
    from conftest import all_types_payloads

    from ledger.events import SourceMetadataCorrected
    from ledger.log import LogStore

    store = LogStore(tmp_ledger, fsync=False)
    for batch in all_types_payloads():
        if not any(isinstance(p, SourceMetadataCorrected) for p in batch):
            store.append(batch, actor="tester@example")
    return tmp_ledger


def test_a_warm_view_and_help_import_only_what_they_use(storable_ledger):
    all_types_ledger = storable_ledger
    ledger_path = str(all_types_ledger)
    _imported("--ledger", ledger_path, "sources", cwd=all_types_ledger.parent)  # builds the store (uses the fold's code)
    for args in (["sources"], ["assertions", "--json"], ["entities"], ["timeline", "--json"]):
        assert _imported("--ledger", ledger_path, *args, cwd=all_types_ledger.parent) == set(), args
    assert _imported("--help", cwd=all_types_ledger.parent) <= {"ledger.cli.main"}


def test_help_imports_neither_attrs_nor_pluggy_nor_the_log(tmp_path):
    """``factledger --help`` is click and the group only (#12: under 0.15 s CPU, bench/views_bench.py)."""
    probe = PROBE.replace("heavy = (", 'heavy = ("attr", "pluggy", "ledger.log", "ledger.events", "ledger.plugins", "importlib.metadata", ')
    assert _imported("--help", cwd=tmp_path, probe=probe) == set()


def test_the_third_party_plugin_scan_agrees_with_importlib_metadata(tmp_path, monkeypatch):
    """--help skips the plugins only when no distribution but factledger declares a ``factledger`` entry point."""
    import importlib.metadata

    cli_main = importlib.import_module("ledger.cli.main")  # ledger.cli.main is also the main() function
    expected = all(ep.dist is not None and ep.dist.name == "factledger"
                   for ep in importlib.metadata.entry_points(group=plugins.GROUP))
    assert cli_main._only_builtin_plugins() == expected
    other = tmp_path / "Some_Tool-2.0.dist-info"
    other.mkdir()
    (other / "entry_points.txt").write_text("[console_scripts]\nsome-tool = some_tool:main\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cli_main._only_builtin_plugins() == expected
    plugin = tmp_path / "factledger_thing-1.0.dist-info"
    plugin.mkdir()
    (plugin / "entry_points.txt").write_text("[factledger]\nthing = factledger_thing\n")
    assert cli_main._only_builtin_plugins() is False


def test_loading_the_plugins_does_not_import_the_rules_pipeline(tmp_path):
    """Every export loads the plugins; the built-in extractor registers without its pipeline (~0.2 s
    of imports), which loads on the first extract, through the same registered spec."""
    probe = """
import sys
from ledger import plugins
plugins.load_plugins()
spec = plugins.get_extractor("rules")
before = "ledger.extractors.rules.pipeline" in sys.modules
from ledger.extractors import SourceInfo
found = list(spec.extract("The council said on Monday that 40 homes were flooded.", SourceInfo()))
print(before, "ledger.extractors.rules.pipeline" in sys.modules, len(found) > 0, file=sys.stderr)
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.split() == ["False", "True", "True"], done.stderr
