"""`creator models ...`: the catalogue, what is downloaded, and the demo model."""

from __future__ import annotations

import argparse
import json

from creator_assistant.commands import CommandError


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


def rows(paths) -> list[dict]:
    from creator_assistant.catalogue import DEMO, catalogue, entry_path

    out = []
    for entry in [DEMO, *catalogue().values()]:
        path = entry_path(entry, paths.models_dir)
        present = path.is_file()
        out.append({
            "id": entry.id, "name": entry.name, "size": path.stat().st_size if present
            else entry.size, "tier": entry.tier, "category": entry.category,
            "context": entry.context, "status": "downloaded" if present else "available",
            "demo": entry.id == "demo", "note": entry.note, "path": str(path) if present else None,
        })
    return out


def add_parser(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser("models", help="list and manage models")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION")
    mlist = msub.add_parser("list", help="list catalogue and installed models")
    mlist.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from creator_assistant.paths import get_paths

    paths = get_paths().ensure()
    action = args.models_command or "list"
    if action != "list":
        raise CommandError(f"unknown models action {action!r}", code=2)
    listing = rows(paths)
    if args.json if hasattr(args, "json") else False:
        print(json.dumps(listing, indent=2))
        return 0
    for row in listing:
        size = human_size(row["size"]) if row["size"] else "built here"
        print(f"{row['id']:<22} {size:>10}  {row['tier']:<13} {row['status']}")
        if row["demo"]:
            print(f"{'':<22} {row['note']}")
    return 0
