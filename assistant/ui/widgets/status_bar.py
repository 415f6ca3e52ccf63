"""One line at the bottom: the model and its state, the task, context use, and the last speed."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class StatusBar(Static):
    """Model (loaded, or loading), task, tokens used / window, last TTFT and tokens/s."""

    model_name: reactive[str] = reactive("")
    model_state: reactive[str] = reactive("")  # "", "loading", "loaded", "failed"
    progress: reactive[float | None] = reactive(None)  # 0..1 while loading, when known
    demo: reactive[bool] = reactive(False)
    task_name: reactive[str] = reactive("")
    context_used: reactive[int] = reactive(0)
    context_window: reactive[int] = reactive(0)
    ttft_ms: reactive[float] = reactive(0.0)
    tps: reactive[float] = reactive(0.0)
    frame: reactive[int] = reactive(0)

    def on_mount(self) -> None:
        self._spinner = self.set_interval(0.12, self._spin, pause=True)

    def _spin(self) -> None:
        self.frame += 1

    def watch_model_state(self, state: str) -> None:
        if hasattr(self, "_spinner"):
            (self._spinner.resume if state == "loading" else self._spinner.pause)()

    def model_text(self) -> str:
        if not self.model_name:
            return "no model yet"
        name = f"{self.model_name} (demo model)" if self.demo else self.model_name
        if self.model_state == "loading":
            done = f" {self.progress:.0%}" if self.progress is not None else ""
            return f"{SPINNER[self.frame % len(SPINNER)]} loading {name}{done}"
        if self.model_state == "loaded":
            return f"● {name}"
        if self.model_state == "failed":
            return f"✗ {name} failed to load"
        return f"○ {name}"

    def render(self) -> Content:
        ctx = (f"context {self.context_used:,} / {self.context_window:,}"
               if self.context_window else "context –")
        ttft = f"first token {self.ttft_ms:,.0f} ms" if self.tps else "first token –"
        speed = f"{self.tps:,.1f} tok/s" if self.tps else "– tok/s"
        task = f"task {self.task_name}" if self.task_name else "task auto"
        return Content(" │ ".join([self.model_text(), task, ctx, ttft, speed]))
