"""The one cattrs converter, and the canonical bytes the hash chain is built on.

Canonical bytes of a JSON value are what ``orjson.dumps(value, option=OPT_SORT_KEYS)``
writes: keys sorted, no whitespace, UTF-8, non-ASCII written as-is. For the values a
ledger holds (str, int, bool, null, arrays, objects with ASCII keys) that is
byte-for-byte ``json.dumps(value, sort_keys=True, separators=(",", ":"),
ensure_ascii=False).encode()``, which is how an auditor without our code checks it
(see docs/log-format.md).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from itertools import repeat
from operator import attrgetter
from typing import Any

import orjson
from cattrs.preconf.orjson import make_converter

from .events import PAYLOAD_TYPES, Event, Payload, UnknownPayload, upcast

converter = make_converter(omit_if_default=False, forbid_extra_keys=False)
"""The project's only converter; never use cattrs' global one."""


_PASSTHROUGH = frozenset({str, int, bool, str | None, int | None})
"""Field types whose JSON value is taken as it is: the JSON Schemas (``events/``) are the
type contract of a line, and ``verify`` checks them. Coercing here (``str(5)`` -> ``"5"``)
would only hide a malformed line."""


def _tuple_item(t: Any) -> Any:
    """The item type of ``tuple[X, ...]``, else None."""
    args = getattr(t, "__args__", ())
    return args[0] if getattr(t, "__origin__", None) is tuple and len(args) == 2 and args[1] is Ellipsis else None


def _generated(name: str, source: str, globs: dict[str, Any], label: str) -> Any:
    """Compile one generated hook (as cattrs does for its own), named for tracebacks."""
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<factledger {label}>", "exec"), globs, namespace)
    return namespace[name]


def _positional_structure_fn(cls: type) -> Any:
    """A structure hook for the attrs class ``cls`` that calls it positionally.

    cattrs' generated hooks pass every ``str`` field through ``str()`` and build a kwargs
    dict for classes with defaults; replay runs this once per part of every event
    (``bench/micro_bench.py``, row ``structure``, times cattrs' hook against this one for
    ``AssertionRecorded``: 1.8x in one run). This is the same kind of generated hook, configured
    on the one converter: JSON primitives go straight into the constructor, nested
    classes and tuples of them through the converter's own hooks. A line that lacks a
    field with a default falls back to cattrs' default-aware hook, so the result is
    what cattrs would give for every well-typed line.
    """
    from attrs import NOTHING, fields, resolve_types
    from cattrs.gen import make_dict_structure_fn

    resolve_types(cls)
    globs: dict[str, Any] = {"__cls": cls}
    args = []
    for a in fields(cls):
        name, t = a.name, a.type
        item = _tuple_item(t)
        if t in _PASSTHROUGH:
            args.append(f"o[{name!r}]")
        elif item is not None:
            if item in _PASSTHROUGH:
                args.append(f"tuple(o[{name!r}])")
            else:  # map over a shared repeat() of the item type: no frame per tuple
                globs[f"__h_{name}"] = converter.get_structure_hook(item)
                globs[f"__r_{name}"] = repeat(item)
                args.append(f"tuple(map(__h_{name}, o[{name!r}], __r_{name}))")
        else:
            globs[f"__h_{name}"] = converter.get_structure_hook(t)
            globs[f"__t_{name}"] = t
            args.append(f"__h_{name}(o[{name!r}], __t_{name})")
    call = f"__cls({', '.join(args)})"
    if any(a.default is not NOTHING for a in fields(cls)):
        globs["__fallback"] = make_dict_structure_fn(cls, converter, _cattrs_detailed_validation=False)
        body = f"    try:\n        return {call}\n    except KeyError:\n        return __fallback(o, _)\n"
    else:
        body = f"    return {call}\n"
    name = f"structure_{cls.__name__}"
    return _generated(name, f"def {name}(o, _):\n{body}", globs, f"structure {cls.__qualname__}")


def _field_dict_unstructure_fn(cls: type) -> Any:
    """An unstructure hook for the frozen dict class ``cls`` that starts from a copy of the
    instance's ``__dict__``.

    attrs keeps exactly the fields of a frozen dict class in its ``__dict__``, so one C-level
    copy gives every JSON primitive at once; only nested classes and tuples are replaced,
    through the converter's own hooks. cattrs' generated hook reads the fields one
    attribute at a time, the slower way for a dict class (``bench/micro_bench.py``, row
    ``payload``, times an append's serialisation both ways). An instance
    whose ``__dict__`` holds anything else falls back to cattrs' hook.
    """
    from attrs import fields, resolve_types
    from cattrs.gen import make_dict_unstructure_fn

    resolve_types(cls)
    attributes = fields(cls)
    globs: dict[str, Any] = {"__fallback": make_dict_unstructure_fn(cls, converter), "__n": len(attributes)}
    lines = []
    for a in attributes:
        name, t = a.name, a.type
        item = _tuple_item(t)
        if t in _PASSTHROUGH:
            continue
        if item is not None:
            if item in _PASSTHROUGH:
                lines.append(f"    res[{name!r}] = list(res[{name!r}])")
            else:
                globs[f"__h_{name}"] = converter.get_unstructure_hook(item)
                lines.append(f"    v = res[{name!r}]")
                lines.append(f"    res[{name!r}] = list(map(__h_{name}, v)) if v else []")
        else:
            globs[f"__h_{name}"] = converter.get_unstructure_hook(t)
            lines.append(f"    res[{name!r}] = __h_{name}(res[{name!r}])")
    name = f"unstructure_{cls.__name__}"
    source = (
        f"def {name}(instance):\n"
        "    res = instance.__dict__.copy()\n"
        "    if len(res) != __n:\n"
        "        return __fallback(instance)\n" + "".join(line + "\n" for line in lines) + "    return res\n"
    )
    return _generated(name, source, globs, f"unstructure {cls.__qualname__}")


def _tune_payload_hooks() -> None:
    """Register lean (un)structure hooks for the payload classes: replay and append run them
    for every event.

    Only configuration of the one converter: structuring is :func:`_positional_structure_fn`
    (no detailed validation: its exception trees cost more than the structuring itself, and
    ``verify`` checks lines against the JSON Schemas); unstructuring is
    :func:`_field_dict_unstructure_fn`, with direct hooks for ``str | None`` and the tuples
    of parts for other classes.
    """
    from cattrs.fns import identity

    from .events import Mention, Selector, Value

    def optional_str(value: Any, _type: Any) -> str | None:  # for other classes' str | None fields
        return value if value is None or value.__class__ is str else str(value)

    converter.register_structure_hook(str | None, optional_str)
    converter.register_unstructure_hook(str | None, identity)
    parts = (Selector, Value, Mention)
    # Parts first: a payload's hook looks up its parts' hooks when it is generated.
    for cls in (*parts, *PAYLOAD_TYPES.values()):
        converter.register_structure_hook(cls, _positional_structure_fn(cls))
    for cls in parts:  # before the tuples of them and the payloads, which look these up
        converter.register_unstructure_hook(cls, _field_dict_unstructure_fn(cls))
    for item_type in (*parts, str):
        tuple_type = tuple[item_type, ...]
        if item_type is str:
            converter.register_unstructure_hook_func(lambda t, _t=tuple_type: t == _t, list)
            continue
        item_unhook = converter.get_unstructure_hook(item_type)

        def unstructure_tuple(value: tuple, _hook=item_unhook) -> list:
            return list(map(_hook, value)) if value else []

        converter.register_unstructure_hook_func(lambda t, _t=tuple_type: t == _t, unstructure_tuple)
    for cls in PAYLOAD_TYPES.values():
        converter.register_unstructure_hook(cls, _field_dict_unstructure_fn(cls))


_tune_payload_hooks()

_SORT = orjson.OPT_SORT_KEYS


def canonical(value: Any) -> bytes:
    """Canonical JSON bytes of a plain JSON value."""
    return orjson.dumps(value, option=_SORT)


def event_hash(raw: dict[str, Any]) -> str:
    """sha256 hex of the canonical bytes of ``raw`` without its ``hash`` key."""
    body = {k: v for k, v in raw.items() if k != "hash"}
    return hashlib.sha256(canonical(body)).hexdigest()


def _plain(cls: Any) -> bool:
    """Whether the converter's JSON for ``cls`` is exactly its instances' ``__dict__``: a frozen
    dict class (our hook for it copies ``__dict__``) whose fields are JSON primitives,
    tuples of them, or such classes, and nothing that could put more in ``__dict__``."""
    from attrs import fields, has, resolve_types

    if not (isinstance(cls, type) and has(cls)) or "__slots__" in cls.__dict__:
        return False
    if any(isinstance(v, functools.cached_property) for k in cls.__mro__ for v in vars(k).values()):
        return False
    resolve_types(cls)
    for a in fields(cls):
        t = _tuple_item(a.type) or a.type
        if t not in _PASSTHROUGH and not _plain(t):
            return False
    return True


@functools.cache
def payload_json_fn(cls: type) -> Callable[[Payload], bytes]:
    """A function from a payload of class ``cls`` to ``canonical(converter.unstructure(payload))``.

    For a plain class (:func:`_plain`: every payload class today) the converter's output is
    each attrs instance's ``__dict__`` with tuples as arrays, so orjson writes exactly that
    as it meets the instances (``default=`` a C-level getter of ``__dict__``) and no dict is
    built per event (``bench/micro_bench.py``, row ``payload``: 1.4x faster than
    ``orjson.dumps`` of cattrs' ``unstructure``). Anything else goes through the converter.
    A property test holds both paths to the converter's bytes.
    """
    if _plain(cls):
        return functools.partial(orjson.dumps, default=attrgetter("__dict__"), option=_SORT)
    hook = converter.get_unstructure_hook(cls)
    return lambda payload: orjson.dumps(hook(payload), option=_SORT)


_FIELDS: dict[type, frozenset[str]] = {
    cls: frozenset(a.name for a in cls.__attrs_attrs__) for cls in PAYLOAD_TYPES.values()
}

_READERS: dict[type, tuple[frozenset[str], int, Any]] = {}
"""payload class -> (field names, their count if all are required else -1, structure hook),
fetched once per class: skipping cattrs' dispatch per line matters at a million lines.
(Register any payload hook before the first read.) ``VERSION`` is read live, not cached."""


def _reader(cls: type) -> tuple[frozenset[str], int, Any]:
    from attrs import NOTHING

    required = all(a.default is NOTHING for a in cls.__attrs_attrs__)
    fields = _FIELDS[cls]
    found = _READERS[cls] = (fields, len(fields) if required else -1, converter.get_structure_hook(cls))
    return found


def structure_event(raw: dict[str, Any]) -> Event:
    """Turn one parsed line into a typed :class:`Event`.

    An unknown ``type`` becomes :class:`UnknownPayload`; unknown fields of a known type
    are kept in ``Event.unknown``. Neither is an error: a newer factledger wrote them.
    """
    type_name = raw["type"]
    v = raw["v"]
    payload, unknown = payload_of(type_name, v, raw["data"])
    # Positional: Event's field order is (seq, id, type, v, at, actor, prev, hash, data, unknown).
    return Event(raw["seq"], raw["id"], type_name, v, raw["at"], raw["actor"], raw["prev"], raw["hash"], payload, unknown)


_new_event = object.__new__
_set_dict = object.__setattr__


def lazy_event(raw: dict[str, Any]) -> Event:
    """The :class:`Event` of one parsed line, its payload structured when first read.

    Equal to :func:`structure_event` of the same line in every attribute (``Event.__getattr__``
    structures ``data`` and ``unknown`` through :func:`payload_of` on first access); replay of
    events whose payload nobody reads costs no structuring. The line's dict becomes the event's
    ``__dict__`` (its ``data`` moved to ``_pending``), so nothing is copied. For lines that passed
    a read's schema check, which requires the envelope's nine keys: nine keys are exactly those
    (a line with more goes the eager way).
    """
    if len(raw) != 9:
        return structure_event(raw)
    raw["_pending"] = raw.pop("data")
    event = _new_event(Event)
    _set_dict(event, "__dict__", raw)
    return event


def payload_of(type_name: str, v: int, data: dict[str, Any]) -> tuple[Payload, dict[str, Any]]:
    """The typed payload of one line's ``data`` and the fields it does not know."""
    cls = PAYLOAD_TYPES.get(type_name)
    unknown: dict[str, Any]
    if cls is None or v > cls.VERSION:
        payload: Payload = UnknownPayload(type=type_name, v=v, data=data)
        unknown = {}
    else:
        fields, n_required, hook = _READERS.get(cls) or _reader(cls)
        if v < cls.VERSION:
            data = upcast(type_name, v, data)
        payload = hook(data, cls)
        # The hook read every field of an all-required class (a missing one raises), so
        # its data holds unknown keys exactly when it has more keys than fields.
        if len(data) == n_required or data.keys() <= fields:
            unknown = {}
        else:
            unknown = {k: data[k] for k in data.keys() - fields}
    return payload, unknown


def unstructure_event(event: Event) -> dict[str, Any]:
    """The JSON object of an event as it appears on its line."""
    if isinstance(event.data, UnknownPayload):
        data = event.data.data
    else:
        data = {**converter.unstructure(event.data), **event.unknown}
    return {
        "seq": event.seq,
        "id": event.id,
        "type": event.type,
        "v": event.v,
        "at": event.at,
        "actor": event.actor,
        "prev": event.prev,
        "hash": event.hash,
        "data": data,
    }


def dumps(value: Any) -> bytes:
    """Serialise any attrs value (or plain value) with the project's converter."""
    return orjson.dumps(converter.unstructure(value), option=_SORT)


def loads(data: bytes | str, cls: type) -> Any:
    return converter.structure(orjson.loads(data), cls)
