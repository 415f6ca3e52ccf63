"""The plugin host: loads entry points (built-ins included) and user plugin files once, lazily.

A plugin that fails to import, or raises inside a hook, is recorded with its name and skipped.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy

from creator_assistant import hookspecs
from creator_assistant.registry import Command, Registry, Task

GROUP = hookspecs.PROJECT


@dataclass
class PluginInfo:
    name: str
    version: str
    source: str
    error: str | None = None


@dataclass
class Host:
    pm: pluggy.PluginManager
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    hook_errors: list[str] = field(default_factory=list)
    _registry: Registry | None = None

    # -- calling hooks --------------------------------------------------------------------

    def call(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation of a hook on its own; one that raises is reported and skipped."""
        trace = os.environ.get("CREATOR_TRACE_PLUGINS") == "1"
        results = []
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
            start = time.perf_counter()
            try:
                result = impl.function(**args)
            except Exception as exc:  # a plugin's bug must not break the app
                message = f"plugin {impl.plugin_name!r} failed in {hook_name}: {exc!r}"
                self.hook_errors.append(message)
                print(f"warning: {message}", file=sys.stderr)
                continue
            finally:
                if trace:
                    took = (time.perf_counter() - start) * 1000
                    print(f"[hook] {impl.plugin_name}.{hook_name} {took:.3f} ms", file=sys.stderr)
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

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

                def register(item: Any, factory: Any = None, *, _kind=kind, _p=plugin, _t=expected):
                    if _kind == "backends":
                        registry.add(_kind, item, factory, _p)
                        return
                    if _t is not None and not isinstance(item, _t):
                        raise TypeError(f"expected a {_t.__name__}, got {type(item).__name__}")
                    registry.add(_kind, item.name, item, _p)

                self._call_one(impl, hook_name, register=register)
        return registry

    def _call_one(self, impl: Any, hook_name: str, **kwargs: Any) -> None:
        start = time.perf_counter()
        try:
            impl.function(**kwargs)
        except Exception as exc:
            message = f"plugin {impl.plugin_name!r} failed in {hook_name}: {exc}"
            self.hook_errors.append(message)
            info = self.plugins.get(impl.plugin_name)
            if info is not None and info.error is None:
                info.error = f"{hook_name}: {exc}"
        finally:
            if os.environ.get("CREATOR_TRACE_PLUGINS") == "1":
                took = (time.perf_counter() - start) * 1000
                print(f"[hook] {impl.plugin_name}.{hook_name} {took:.3f} ms", file=sys.stderr)


def load_error(exc: Exception, path: Path | None = None) -> str:
    """Why a plugin failed to load, with the line of its file where that happened."""
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    if path is not None and line is None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        line = frames[-1].lineno if frames else None
    where = f" (line {line})" if path is not None and line else ""
    return f"failed to load{where}: {type(exc).__name__}: {exc}"


def _allowed() -> set[str] | None:
    raw = os.environ.get("CREATOR_LOAD_PLUGINS")
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def load_host(user_plugins_dir: Path | None = None) -> Host:
    """Create the plugin manager and load every allowed plugin."""
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
        try:
            pm.register(ep.load(), name=ep.name)
        except Exception as exc:
            info.error = load_error(exc)
    if user_plugins_dir is not None and user_plugins_dir.is_dir():
        for path in sorted(user_plugins_dir.glob("*.py")):
            name = path.stem
            if allowed is not None and name not in allowed:
                continue
            info = PluginInfo(name, "file", str(path))
            if pm.has_plugin(name):
                # Listed under its file name so the plugin that has the name stays listed too.
                host.plugins[path.name] = info
                info.error = f"failed to load: a plugin named {name!r} is already loaded"
                continue
            host.plugins[name] = info
            try:
                spec = importlib.util.spec_from_file_location(f"creator_user_plugin_{name}", path)
                assert spec is not None and spec.loader is not None
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                pm.register(module, name=name)
            except Exception as exc:
                info.error = load_error(exc, path)
    _ = host.registry  # registration errors are known as soon as the host is
    return host
