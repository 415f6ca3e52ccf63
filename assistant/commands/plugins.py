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
    from creator_assistant.terminal_text import safe

    host = load_host(get_paths().user_plugins_dir)
    registry = host.registry
    probe(host)
    rows: list[dict[str, Any]] = []
    for name, info in sorted(host.plugins.items()):
        rows.append({"name": name, "version": info.version, "source": info.source,
                     "registered": registry.registered_by(name), "error": info.error,
                     "errors": list(info.errors), "fix": info.fix if info.errors else None})
    if getattr(args, "json", False):
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        what = "; ".join(f"{kind}: {', '.join(names)}"
                         for kind, names in sorted(row["registered"].items()))
        if row["errors"]:
            failed = "FAILED to load, skipped" if row["error"].startswith("failed to load") \
                else "FAILED in a hook"
            what = f"{what}; {failed}" if what else failed
        print(safe(f"{row['name']} {row['version']} ({row['source']}) — {what or 'nothing'}"))
        for error in row["errors"]:
            print(safe(f"    error: {error}"))
        if row["errors"]:
            print(safe(f"    to fix: {row['fix']}"))
    return 0


def probe(host: Any) -> None:
    """Route two sample messages, so a plugin whose `score_message` fails is listed with it."""
    import contextlib
    import io

    from creator_assistant.router import Router

    router = Router(host)
    with contextlib.redirect_stderr(io.StringIO()):  # listed below, not warned about here
        for sample in ("hello, how are you?", "write a script about my week"):
            router.route(sample)


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
