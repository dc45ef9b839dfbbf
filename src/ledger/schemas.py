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

import jsonschema_rs

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
def _compiled() -> dict[tuple[str, int], Any]:
    """jsonschema-rs validators (draft from each schema's ``$schema``): chosen over fastjsonschema, which
    was slower per event when measured (no longer installed, so no bench keeps the figure); ``verify``
    runs one per line (``bench/log_bench.py`` times verify)."""
    return {key: jsonschema_rs.validator_for(schema) for key, schema in schema_files().items()}


@functools.cache
def compiled_for(type_name: Any, version: Any) -> Callable[[Any], bool] | None:
    """The bare ``is_valid`` of a type's schema (``None`` if none): verify's fast path, which
    asks :func:`validator_for` for the message only when an event fails."""
    compiled = _compiled().get((type_name, version))
    return None if compiled is None else compiled.is_valid


@functools.cache
def validator_for(type_name: Any, version: Any) -> Validate | None:
    """A function returning ``None`` for a valid event or a one-line problem; ``None`` if no schema."""
    compiled = _compiled().get((type_name, version))
    if compiled is None:
        return None
    is_valid = compiled.is_valid
    label = f"{type_name} v{version}"

    def validate(raw: dict[str, Any]) -> str | None:
        if is_valid(raw):  # the fast path: no error objects are built for a valid event
            return None
        return _problem(compiled, label, raw)

    return validate


def _problem(compiled: Any, label: str, raw: dict[str, Any]) -> str:
    """The first error, located by its JSON path, on one line."""
    error = next(iter(compiled.iter_errors(raw)), None)
    if error is None:  # cannot happen: is_valid said no
        return f"does not match the {label} schema"
    where = "".join(f"/{part}" for part in error.instance_path) or "the event's top level"
    message = " ".join(error.message.split())
    return f"does not match the {label} schema: at {where}: {message}"
