"""The Textual app: opens the chat screen on a Core, applies the user's key remapping."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen

from creator_assistant.ui.keys import binding, check_keymap, usable_keymap


class CreatorApp(App[None]):
    """The chat. `core` holds the Session; `preload` loads the model before the first message."""

    CSS_PATH = "app.tcss"
    # The core thread reads each token from the model's pipe and needs the GIL to do it; with
    # Python's default 5 ms switch interval, a redraw on this thread makes it wait in 5 ms
    # steps and the pipe fills up. 1 ms keeps tokens flowing while the screen is drawn.
    SWITCH_INTERVAL_S = 0.001
    TITLE = "Creator Assistant"
    BINDINGS = [binding("help"), binding("models"), binding("quit", priority=True)]

    def __init__(self, core: Any, conversation_id: str | None = None, task: str | None = None,
                 model: str | None = None, preload: bool = True) -> None:
        super().__init__()
        self.core = core
        self.start = (conversation_id, task, model, preload)

    def on_mount(self) -> None:
        from creator_assistant.ui.screens.chat_screen import ChatScreen

        keys = dict(self.core.session.config.keys)
        for problem in check_keymap(keys):
            self.notify(problem, title="config.toml", severity="warning", timeout=15)
        self.set_keymap(usable_keymap(keys))  # a rejected remap keeps its default key
        cid, task, model, preload = self.start
        self.push_screen(ChatScreen(self.core, cid, task, model, preload))
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(self.SWITCH_INTERVAL_S)

    def on_unmount(self) -> None:
        sys.setswitchinterval(getattr(self, "_switch_interval", 0.005))

    @property
    def keymap(self) -> dict[str, str]:
        return dict(self._keymap)

    def action_help(self) -> None:
        from creator_assistant.ui.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.core.session, self.keymap))

    def action_models(self) -> None:
        from creator_assistant.ui.screens.models_screen import ModelsScreen

        if not isinstance(self.screen, ModelsScreen):
            self.push_screen(ModelsScreen(self.core))

    def on_models_screen_chosen(self, event: Any) -> None:
        for chat in self.chat_screens():
            chat.use_library_model(event.model_id)

    def on_models_screen_deleted(self, event: Any) -> None:
        for chat in self.chat_screens():
            if chat.use_model == event.model_id:
                chat.use_library_model(None)

    def chat_screens(self) -> list[Any]:
        from creator_assistant.ui.screens.chat_screen import ChatScreen

        return [s for s in self.screen_stack if isinstance(s, ChatScreen)]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys and slash commands", self.action_help)
        yield SystemCommand("Model library", "Download, load, unload, delete models",
                            self.action_models)
        if hasattr(screen, "palette_commands"):
            yield from screen.palette_commands()


def run_chat(paths: Any = None, conversation_id: str | None = None, task: str | None = None,
             model: str | None = None, resume_latest: bool = False) -> int:
    """Open the full-screen chat; conversation and task are checked before the screen opens."""
    from creator_assistant.session import UserInputError
    from creator_assistant.ui.core import Core

    core = Core(paths)
    try:
        session = core.session

        def check() -> str | None:
            conversations = session.conversations
            cid = conversations.latest() if resume_latest else conversation_id
            return conversations.get(cid)["id"] if cid else None

        cid = core.run(check)
        if task and task not in session.tasks:
            raise UserInputError(f"unknown task {task!r}; tasks: {', '.join(sorted(session.tasks))}")
        CreatorApp(core, cid, task, model).run()
        return 0
    finally:
        core.close()
