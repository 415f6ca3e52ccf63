"""The scrolling list of messages, pinned to the bottom, keeping only recent ones mounted."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from creator_assistant.ui.widgets.folding import Folding
from creator_assistant.ui.widgets.message_view import MessageView
from creator_assistant.ui.widgets.reply_body import ReplyBody

# Older messages stay in the database (/history, the sidebar); the screen holds the recent ones.
KEEP_MOUNTED = 40
# What is this many screens above a followed reply is folded out of layout (see folding).
FOLD_SCREENS = 2


class ChatLog(Folding, VerticalScroll, can_focus=False):
    """Messages, newest at the bottom; the oldest are unmounted past KEEP_MOUNTED. While it
    follows a reply, what is a screen or more above is folded out of layout (see folding)."""

    def __init__(self, keep: int = KEEP_MOUNTED, **kwargs) -> None:
        super().__init__(**kwargs)
        self.keep = keep
        self.hidden = 0  # messages of this conversation not mounted
        self._width = 0

    @property
    def following(self) -> bool:
        """At the bottom, following new text (the user has not scrolled up)."""
        return self.is_anchored and self.scroll_y >= self.max_scroll_y - 1

    def fold_above(self) -> None:
        """Fold earlier messages, and earlier parts of the last reply, far above the screen."""
        if not self.following or not self.size.height:
            return
        # Heights are those of the last layout: what is below may get shorter after it (a
        # streamed block re-parsed), moving the anchored view up, and the view may be taller by
        # then (the slash menu closed). Folding only what is two screens (of the whole
        # terminal) above keeps the spacer off the screen; `watch_virtual_size` unfolds it
        # should it show all the same.
        distance = FOLD_SCREENS * max(self.size.height, self.screen.size.height)
        messages = self.messages
        self.fold(messages, distance)
        if messages and messages[-1].role != "user":
            messages[-1].body.fold_segments(distance)

    def unfold_all(self) -> None:
        self.unfold()
        for body in self.query(ReplyBody):
            body.unfold()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new < old - 0.5:  # a look upwards
            self.unfold_all()

    def on_resize(self) -> None:
        if self.size.width != self._width:  # lines wrap anew: folded heights are stale
            self._width = self.size.width
            self.unfold_all()
        else:  # taller: the view may now reach the folded rows
            self.unfold_shown()

    def watch_virtual_size(self) -> None:
        # Called in the layout that changed the content's height, after the anchored view was
        # moved to the new bottom without a scroll event (see folding): unfold before the frame
        # could show the folded rows.
        self.unfold_shown()

    def unfold_shown(self) -> None:
        """Unfold everything when folded rows (the log's or a reply's) lie in the view."""
        window = self.region
        if not window:
            return
        # Each message's own children only (a reply's body may not be composed yet): cheap.
        if self.shown_in(window) or any(body.shown_in(window) for view in self.messages
                                        if view.display for body in view.query_children(ReplyBody)):
            self.unfold_all()

    def compose(self):
        earlier = Static("", id="earlier")
        earlier.display = False
        yield earlier
        yield self.spacer  # folded messages' rows (see folding)

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
            self.forget(extra)
            await self.remove_children(extra)
        label = self.query_one("#earlier", Static)
        label.display = self.hidden > 0
        label.update(Content(f"{self.hidden} earlier messages are not shown: /history lists "
                             "them all."))

    async def clear(self) -> None:
        self.hidden = 0
        self.unfold_all()
        await self.remove_children(MessageView)
        await self.prune()

    async def drop_last(self, count: int) -> None:
        views = self.messages[-count:] if count else []
        self.forget(views)
        await self.remove_children(views)
