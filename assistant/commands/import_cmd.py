"""`creator import PATH`: read an export (file, folder or zip) into the database, all or nothing."""

from __future__ import annotations

import argparse
import json

from creator_assistant.commands import CommandError
from creator_assistant.commands.output import add_markdown_flag, show_markdown


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import a data export: YouTube Studio, Google Trends, "
                       "a video list, any CSV", description="Detects the format, stores the "
                       "rows with where they came from; importing the same file again changes "
                       "nothing. A file it cannot read gets an error naming the line and column.")
    p.add_argument("path", metavar="PATH", nargs="?", help="a CSV file, or an export folder or zip")
    p.add_argument("--as", dest="format", metavar="FORMAT",
                   help="skip detection: youtube-studio, google-trends, video-list, generic")
    p.add_argument("--map", metavar="FIELD=COLUMN,...",
                   help="name columns for a generic CSV, e.g. title=Name,views=Plays")
    p.add_argument("--list", action="store_true", help="list what has been imported")
    p.add_argument("--remove", metavar="ID", type=int, help="forget import ID and its rows")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_markdown_flag(p)


def importers(paths) -> dict:
    """The importers plugins registered (the built-ins when plugins are switched off)."""
    from creator_assistant.data.importing import builtin_importers
    from creator_assistant.plugin_manager import load_host

    return load_host(paths.user_plugins_dir).registry.importers or builtin_importers()


def run(args: argparse.Namespace) -> int:
    from creator_assistant.config import ConfigError, load_config
    from creator_assistant.data.importers import DataFileError
    from creator_assistant.data.importing import describe, import_path
    from creator_assistant.data.store import DataStore
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.db import open_db
    from creator_assistant.terminal_text import safe

    paths = get_paths().ensure()
    db = open_db(paths.database)
    store = DataStore(db)
    if args.list:
        rows = store.imports()
        if args.json:
            print(json.dumps(rows, indent=2, default=str))
        for r in [] if args.json else rows:
            print(safe(f"#{r['id']}  {r['format']:<15} {r['rows']:>7,} rows  "
                       f"{r['imported_at']}  {r['source']}"))
        if not rows and not args.json:
            print("nothing imported yet: creator import PATH")
        return 0
    if args.remove is not None:
        try:
            store.remove(args.remove)
        except LookupError as exc:
            raise CommandError(f"{exc}; `creator import --list` shows them") from None
        print(f"removed import #{args.remove}")
        return 0
    if not args.path:
        raise CommandError("give a PATH to import (or --list)", code=2)
    options = {"map": args.map} if args.map else {}
    try:
        caps = load_config(paths.config_file).imports.as_limits()
    except ConfigError as exc:
        raise CommandError(f"{exc}\nnothing was imported") from None
    try:
        result = import_path(db, args.path, importers(paths), wanted=args.format,
                             options=options, caps=caps)
    except DataFileError as exc:
        raise CommandError(f"{exc}\nnothing was imported") from None
    if args.json:
        print(json.dumps(result.as_dict(), default=str))
    else:
        show_markdown(describe(result), args.markdown)
    return 0
