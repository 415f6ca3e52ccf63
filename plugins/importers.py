"""Built-in data importers (YouTube Studio, Google Trends, video lists, generic CSV), and the
`/import` and `/ideas` chat commands, registered through the same hooks as any plugin.

An importer is a `creator_assistant.data.importers.Importer`: a `name` (the format), `sniff(source)`
returning 0-1, and `read(source, options)` returning a `Dataset` or raising `DataFileError`."""

from __future__ import annotations

import argparse
import shlex

from creator_assistant.hookspecs import hookimpl
from creator_assistant.registry import Command, CommandContext


@hookimpl
def register_importers(register):
    from creator_assistant.data.importing import builtin_importers

    for importer in builtin_importers().values():
        register(importer)


class _Parser(argparse.ArgumentParser):
    """argparse for chat commands: a mistake becomes a message, not an exit."""

    def error(self, message: str):
        raise ValueError(f"{message}\n\n```\n{self.format_usage().strip()}\n```")


def import_command(args: str, ctx: CommandContext) -> str:
    from creator_assistant.data.importers import DataFileError
    from creator_assistant.data.importing import describe, import_path

    words = _split(args)
    wanted = mapping = None
    for flag in ("--as", "--map"):
        if flag in words:
            i = words.index(flag)
            if i + 1 >= len(words):
                return f"`{flag}` needs a value."
            value = words[i + 1]
            del words[i:i + 2]
            wanted, mapping = (value, mapping) if flag == "--as" else (wanted, value)
    if not words:
        return "Usage: `/import PATH [--as FORMAT] [--map field=Column,...]`"
    importers = ctx.session.host.registry.importers
    try:
        result = import_path(ctx.session.store.db, " ".join(words), importers, wanted=wanted,
                             options={"map": mapping} if mapping else {})
    except DataFileError as exc:
        return f"**Could not import.** {exc}\n\nNothing was imported."
    return describe(result)


def ideas_command(args: str, ctx: CommandContext) -> str:
    from creator_assistant.commands.ideas import build, execute
    from creator_assistant.data.ideas import IdeaError

    parser = _Parser(prog="/ideas", add_help=False)
    build(parser)
    try:
        parsed = parser.parse_args(_split(args) or ["list"])
        if parsed.ideas_command == "add" and parsed.text == ["-"]:
            return "In the chat, type the idea itself: `/ideas add film the shop tour`"
        return execute(parsed, ctx.session)[0]
    except (ValueError, IdeaError) as exc:
        return str(exc)


def _split(args: str) -> list[str]:
    try:
        return shlex.split(args)
    except ValueError:  # an unbalanced quote: take the words as typed
        return args.split()


@hookimpl
def register_commands(register):
    register(Command("import", "import a data export (YouTube Studio, Google Trends, a CSV)",
                     import_command, usage="PATH [--as FORMAT] [--map field=Column,...]"))
    register(Command("ideas", "your idea store: add, list, search, categorize, rm, pillars",
                     ideas_command, usage="add|list|search|categorize|rm|pillars ..."))
