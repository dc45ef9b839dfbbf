"""docs/plugins.md documents every hook exactly as hookspecs.py declares it, and its examples match the code."""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

from ledger import hookspecs
from ledger.plugins import HOOK_NAMES

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "plugins.md"


def _reference() -> dict[str, tuple[str, str]]:
    """Hook name -> (argument list, section text) from the reference part of the doc."""
    text = DOC.read_text("utf-8").split("## Reference: hooks", 1)[1]
    sections = re.split(r"^### ", text, flags=re.M)[1:]
    found = {}
    for section in sections:
        m = re.match(r"`(\w+)\(([^)]*)\)`", section)
        assert m, f"reference heading is not `name(args)`: {section[:40]!r}"
        found[m.group(1)] = (m.group(2), section)
    return found


def test_every_hook_is_documented_with_its_signature():
    """Each hook in hookspecs.py has a reference section whose `name(args)` matches its signature."""
    documented = _reference()
    assert set(documented) == set(HOOK_NAMES), "hooks and docs differ"
    for name, (args, _section) in documented.items():
        params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert args == params, f"{name}: doc says ({args}), hookspecs says ({params})"


def test_reference_summary_matches_the_docstring():
    """Each reference section repeats the first line of the hook's docstring, the plugin author's reference."""
    for name, (_args, section) in _reference().items():
        summary = inspect.getdoc(getattr(hookspecs, name)).splitlines()[0]
        assert summary in section, f"{name}: docstring summary missing from docs"


def test_tutorial_entry_point_is_the_real_plugin_one():
    """The tutorial's entry point and dependencies are those of plugins/factledger-sqlite."""
    meta = tomllib.loads((ROOT / "plugins" / "factledger-sqlite" / "pyproject.toml").read_text("utf-8"))["project"]
    doc = DOC.read_text("utf-8")
    for name, target in meta["entry-points"]["factledger"].items():
        assert f'{name} = "{target}"' in doc
    assert f'name = "{meta["name"]}"' in doc and f'version = "{meta["version"]}"' in doc
    assert all(dep in doc for dep in meta["dependencies"])
