"""`creator plugins list`."""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(sub: argparse._SubParsersAction) -> None:
    plugins = sub.add_parser("plugins", help="list plugins, or scaffold a new one",
                             description="The plugins that add tasks, commands, importers and "
                             "backends. Without ACTION: the same as `list`.")
    psub = plugins.add_subparsers(dest="plugins_command", metavar="ACTION")
    plist = psub.add_parser("list", help="each plugin, its version, what it registered",
                            description="Each plugin with its version, where it comes from and "
                            "what it registered; a plugin that failed to load is shown with the "
                            "error and what to do.")
    plist.add_argument("--json", action="store_true", help="a JSON list of objects")
    pnew = psub.add_parser("new", help="scaffold a pip-installable plugin package",
                           description="Create a pip-installable plugin package with a task, "
                           "its prompt and tests; see docs/writing-plugins.md.")
    pnew.add_argument("name", metavar="NAME", help="the plugin's task name, e.g. podcast")
    pnew.add_argument("--path", default=".", help="folder to create it in (default: here)")


def run(args: argparse.Namespace) -> int:
    if args.plugins_command == "new":
        return new(args)
    from creator_assistant.paths import get_paths
    from creator_assistant.plugin_manager import load_host

    host = load_host(get_paths().user_plugins_dir)
    registry = host.registry
    rows: list[dict[str, Any]] = []
    for name, info in sorted(host.plugins.items()):
        rows.append({"name": name, "version": info.version, "source": info.source,
                     "registered": registry.registered_by(name), "error": info.error,
                     "fix": remedy(info) if info.error else None})
    if getattr(args, "json", False):
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        what = "; ".join(f"{kind}: {', '.join(names)}"
                         for kind, names in sorted(row["registered"].items()))
        if row["error"]:
            failed = "FAILED to load, skipped" if row["error"].startswith("failed to load") \
                else "FAILED in a hook"
            what = f"{what}; {failed}" if what else failed
        print(f"{row['name']} {row['version']} ({row['source']}) — {what or 'nothing'}")
        if row["error"]:
            print(f"    error: {row['error']}")
            print(f"    to fix: {row['fix']}")
    return 0


def remedy(info: Any) -> str:
    """What to do about a plugin that failed: its file to fix, or its package."""
    error, source = info.error or "", info.source
    if "is already loaded" in error:
        return f"rename {source}: another plugin has the name {info.name!r}"
    if "already registered by" in error:
        return f"it registers a name another plugin has: change the name in {source}"
    if info.version == "file":
        return f"fix or remove {source}; `creator plugins list` checks again"
    if error.startswith("failed to load"):
        return f"`pip install -U {source}` (a dependency may be missing), or `pip uninstall {source}`"
    return f"a bug in {source}: report it to its author, or `pip uninstall {source}`"


def new(args: argparse.Namespace) -> int:
    from pathlib import Path

    from creator_assistant.commands import CommandError
    from creator_assistant.scaffold import ScaffoldError, scaffold

    try:
        root = scaffold(args.name, Path(args.path))
    except ScaffoldError as exc:
        raise CommandError(str(exc), code=2) from None
    print(f"created {root}")
    print(f"next:  pip install -e {root}   then   creator plugins list")
    print(f"test:  cd {root} && pytest")
    return 0
