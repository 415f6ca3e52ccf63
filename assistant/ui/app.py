"""The Textual app: opens the chat screen on a Core, applies the user's key remapping."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen

from creator_assistant.ui.keys import binding, check_keymap, usable_keymap


class CreatorApp(App[None]):
    """The chat. `core` holds the Session (built after the first frame when not yet started);
    `preload` loads the model before the first message; `failure`: why the chat closed."""

    CSS_PATH = "app.tcss"
    # The core thread reads each token from the model's pipe and needs the GIL to do it; with
    # Python's default 5 ms switch interval, a redraw on this thread makes it wait in 5 ms
    # steps and the pipe fills up. 1 ms keeps tokens flowing while the screen is drawn.
    SWITCH_INTERVAL_S = 0.001
    TITLE = "Creator Assistant"
    BINDINGS = [binding("help"), binding("models"), binding("quit", priority=True)]

    def __init__(self, core: Any, conversation_id: str | None = None, task: str | None = None,
                 model: str | None = None, preload: bool = True,
                 resume_latest: bool = False) -> None:
        super().__init__()
        self.core = core
        self.start = (conversation_id, task, model, preload, resume_latest)
        self.failure: Exception | None = None
        self.keys_used = False

    def on_mount(self) -> None:
        from creator_assistant.ui.screens.chat_screen import ChatScreen

        if self.core.started:  # waited for; else the chat screen applies them once it is built
            self.use_keys(self.core.session.config.keys)
        cid, task, model, preload, resume_latest = self.start
        self.push_screen(ChatScreen(self.core, cid, task, model, preload, resume_latest))
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(self.SWITCH_INTERVAL_S)

    def use_keys(self, keys: dict[str, str]) -> None:
        """Apply the user's key remapping (config.toml [keys]) once, saying what is rejected."""
        if self.keys_used:
            return
        self.keys_used = True
        keys = dict(keys)
        for problem in check_keymap(keys):
            self.notify(problem, title="config.toml", severity="warning", timeout=15)
        self.set_keymap(usable_keymap(keys))  # a rejected remap keeps its default key

    def fail(self, error: Exception) -> None:
        """Close the chat because it cannot go on (`run_chat` says why, as the CLI does)."""
        self.failure = error
        self.exit(return_code=1)

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
    """Open the full-screen chat. Its first frame comes first: the Session is built after it,
    then the conversation and task asked for are checked (an unknown one closes the chat and
    is raised here, for the CLI to say)."""
    from creator_assistant.ui.core import Core

    core = Core(paths, start=False)
    try:
        app = CreatorApp(core, conversation_id, task, model, resume_latest=resume_latest)
        app.run()
        if app.failure is not None:
            raise app.failure
        return 0
    finally:
        core.close()
