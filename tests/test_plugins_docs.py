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


def test_row_classes_and_context_are_documented_field_by_field():
    """docs/plugins.md lists every field of every row class a `write` receives, and every ExportContext member."""
    import attrs

    from ledger import events
    from ledger.exporters import ExportContext
    from ledger.projections import records

    doc = DOC.read_text("utf-8")
    section = doc.split("## Reference: what `write` receives", 1)[1].split("## Reference: hooks", 1)[0]
    for cls in (records.SourceRow, records.AssertionRow, records.Claim, records.Conflict, records.Link,
                records.SlotComparison, records.Verdict, records.EntityRow, records.TimelineRow, records.Provenance,
                events.Selector, events.Value, events.Mention):
        part = section.split(f"#### `{cls.__name__}`", 1)
        assert len(part) == 2, f"{cls.__name__} has no section"
        table = part[1].split("####", 1)[0]
        for f in attrs.fields(cls):
            assert f"| `{f.name}` |" in table, f"{cls.__name__}.{f.name} is not documented"
    public = {n for n, v in vars(ExportContext).items() if not n.startswith("_") and callable(v)} - {"catalog", "claims_view"}
    public |= {f.name for f in attrs.fields(ExportContext) if not f.name.startswith("_")}
    for name in public:
        assert f"`{name}" in section, f"ExportContext.{name} is not documented"
    assert "`dict[str, str]`" in section and "**strings**" in section
    assert "run_export(spec, ledger, *, view=None, as_of=None, options=None, path=None)" in section
    assert "import sqlite_utils" in doc.split("### 3. The module", 1)[1].split("```", 2)[1]
    assert "plugins/template" in section and "Load order and name clashes" in doc
