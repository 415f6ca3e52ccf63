"""Hide what is far above the screen while the chat follows a reply at the bottom.

Textual lays out every mounted widget on every frame, so a long reply (hundreds of Markdown
blocks) or a long conversation makes each streamed frame slower than the last. While the view
follows the bottom, the leading children of a container that are at least `distance` rows above
the last one are hidden (`display: none`, out of layout) and one spacer as tall as they were
takes their place, so nothing on screen and nothing in the scroll extent moves. Any look
upwards unfolds them again, exactly where they were.

Folding is measured on the last layout, and what stays below the folded part may get shorter
after it: streamed up to "- item\n  - ", a list's last item reads as a heading (a setext
underline), rows taller than the nested item the next characters make of it; a reply is also
rendered anew when it ends. The view, anchored at the bottom, then moves up with the content's
end, and Textual sets that scroll position without a scroll event (no look upwards to unfold
on): the spacer's last rows showed as blank rows at the top of the screen. So the chat folds
only what is well above the screen (`ChatLog.fold_above`), and after every layout a spacer that
would show is unfolded at once (`shown_in`, `ChatLog.unfold_shown`).

The spacer is a child, not the container's padding: a scrolling container's padding does not
scroll with its content, it is cut from the viewport (and past the viewport's height it makes
the container taller than its parent, pushing whatever is below it off the screen).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.geometry import Region
from textual.widget import Widget


class FoldSpacer(Widget):
    """Stands in for the folded children: as tall as they were, with nothing inside to lay
    out."""

    DEFAULT_CSS = "FoldSpacer { height: 0; margin: 0; padding: 0; }"

    def __init__(self) -> None:
        super().__init__()
        self.display = False


class Folding:
    """Mixin (first among the bases) for a vertical container whose children have no top
    margin; its compose yields `self.spacer` just before the children it folds."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._folded: dict[Widget, int] = {}  # folded child -> its rows, with its bottom margin
        self.spacer = FoldSpacer()

    @property
    def folded(self) -> int:
        """How many children are folded away."""
        return len(self._folded)

    def fold(self, children: Sequence[Widget], distance: int) -> int:
        """Fold the leading `children` whose bottom is at least `distance` rows above the end of
        the last one; return how many were folded this time."""
        if not self.spacer.is_attached:
            return 0
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
        self._fill()
        return len(fresh)

    def shown_in(self, window: Region) -> bool:
        """Whether the spacer (folded rows) lies, even partly, in `window` (a screen region)."""
        return bool(self._folded) and self.spacer.display and self.spacer.region.overlaps(window)

    def forget(self, children: Sequence[Widget]) -> None:
        """Children about to be removed: their rows leave the spacer with them."""
        dropped = [self._folded.pop(child, None) for child in list(children)]  # every one:
        if any(rows is not None for rows in dropped):  # a held child is never freed
            self._fill()

    def unfold(self) -> None:
        """Show everything folded, in place."""
        if not self._folded:
            return
        for child in self._folded:
            child.display = True
        self._folded.clear()
        self._fill()

    def _fill(self) -> None:
        rows = sum(self._folded.values())
        self.spacer.styles.height = rows
        self.spacer.display = rows > 0


def _rows(child: Widget) -> int:
    return child.outer_size.height + child.styles.margin.bottom
