"""F1 or ?: every key (as remapped in the config) and every slash command, with descriptions."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from creator_assistant.ui.keys import FIXED, KEYS, key_label, keys_in_force
from creator_assistant.ui.slash import grouped, slash_entries


def help_markdown(session: Any, keymap: dict[str, str]) -> str:
    rows = ["## Keys", "", "| Key | What it does | Binding id |", "|---|---|---|"]
    for bid, keys in keys_in_force(keymap).items():
        rows.append(f"| {key_label(keys)} | {KEYS[bid][3]} | `{bid}` |")
    for keys, description in FIXED:
        rows.append(f"| {key_label(keys)} | {description} | |")
    rows += ["", "Remap a key in config.toml (`creator config path`): "
             "`[keys]` then `sidebar = \"ctrl+t\"`.", "", "## Slash commands", "",
             "A task command (`/name message`) sends the message to that task; otherwise "
             "each message is routed to the task that fits it best."]
    for heading, entries in grouped(slash_entries(session)):
        rows += ["", f"### {heading}", "", "| Command | What it does |", "|---|---|"]
        for entry in entries:
            usage = f" {entry.usage}" if entry.usage else ""
            rows.append(f"| `/{entry.name}{usage}` | {entry.description} |")
    rows += ["", "Esc, F1 or q closes this screen."]
    return "\n".join(rows)


class HelpScreen(ModalScreen[None]):
    """Keys and commands, scrollable; Esc closes."""

    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss", "Close")]

    def __init__(self, session: Any, keymap: dict[str, str]) -> None:
        super().__init__()
        self.text = help_markdown(session, keymap)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help") as box:
            box.border_title = "Help"
            box.border_subtitle = "Esc closes · ↑↓ PgUp PgDn scroll"
            yield Markdown(self.text)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
