"""The model library: every model by category with size, tier and status; download with a
progress bar, load, unload and delete, all from the keyboard. The session's `models` service
does the work; loading, unloading and deleting run on the core thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar, Static

from creator_assistant.ui.core import Core
from creator_assistant.ui.screens.confirm_screen import ConfirmScreen

# The Kind column: what each kind of model is good for.
KINDS = {"chat": "chat", "base": "base (continues text)", "embedding": "embeddings",
         "demo": "demo"}


def size_label(row: dict[str, Any]) -> str:
    from creator_assistant.library import human_size

    return human_size(row["size"]) if row["size"] else "built here"


class ModelsScreen(Screen[None]):
    """A table of models; the keys act on the highlighted one."""

    BINDINGS = [
        Binding("d", "download", "Download"),
        Binding("l", "load", "Load for the chat"),
        Binding("u", "unload", "Unload"),
        Binding("x,delete", "delete", "Delete"),
        Binding("a", "automatic", "Each task's model"),
        Binding("escape,f3,q", "close", "Back"),
    ]

    class Chosen(Message):
        """The chat should answer with this model from now on (None: each task's own)."""

        def __init__(self, model_id: str | None) -> None:
            super().__init__()
            self.model_id = model_id

    class Deleted(Message):
        """The model is gone from this machine: a chat answering with it must choose again."""

        def __init__(self, model_id: str) -> None:
            super().__init__()
            self.model_id = model_id

    def __init__(self, core: Any) -> None:
        super().__init__()
        self.core = core
        self.rows: list[dict[str, Any]] = []
        self.cancel_pull = threading.Event()

    @property
    def session(self) -> Any:
        return self.core.session

    def compose(self) -> ComposeResult:
        yield Static("Model library", classes="title")
        yield DataTable(id="models", cursor_type="row", zebra_stripes=True)
        yield Static("", id="model-note")
        bar = ProgressBar(id="download", show_eta=True)
        bar.display = False
        yield bar
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Category", "Model", "Size", "Tier", "Status", "Kind")
        self.refresh_rows()
        table.focus()

    def refresh_rows(self) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = self.session.models.rows()
        previous = None
        for row in self.rows:
            category = row["category"] if row["category"] != previous else ""
            previous = row["category"]
            name = f"{row['id']} (demo: meaningless text)" if row.get("demo") else row["id"]
            if row.get("tag") == "starter model":
                name += " (starter: very small)"
            kind = "demo" if row.get("demo") else row.get("kind", "")
            status = "failed to load" if row.get("failed") else row["status"]
            table.add_row(category, name, size_label(row), row["tier"], status,
                          KINDS.get(kind, kind), key=row["id"])
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))

    @property
    def current(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None:
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def show_note(self) -> None:
        row = self.current
        if row is None:
            return
        lines = [row["name"]]
        if row.get("note"):
            tag, note = row.get("tag", ""), row["note"]
            lines.append(note if not tag or note.startswith((tag, f"a {tag}")) else
                         f"{tag[0].upper()}{tag[1:]}: {note}")
        if row.get("failed"):  # never chosen by itself until it loads (l tries it again)
            lines.append(f"Failed to load: {row['failed']}")
        if row.get("gated"):
            lines.append(f"Licence-gated: {row.get('licence', '')}")
        if row.get("path"):
            lines.append(str(row["path"]))
        self.query_one("#model-note", Static).update(Content("\n".join(lines)))

    @on(DataTable.RowSelected)
    def selected(self) -> None:
        self.action_load()

    # -- actions ----------------------------------------------------------------------------

    def action_close(self) -> None:
        self.cancel_pull.set()
        self.app.pop_screen()

    def action_download(self) -> None:
        row = self.current
        if row is None:
            return
        if row["status"] != "available":
            self.notify(f"{row['id']} is already here.", timeout=3)
            return
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=row["size"] or None, progress=0)
        self.cancel_pull.clear()
        self.pull(row["id"])

    @work(thread=True, exclusive=True, group="pull")
    def pull(self, model_id: str) -> None:
        bar = self.query_one(ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total or None, progress=done)

        # Off the core thread: a download never touches the pool, and must not hold up the chat.
        self.act(lambda: self.session.models.pull(model_id, progress, self.cancel_pull))
        self.app.call_from_thread(setattr, bar, "display", False)

    def action_load(self) -> None:
        """Load the model and make the chat answer with it, as choosing a model does in
        Ollama's clients; `a` gives each task its own model again."""
        row = self.current
        if row is None:
            return
        if row["status"] == "available":
            self.notify(f"{row['id']} is not downloaded yet; d downloads it.", timeout=3)
            return
        self.notify(f"Loading {row['id']}…", timeout=3)
        self.core.load_model(self, model=row["id"])

    @on(Core.ModelLoaded)
    def loaded(self, event: Core.ModelLoaded) -> None:
        self.post_message(self.Chosen(event.model))
        self.reported(f"{event.report}; the chat now answers with it (a: each task's own model)",
                      "information")

    @on(Core.ModelFailed)
    def load_failed(self, event: Core.ModelFailed) -> None:
        self.reported(event.error, "error")

    def action_automatic(self) -> None:
        self.post_message(self.Chosen(None))
        self.notify("The chat uses each task's own model again.", timeout=3)

    def action_unload(self) -> None:
        row = self.current
        if row is not None and row["status"] == "loaded":
            self.on_core(self.session.models.unload, row["id"])

    def action_delete(self) -> None:
        row = self.current
        if row is None:
            return
        if row.get("demo"):
            self.notify("The demo model is built in (made here when needed): nothing to delete.",
                        timeout=4)
            return
        if row["status"] == "available":
            self.notify(f"{row['id']} is not downloaded: nothing to delete.", timeout=3)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.on_core(self.session.models.remove, row["id"], then=self.Deleted(row["id"]))

        if row.get("source") == "added":
            question = (f"Take {row['id']} out of the library? Your file {row['path']} is left "
                        "where it is.")
        else:
            question = (f"Delete {row['id']} ({size_label(row)}) from this machine? You can "
                        "download it again later.")
        self.app.push_screen(ConfirmScreen(question), done)

    @work(group="model")
    async def on_core(self, fn: Callable[..., str], *args: Any, then: Message | None = None) -> None:
        """Run fn on the core thread, then post `then` if it worked, report and refresh."""
        try:
            message, severity = await self.core.call(fn, *args), "information"
            if then is not None:
                self.post_message(then)
        except Exception as exc:  # reported on screen: the library says what to do
            message, severity = str(exc), "error"
        self.reported(message, severity)

    def act(self, fn: Callable[[], str]) -> None:
        """Run fn (in a worker thread), then report and refresh the table."""
        try:
            message = fn()
            severity = "information"
        except Exception as exc:  # reported on screen: the library says what to do
            message, severity = str(exc), "error"
        self.app.call_from_thread(self.reported, message, severity)

    def reported(self, message: Any, severity: str) -> None:
        if message:
            self.notify(str(message), severity=severity, timeout=6)
        self.refresh_rows()
