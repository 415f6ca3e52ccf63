"""`creator voice`: the creator's own samples (add, list, show, rm, and `show` with no ID: the
counts and the style card); `train` and `export` live in voice_train.py and voice_export.py."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any

from creator_assistant.voice.kinds import KINDS

EXTRA = ("creator_assistant.commands.voice_train", "creator_assistant.commands.voice_export")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("voice", help="your own writing as voice samples: add, list, show, rm",
                       description="Your own writing — scripts, posts, captions, the titles "
                       "and descriptions of an imported export, replies you rated 4 or 5 — "
                       "kept as samples of your voice, with their performance where known.")
    actions = p.add_subparsers(dest="voice_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add text, Markdown and caption files, folders of "
                             "them, or an imported export's titles and descriptions",
                             description="Add your writing: .txt and .md files (one sample "
                             "each; front-matter date: and title: are kept), captions (.srt, "
                             ".vtt, .sbv), folders of them (recursively), or a YouTube Studio "
                             "export you imported (its path, or --import ID): each title and "
                             "description with that video's views, CTR and watch time. The same "
                             "text is never added twice.")
    add.add_argument("paths", metavar="PATH", nargs="*", help="files or folders")
    add.add_argument("--kind", choices=KINDS, help="what the files are (default: script for "
                     "text, caption for captions)")
    add.add_argument("--import", dest="imports", metavar="ID", type=int, action="append",
                     default=[], help="an import's titles and descriptions (`creator import "
                     "--list` shows them)")
    add.add_argument("--json", action="store_true", help="print one JSON object")
    ls = actions.add_parser("list", help="every sample, oldest first")
    ls.add_argument("--kind", choices=KINDS, help="only samples of this kind")
    ls.add_argument("--json", action="store_true", help="a JSON array with the full texts")
    show = actions.add_parser("show", help="one sample in full, or (no ID) a summary")
    show.add_argument("id", metavar="ID", type=int, nargs="?", help="a sample id")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    rm = actions.add_parser("rm", help="forget samples")
    rm.add_argument("ids", metavar="ID", type=int, nargs="+", help="sample ids")
    for module in EXTRA:
        importlib.import_module(module).add_parser(actions)


def _line(r: dict[str, Any]) -> str:
    from creator_assistant.terminal_text import safe

    perf = []
    if r["views"] is not None:
        perf.append(f"{r['views']:,} views")
    if r["ctr"] is not None:
        perf.append(f"CTR {r['ctr']:g}%")
    if r["watch_time_hours"] is not None:
        perf.append(f"{r['watch_time_hours']:,.1f} h watched")
    head = r["title"] or " ".join(r["text"].split())
    head = head if len(head) <= 60 else head[:59] + "…"
    words = len(r["text"].split())
    return safe(f"#{r['id']:<4} {r['kind']:<11} {r['date'] or '':<10} {words:>6} words  {head}"
                + (f"  ({', '.join(perf)})" if perf else "") + f"  · {r['source']}")


def _add(db: Any, args: argparse.Namespace) -> int:
    from creator_assistant.commands import CommandError
    from creator_assistant.terminal_text import safe
    from creator_assistant.voice import readers, samples

    if not args.paths and not args.imports:
        raise CommandError("give a PATH to add (a file or folder), or --import ID", code=2)
    found = readers.read_paths(db, args.paths, args.kind)
    for import_id in args.imports:
        readers.add_import(db, import_id, found)
    stored = samples.add(db, found.drafts)
    new = [i for i, fresh in stored if fresh]
    for line in found.problems:
        print(safe(f"creator: {line}"), file=sys.stderr)
    if args.json:
        print(json.dumps({"added": new, "already": len(stored) - len(new),
                          "problems": found.problems, "skipped": found.skipped}))
    else:
        for i in new:
            print(_line(samples.get(db, i)))
        tail = [f"{len(stored) - len(new)} already stored"] if len(stored) > len(new) else []
        if found.skipped:
            tail.append(f"{found.skipped} other file{'s' * (found.skipped != 1)} skipped (not "
                        "text, Markdown or captions)")
        if found.problems:
            tail.append(f"{len(found.problems)} not read (said above)")
        print(f"added {len(new)} sample{'s' * (len(new) != 1)}"
              + (f"; {'; '.join(tail)}" if tail else ""))
    return 1 if found.problems and not stored else 0


def _summary(db: Any, as_json: bool) -> int:
    from creator_assistant.voice import samples

    info = samples.summary(db)
    if as_json:
        print(json.dumps({**info, "style": _card(db).as_dict()}))
        return 0
    if not info["samples"]:
        print("no voice samples yet: creator voice add PATH (your scripts, posts, captions)")
        return 0
    print(f"{info['samples']} samples, {info['words']:,} words; {info['with_views']} with "
          "performance (views)")
    print("by kind:   " + ", ".join(f"{k} {n}" for k, n in info["kinds"].items()))
    print("by source: " + ", ".join(f"{k} {n}" for k, n in info["sources"].items()))
    print()
    print(_card(db).render())
    return 0


def _card(db: Any) -> Any:
    from creator_assistant.voice.style import card

    return card([r["text"] for r in db.query("select text from voice_samples")])


def _show(db: Any, args: argparse.Namespace) -> int:
    from creator_assistant.terminal_text import safe
    from creator_assistant.voice import samples

    if args.id is None:
        return _summary(db, args.json)
    r = samples.get(db, args.id)
    if args.json:
        print(json.dumps(r))
        return 0
    print(_line(r))
    print(safe(f"added {r['added_at']}\n\n{r['text']}"))
    return 0


def run(args: argparse.Namespace) -> int:
    from creator_assistant.commands import CommandError
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.db import open_db
    from creator_assistant.voice import samples

    extra = {module.rsplit("_", 1)[1]: module for module in EXTRA}
    if args.voice_command in extra:
        return int(importlib.import_module(extra[args.voice_command]).run(args))
    db = open_db(get_paths().ensure().database)
    try:
        if args.voice_command == "add":
            return _add(db, args)
        if args.voice_command == "show":
            return _show(db, args)
        if args.voice_command == "rm":
            n = samples.remove(db, args.ids)
            print(f"removed {n} sample{'s' * (n != 1)}")
            return 0
        rows = samples.list_samples(db, args.kind)
        if args.json:
            print(json.dumps(rows))
        for r in [] if args.json else rows:
            print(_line(r))
        if not rows and not args.json:
            print("no voice samples yet: creator voice add PATH")
        return 0
    except samples.SampleNotFound as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.close()
