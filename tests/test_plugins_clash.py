"""Clashing format names, tracing through the PluginManager, entry-point errors, one warning per problem (#13 items 12-14)."""

from __future__ import annotations

import pytest

import ledger
from ledger import plugins
from ledger.testing import ExporterContract, build_sample_ledger

from helpers import factledger, make_dist


def _exporter_module(*formats: str, marker: str) -> str:
    specs = "\n".join(
        f"    register(ExporterSpec(name={f!r}, media_type='text/plain', extension='txt', write=write))" for f in formats
    )
    return f"""
import ledger
from ledger.exporters import ExporterSpec

def write(context, out):
    out.write(b"{marker}\\n")

@ledger.hookimpl
def register_exporters(register):
{specs}
"""


@pytest.fixture
def clash_site(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    # 'zeta' sorts after 'alpha' though its distribution sorts first: the rule is by plugin name.
    make_dist(site, "a-dist", "1.0", {"zeta": "fl_zeta"}, {"fl_zeta": _exporter_module("ndjson", "zonly", marker="zeta")})
    make_dist(site, "b-dist", "1.0", {"alpha": "fl_alpha"}, {"fl_alpha": _exporter_module("ndjson", "aonly", marker="alpha")})
    make_dist(site, "c-dist", "1.0", {"shadow": "fl_shadow"}, {"fl_shadow": _exporter_module("csv", "sonly", marker="shadow")})
    make_dist(site, "d-dist", "1.0", {"attrmiss": "fl_attrmiss:plugin"}, {"fl_attrmiss": "x = 1\n"})
    return site


@pytest.mark.slow  # several factledger subprocesses
def test_clash_refuses_only_the_clashing_format_with_a_predictable_winner(clash_site, tmp_path):
    """Two plugins registering 'ndjson': both keep their other formats; the alphabetically first plugin wins;
    a built-in always beats a third party; the loser is reachable as plugin:format or by FACTLEDGER_PREFER."""
    ledger_path = build_sample_ledger(tmp_path / "ledger.jsonl")
    base = ("--ledger", str(ledger_path), "export")
    won = factledger(clash_site, *base, "ndjson")
    assert won.returncode == 0, won.stderr
    assert won.stdout == "alpha\n"
    clash_lines = [line for line in won.stderr.splitlines() if "'ndjson'" in line]
    assert len(clash_lines) == 1 and "using 'alpha'" in clash_lines[0] and "FACTLEDGER_PREFER=ndjson=zeta" in clash_lines[0]
    for fmt, marker in (("zonly", "zeta"), ("aonly", "alpha"), ("sonly", "shadow")):
        out = factledger(clash_site, *base, fmt)
        assert out.returncode == 0 and out.stdout == f"{marker}\n", (fmt, out.stderr)
    assert factledger(clash_site, *base, "zeta:ndjson").stdout == "zeta\n"
    preferred = factledger(clash_site, *base, "ndjson", env={"FACTLEDGER_PREFER": "ndjson=zeta"})
    assert preferred.stdout == "zeta\n" and "'ndjson'" not in preferred.stderr
    builtin = factledger(clash_site, *base, "csv")
    assert builtin.stdout.startswith("assertion_id,") and "using 'csv'" in builtin.stderr
    listing = factledger(clash_site, "plugins", "--json", "--all")
    import orjson

    status = {p["name"]: p["status"] for p in orjson.loads(listing.stdout)["plugins"]}
    assert status["zeta"] == status["alpha"] == status["shadow"] == "loaded"


class _Fmt:
    def __init__(self, marker):
        self.marker = marker

    @ledger.hookimpl
    def register_exporters(self, register):
        from ledger.exporters import ExporterSpec

        marker = self.marker.encode()

        def write(context, out):
            for a in context.assertions():
                out.write(marker + a.assertion_id.encode() + b"\n")

        register(ExporterSpec(name="clash-fmt", media_type="text/plain", extension="txt", write=write))


@pytest.fixture
def two_providers():
    plugins.register_plugin(_Fmt("a:"), "aaa-winner")
    plugins.register_plugin(_Fmt("z:"), "zzz-loser")
    yield
    plugins.unregister_plugin("aaa-winner")
    plugins.unregister_plugin("zzz-loser")


class _LoserContract(ExporterContract):
    exporter_name = "clash-fmt"
    plugin_name = "zzz-loser"


class _AmbiguousContract(ExporterContract):
    exporter_name = "clash-fmt"


def test_contract_tests_the_spec_of_the_plugin_under_test(two_providers):
    """ExporterContract with plugin_name tests that plugin's own spec, not the winner's; without it a clash fails."""
    spec = _LoserContract.spec.__wrapped__(_LoserContract())
    assert spec is plugins.qualified("register_exporters")["zzz-loser:clash-fmt"].item
    assert spec is not plugins.get_exporter("clash-fmt")
    _LoserContract().test_registered_with_valid_spec(spec)
    with pytest.raises(AssertionError, match="set plugin_name"):
        _AmbiguousContract.spec.__wrapped__(_AmbiguousContract())

    class Missing(ExporterContract):
        exporter_name = "clash-fmt"
        plugin_name = "not-installed"

    with pytest.raises(AssertionError, match="does not register format 'clash-fmt'"):
        Missing.spec.__wrapped__(Missing())


def test_trace_env_traces_hook_calls(tmp_path):
    """FACTLEDGER_TRACE_PLUGINS=1 shows pluggy's trace of the hook calls factledger makes."""
    ledger_path = build_sample_ledger(tmp_path / "ledger.jsonl")
    site = tmp_path / "site"
    site.mkdir()
    out = factledger(site, "--ledger", str(ledger_path), "export", "csv", env={"FACTLEDGER_TRACE_PLUGINS": "1"})
    assert out.returncode == 0, out.stderr
    assert "register_exporters [hook]" in out.stderr
    assert "finish register_exporters" in out.stderr


def test_hook_calls_go_through_the_plugin_manager(two_providers):
    """Hook monitoring (pluggy's add_hookcall_monitoring) sees every call that fills the registries."""
    seen = []
    undo = plugins.pm.add_hookcall_monitoring(lambda name, impls, kwargs: seen.append((name, [i.plugin_name for i in impls])),
                                              lambda outcome, name, impls, kwargs: None)
    try:
        plugins._reset_registries()
        plugins.exporters()
    finally:
        undo()
    called = [names[0] for name, names in seen if name == "register_exporters"]
    assert {"csv", "aaa-winner", "zzz-loser"} <= set(called)


@pytest.mark.slow  # several factledger subprocesses
def test_missing_attribute_named_and_each_problem_warned_once(clash_site, tmp_path):
    """module:attr with no attr says so (not 'No module named ...'); every problem is one line, once per command."""
    ledger_path = build_sample_ledger(tmp_path / "ledger.jsonl")
    for args in (("plugins",), ("plugins", "--all"), ("--ledger", str(ledger_path), "export", "zonly"),
                 ("--ledger", str(ledger_path), "claims")):
        out = factledger(clash_site, *args)
        lines = [line for line in out.stderr.splitlines() if "attrmiss" in line]
        assert len(lines) == 1, (args, out.stderr)
        assert "AttributeError: module 'fl_attrmiss' has no attribute 'plugin'" in lines[0]
        assert "No module named" not in out.stderr
        assert len(out.stderr.splitlines()) == len(set(out.stderr.splitlines())), out.stderr
    # The plain views use no plugin and load none (#12 fast start): nothing to warn about.
    out = factledger(clash_site, "--ledger", str(ledger_path), "sources")
    assert out.returncode == 0 and "attrmiss" not in out.stderr, out.stderr
