"""The one PluginManager, plugin loading, and the registries plugins fill.

Built-in extractors and exporters are declared as entry points of the ``factledger``
group in factledger's own ``pyproject.toml``, exactly like a third party's, and go
through the same ``pm.register`` call. Users control loading with:

* ``FACTLEDGER_LOAD_PLUGINS``: comma list of third-party plugin names to load (empty:
  none). Built-ins always load unless disabled.
* ``--disable-plugin NAME`` (or ``FACTLEDGER_DISABLE_PLUGINS``): block any plugin,
  built-in or not.

A plugin that fails to import, or raises while registering, is reported by name in
:data:`LOAD_ERRORS` and skipped; everything else keeps working.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
from collections.abc import Iterable
from typing import Any

import pluggy
from attrs import define, field

from . import hookspecs

GROUP = "factledger"

# Used only when factledger runs without installed metadata (a bare source tree);
# the entry points in pyproject.toml are the real list.
FALLBACK_BUILTINS: dict[str, str] = {
    "rules": "ledger.extractors.rules",
    "csv": "ledger.exporters.csv",
    "jsonld": "ledger.exporters.jsonld",
    "markdown": "ledger.exporters.markdown",
}

pm = pluggy.PluginManager(GROUP)
pm.add_hookspecs(hookspecs)

if os.environ.get("FACTLEDGER_TRACE_PLUGINS"):
    pm.trace.root.setwriter(lambda msg: print(msg, end="", file=sys.stderr))
    pm.enable_tracing()


@define
class PluginInfo:
    """Where a loaded plugin came from, for ``factledger plugins``."""

    name: str
    module: str
    builtin: bool
    distribution: str | None = None
    version: str | None = None


@define
class LoadState:
    loaded: bool = False
    info: dict[str, PluginInfo] = field(factory=dict)
    errors: dict[str, str] = field(factory=dict)
    disabled: set[str] = field(factory=set)


_state = LoadState()
LOAD_ERRORS = _state.errors


def _env_list(name: str) -> list[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def disable(names: Iterable[str]) -> None:
    """Block plugins by name (before or after loading); blocked plugins never run."""
    for name in names:
        _state.disabled.add(name)
        if pm.get_plugin(name) is not None:
            pm.unregister(name=name)
        pm.set_blocked(name)
    _registries.clear()


def _register(name: str, module_path: str, builtin: bool, dist: Any = None) -> None:
    if name in _state.disabled or pm.is_blocked(name):
        return
    try:
        module = importlib.import_module(module_path)
        pm.register(module, name=name)
    except Exception as exc:  # a broken plugin must not take the CLI down with it
        _state.errors[name] = f"plugin {name!r} ({module_path}) failed to load: {type(exc).__name__}: {exc}"
        return
    _state.info[name] = PluginInfo(
        name=name,
        module=module_path,
        builtin=builtin,
        distribution=dist.metadata["Name"] if dist is not None else None,
        version=dist.version if dist is not None else None,
    )


def load_plugins() -> None:
    """Load built-ins, then third-party entry points; safe to call many times."""
    if _state.loaded:
        return
    _state.loaded = True
    for name in _env_list("FACTLEDGER_DISABLE_PLUGINS") or []:
        _state.disabled.add(name)
        pm.set_blocked(name)
    allow = _env_list("FACTLEDGER_LOAD_PLUGINS")
    builtin_seen = False
    for ep in sorted(importlib.metadata.entry_points(group=GROUP), key=lambda e: e.name):
        dist = ep.dist
        builtin = dist is not None and dist.metadata["Name"] == "factledger"
        if builtin:
            builtin_seen = True
        elif allow is not None and ep.name not in allow:
            continue
        if ep.name in _state.info:
            continue
        _register(ep.name, ep.value, builtin, dist)
    if not builtin_seen:
        for name, module_path in FALLBACK_BUILTINS.items():
            _register(name, module_path, True)


def register_plugin(plugin: object, name: str) -> None:
    """Register an in-process plugin object (tests, notebooks); undo with :func:`unregister_plugin`."""
    load_plugins()
    pm.register(plugin, name=name)
    _state.info[name] = PluginInfo(name=name, module=type(plugin).__module__, builtin=False)
    _registries.clear()


def unregister_plugin(name: str) -> None:
    pm.unregister(name=name)
    _state.info.pop(name, None)
    _registries.clear()


def plugin_infos() -> list[PluginInfo]:
    load_plugins()
    return [_state.info[name] for name in sorted(_state.info) if pm.get_plugin(name) is not None]


def hooks_of(name: str) -> list[str]:
    plugin = pm.get_plugin(name)
    if plugin is None:
        return []
    return sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])


# ---------------------------------------------------------------------------
# Registries filled through "register" callbacks

class RegistrationError(Exception):
    """A plugin registered something invalid (duplicate name, missing field)."""


@define
class Registered:
    """A registered item and the plugin that provided it."""

    item: Any
    plugin: str


_registries: dict[str, dict[str, Registered]] = {}


def _collect(hook_name: str, kind: type, required: tuple[str, ...]) -> dict[str, Registered]:
    if hook_name in _registries:
        return _registries[hook_name]
    load_plugins()
    found: dict[str, Registered] = {}
    hook = getattr(pm.hook, hook_name)
    for impl in reversed(hook.get_hookimpls()):  # registration order
        plugin_name = pm.get_name(impl.plugin) or repr(impl.plugin)

        def register(item: Any, _plugin: str = plugin_name) -> None:
            if not isinstance(item, kind):
                raise RegistrationError(
                    f"plugin {_plugin!r} registered {item!r}, expected a {kind.__name__}"
                )
            for attr in required:
                if not getattr(item, attr, None):
                    raise RegistrationError(f"plugin {_plugin!r} registered a {kind.__name__} without {attr!r}")
            if item.name in found:
                raise RegistrationError(
                    f"{kind.__name__} {item.name!r} from plugin {_plugin!r} clashes with the one "
                    f"from plugin {found[item.name].plugin!r}"
                )
            found[item.name] = Registered(item, _plugin)

        try:
            impl.function(register)
        except RegistrationError as exc:
            _state.errors[plugin_name] = str(exc)
        except Exception as exc:
            _state.errors[plugin_name] = f"plugin {plugin_name!r} failed in {hook_name}: {type(exc).__name__}: {exc}"
    _registries[hook_name] = found
    return found


def extractors() -> dict[str, Registered]:
    """Registered extractors by name."""
    from .extractors import ExtractorSpec

    return _collect("register_extractors", ExtractorSpec, ("name", "version", "extract"))


def exporters() -> dict[str, Registered]:
    """Registered exporters by name."""
    from .exporters import ExporterSpec

    return _collect("register_exporters", ExporterSpec, ("name", "write"))


def get_extractor(name: str | None = None):
    """The extractor called ``name``, or the default (``rules``, else the only one)."""
    found = extractors()
    if name is None:
        name = "rules" if "rules" in found else (next(iter(found)) if len(found) == 1 else None)
        if name is None:
            raise LookupError("no extractor is loaded (is the 'rules' plugin disabled?)")
    if name not in found:
        raise LookupError(f"no extractor named {name!r}; loaded: {', '.join(sorted(found)) or 'none'}")
    return found[name].item


def get_exporter(name: str):
    found = exporters()
    if name not in found:
        raise LookupError(f"no export format named {name!r}; loaded: {', '.join(sorted(found)) or 'none'}")
    return found[name].item

