"""The `creator` command line. Only argparse and the small command modules' parser definitions
are imported up front (each module imports its heavy dependencies inside `run`), so `--help` is
instant."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from creator_assistant import __version__
from creator_assistant.commands.parser import Parser

# Each name is a module in creator_assistant.commands with `add_parser(sub)` and `run(args)`.
COMMANDS = ("chat", "ask", "route", "history", "import_cmd", "analytics", "trend", "ideas",
            "models", "doctor", "plugins", "config", "voice", "rate", "cache",
            "stats", "report")

EPILOG = ("Start with `creator chat`; `creator doctor` says which model suits this machine. "
          "`creator COMMAND --help` for each command. Exit codes: 0 success, 1 an error the "
          "message explains, 2 a usage mistake, 130 interrupted. Docs: README.md.")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="creator", description="A local-first AI assistant for content creators.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"creator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name in COMMANDS:
        module = f"creator_assistant.commands.{name}"
        before = set(sub.choices)
        importlib.import_module(module).add_parser(sub)
        for added in set(sub.choices) - before:
            sub.choices[added].set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from creator_assistant.commands import run

    try:
        return run(args, parser)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
