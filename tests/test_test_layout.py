"""Test modules import shared helpers from tests/helpers.py or conftest.py, never from each other (#17),
so moving or deleting a test file never breaks another."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _test_imports(source: str) -> list[str]:
    """Names of test modules (``test_*``) that ``source`` imports, at any depth of the file."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [n for n in names if n.split(".")[-1].startswith("test_") or n.startswith("tests.test_")]
    return found


def test_no_test_module_imports_another():
    offenders = {p.name: _test_imports(p.read_text(encoding="utf-8")) for p in sorted(TESTS.glob("*.py"))}
    offenders = {name: found for name, found in offenders.items() if found}
    assert not offenders, f"move what these share into tests/helpers.py: {offenders}"


def test_an_import_inside_a_function_is_caught():
    assert _test_imports("def f():\n    from test_tamper import _rehash_from\nimport helpers\n") == ["test_tamper"]
