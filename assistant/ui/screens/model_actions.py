"""The chat screen's model: loaded ahead of the first message, shown in the status bar, and
chosen in the model library. A mixin of ChatScreen; the core's model messages are handled there."""

from __future__ import annotations

from typing import Any


class ModelActions:
    """Needs from the screen: core, status, use_task and use_model."""

    core: Any
    status: Any
    use_task: str | None
    use_model: str | None

    def preload_model(self) -> None:
        """Load the model on the core thread (a first message queues behind it)."""
        self.core.load_model(self, self.use_task, self.use_model)

    def show_model(self, model: str, state: str) -> None:
        status = self.status
        if state == "loaded" and status.model_name not in ("", model):
            return  # a reply already moved on to another model
        status.model_name, status.demo, status.model_state = model, model == "demo", state

    def use_library_model(self, model_id: str | None) -> None:
        """The model library chose the model for the chat's replies (None: each task's own)."""
        self.use_model = model_id
        if model_id:
            status = self.status
            status.model_name, status.demo, status.model_state = (
                model_id, model_id == "demo", "loaded")
