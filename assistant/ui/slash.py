"""The slash commands the chat offers: the registry's commands and tasks, and the chat's own."""

from __future__ import annotations

from typing import Any

from creator_assistant.ui.widgets.slash_menu import SlashEntry

# Handled by the chat itself unless a plugin registers a command of the same name.
APP_COMMANDS: dict[str, str] = {
    "help": "Keys and commands",
    "new": "Start a new conversation",
    "models": "Open the model library",
    "stats": "Your usage: stats, time saved, charts",
    "quit": "Leave the chat",
}
APP_GROUP = "this window"


def slash_entries(session: Any) -> list[SlashEntry]:
    """Every `/name` the prompt understands, plugin commands and tasks included, by name."""
    registry = session.host.registry
    entries = {name: SlashEntry(name, cmd.description, "command", cmd.arguments,
                                registry.owner.get(("commands", name), "?"))
               for name, cmd in registry.commands.items()}
    for name, task in registry.tasks.items():
        entries.setdefault(name, SlashEntry(name, task.description, "task", "MESSAGE", "task"))
    for name, description in APP_COMMANDS.items():
        entries.setdefault(name, SlashEntry(name, description, "app", "", APP_GROUP))
    return sorted(entries.values(), key=lambda e: e.name)


def grouped(entries: list[SlashEntry]) -> list[tuple[str, list[SlashEntry]]]:
    """Tasks first, then each plugin's commands under its name, then the chat window's own."""
    groups: dict[str, list[SlashEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.group, []).append(entry)
    helper = next((e.group for e in entries if e.name == "help"), None)
    order = sorted(groups, key=lambda g: (g != "task", g == APP_GROUP, g == helper, g))
    return [("Tasks" if g == "task" else "The chat window" if g == APP_GROUP else
             f"From the {g} plugin", groups[g]) for g in order]
