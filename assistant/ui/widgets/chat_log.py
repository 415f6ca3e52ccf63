"""The scrolling list of messages, pinned to the bottom, keeping only recent ones mounted."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from creator_assistant.ui.widgets.message_view import MessageView

# Older messages stay in the database (/history, the sidebar); the screen holds the recent ones.
KEEP_MOUNTED = 40


class ChatLog(VerticalScroll, can_focus=False):
    """Messages, newest at the bottom; the oldest are unmounted past KEEP_MOUNTED."""

    def __init__(self, keep: int = KEEP_MOUNTED, **kwargs) -> None:
        super().__init__(**kwargs)
        self.keep = keep
        self.hidden = 0  # messages of this conversation not mounted

    def compose(self):
        earlier = Static("", id="earlier")
        earlier.display = False
        yield earlier

    @property
    def messages(self) -> list[MessageView]:
        return list(self.query_children(MessageView))

    async def add(self, *views: MessageView) -> None:
        """Mount messages at the bottom and follow them there."""
        await self.mount_all(views)
        await self.prune()
        self.anchor()

    async def prune(self) -> None:
        extra = self.messages[: -self.keep] if len(self.messages) > self.keep else []
        if extra:
            self.hidden += len(extra)
            await self.remove_children(extra)
        label = self.query_one("#earlier", Static)
        label.display = self.hidden > 0
        label.update(Content(f"{self.hidden} earlier messages are not shown: /history lists "
                             "them all."))

    async def clear(self) -> None:
        self.hidden = 0
        await self.remove_children(MessageView)
        await self.prune()

    async def drop_last(self, count: int) -> None:
        views = self.messages[-count:] if count else []
        await self.remove_children(views)
