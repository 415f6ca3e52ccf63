"""`creator plugins list`."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> None:
    plugins = sub.add_parser("plugins", help="list plugins")
    psub = plugins.add_subparsers(dest="plugins_command", metavar="ACTION")
    plist = psub.add_parser("list", help="each plugin, its version, what it registered")
    plist.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
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
