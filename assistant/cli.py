"""The `creator` command line. Only argparse is imported up front: `--help` stays instant."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from creator_assistant import __version__

EPILOG = "Start with `creator chat`. Docs: README.md. Data folder: `creator config path`."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="creator", description="A local-first AI assistant for content creators.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"creator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = sub.add_parser("chat", help="open the chat")
    chat.add_argument("--continue", dest="cont", action="store_true",
                      help="continue the most recent conversation")
    chat.add_argument("--conversation", metavar="ID", help="continue conversation ID")
    chat.add_argument("--task", help="start on this task")
    chat.add_argument("--model", help="answer with this model (catalogue id or .gguf path)")
    chat.add_argument("--plain", action="store_true", help="line-mode chat, no full-screen UI")

    ask = sub.add_parser("ask", help="ask once and stream the answer to stdout")
    ask.add_argument("text", metavar="TEXT", nargs="+", help="the message; `-` reads stdin")
    ask.add_argument("--task", help="skip routing and use this task")
    ask.add_argument("--model", help="answer with this model (catalogue id or .gguf path)")
    ask.add_argument("--conversation", metavar="ID", help="add to conversation ID")
    ask.add_argument("--json", action="store_true", help="end with one JSON line of details")

    models = sub.add_parser("models", help="list and manage models")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION")
    mlist = msub.add_parser("list", help="list catalogue and installed models")
    mlist.add_argument("--json", action="store_true")

    plugins = sub.add_parser("plugins", help="list plugins")
    psub = plugins.add_subparsers(dest="plugins_command", metavar="ACTION")
    plist = psub.add_parser("list", help="each plugin, its version, what it registered")
    plist.add_argument("--json", action="store_true")

    config = sub.add_parser("config", help="where the config and data live")
    csub = config.add_subparsers(dest="config_command", metavar="ACTION")
    csub.add_parser("path", help="print the config file's path and the data folders")
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
