"""docs/architecture.md's layer table names every module of src/ledger, and nothing that is gone (#17)."""

from __future__ import annotations

import re
from pathlib import Path

import ledger

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(ledger.__file__).resolve().parent


def _table(text: str) -> str:
    """The rows of the first Markdown table (the layer table)."""
    rows = re.search(r"^\| layer \|.*?\n((?:\|.*\n)+)", text, re.M)
    assert rows, "docs/architecture.md lost its layer table"
    return rows.group(1)


def _named(table: str) -> set[str]:
    """Modules the table names: ``ledger/x.py`` as written, a package's ``__init__.py`` as ``ledger/pkg/``."""
    names = set()
    for path in re.findall(r"`(ledger/[\w/]*(?:\.py|/))`", table):
        names.add(path + "__init__.py" if path.endswith("/") else path)
    return names


def _modules() -> set[str]:
    return {"ledger/" + p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")}


def test_the_layer_table_lists_every_module():
    table = _table((ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"))
    named = _named(table)
    assert not _modules() - named, f"add to docs/architecture.md's layer table: {sorted(_modules() - named)}"
    assert not named - _modules(), f"the layer table names modules that do not exist: {sorted(named - _modules())}"


def test_a_missing_module_is_caught():
    """The check is not vacuous: a table without one module's row fails it."""
    table = _table((ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"))
    cut = "\n".join(row for row in table.splitlines() if "`ledger/projections/diff.py`" not in row)
    assert "ledger/projections/diff.py" in _modules() - _named(cut)
