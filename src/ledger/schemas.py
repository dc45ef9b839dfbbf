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
def checks_by_key() -> dict[tuple[str, int], Callable[[Any], bool]]:
    """Every shipped (type, version) -> its bare ``is_valid``: a reader's per-line check in one dict
    lookup (a line that fails it still goes through :func:`readable`, which accepts what it may)."""
    return {key: compiled.is_valid for key, compiled in _compiled().items() if key != _ENVELOPE}


@functools.cache
def validator_for(type_name: Any, version: Any) -> Validate | None:
    """A function returning ``None`` for a valid event or a one-line problem; ``None`` if no schema."""
    compiled = _compiled().get((type_name, version))
    if compiled is None:
        return None
    is_valid = compiled.is_valid
    label = f"{type_name} v{version}"

    def validate(raw: dict[str, Any]) -> str | None:
        try:
            if is_valid(raw):  # the fast path: no error objects are built for a valid event
                return None
            return _problem(compiled, label, raw)
        except ValueError:  # jsonschema-rs stops at its recursion limit
            return f"does not match the {label} schema: nested too deeply to be an event"

    return validate


def _problem(compiled: Any, label: str, raw: dict[str, Any]) -> str:
    """The first error, located by its JSON path, on one line."""
    error = next(iter(compiled.iter_errors(raw)), None)
    if error is None:  # cannot happen: is_valid said no
        return f"does not match the {label} schema"
    where = "".join(f"/{part}" for part in error.instance_path) or "the event's top level"
    message = " ".join(error.message.split())
    return f"does not match the {label} schema: at {where}: {message}"


_ENVELOPE = ("Envelope", 1)


@functools.cache
def _defaulted(type_name: Any, nested: bool) -> frozenset[str]:
    """Fields a line may leave out because they have a default: those of the payload class of
    ``type_name`` at the top of ``data``, those of its parts (selectors, values, mentions) below it.
    Per class, not across classes: a field that has a default in one type may be required in another."""
    from attrs import NOTHING, fields

    from .events import PAYLOAD_TYPES, Mention, Selector, Value

    if nested:
        classes: tuple[type, ...] = (Selector, Value, Mention)
    else:
        cls = PAYLOAD_TYPES.get(type_name) if isinstance(type_name, str) else None
        classes = (cls,) if cls is not None else ()
    return frozenset(a.name for c in classes for a in fields(c) if a.default is not NOTHING)


def readable(raw: dict[str, Any]) -> bool:
    """Whether a reader may use a parsed line: it matches the schema of its type and version (the
    envelope's for a type or version this factledger does not know), or breaks it only in the two
    ways docs/log-format.md lets readers accept: extra fields (kept in ``Event.unknown``) and left-out
    fields that have defaults. ``verify`` is stricter; readers only need events they cannot misread."""
    key = (raw.get("type"), raw.get("v"))
    try:
        compiled = _compiled().get(key)
    except TypeError:  # an unhashable type or v
        compiled = None
    if compiled is None:
        compiled = _compiled()[_ENVELOPE]
    try:
        if compiled.is_valid(raw):
            return True
        errors = list(compiled.iter_errors(raw))
    except ValueError:  # nested deeper than the validator recurses: no event is
        return False
    for error in errors:
        kind = error.kind
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
            continue
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
            path = list(error.instance_path)
            if path[:1] == ["data"] and kind.property in _defaulted(key[0], len(path) > 1):
                continue
        return False
    return True
