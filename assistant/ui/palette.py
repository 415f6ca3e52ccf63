"""The chat's entries in Textual's command palette (Ctrl+P): its actions and every slash
command, plugin commands included."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual.app import SystemCommand

from creator_assistant.ui.slash import slash_entries


def chat_commands(screen: Any) -> Iterator[SystemCommand]:
    """Palette entries for a ChatScreen; a slash command is put in the prompt, ready to send."""
    yield SystemCommand("New conversation", "Start a new conversation", screen.action_new)
    yield SystemCommand("Conversations", "Show or hide the sidebar", screen.action_sidebar)
    yield SystemCommand("Regenerate", "Regenerate the last reply", screen.action_regenerate)
    yield SystemCommand("Edit last message", "Edit and resend your last message",
                        screen.action_edit_last)
    yield SystemCommand("Copy", "Copy the last reply (OSC 52)", screen.action_copy)
    yield SystemCommand("Rename conversation", "Give this conversation a title",
                        screen.action_rename)
    yield SystemCommand("Stop the reply", "Stop generating", screen.action_cancel)
    for entry in slash_entries(screen.session):
        yield SystemCommand(f"/{entry.name}", f"{entry.kind}: {entry.description}",
                            lambda name=entry.name: screen.put_in_prompt(f"/{name} "))
