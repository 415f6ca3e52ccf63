"""The conversations: list, search, and keys to open, start, rename and delete them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from creator_assistant.terminal_text import safe

HINT = "⏎ open · n new · r rename · d delete · esc close"


def when(stamp: str) -> str:
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return ""


class ConversationSidebar(Vertical):
    """Reads the session's conversations service; posts what the user asks for to the screen."""

    BINDINGS = [
        Binding("n", "new", "New", show=False),
        Binding("r,f2", "rename", "Rename", show=False),
        Binding("d,delete", "delete", "Delete", show=False),
        Binding("escape", "close", "Close", show=False),
        Binding("slash", "search", "Search", show=False),
    ]

    class Open(Message):
        def __init__(self, cid: str) -> None:
            super().__init__()
            self.cid = cid

    class New(Message):
        pass

    class Close(Message):
        pass

    class Rename(Message):
        def __init__(self, cid: str, title: str) -> None:
            super().__init__()
            self.cid, self.title = cid, title

    class Delete(Message):
        def __init__(self, cid: str, title: str) -> None:
            super().__init__()
            self.cid, self.title = cid, title

    class Found(Message):
        """The search by words and meaning of `query` is done (from the search's thread)."""

        def __init__(self, query: str, current: str | None, hits: list[dict[str, Any]],
                     note: str | None) -> None:
            super().__init__()
            self.query, self.current, self.hits, self.note = query, current, hits, note

    def __init__(self, conversations: Any, **kwargs) -> None:
        super().__init__(**kwargs)
        self.conversations = conversations
        self.titles: dict[str, str] = {}
        self.rows: list[dict[str, Any]] = []  # the conversations, as last read
        self.shown: list[dict[str, Any]] = []  # those in the list now

    def compose(self) -> ComposeResult:
        yield Static("Conversations", classes="title")
        yield Input(placeholder="Search titles and messages", id="search")
        note = Static("", id="search-note", classes="hint")
        note.display = False
        yield note
        yield OptionList(id="conversations")
        yield Static(HINT, classes="hint")

    @property
    def options(self) -> OptionList:
        return self.query_one("#conversations", OptionList)

    def reload(self, current: str | None = None) -> None:
        """Fill the list from the saved conversations, filtered by the search box: by words at
        once, then by words and meaning when that search (on its own thread) is done."""
        query = self.search_text
        self.rows = rows = self.conversations.recent()
        self.titles = {r["id"]: r["title"] or "untitled" for r in rows}
        if query:
            self.fill(self._matches(rows, query, self.conversations.search(query, limit=50,
                                                                           exact=True)), current)
            self._by_meaning(query, current)
        else:
            self.show_note(None)
            self.fill(rows, current)

    @property
    def search_text(self) -> str:
        return self.query_one("#search", Input).value.strip()

    def fill(self, rows: list[dict[str, Any]], current: str | None) -> None:
        self.shown = rows
        options = self.options
        options.clear_options()
        for row in rows:
            title = self.titles[row["id"]]
            detail = row.get("snippet") or (
                f"{when(row['updated'])} · {row['messages']} message"
                + ("" if row["messages"] == 1 else "s")
                + (f" · {row['task']}" if row.get("task") else ""))
            label = Content.assemble((safe(title[:60]), "bold"), "\n", (detail, "dim"))
            options.add_option(Option(label, id=row["id"]))
        if not rows:
            options.add_option(Option(Content("no conversations match" if self.search_text else
                                              "no conversations yet"), disabled=True))
            return
        ids = [r["id"] for r in rows]
        options.highlighted = ids.index(current) if current in ids else 0

    @work(thread=True, exclusive=True, group="sidebar-search", exit_on_error=False)
    def _by_meaning(self, query: str, current: str | None) -> None:
        try:
            hits = self.conversations.search(query, limit=50)
            note = getattr(hits, "note", None)
        except Exception as exc:  # the words-only list stays; the note says why
            hits, note = None, f"search by meaning failed: {exc}"
        self.post_message(self.Found(query, current, hits or [], note))

    @on(Found)
    def _found(self, event: Found) -> None:
        if event.query != self.search_text:  # typed on since: a newer search is coming
            return
        self.show_note(event.note)
        rows = self._matches(self.rows, event.query, event.hits)
        if event.hits and rows != self.shown:  # unchanged: the highlight stays where it is
            self.fill(rows, self.selected or event.current)

    def show_note(self, note: str | None) -> None:
        widget = self.query_one("#search-note", Static)
        widget.update(Content(safe(note or "")))
        widget.display = bool(note)

    @staticmethod
    def _matches(rows: list[dict[str, Any]], query: str,
                 hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Conversations whose title contains the query, then those with a message matching it."""
        lower = query.lower()
        found = [dict(r) for r in rows if lower in (r["title"] or "").lower()]
        seen = {r["id"] for r in found}
        by_id = {r["id"]: r for r in rows}
        for hit in hits:
            cid = hit["conversation_id"]
            if cid not in seen and cid in by_id:
                seen.add(cid)
                found.append({**by_id[cid], "snippet": " ".join(hit["snippet"].split())})
        return found

    @property
    def selected(self) -> str | None:
        options = self.options
        if options.highlighted is None or not options.option_count:
            return None
        return options.get_option_at_index(options.highlighted).id

    @on(Input.Changed, "#search")
    def _search(self) -> None:
        self.reload()

    @on(Input.Submitted, "#search")
    def _to_list(self) -> None:
        self.options.focus()

    @on(OptionList.OptionSelected, "#conversations")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Open(event.option.id))

    def action_new(self) -> None:
        self.post_message(self.New())

    def action_close(self) -> None:
        self.post_message(self.Close())

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_rename(self) -> None:
        if cid := self.selected:
            self.post_message(self.Rename(cid, self.titles.get(cid, "")))

    def action_delete(self) -> None:
        if cid := self.selected:
            self.post_message(self.Delete(cid, self.titles.get(cid, "")))
