"""One message in the chat: who said it, the text, and for replies what answered and how fast,
and what the format check found wrong with it (live, and for a saved reply whose info has it)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from creator_assistant.terminal_text import safe
from creator_assistant.ui.info import ReplyInfo
from creator_assistant.ui.widgets.facts_view import FactsView
from creator_assistant.ui.widgets.reply_body import ReplyBody

LABELS = {"user": "You", "assistant": "Assistant", "command": "Command", "error": "Problem"}


class MessageView(Vertical, can_focus=True):
    """A message; select it (Shift+Tab, then Up/Down) to copy it with the screen's copy key.

    No letter is an action here: one Shift+Tab lands on a message, and a user who then types
    means the prompt, so printable keys are handed to it (`Typed`). Tab and Shift+Tab leave the
    messages at once instead of stepping through every one of them."""

    DEFAULT_CSS = """
    MessageView .problems {
        color: $text-warning;
    }
    """

    BINDINGS = [
        Binding("up", "neighbour(-1)", "Previous", show=False),
        Binding("down", "neighbour(1)", "Next", show=False),
        Binding("tab", "leave(1)", "Leave", show=False),
        Binding("shift+tab", "leave(-1)", "Leave", show=False),
    ]

    class Typed(Message):
        """A printable key pressed while this message had focus: it belongs in the prompt."""

        def __init__(self, character: str) -> None:
            super().__init__()
            self.character = character

    def __init__(self, role: str, text: str = "", info: ReplyInfo | None = None,
                 facts: str = "", label: str | None = None) -> None:
        super().__init__(classes=role)
        self.role = role
        self._text = text
        self._facts = facts
        self._label = label or LABELS.get(role, role)
        self._meta = info.line() if info else ""
        self.info = info

    def compose(self) -> ComposeResult:
        yield Static(self._label, classes="who")
        if self.role == "user":
            yield Static(Content(safe(self._text)), classes="body")
            return
        facts = FactsView(self._facts, classes="facts")  # tables, and charts drawn
        facts.display = bool(self._facts)
        yield facts
        yield ReplyBody(self._text)
        meta = Static(Content(self._meta), classes="meta")
        meta.display = self.role == "assistant"
        yield meta
        note = Static("", classes="note")
        note.display = False
        yield note
        found = self.info.problems if self.info else []
        problems = Static(Content(problems_text(found)), classes="problems")
        problems.display = bool(found)
        yield problems

    @property
    def text(self) -> str:
        if self.role == "user":
            return self._text
        return self.query_one(ReplyBody).text

    @property
    def body(self) -> ReplyBody:
        return self.query_one(ReplyBody)

    # The reply may start before this view is mounted: facts and meta wait for compose then.

    async def show_facts(self, facts: str) -> None:
        """Tables and charts a task computed, shown above the model's reply."""
        self._facts = facts
        if self.is_mounted:
            view = self.query_one(".facts", FactsView)
            view.display = bool(facts)
            await view.update(facts)

    def set_meta(self, text: str) -> None:
        self._meta = text
        if self.is_mounted:
            self.query_one(".meta", Static).update(Content(text))

    def set_info(self, info: ReplyInfo, first_note: bool = False) -> None:
        """The reply ended: say what answered and how, and anything the user should know."""
        self.info = info
        self.set_meta(info.line())
        notes = list(info.notices)
        if info.error:
            notes.append(f"Error: {info.error}")
        if first_note and info.note:
            notes.append(f"Note: {info.note}")
        note = self.query_one(".note", Static)
        note.update(Content("\n".join(notes)))
        note.display = bool(notes)
        problems = self.query_one(".problems", Static)
        problems.update(Content(problems_text(info.problems)))
        problems.display = bool(info.problems)
        self.set_class(info.status == "error", "failed")
        self.set_class(info.status == "stopped", "stopped")

    @property
    def problems_shown(self) -> str:
        """The problems under the reply as shown ('' when none are)."""
        view = self.query_one(".problems", Static)
        return str(view.content) if view.display else ""

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify(f"Copied {len(self.text):,} characters (OSC 52).", timeout=3)

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self.post_message(self.Typed(event.character))

    def action_neighbour(self, step: int) -> None:
        views = list(self.parent.query_children(MessageView)) if self.parent else []
        index = views.index(self) + step
        if 0 <= index < len(views):
            if not views[index].display:  # folded away above a long reply
                getattr(self.parent, "unfold_all", lambda: None)()
            views[index].focus()
            views[index].scroll_visible()
        elif index == len(views):  # Down from the newest message: back to what follows it
            self.action_leave(1)

    def action_leave(self, step: int) -> None:
        """Focus what comes after the last message (step 1) or before the first (step -1)."""
        chain = self.screen.focus_chain
        mine = [i for i, w in enumerate(chain) if isinstance(w, MessageView)]
        if mine and len(chain) > len(mine):
            index = (mine[-1] + 1) if step > 0 else (mine[0] - 1)
            self.screen.set_focus(chain[index % len(chain)])


def problems_text(problems: list[str]) -> str:
    """What the format check found, one problem a line, under the reply."""
    if not problems:
        return ""
    head = "The format check found a problem:" if len(problems) == 1 else (
        f"The format check found {len(problems)} problems:")
    return "\n".join([head, *(f"- {p}" for p in problems)])
