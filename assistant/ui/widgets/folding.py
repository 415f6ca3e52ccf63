"""Hide what is far above the screen while the chat follows a reply at the bottom.

Textual lays out every mounted widget on every frame, so a long reply (hundreds of Markdown
blocks) or a long conversation makes each streamed frame slower than the last. While the view
follows the bottom, the leading children of a container that are at least `distance` rows above
the last one are hidden (`display: none`, out of layout) and their height becomes the
container's top padding, so nothing on screen and nothing in the scroll extent moves. Any look
upwards unfolds them again, exactly where they were.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widget import Widget


class Folding:
    """Mixin (first among the bases) for a vertical container whose children have no top
    margin."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._folded: dict[Widget, int] = {}  # folded child -> its rows, with its bottom margin

    @property
    def folded(self) -> int:
        """How many children are folded away."""
        return len(self._folded)

    def fold(self, children: Sequence[Widget], distance: int) -> int:
        """Fold the leading `children` whose bottom is at least `distance` rows above the end of
        the last one; return how many were folded this time."""
        below, upto = 0, -1
        for index in range(len(children) - 1, -1, -1):
            child = children[index]
            if not child.display:  # folded already, and so is everything before it
                break
            if below >= distance:
                upto = index
                break
            below += _rows(child)
        fresh = [c for c in children[: upto + 1] if c.display]
        # Not laid out yet, or a top margin (which would collapse differently): leave it.
        if not fresh or any(c.outer_size.height == 0 or c.styles.margin.top for c in fresh):
            return 0
        for child in fresh:
            self._folded[child] = _rows(child)
            child.display = False
        self._pad()
        return len(fresh)

    def forget(self, children: Sequence[Widget]) -> None:
        """Children about to be removed: their rows leave the padding with them."""
        if any(self._folded.pop(child, None) is not None for child in list(children)):
            self._pad()

    def unfold(self) -> None:
        """Show everything folded, in place."""
        if not self._folded:
            return
        for child in self._folded:
            child.display = True
        self._folded.clear()
        self._pad()

    def _pad(self) -> None:
        """The stylesheet's top padding plus the folded rows (the stylesheet's alone: none)."""
        container: Widget = self  # type: ignore[assignment]
        rows = sum(self._folded.values())
        if rows:
            top, right, bottom, left = container.styles.base.padding
            container.styles.padding = (top + rows, right, bottom, left)
        elif container.styles.clear_rule("padding"):
            container.refresh(layout=True)


def _rows(child: Widget) -> int:
    return child.outer_size.height + child.styles.margin.bottom
