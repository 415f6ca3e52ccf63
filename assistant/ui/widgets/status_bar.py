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
    tag: reactive[str] = reactive("")  # "starter model", "base model" ("demo" says the demo's)
    note: reactive[str] = reactive("")  # what the tag means, shown as the bar's tooltip
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

    def watch_note(self, note: str) -> None:
        self.tooltip = note or None

    def model_text(self) -> str:
        spinner = SPINNER[self.frame % len(SPINNER)]
        if not self.model_name:  # "loading" before the model is known: the core is starting
            return f"{spinner} starting…" if self.model_state == "loading" else "no model yet"
        tag = "demo model" if self.demo else self.tag
        name = f"{self.model_name} ({tag})" if tag else self.model_name
        if self.model_state == "loading":
            done = f" {self.progress:.0%}" if self.progress is not None else ""
            tagged = f" ({tag})" if tag else ""
            return f"{spinner} loading {self.model_name}…{tagged}{done}"
        if self.model_state == "loaded":
            return f"● {name}"
        if self.model_state == "failed":
            return f"✗ {name} failed to load"
        return f"○ {name}"

    def parts(self) -> list[tuple[str, str]]:
        """Each piece of the line in a long and a short form, most important first."""
        used, window = self.context_used, self.context_window
        if window:
            ctx = (f"context {used:,} / {window:,}", f"ctx {used:,}/{window:,}")
        else:  # a saved reply whose model is gone: its size is known, the window no longer
            ctx = (f"context {used:,}", f"ctx {used:,}") if used else ("context –", "ctx –")
        speed = (f"{self.tps:,.1f} tok/s", f"{self.tps:,.0f} tok/s") if self.tps else (
            "– tok/s", "– tok/s")
        ttft = (f"first token {self.ttft_ms:,.0f} ms", f"ttft {self.ttft_ms:,.0f} ms") if (
            self.tps and self.ttft_ms) else ("first token –", "ttft –")
        task = (f"task {self.task_name}", self.task_name) if self.task_name else (
            "task auto", "auto")
        model = self.model_text()
        return [(model, model), task, ctx, ttft, speed]

    def render(self) -> Content:
        width = max(self.content_size.width, 20)
        parts = self.parts()
        for form in (0, 1):
            line = " │ ".join(p[form] for p in parts)
            if len(line) <= width:
                return Content(line)
        # Still too wide: keep the model, then as many of the rest as fit.
        line = parts[0][1]
        for part in parts[1:]:
            if len(line) + 3 + len(part[1]) > width:
                break
            line += " │ " + part[1]
        return Content(line[:width])
