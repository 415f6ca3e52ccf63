"""The slash commands the chat offers: the registry's commands and tasks, and the chat's own."""

from __future__ import annotations

from typing import Any

from creator_assistant.ui.widgets.slash_menu import SlashEntry

# Handled by the chat itself unless a plugin registers a command of the same name.
APP_COMMANDS: dict[str, str] = {
    "help": "Keys and commands",
    "new": "Start a new conversation",
    "models": "Open the model library",
    "quit": "Leave the chat",
}


def slash_entries(session: Any) -> list[SlashEntry]:
    """Every `/name` the prompt understands, plugin commands and tasks included, by name."""
    registry = session.host.registry
    entries = {name: SlashEntry(name, cmd.description, "command", cmd.usage)
               for name, cmd in registry.commands.items()}
    for name, task in registry.tasks.items():
        entries.setdefault(name, SlashEntry(name, task.description, "task", "MESSAGE"))
    for name, description in APP_COMMANDS.items():
        entries.setdefault(name, SlashEntry(name, description, "chat"))
    return sorted(entries.values(), key=lambda e: e.name)


def key_label(keys: str) -> str:
    """`ctrl+b,question_mark` as `Ctrl+B, ?`."""
    names = {"question_mark": "?", "slash": "/", "escape": "Esc", "enter": "Enter"}

    def one(key: str) -> str:
        if key in names:
            return names[key]
        return "+".join(p.upper() if len(p) == 1 else p.capitalize() for p in key.split("+"))

    return ", ".join(one(k.strip()) for k in keys.split(","))
