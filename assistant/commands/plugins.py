"""`creator plugins list`."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> None:
    plugins = sub.add_parser("plugins", help="list plugins")
    psub = plugins.add_subparsers(dest="plugins_command", metavar="ACTION")
    plist = psub.add_parser("list", help="each plugin, its version, what it registered")
    plist.add_argument("--json", action="store_true")
    pnew = psub.add_parser("new", help="scaffold a pip-installable plugin package")
    pnew.add_argument("name", help="the plugin's task name, e.g. podcast")
    pnew.add_argument("--path", default=".", help="folder to create it in (default: here)")


def run(args: argparse.Namespace) -> int:
    if args.plugins_command == "new":
        return new(args)
    from creator_assistant.paths import get_paths
    from creator_assistant.plugin_manager import load_host

    host = load_host(get_paths().user_plugins_dir)
    registry = host.registry
    rows = []
    for name, info in sorted(host.plugins.items()):
        rows.append({"name": name, "version": info.version, "source": info.source,
                     "registered": registry.registered_by(name), "error": info.error})
    if getattr(args, "json", False):
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        what = "; ".join(f"{kind}: {', '.join(names)}"
                         for kind, names in sorted(row["registered"].items())) or "nothing"
        print(f"{row['name']} {row['version']} ({row['source']}) — {what}")
        if row["error"]:
            print(f"    error: {row['error']}")
    return 0


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
