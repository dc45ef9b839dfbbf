"""The plugin contracts of ledger.testing run against the built-ins and an in-process matcher;
and in-process tests see only the plugins the suite installs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from helpers import make_dist

from ledger import hookimpl, plugins
from ledger.extractors import Extracted, ExtractorSpec
from ledger.projections.claims import MatcherSpec
from ledger.testing import TEXT_A, ExtractorContract, MatcherContract


class TestRulesExtractor(ExtractorContract):
    extractor_name = "rules"
    plugin_name = "rules"


def _shared_digits(a, b) -> float:
    da = {q.text for q in a.quantities}
    db = {q.text for q in b.quantities}
    return len(da & db) / len(da | db) if da | db else 0.0


class _DigitsPlugin:
    @hookimpl
    def register_matchers(self, register):
        register(MatcherSpec(name="shared-digits", score=_shared_digits, weight=0.2))


class TestAMatcher(MatcherContract):
    """The suite installs the matcher it tests (in-process), then runs the contract on it."""

    matcher_name = "shared-digits"

    @pytest.fixture(autouse=True)
    def _installed(self):
        plugins.register_plugin(_DigitsPlugin(), "test-digits")
        plugins._registries.pop("register_matchers", None)
        yield
        plugins.unregister_plugin("test-digits")
        plugins._registries.pop("register_matchers", None)


# -- the contracts catch what they promise to catch ---------------------------------------------------------------


def _contract_with(extract, name: str):
    """An ExtractorContract instance whose spec is ``extract``, bypassing registration."""
    spec = ExtractorSpec(name=name, version="0.1", extract=extract)
    return ExtractorContract(), spec


def test_extractor_contract_catches_a_span_outside_the_text():
    contract, spec = _contract_with(lambda text, info: [Extracted(kind="statement", start=0, end=len(text) + 5)], "wide")
    with pytest.raises(AssertionError, match="outside"):
        contract.test_spans_inside_the_text(spec)


def test_extractor_contract_catches_nondeterminism():
    calls = iter(range(10_000))
    contract, spec = _contract_with(
        lambda text, info: [Extracted(kind="statement", start=0, end=1 + next(calls) % 3)], "moody")
    with pytest.raises(AssertionError):
        contract.test_deterministic(spec)


def test_extractor_contract_catches_network_use(monkeypatch):
    def phoning(text, info):
        import socket

        try:
            socket.create_connection(("127.0.0.1", 9), timeout=0.1)
        except OSError:
            pass
        return [Extracted(kind="statement", start=0, end=5)]

    contract, spec = _contract_with(phoning, "phoning")
    with pytest.raises(AssertionError, match="network"):
        contract.test_offline(spec, monkeypatch)


def test_matcher_contract_catches_scores_out_of_range(tmp_path):
    contract = MatcherContract()
    spec = MatcherSpec(name="too-big", score=lambda a, b: 2.0)
    feats = MatcherContract.features.__wrapped__(contract, tmp_path)
    with pytest.raises(AssertionError, match="score"):
        contract.test_scores_are_floats_in_unit_range(spec, feats)


def test_in_process_tests_do_not_load_installed_third_party_plugins(tmp_path):
    """A plugin installed on the path is not loaded with this suite's environment; built-ins are."""
    assert TEXT_A  # the contract texts are importable without pytest fixtures
    site = tmp_path / "site"
    make_dist(site, "stray-plugin", "1.0", {"stray": "stray_mod"},
              {"stray_mod": "import ledger\n@ledger.hookimpl\ndef register_exporters(register):\n    pass\n"})
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    code = "from ledger import plugins; print(sorted(i.name for i in plugins.plugin_infos(include_inactive=True)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "stray" not in out.stdout and "rules" in out.stdout
    del env["FACTLEDGER_LOAD_PLUGINS"]  # without the suite's setting the stray plugin would load
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "'stray'" in out.stdout
