"""Built-in data importers (YouTube Studio, Google Trends, video lists, generic CSV), and the
`/import` and `/ideas` chat commands, registered through the same hooks as any plugin.

An importer is a `creator_assistant.api.Importer`: a `name` (the format), `sniff(source)`
returning 0-1, and `read(source, options)` returning a `Dataset` or raising `DataFileError`."""

from __future__ import annotations

import shlex

from creator_assistant.api import (
    Command,
    CommandContext,
    DataFileError,
    builtin_importers,
    hookimpl,
)


@hookimpl
def register_importers(register):
    for importer in builtin_importers().values():
        register(importer)


def import_command(args: str, ctx: CommandContext) -> str:
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
    try:
        return ctx.imports.run(" ".join(words), wanted=wanted,
                               options={"map": mapping} if mapping else {})
    except DataFileError as exc:
        return f"**Could not import.** {exc}\n\nNothing was imported."


def ideas_command(args: str, ctx: CommandContext) -> str:
    try:
        return ctx.ideas.run(_split(args) or ["list"])
    except ValueError as exc:  # a usage mistake, or an idea the store refuses
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
