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
    notes: dict[str, str] = field(factory=dict)
    disabled: set[str] = field(factory=set)
    reported: set[str] = field(factory=set)


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
    _reset_registries()


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


def _load_target(target: str) -> Any:
    """Import an entry point's value: ``module`` or ``module:attr`` (``attr`` may be dotted)."""
    module_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module_name.strip())
    for part in filter(None, attr.strip().split(".")):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise AttributeError(f"module {module_name.strip()!r} has no attribute {attr.strip()!r}") from None
    return obj


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
        module = _load_target(module_path)
        info.path = getattr(module, "__file__", None) or getattr(sys.modules.get(module_path.split(":")[0]), "__file__", None)
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
    _reset_registries()


def register_plugin(plugin: object, name: str) -> None:
    """Register an in-process plugin object (tests, notebooks); undo with :func:`unregister_plugin`."""
    load_plugins()
    unknown = _unknown_hooks(plugin)
    if unknown:
        raise pluggy.PluginValidationError(plugin, f"plugin {name!r} implements unknown hook {unknown[0]!r}")
    pm.register(plugin, name=name)
    module = type(plugin).__module__ if not hasattr(plugin, "__file__") else plugin.__name__  # type: ignore[attr-defined]
    _state.info[name] = PluginInfo(name=name, module=module, builtin=False, path=getattr(plugin, "__file__", None))
    _reset_registries()


def unregister_plugin(name: str) -> None:
    """Undo :func:`register_plugin` (or drop any loaded plugin for this process)."""
    if pm.get_plugin(name) is not None:
        pm.unregister(name=name)
    _state.info.pop(name, None)
    _state.errors.pop(name, None)
    _reset_registries()


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


def _builtin(name: str) -> bool:
    info = _state.info.get(name)
    return bool(info and info.builtin)


def _each_plugin(hook_name: str) -> list[tuple[str, Any]]:
    """``(plugin name, hook caller for that plugin alone)`` in the documented order.

    Built-ins first, then the others by plugin name, so which of two clashing plugins wins
    never depends on install order. Every call goes through the PluginManager (a subset
    hook caller), so ``pm.trace``, ``add_hookcall_monitoring`` and
    ``FACTLEDGER_TRACE_PLUGINS=1`` see it, yet each registration is still attributed to
    the plugin that made it.
    """
    impls = getattr(pm.hook, hook_name).get_hookimpls()
    named = [(pm.get_name(impl.plugin) or repr(impl.plugin), impl.plugin) for impl in impls]
    named.sort(key=lambda pair: (not _builtin(pair[0]), pair[0]))
    out = []
    for name, plugin in named:
        others = [other for _n, other in named if other is not plugin]
        out.append((name, pm.subset_hook_caller(hook_name, remove_plugins=others)))
    return out


def register_commands(cli: Any) -> None:
    """Call every plugin's ``register_commands``; one that raises is reported, not fatal."""
    load_plugins()
    for plugin_name, caller in _each_plugin("register_commands"):
        try:
            caller(cli=cli)
        except Exception as exc:
            _state.errors[plugin_name] = f"plugin {plugin_name!r} failed in register_commands: {type(exc).__name__}: {exc}"


def problems() -> list[str]:
    """Every plugin problem of this process in one line each: load failures, then format clashes."""
    seen: dict[str, None] = {}
    for message in (*_state.errors.values(), *_state.notes.values()):
        seen.setdefault(message, None)
    return list(seen)


def unreported_problems() -> list[str]:
    """:func:`problems` not handed out before, so a command warns once about each."""
    fresh = [m for m in problems() if m not in _state.reported]
    _state.reported.update(fresh)
    return fresh


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

def _reset_registries() -> None:
    """Forget what plugins registered (a plugin came or went); the clash notes go with it."""
    _registries.clear()
    _state.notes.clear()


_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def preferences() -> dict[str, str]:
    """``FACTLEDGER_PREFER=format=plugin,...``: which plugin provides a name several register."""
    prefs = {}
    for part in _env_list("FACTLEDGER_PREFER") or []:
        name, sep, plugin = part.partition("=")
        if sep and name.strip() and plugin.strip():
            prefs[name.strip()] = plugin.strip()
    return prefs


def _collect(hook_name: str, kind: type, required: tuple[str, ...], callables: tuple[str, ...]) -> dict[str, Registered]:
    """Items registered through ``hook_name`` by name; each plugin's items also as ``plugin:name``.

    A name two plugins register goes to the first in :func:`_each_plugin` order (built-ins,
    then plugin names alphabetically) unless ``FACTLEDGER_PREFER`` picks another; only that
    name is affected, both plugins keep everything else, and every provider stays reachable
    as ``plugin:name``.
    """
    if hook_name in _registries:
        return _registries[hook_name]
    load_plugins()
    candidates: dict[str, list[Registered]] = {}
    qualified: dict[str, Registered] = {}
    for plugin_name, caller in _each_plugin(hook_name):

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
            key = f"{_plugin}:{item.name}"
            if key in qualified:
                raise RegistrationError(f"plugin {_plugin!r} registered {kind.__name__} {item.name!r} twice")
            qualified[key] = Registered(item, _plugin)
            candidates.setdefault(item.name, []).append(qualified[key])

        try:
            caller(register=register)
        except RegistrationError as exc:
            _state.errors[plugin_name] = str(exc)
        except Exception as exc:
            _state.errors[plugin_name] = f"plugin {plugin_name!r} failed in {hook_name}: {type(exc).__name__}: {exc}"
    prefs = preferences()
    found: dict[str, Registered] = {}
    for name, regs in candidates.items():
        chosen = regs[0]
        if len(regs) > 1:
            providers = [r.plugin for r in regs]
            wanted = prefs.get(name)
            if wanted in providers:
                chosen = regs[providers.index(wanted)]
            else:
                others = [p for p in providers if p != chosen.plugin]
                unknown = f" (FACTLEDGER_PREFER names {wanted!r}, which does not provide it)" if wanted else ""
                _state.notes[f"{hook_name}:{name}"] = (
                    f"{kind.__name__} {name!r} is provided by plugins {', '.join(map(repr, providers))}; "
                    f"using {chosen.plugin!r} (built-ins first, then plugin names in alphabetical order){unknown}; "
                    f"choose with FACTLEDGER_PREFER={name}={others[0]} or name it as {others[0]}:{name}"
                )
        found[name] = chosen
    _registries[hook_name] = found
    _registries[hook_name + ":qualified"] = qualified
    return found


def qualified(hook_name: str) -> dict[str, Registered]:
    """Every registration of ``hook_name`` as ``plugin:name``, including names another plugin won."""
    if hook_name not in _registries:
        {"register_exporters": exporters, "register_extractors": extractors, "register_matchers": matchers}[hook_name]()
    return _registries[hook_name + ":qualified"]


def extractors() -> dict[str, Registered]:
    """Registered extractors by name."""
    from .extractors import ExtractorSpec

    return _collect("register_extractors", ExtractorSpec, ("name", "version", "extract"), ("extract",))


def exporters() -> dict[str, Registered]:
    """Registered exporters by name."""
    from .exporters import ExporterSpec

    return _collect("register_exporters", ExporterSpec, ("name", "media_type", "extension", "write", "views"), ("write",))


def matchers() -> dict[str, Registered]:
    """Registered claim matchers (similarity signals for the claims view) by name."""
    from .projections.claims.links import MatcherSpec

    return _collect("register_matchers", MatcherSpec, ("name", "score"), ("score",))


def _failed_hint(name: str) -> str:
    message = _state.errors.get(name.split(":")[0] if ":" in name else name)
    return f" ({message})" if message else ""


def _lookup(found: dict[str, Registered], hook_name: str, name: str) -> Registered | None:
    if name in found:
        return found[name]
    if ":" in name:
        return qualified(hook_name).get(name)
    return None


def get_extractor(name: str | None = None):
    """The extractor called ``name`` (or ``plugin:name``), or the default (``rules``, else the only one)."""
    found = extractors()
    if name is None:
        name = "rules" if "rules" in found else (next(iter(found)) if len(found) == 1 else None)
        if name is None:
            raise LookupError(f"no extractor is loaded (is the 'rules' plugin disabled?){_failed_hint('rules')}")
    reg = _lookup(found, "register_extractors", name)
    if reg is None:
        raise LookupError(
            f"no extractor named {name!r}; loaded: {', '.join(sorted(found)) or 'none'}{_failed_hint(name)}"
        )
    return reg.item


def get_exporter(name: str):
    """The export format called ``name`` (or ``plugin:name``); the error lists what is loaded and why ``name`` is not."""
    reg = exporter_registration(name)
    return reg.item


def exporter_registration(name: str) -> Registered:
    """The format called ``name`` (or ``plugin:name``) with the plugin that provides it."""
    found = exporters()
    reg = _lookup(found, "register_exporters", name)
    if reg is None:
        raise LookupError(
            f"no export format named {name!r}; loaded: {', '.join(sorted(found)) or 'none'}{_failed_hint(name)}"
        )
    return reg
