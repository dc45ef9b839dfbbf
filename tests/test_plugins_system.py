"""The plugin system: entry-point discovery, user control, validation, and broken plugins named, not fatal."""

from __future__ import annotations


import orjson
import pytest

import ledger
from ledger import plugins
from ledger.exporters import ExporterSpec
from ledger.testing import build_sample_ledger, SAMPLE_IDS as IDS
from helpers import factledger, make_dist


GOOD = """
    import ledger
    from ledger.exporters import ExporterSpec

    def write(context, out):
        for a in context.assertions():
            out.write(a.assertion_id.encode() + b"\\n")

    @ledger.hookimpl
    def register_exporters(register):
        register(ExporterSpec(name="ids", media_type="text/plain", extension="txt", write=write))
"""

BROKEN_IMPORT = """
    raise ImportError("No module named 'frobnicate'")
"""

RAISES_IN_HOOK = """
    import ledger

    @ledger.hookimpl
    def register_exporters(register):
        raise RuntimeError("config file missing")
"""

BAD_COMMANDS = """
    import ledger

    @ledger.hookimpl
    def register_commands(cli):
        raise KeyError("no such group")
"""

TYPO = """
    import ledger

    @ledger.hookimpl
    def register_exporter(register):  # singular: a typo pluggy would silently ignore
        pass
"""


@pytest.fixture
def site(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    make_dist(site, "fl-good", "2.3.1", {"ids": "fl_good"}, {"fl_good": GOOD})
    make_dist(site, "fl-broken", "0.1", {"broken": "fl_broken"}, {"fl_broken": BROKEN_IMPORT})
    make_dist(site, "fl-raises", "0.1", {"raises": "fl_raises"}, {"fl_raises": RAISES_IN_HOOK})
    make_dist(site, "fl-typo", "0.1", {"typo": "fl_typo"}, {"fl_typo": TYPO})
    make_dist(site, "fl-cmds", "0.1", {"cmds": "fl_cmds"}, {"fl_cmds": BAD_COMMANDS})
    return site


def test_broken_plugins_are_named_and_the_rest_works(site, tmp_path):
    """Plugins that fail to import, raise in a hook or misspell a hook are named; a good plugin still exports."""
    ledger_path = build_sample_ledger(tmp_path / "ledger.jsonl")
    result = factledger(site, "--ledger", str(ledger_path), "export", "ids")
    assert result.returncode == 0, result.stderr
    assert IDS["a-quote"] in result.stdout.split()
    assert "plugin 'broken' (fl_broken) failed to load: ImportError: No module named 'frobnicate'" in result.stderr
    assert "plugin 'typo' (fl_typo) failed to load" in result.stderr and "register_exporter" in result.stderr
    assert "plugin 'raises' failed in register_exporters: RuntimeError: config file missing" in result.stderr
    assert "plugin 'cmds' failed in register_commands: KeyError" in result.stderr
    listing = factledger(site, "plugins", "--json", "--all")
    data = orjson.loads(listing.stdout)
    assert "plugin 'raises' failed in register_exporters: RuntimeError: config file missing" in data["errors"]["raises"]
    by_name = {p["name"]: p for p in data["plugins"]}
    assert by_name["broken"]["status"] == "failed" and by_name["raises"]["status"] == "failed"
    assert by_name["ids"] | {"path": None} == {
        "name": "ids", "version": "2.3.1", "builtin": False, "distribution": "fl-good", "module": "fl_good",
        "path": None, "status": "loaded", "hooks": ["register_exporters"], "provides": ["exporter:ids"], "error": None,
    }
    assert by_name["csv"]["builtin"] and by_name["csv"]["version"] == ledger.__version__


def test_load_plugins_env_limits_third_party(site):
    """FACTLEDGER_LOAD_PLUGINS loads only the listed third-party plugins; empty loads none (built-ins stay)."""
    only = orjson.loads(factledger(site, "plugins", "--json", env={"FACTLEDGER_LOAD_PLUGINS": "ids"}).stdout)
    third_party = {p["name"] for p in only["plugins"] if not p["builtin"]}
    assert third_party == {"ids"} and not only["errors"]
    none = orjson.loads(factledger(site, "plugins", "--json", env={"FACTLEDGER_LOAD_PLUGINS": ""}).stdout)
    names = {p["name"] for p in none["plugins"]}
    assert "ids" not in names and {"csv", "jsonld", "markdown"} <= names and not none["errors"]


def test_disable_plugin_option_and_env(site, tmp_path):
    """--disable-plugin and FACTLEDGER_DISABLE_PLUGINS block a plugin (never imported, so no error either)."""
    out = factledger(site, "--disable-plugin", "broken", "--disable-plugin", "csv", "plugins", "--json", "--all")
    data = orjson.loads(out.stdout)
    status = {p["name"]: p["status"] for p in data["plugins"]}
    assert status["broken"] == "disabled" and status["csv"] == "disabled" and "broken" not in data["errors"]
    ledger_path = build_sample_ledger(tmp_path / "ledger.jsonl")
    refused = factledger(site, "--ledger", str(ledger_path), "export", "csv", env={"FACTLEDGER_DISABLE_PLUGINS": "csv,typo"})
    assert refused.returncode == 1
    assert "Error: no export format named 'csv'" in refused.stderr and "typo" not in refused.stderr


class _Plugin:
    def __init__(self, *specs):
        self.specs = specs

    @ledger.hookimpl
    def register_exporters(self, register):
        for spec in self.specs:
            register(spec)


def _spec(name, **kw):
    return ExporterSpec(name=name, media_type="text/plain", extension="txt", write=lambda c, o: None, **kw)


@pytest.fixture
def registered():
    names = []

    def add(plugin, name):
        plugins.register_plugin(plugin, name)
        names.append(name)

    yield add
    for name in names:
        plugins.unregister_plugin(name)


def test_duplicate_format_name_names_both_plugins_and_fails_neither(registered):
    """A name two plugins register goes to the alphabetically first; the warning names both; neither plugin fails."""
    registered(_Plugin(_spec("dup-fmt"), _spec("only-second")), "second-plugin")
    registered(_Plugin(_spec("dup-fmt")), "first-plugin")
    found = plugins.exporters()
    assert found["dup-fmt"].plugin == "first-plugin" and found["only-second"].plugin == "second-plugin"
    assert "second-plugin" not in plugins.LOAD_ERRORS and "first-plugin" not in plugins.LOAD_ERRORS
    note = next(m for m in plugins.problems() if "'dup-fmt'" in m)
    assert "provided by plugins 'first-plugin', 'second-plugin'; using 'first-plugin'" in note


def test_invalid_registrations_are_refused(registered):
    """Missing fields, a non-callable write, a bad name or a wrong type are refused with the plugin's name."""
    cases = {
        "p-empty-ext": ExporterSpec(name="x1", media_type="text/plain", extension="", write=lambda c, o: None),
        "p-not-callable": ExporterSpec(name="x2", media_type="text/plain", extension="txt", write="nope"),
        "p-bad-name": _spec("Bad Name"),
        "p-no-views": _spec("x3", views=()),
    }
    for plugin_name, spec in cases.items():
        registered(_Plugin(spec), plugin_name)
    registered(_Plugin("not a spec"), "p-wrong-type")
    found = plugins.exporters()
    assert not {"x1", "x2", "Bad Name", "x3"} & set(found)
    errors = plugins.LOAD_ERRORS
    assert "without 'extension'" in errors["p-empty-ext"]
    assert "'write' that is not callable" in errors["p-not-callable"]
    assert "must be lower-case" in errors["p-bad-name"]
    assert "without 'views'" in errors["p-no-views"]
    assert "expected a ExporterSpec" in errors["p-wrong-type"]


def test_register_plugin_refuses_unknown_hook():
    """An in-process plugin with a misspelt hook is refused at registration, not silently ignored."""
    import pluggy

    class Typo:
        @ledger.hookimpl
        def register_exporter(self, register):
            pass

    with pytest.raises(pluggy.PluginValidationError, match="register_exporter"):
        plugins.register_plugin(Typo(), "typo-inproc")
    assert plugins.pm.get_plugin("typo-inproc") is None


def test_plugins_table_lists_version_origin_and_hooks(run_cli):
    """`factledger plugins` prints each plugin with its version, origin and hooks."""
    result = run_cli("plugins")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("csv "))
    assert ledger.__version__ in line and "built-in" in line and "register_exporters" in line and "exporter:csv" in line
