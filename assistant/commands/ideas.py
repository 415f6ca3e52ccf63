"""`creator ideas`: the idea store (add, list, search, duplicates, categorize, rm, pillars);
the parsers and actions live in `data.idea_actions`, which `/ideas` in the chat runs too. This
module reads stdin and prints (and says on stderr when ideas were compared by words only)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from creator_assistant.commands.output import add_markdown_flag, show_markdown
from creator_assistant.data.idea_actions import build, execute

__all__ = ["add_parser", "build", "execute", "progress_bar", "run"]  # build, execute: moved


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ideas", help="your content ideas: add, list, search, duplicates, categorize",
                       description="Your content ideas, with full-text search and near-duplicate "
                       "checks, sorted into your own pillars (categories) by the model. `/ideas` "
                       "in the chat does the same.")
    add_markdown_flag(*build(p))


def progress_bar(n: int, total: int, idea: dict, label: str) -> None:
    """Progress on stderr: a redrawn bar on a terminal, a line every 10 ideas in a pipe."""
    width = 30
    filled = int(width * n / total) if total else width
    bar = "█" * filled + " " * (width - filled)
    line = f"categorizing {n}/{total} [{bar}] #{idea['id']} → {label}"
    if sys.stderr.isatty():
        sys.stderr.write("\r" + line[:120].ljust(120) + ("\n" if n == total else ""))
    elif n % 10 == 0 or n == total:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()


def words_only(args: argparse.Namespace, session: Any) -> None:
    """One line on stderr when an add or `duplicates` compared ideas by words, saying why."""
    if args.ideas_command in ("add", "duplicates"):
        why_not = session.ideas.why_not
        if why_not:
            sys.stderr.write(f"note: {why_not}\n")


def run(args: argparse.Namespace) -> int:
    from creator_assistant.commands import CommandError
    from creator_assistant.data.ideas import IdeaError
    from creator_assistant.session import Session

    if args.ideas_command == "add" and args.text == ["-"]:
        args.lines = [ln for ln in sys.stdin.read().splitlines() if ln.strip()]
    session = Session.open()
    try:
        text, data = execute(args, session, progress_bar)
    except IdeaError as exc:
        raise CommandError(str(exc)) from None
    finally:
        words_only(args, session)
        session.close()
    if args.json:
        print(json.dumps(data, default=str))
    else:
        show_markdown(text, args.markdown)
    return 0
