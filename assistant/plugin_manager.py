"""The plugin host: loads entry points (built-ins included) and user plugin files once, lazily.

A plugin that fails to import, or fails inside a hook (`plugin_guard`), is recorded with its
name, every failure kept for `plugins list`, and skipped.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy

from creator_assistant import hookspecs
from creator_assistant.plugin_guard import PluginFailed, call_plugin, describe, watch_ctrl_c
from creator_assistant.registry import Command, RegistrationError, Registry, Score, Task

GROUP = hookspecs.PROJECT


@dataclass
class PluginInfo:
    name: str
    version: str
    source: str
    errors: list[str] = field(default_factory=list)  # every failure: load, registration, hooks

    @property
    def error(self) -> str | None:
        """The first failure (a load failure, when there was one), or None."""
        return self.errors[0] if self.errors else None

    @property
    def fix(self) -> str:
        """What to do about each of its failures (its file to fix, or its package), each once."""
        return "; ".join(dict.fromkeys(remedy(self, error) for error in self.errors))


# What each hook may return besides None; anything else is reported as the plugin's mistake.
RETURNS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "score_message": (lambda r: all(isinstance(s, Score) for s in (
        r if isinstance(r, (list, tuple)) else [r])), "a list of Score"),
    "route_examples": (lambda r: isinstance(r, dict) and all(
        isinstance(k, str) and isinstance(v, (list, tuple)) and all(isinstance(t, str) for t in v)
        for k, v in r.items()), "a dict of task name to a list of requests"),
}


@dataclass
class Host:
    pm: pluggy.PluginManager
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    hook_errors: list[str] = field(default_factory=list)
    _registry: Registry | None = None
    _warned: set[tuple[str, str]] = field(default_factory=set)

    # -- calling plugins ------------------------------------------------------------------

    def guarded(self, plugin: str, what: str, fn: Callable[..., Any], *args: Any,
                **kwargs: Any) -> Any:
        """`fn(*args)` through the plugin guard, the failure's advice filled in for `plugin`
        (see `plugin_guard.call_plugin` for `returns`, `expected` and `passes`)."""
        info = self.plugins.get(plugin)
        fix = remedy(info, "") if info is not None else ""  # a bug in it, whatever came before
        return call_plugin(plugin, what, fn, *args, fix=fix, **kwargs)

    def failed(self, plugin: str, message: str, hook: str = "", fix: str = "") -> None:
        """Record a plugin's failure for `plugins list`; with `hook` (a call while the app
        runs), also warn on stderr, once per plugin and hook."""
        if message not in self.hook_errors:  # a scorer failing on every message: kept once
            self.hook_errors.append(message)
        info = self.plugins.get(plugin)
        if info is not None and message not in info.errors:
            info.errors.append(message)
        if hook and (plugin, hook) not in self._warned:
            self._warned.add((plugin, hook))
            print(f"warning: {message}" + (f". {fix}" if fix else ""), file=sys.stderr)

    def call(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation of a hook on its own; one that fails is reported and skipped."""
        trace = os.environ.get("CREATOR_TRACE_PLUGINS") == "1"
        returns, expected = RETURNS.get(hook_name, (None, ""))
        check = None if returns is None else (lambda r: r is None or returns(r))
        results = []
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
            start = time.perf_counter()
            try:
                result = self.guarded(impl.plugin_name, f"in {hook_name}", impl.function,
                                      returns=check, expected=expected, **args)
            except PluginFailed as exc:  # a plugin's bug must not break the app
                self.failed(impl.plugin_name, exc.happened, hook_name, exc.fix)
                continue
            finally:
                if trace:
                    took = (time.perf_counter() - start) * 1000
                    print(f"[hook] {impl.plugin_name}.{hook_name} {took:.3f} ms", file=sys.stderr)
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def route_examples(self) -> dict[str, list[str]]:
        """Each task's examples for the meaning signal: its declared `examples` and what its own
        plugin's `route_examples` adds (examples for another plugin's tasks are ignored)."""
        tasks = self.registry.tasks
        out = {name: list(task.examples) for name, task in tasks.items()}
        owner = self.registry.owner
        for plugin, returned in self.call("route_examples"):
            for name, texts in returned.items():
                if name in out and owner.get(("tasks", name)) == plugin:
                    out[name].extend(texts)
        return out

    # -- what plugins registered ----------------------------------------------------------

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = self._build_registry()
        return self._registry

    def _build_registry(self) -> Registry:
        registry = Registry()
        for hook_name, kind, expected in (
            ("register_tasks", "tasks", Task),
            ("register_commands", "commands", Command),
            ("register_importers", "importers", None),
            ("register_backends", "backends", None),
        ):
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                plugin = impl.plugin_name

                def register(item: Any, factory: Any = None, *, _kind=kind, _p=plugin, _t=expected,
                             _h=hook_name) -> None:
                    # A refused item is recorded and the plugin's other items still register.
                    try:
                        if _kind == "backends":
                            registry.add(_kind, item, factory, _p)
                            return
                        if _t is not None and not isinstance(item, _t):
                            raise TypeError(f"expected a {_t.__name__}, got {type(item).__name__}")
                        registry.add(_kind, item.name, item, _p)
                    except (RegistrationError, TypeError, AttributeError) as exc:
                        self.failed(_p, f"plugin {_p!r} failed in {_h}: {exc}")

                self._call_one(impl, hook_name, register=register)
        return registry

    def _call_one(self, impl: Any, hook_name: str, **kwargs: Any) -> None:
        start = time.perf_counter()
        try:
            self.guarded(impl.plugin_name, f"in {hook_name}", impl.function, **kwargs)
        except PluginFailed as exc:
            self.failed(impl.plugin_name, exc.happened)
        finally:
            if os.environ.get("CREATOR_TRACE_PLUGINS") == "1":
                took = (time.perf_counter() - start) * 1000
                print(f"[hook] {impl.plugin_name}.{hook_name} {took:.3f} ms", file=sys.stderr)


def remedy(info: PluginInfo | None, error: str | None = None) -> str:
    """What to do about a plugin that failed (`error`, else all its failures so far): its
    file to fix, or its package."""
    if info is None:
        return ""
    error, source = " ".join(info.errors) if error is None else error, info.source
    if "is already loaded" in error:
        return f"rename {source}: another plugin has the name {info.name!r}"
    if "already registered by" in error:
        return f"it registers a name another plugin has: change the name in {source}"
    if source == "creator-assistant":
        return "a bug in a built-in plugin: please report it"
    if info.version == "file":
        return f"fix or remove {source}; `creator plugins list` checks again"
    if error.startswith("failed to load"):
        return f"`pip install -U {source}` (a dependency may be missing), or `pip uninstall {source}`"
    return f"a bug in {source}: report it to its author, or `pip uninstall {source}`"


def load_error(exc: BaseException, path: Path | None = None) -> str:
    """Why a plugin failed to load, with the line of its file where that happened."""
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    if path is not None and line is None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        line = frames[-1].lineno if frames else None
    where = f" (line {line})" if path is not None and line else ""
    return f"failed to load{where}: {describe(exc)}"


def _load(pm: pluggy.PluginManager, info: PluginInfo, module: Callable[[], Any],
          path: Path | None = None) -> None:
    """Import a plugin and register its hooks; whatever it raises is its load failure."""
    try:
        call_plugin(info.name, "to load", lambda: pm.register(module(), name=info.name))
    except PluginFailed as exc:
        info.errors.append(load_error(exc.__cause__ or exc, path))


def _module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"creator_user_plugin_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _allowed() -> set[str] | None:
    raw = os.environ.get("CREATOR_LOAD_PLUGINS")
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def load_host(user_plugins_dir: Path | None = None) -> Host:
    """Create the plugin manager and load every allowed plugin."""
    watch_ctrl_c()  # from here on a plugin's own KeyboardInterrupt is told from Ctrl+C
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    host = Host(pm)
    allowed = _allowed()
    for ep in entry_points(group=GROUP):
        if allowed is not None and ep.name not in allowed:
            continue
        version = ep.dist.version if ep.dist is not None else "?"
        source = ep.dist.name if ep.dist is not None else "?"
        info = PluginInfo(ep.name, version, source)
        host.plugins[ep.name] = info
        _load(pm, info, ep.load)
    if user_plugins_dir is not None and user_plugins_dir.is_dir():
        for path in sorted(user_plugins_dir.glob("*.py")):
            name = path.stem
            if allowed is not None and name not in allowed:
                continue
            info = PluginInfo(name, "file", str(path))
            if pm.has_plugin(name):
                # Listed under its file name so the plugin that has the name stays listed too.
                host.plugins[path.name] = info
                info.errors.append(f"failed to load: a plugin named {name!r} is already loaded")
                continue
            host.plugins[name] = info
            _load(pm, info, functools.partial(_module, name, path), path)
    _ = host.registry  # registration errors are known as soon as the host is
    return host
