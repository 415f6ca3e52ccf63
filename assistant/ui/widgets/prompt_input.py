"""The multi-line prompt: Enter sends, Shift+Enter and Ctrl+J add a new line."""

from __future__ import annotations

from textual import events
from textual.keys import key_to_character
from textual.message import Message
from textual.widgets import TextArea

from creator_assistant.ui.keys import keys_in_force

MENU_KEYS = ("up", "down", "tab", "escape")


class PromptInput(TextArea):
    """A TextArea whose Enter submits; keys for the slash menu are passed to the screen.

    Send and new line are handled here, not as priority bindings: those run as soon as the app
    sees the key, before this widget has inserted the characters typed just before it."""

    class Submitted(Message):
        """The user pressed Enter."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class MenuKey(Message):
        """Up, Down, Tab or Escape while the slash-command menu is open."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class EditLast(Message):
        """Up in an empty prompt: the user wants their last message back."""

    def __init__(self, **kwargs) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                         compact=True, **kwargs)
        self.menu_open = False
        self.send_keys, self.newline_keys = {"enter"}, {"shift+enter", "ctrl+j"}
        self.help_keys = {"question_mark"}

    def on_mount(self) -> None:
        keys = keys_in_force(getattr(self.app, "_keymap", {}))
        self.send_keys = set(keys["send"].split(","))
        self.newline_keys = set(keys["newline"].split(","))
        # A printable help key (`?`) opens help only while the prompt is empty.
        self.help_keys = {k for k in keys["help"].split(",")
                          if (c := key_to_character(k)) is not None and c.isprintable()}

    async def _on_key(self, event: events.Key) -> None:
        if self.menu_open and event.key in MENU_KEYS:
            event.stop()
            event.prevent_default()
            self.post_message(self.MenuKey(event.key))
            return
        if event.key in self.send_keys:
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self.text))
            return
        if event.key in self.newline_keys:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        if not self.text:
            if event.key == "up":
                event.stop()
                event.prevent_default()
                self.post_message(self.EditLast())
                return
            if event.key in self.help_keys:
                event.stop()
                event.prevent_default()
                await self.run_action("app.help")
                return
        await super()._on_key(event)
