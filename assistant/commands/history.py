"""`creator history list|show|search|export|rm`: the saved conversations."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from creator_assistant.commands.output import add_markdown_flag, show_markdown
from creator_assistant.terminal_text import safe


def add_parser(sub: argparse._SubParsersAction) -> None:
    history = sub.add_parser("history", help="list, show, search, export or delete conversations",
                             description="The saved conversations. A unique prefix of an ID is "
                             "enough everywhere.")
    actions = history.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="conversations, most recent first",
                            description="List conversations, most recent first: ID, when it was "
                            "last updated, how many messages, title.")
    ls.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    ls.add_argument("--json", action="store_true", help="a JSON array")
    show = actions.add_parser("show", help="every message of one conversation, in order",
                              description="Every message of one conversation in order, numbered "
                              "as `/pin N` expects; Markdown, rendered in a terminal.")
    show.add_argument("id", metavar="ID", help="a conversation id (a unique prefix will do)")
    show.add_argument("--json", action="store_true", help="an object with a `messages` list")
    add_markdown_flag(show)
    search = actions.add_parser(
        "search", help="search every conversation by words and meaning",
        description="Search every saved message by words (SQLite FTS5) and by meaning (the "
        "embedding model, when one is installed), fused by rank; each hit says which matched. "
        "Exit code 1 when nothing matches.")
    search.add_argument("text", metavar="TEXT", nargs="+", help="words (or a meaning) to find")
    search.add_argument("--exact", action="store_true",
                        help="words only: the messages that contain these words")
    search.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    search.add_argument("--json", action="store_true",
                        help="a JSON array of matches, with `matched` and the scores")
    export = actions.add_parser("export", help="write a conversation as a Markdown file",
                                description="Write a conversation, every message included, as "
                                "a Markdown file and print its path.")
    export.add_argument("id", metavar="ID", help="a conversation id (a unique prefix will do)")
    export.add_argument("-o", "--output", metavar="PATH",
                        help="file or folder to write, `-` for stdout (default: exports folder)")
    rm = actions.add_parser("rm", help="delete conversations and all their messages",
                            description="Delete conversations and all their messages. Every ID "
                            "must exist, or nothing is deleted.")
    rm.add_argument("ids", metavar="ID", nargs="+", help="conversation ids (unique prefixes do)")


def run(args: argparse.Namespace) -> int:
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.store import open_store

    paths = get_paths().ensure()
    store = open_store(paths.database)
    try:
        return ACTIONS[args.action](store, args, paths)
    finally:
        store.db.close()


def _list(store: Any, args: argparse.Namespace, paths: Any) -> int:
    convs = store.conversations(limit=args.limit)
    if args.json:
        print(json.dumps(convs, ensure_ascii=False))
        return 0
    if not convs:
        print("No saved conversations yet. Start one with `creator chat`.")
        return 0
    print(f"{'ID':<12}  {'UPDATED':<16}  {'MSGS':>5}  TITLE")
    for c in convs:
        title = safe(" ".join((c["title"] or "(untitled)").split()))
        print(f"{c['id']:<12}  {c['updated'][:16].replace('T', ' '):<16}  {c['messages']:>5}  "
              f"{title[:60]}")
    return 0


def _show(store: Any, args: argparse.Namespace, paths: Any) -> int:
    from creator_assistant.storage.export import to_markdown

    conv = store.conversation(args.id)
    if args.json:
        rows = store.messages(conv["id"])
        state = store.memory_state(conv["id"])
        print(json.dumps({**conv, **state, "messages": rows}, ensure_ascii=False))
        return 0
    show_markdown(to_markdown(store, conv["id"]), args.markdown)
    return 0


def _search(store: Any, args: argparse.Namespace, paths: Any) -> int:
    from creator_assistant.commands import CommandError
    from creator_assistant.retrieval import Embeddings, EmptyQuery
    from creator_assistant.search import search

    query = " ".join(args.text)
    if args.limit < 1:
        raise CommandError("--limit must be at least 1", code=2)
    try:
        if args.exact:
            hits = search(store, query, limit=args.limit, exact=True)
        else:
            with Embeddings(paths=paths, db=store.db) as emb:
                hits = search(store, query, limit=args.limit, embeddings=emb)
    except EmptyQuery as exc:
        raise CommandError(str(exc), code=2) from None
    if hits.note:
        print(f"creator: {safe(hits.note)}", file=sys.stderr)
    if args.json:
        print(json.dumps(hits, ensure_ascii=False))
        return 0
    if not hits:
        print("No saved message matches.", file=sys.stderr)
        return 1
    for hit in hits:
        snippet = safe(" ".join(hit["snippet"].split()))
        print(f"{hit['conversation_id']}  #{hit['seq']:<4} {hit['role']:<9}  "
              f"{hit['matched']:<7}  {snippet}")
    return 0


def _export(store: Any, args: argparse.Namespace, paths: Any) -> int:
    from pathlib import Path

    from creator_assistant.storage.export import export_markdown, to_markdown

    if args.output == "-":
        sys.stdout.write(to_markdown(store, args.id))
        return 0
    out = Path(args.output).expanduser() if args.output else None
    print(export_markdown(store, args.id, paths.exports_dir, out))
    return 0


def _rm(store: Any, args: argparse.Namespace, paths: Any) -> int:
    convs = [store.conversation(cid) for cid in args.ids]  # all must exist before any goes
    for conv in convs:
        count = len(store.messages(conv["id"]))
        store.delete(conv["id"])
        print(f"deleted {conv['id']} ({count} messages): {safe(conv['title'] or '(untitled)')}")
    return 0


ACTIONS = {"list": _list, "show": _show, "search": _search, "export": _export, "rm": _rm}
