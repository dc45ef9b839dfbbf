"""The JSON Schemas of the log (``events/``), loaded once and compiled for speed.

``events/<Type>.v<N>.schema.json`` is the public contract of each event type and
version; ``events/Envelope.v1.schema.json`` is what every event, even one of a type
this version does not know, must satisfy. The schemas ship inside the package
(``ledger/schemas`` is the same folder) so an installed factledger can verify.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import fastjsonschema

Validate = Callable[[dict[str, Any]], str | None]


def schema_files() -> dict[tuple[str, int], dict[str, Any]]:
    """Every shipped schema by (type, version)."""
    found = {}
    folder = resources.files("ledger") / "schemas"
    for entry in folder.iterdir():
        name = entry.name
        if not name.endswith(".schema.json"):
            continue
        type_name, version = name[: -len(".schema.json")].rsplit(".v", 1)
        found[(type_name, int(version))] = json.loads(entry.read_text(encoding="utf-8"))
    return found


@functools.cache
def _compiled() -> dict[tuple[str, int], Callable[[Any], Any]]:
    return {key: fastjsonschema.compile(schema) for key, schema in schema_files().items()}


@functools.cache
def validator_for(type_name: Any, version: Any) -> Validate | None:
    """A function returning ``None`` for a valid event or a one-line problem; ``None`` if no schema."""
    compiled = _compiled().get((type_name, version))
    if compiled is None:
        return None
    return functools.partial(_run, compiled, f"{type_name} v{version}")


def _run(compiled: Callable[[Any], Any], label: str, raw: dict[str, Any]) -> str | None:
    try:
        compiled(raw)
    except fastjsonschema.JsonSchemaValueException as exc:
        return f"does not match the {label} schema: {exc.message}"
    return None
