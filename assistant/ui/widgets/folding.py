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

from textual.geometry import Spacing
from textual.widget import Widget


class Folding:
    """Mixin for a vertical container whose children have no top margin."""

    _folded: dict[Widget, int]  # folded child -> the rows it took, with its bottom margin
    _base_padding: Spacing | None = None

    @property
    def folded(self) -> int:
        """How many children are folded away."""
        return len(getattr(self, "_folded", ()))

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
        if not hasattr(self, "_folded"):
            self._folded = {}
        if not self._folded:
            self._base_padding = self._container.styles.padding
        for child in fresh:
            self._folded[child] = _rows(child)
            child.display = False
        self._pad()
        return len(fresh)

    def forget(self, children: Sequence[Widget]) -> None:
        """Children about to be removed: their rows leave the padding with them."""
        folded = getattr(self, "_folded", {})
        if any(folded.pop(child, None) is not None for child in list(children)):
            self._pad()

    def unfold(self) -> None:
        """Show everything folded, in place."""
        folded = getattr(self, "_folded", {})
        if not folded:
            return
        for child in folded:
            child.display = True
        folded.clear()
        self._pad()

    @property
    def _container(self) -> Widget:
        return self  # type: ignore[return-value]

    def _pad(self) -> None:
        base = self._base_padding
        if base is None:
            return
        rows = sum(self._folded.values())
        self._container.styles.padding = (base.top + rows, base.right, base.bottom, base.left)
        if not rows:
            self._base_padding = None


def _rows(child: Widget) -> int:
    return child.outer_size.height + child.styles.margin.bottom
