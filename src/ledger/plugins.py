"""The one PluginManager, plugin loading, and the registries plugins fill.

Built-in extractors and exporters are declared as entry points of the ``factledger``
group in factledger's own ``pyproject.toml``, exactly like a third party's, and go
through the same ``pm.register`` call. Users control loading with:

* ``FACTLEDGER_LOAD_PLUGINS``: comma list of third-party plugin names to load (set but
  empty: none). Built-ins always load unless disabled: without them nothing works.
* ``--disable-plugin NAME`` (or ``FACTLEDGER_DISABLE_PLUGINS``, a comma list): block any
  plugin, built-in or not; it is never imported.

A plugin that fails to import, has a misspelt or mis-declared hook, or raises while
registering, is reported by name in :data:`LOAD_ERRORS` and skipped; everything else
keeps working. Items a plugin registers are validated (type, required fields, unique
names) and remembered with the plugin that provided them.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import re
import sys
from collections.abc import Iterable, Sequence
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

HOOK_NAMES = frozenset(
    name for name in dir(hookspecs) if pm.parse_hookspec_opts(hookspecs, name) is not None
)
"""Names of every hook factledger calls (the specs in :mod:`ledger.hookspecs`)."""


@define
class PluginInfo:
    """Where a plugin came from, for ``factledger plugins``.

    Attributes:
        name: The entry point name (or the name given to :func:`register_plugin`).
        module: Import path of the plugin module (or the object's module).
        builtin: Shipped with factledger.
        distribution: The installed distribution that declares it, if any.
        version: That distribution's version.
        path: File the plugin was imported from.
        status: ``loaded``, ``disabled`` or ``failed``.
    """

    name: str
    module: str
    builtin: bool
    distribution: str | None = None
    version: str | None = None
    path: str | None = None
    status: str = "loaded"


@define
class LoadState:
    loaded: bool = False
    info: dict[str, PluginInfo] = field(factory=dict)
    errors: dict[str, str] = field(factory=dict)
    disabled: set[str] = field(factory=set)


_state = LoadState()
LOAD_ERRORS = _state.errors
"""Plugin name -> one-line message, for every plugin that failed to load or register."""


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
        _state.errors.pop(name, None)
        if name in _state.info:
            _state.info[name].status = "disabled"
    _registries.clear()


def disabled_in_argv(argv: Sequence[str]) -> list[str]:
    """Names given to ``--disable-plugin`` in a command line, so they are never imported."""
    names = []
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--disable-plugin" and i + 1 < len(args):
            names.append(args[i + 1])
        elif arg.startswith("--disable-plugin="):
            names.append(arg.split("=", 1)[1])
    return names


def _unknown_hooks(plugin: object) -> list[str]:
    """Hook implementations whose names match no hook: usually a typo that would be ignored."""
    found = []
    for attr in dir(plugin):
        try:
            opts = pm.parse_hookimpl_opts(plugin, attr)
        except Exception:
            continue
        if opts is not None and attr not in HOOK_NAMES:
            found.append(attr)
    return found


def _register(name: str, module_path: str, builtin: bool, dist: Any = None) -> None:
    info = PluginInfo(
        name=name,
        module=module_path,
        builtin=builtin,
        distribution=dist.metadata["Name"] if dist is not None else None,
        version=dist.version if dist is not None else None,
    )
    _state.info[name] = info
    if name in _state.disabled or pm.is_blocked(name):
        info.status = "disabled"
        return
    try:
        module = importlib.import_module(module_path)
        info.path = getattr(module, "__file__", None)
        unknown = _unknown_hooks(module)
        if unknown:
            raise pluggy.PluginValidationError(
                module, f"unknown hook {unknown[0]!r}; factledger's hooks are {', '.join(sorted(HOOK_NAMES))}"
            )
        pm.register(module, name=name)
    except Exception as exc:  # a broken plugin must not take the CLI down with it
        info.status = "failed"
        _state.errors[name] = f"plugin {name!r} ({module_path}) failed to load: {type(exc).__name__}: {exc}"


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
    entry_points = sorted(importlib.metadata.entry_points(group=GROUP), key=lambda e: (e.name, e.value))
    for ep in entry_points:
        dist = ep.dist
        builtin = dist is not None and dist.metadata["Name"] == "factledger"
        if builtin:
            builtin_seen = True
        elif allow is not None and ep.name not in allow:
            continue
        if ep.name in _state.info:
            if _state.info[ep.name].module != ep.value:
                where = dist.metadata["Name"] if dist is not None else ep.value
                _state.errors.setdefault(
                    f"{ep.name}@{where}",
                    f"plugin name {ep.name!r} is declared twice ({_state.info[ep.name].module} and {ep.value}); "
                    f"only the first is loaded",
                )
            continue
        _register(ep.name, ep.value, builtin, dist)
    if not builtin_seen:
        for name, module_path in FALLBACK_BUILTINS.items():
            if name not in _state.info:
                _register(name, module_path, True)
    _registries.clear()


def register_plugin(plugin: object, name: str) -> None:
    """Register an in-process plugin object (tests, notebooks); undo with :func:`unregister_plugin`."""
    load_plugins()
    unknown = _unknown_hooks(plugin)
    if unknown:
        raise pluggy.PluginValidationError(plugin, f"plugin {name!r} implements unknown hook {unknown[0]!r}")
    pm.register(plugin, name=name)
    module = type(plugin).__module__ if not hasattr(plugin, "__file__") else plugin.__name__  # type: ignore[attr-defined]
    _state.info[name] = PluginInfo(name=name, module=module, builtin=False, path=getattr(plugin, "__file__", None))
    _registries.clear()


def unregister_plugin(name: str) -> None:
    """Undo :func:`register_plugin` (or drop any loaded plugin for this process)."""
    if pm.get_plugin(name) is not None:
        pm.unregister(name=name)
    _state.info.pop(name, None)
    _state.errors.pop(name, None)
    _registries.clear()


def plugin_infos(*, include_inactive: bool = False) -> list[PluginInfo]:
    """Loaded plugins by name; with ``include_inactive`` also disabled and failed ones."""
    load_plugins()
    return [
        info
        for name, info in sorted(_state.info.items())
        if include_inactive or (info.status == "loaded" and pm.get_plugin(name) is not None)
    ]


def hooks_of(name: str) -> list[str]:
    """The hooks a loaded plugin implements."""
    plugin = pm.get_plugin(name)
    if plugin is None:
        return []
    return sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])


def register_commands(cli: Any) -> None:
    """Call every plugin's ``register_commands``; one that raises is reported, not fatal."""
    load_plugins()
    for impl in pm.hook.register_commands.get_hookimpls():
        plugin_name = pm.get_name(impl.plugin) or repr(impl.plugin)
        try:
            impl.function(*[{"cli": cli}[arg] for arg in impl.argnames])
        except Exception as exc:
            _state.errors[plugin_name] = f"plugin {plugin_name!r} failed in register_commands: {type(exc).__name__}: {exc}"


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

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _collect(hook_name: str, kind: type, required: tuple[str, ...], callables: tuple[str, ...]) -> dict[str, Registered]:
    if hook_name in _registries:
        return _registries[hook_name]
    load_plugins()
    found: dict[str, Registered] = {}
    hook = getattr(pm.hook, hook_name)
    for impl in hook.get_hookimpls():  # registration order (pluggy calls them in reverse)
        plugin_name = pm.get_name(impl.plugin) or repr(impl.plugin)

        def register(item: Any, _plugin: str = plugin_name) -> None:
            if not isinstance(item, kind):
                raise RegistrationError(f"plugin {_plugin!r} registered {item!r}, expected a {kind.__name__}")
            for attr in required:
                if not getattr(item, attr, None):
                    raise RegistrationError(f"plugin {_plugin!r} registered a {kind.__name__} without {attr!r}")
            for attr in callables:
                if not callable(getattr(item, attr)):
                    raise RegistrationError(f"plugin {_plugin!r}: {kind.__name__} {item.name!r} has a {attr!r} that is not callable")
            if not _NAME.match(item.name):
                raise RegistrationError(
                    f"plugin {_plugin!r}: {kind.__name__} name {item.name!r} must be lower-case letters, digits, '.', '_' or '-'"
                )
            if item.name in found:
                raise RegistrationError(
                    f"{kind.__name__} {item.name!r} from plugin {_plugin!r} clashes with the one "
                    f"from plugin {found[item.name].plugin!r}; the second is ignored"
                )
            found[item.name] = Registered(item, _plugin)

        try:
            if impl.argnames:
                impl.function(register)
            else:
                impl.function()
        except RegistrationError as exc:
            _state.errors[plugin_name] = str(exc)
        except Exception as exc:
            _state.errors[plugin_name] = f"plugin {plugin_name!r} failed in {hook_name}: {type(exc).__name__}: {exc}"
    _registries[hook_name] = found
    return found


def extractors() -> dict[str, Registered]:
    """Registered extractors by name."""
    from .extractors import ExtractorSpec

    return _collect("register_extractors", ExtractorSpec, ("name", "version", "extract"), ("extract",))


def exporters() -> dict[str, Registered]:
    """Registered exporters by name."""
    from .exporters import ExporterSpec

    return _collect("register_exporters", ExporterSpec, ("name", "media_type", "extension", "write", "views"), ("write",))


def _failed_hint(name: str) -> str:
    message = _state.errors.get(name)
    return f" ({message})" if message else ""


def get_extractor(name: str | None = None):
    """The extractor called ``name``, or the default (``rules``, else the only one)."""
    found = extractors()
    if name is None:
        name = "rules" if "rules" in found else (next(iter(found)) if len(found) == 1 else None)
        if name is None:
            raise LookupError(f"no extractor is loaded (is the 'rules' plugin disabled?){_failed_hint('rules')}")
    if name not in found:
        raise LookupError(
            f"no extractor named {name!r}; loaded: {', '.join(sorted(found)) or 'none'}{_failed_hint(name)}"
        )
    return found[name].item


def get_exporter(name: str):
    """The export format called ``name``; the error lists what is loaded and why ``name`` is not."""
    found = exporters()
    if name not in found:
        raise LookupError(
            f"no export format named {name!r}; loaded: {', '.join(sorted(found)) or 'none'}{_failed_hint(name)}"
        )
    return found[name].item
