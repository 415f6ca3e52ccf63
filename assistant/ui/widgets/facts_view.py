"""The facts above a reply: the task's Markdown tables, with each chart block it carries drawn
as a ChartView (sized to the chat, redrawn on resize) instead of its text picture."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown

from creator_assistant.plots import split
from creator_assistant.terminal_text import safe


class FactsView(Vertical):
    """`FactsView(markdown)`; `update(markdown)` shows new facts."""

    DEFAULT_CSS = """
    FactsView {
        height: auto;
    }
    FactsView ChartView {
        margin: 1 0;
    }
    """

    def __init__(self, facts: str = "", *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.source = facts
        self._updating = asyncio.Lock()

    def compose(self) -> ComposeResult:
        pieces = list(split(self.source))
        if all(isinstance(p, str) for p in pieces):
            yield from (Markdown(safe(p)) for p in pieces if isinstance(p, str))
            return
        from creator_assistant.ui.widgets.chart import ChartView  # plotext: only with a chart

        for piece in pieces:
            yield Markdown(safe(piece)) if isinstance(piece, str) else ChartView(piece)

    async def update(self, facts: str) -> None:
        """Show `facts`; calls are taken one at a time (two overlapping updates would interleave
        their removals and mounts), and the same facts again change nothing."""
        async with self._updating:
            if facts == self.source and self.children:
                return
            self.source = facts
            await self.remove_children()
            await self.mount_all(list(self.compose()))
