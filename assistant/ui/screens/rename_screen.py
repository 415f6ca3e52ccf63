"""Ask for a conversation's new title; Enter saves, Esc leaves it as it was."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class RenameScreen(ModalScreen[str | None]):
    """Dismisses with the new title, or None when cancelled or left empty."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.current = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Rename the conversation (Enter saves, Esc cancels)", classes="question")
            yield Input(self.current, id="title", select_on_focus=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        title = " ".join(event.value.split())
        self.dismiss(title[:200] or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
