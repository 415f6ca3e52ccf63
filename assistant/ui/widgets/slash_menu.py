"""The slash-command menu under the prompt: matching commands with their descriptions."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option


@dataclass(frozen=True)
class SlashEntry:
    name: str
    description: str
    kind: str  # "command", "task" or "app" (the chat window's own)
    usage: str = ""  # what follows the name, without it
    group: str = ""  # the plugin that registered it; "task" for tasks


class SlashMenu(OptionList, can_focus=False):
    """Shows the entries whose name starts with what follows the typed `/`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: list[SlashEntry] = []
        self.shown: list[SlashEntry] = []

    def filter(self, typed: str) -> bool:
        """Show entries matching `typed` (the text after `/`); False when none match."""
        prefix = typed.lower()
        self.shown = [e for e in self.entries if e.name.lower().startswith(prefix)]
        self.clear_options()
        # A short usage goes beside the name (`/history [ID]`); a long one is on the help screen.
        names = {e.name: f"/{e.name} {e.usage}" if e.kind == "command" and 0 < len(e.usage) <= 8
                 else f"/{e.name}" for e in self.shown}
        width = max((len(n) for n in names.values()), default=0) + 2
        # The menu may not be laid out yet (it was hidden): size it from the screen.
        room = max(self.app.size.width - width - 16, 20)
        for entry in self.shown:
            text = entry.description if len(entry.description) <= room else (
                entry.description[: room - 1] + "…")
            label = Content.assemble((names[entry.name].ljust(width), "bold"),
                                     (f"{entry.kind:<8}", "dim"), text)
            self.add_option(Option(label, id=entry.name))
        if self.shown:
            self.highlighted = 0
        return bool(self.shown)

    @property
    def choice(self) -> SlashEntry | None:
        if self.highlighted is None or not self.shown:
            return None
        return self.shown[self.highlighted]

    def move(self, step: int) -> None:
        if self.shown:
            self.highlighted = ((self.highlighted or 0) + step) % len(self.shown)
