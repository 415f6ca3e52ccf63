"""A reply's text as Markdown, streamed in; long replies are split into a few segments."""

from __future__ import annotations

import re

from textual.containers import Vertical
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownStream

from creator_assistant.terminal_text import safe
from creator_assistant.ui.widgets.folding import Folding

# Markdown re-parses and re-wraps the open block on every append; closing a segment at a
# paragraph break every few thousand characters keeps each append small however long the reply.
SEGMENT_CHARS = 3000
FENCE = re.compile(r"^ {0,3}(```|~~~)", re.M)
# A paragraph that runs on past this is cut at a line or sentence end (shown as a line break).
LONG_PARAGRAPH = 2 * SEGMENT_CHARS


def _outside_fence(text: str) -> bool:
    return len(FENCE.findall(text)) % 2 == 0


def _paragraph_open(segment: str, head: str) -> bool:
    """True when cutting after `head` would split inline code or bold text in two."""
    paragraph = (segment + head).rsplit("\n\n", 1)[-1]
    return paragraph.count("`") % 2 == 1 or paragraph.count("**") % 2 == 1


def find_cut(segment: str, text: str) -> tuple[int, bool]:
    """Where in `text` (appended to `segment`) the segment may close: after a blank line, or in
    an overlong paragraph after a line end, a sentence end or at last a space; (-1, _) when
    nowhere. The flag is True for a cut inside a paragraph."""
    cut = text.rfind("\n\n")
    if cut >= 0 and _outside_fence(segment + text[:cut]):
        return cut + 2, False
    if len(segment) + len(text) < LONG_PARAGRAPH:
        return -1, False
    for mark in ("\n", ". ", "! ", "? ", " "):
        cut = text.rfind(mark)
        if cut < 0:
            continue
        line = (segment + text[:cut]).rsplit("\n", 1)[-1]
        # Not inside a code block, a table row, inline code or bold: splitting those would
        # change what they show.
        if ("|" not in line and _outside_fence(segment + text[:cut])
                and not _paragraph_open(segment, text[:cut + len(mark)])):
            return cut + len(mark), True
    return -1, False


class ReplyBody(Folding, Vertical):
    """Markdown segments; `write` appends streamed text, `finish` renders the last one fully.
    Segments far above the screen may be folded out of layout while the chat follows the end."""

    DEFAULT_CSS = "ReplyBody { height: auto; }"

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._initial = text
        self._done: list[str] = []  # text of closed segments
        self._open = ""  # text of the open segment
        self._segment: Markdown | None = None
        self._stream: MarkdownStream | None = None

    @property
    def text(self) -> str:
        return "".join(self._done) + self._open

    def compose(self):
        # First, so a folded first segment leaves no other segment `:first-child` (app.tcss).
        yield self.spacer
        if self._initial:
            self._open = self._initial
            self._segment = Markdown(safe(self._initial))
            yield self._segment

    async def write(self, text: str) -> None:
        """Append streamed text (call from the UI loop)."""
        if len(self._open) + len(text) > SEGMENT_CHARS:
            cut, inside = find_cut(self._open, text)
            if cut > 0:
                await self._append(text[:cut])
                if inside and self._segment is not None:
                    self._segment.add_class("run-on")
                await self._close_segment()
                text = text[cut:]
        if text:
            await self._append(text)

    async def _append(self, text: str) -> None:
        if self._stream is None:
            self._segment = Markdown()
            await self.mount(self._segment)
            self._stream = Markdown.get_stream(self._segment)
        self._open += text
        await self._stream.write(safe(text))  # shown, never obeyed

    async def _close_segment(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
        self._done.append(self._open)
        self._open, self._segment, self._stream = "", None, None

    @property
    def segments(self) -> list[Markdown]:
        return list(self.query_children(Markdown))

    def fold_segments(self, distance: int) -> int:
        return self.fold(self.segments, distance)

    async def finish(self) -> None:
        """The stream ended: flush it, then render the open segment once from its whole text."""
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
            if self._segment is not None:
                await self._segment.update(self._open)
