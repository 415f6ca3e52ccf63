"""A chart in the chat: a `Chart` drawn by textual-plotext at the widget's size, redrawn when
the widget is resized; a chart that cannot be drawn there shows why, in one line."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from creator_assistant.plots import Chart, draw, mark_lines, problem, shown


class ChartView(PlotextPlot):
    """`ChartView(chart)`: the chart's lines or bars, its marks listed underneath."""

    DEFAULT_CSS = """
    ChartView {
        width: 1fr;
        height: 16;
    }
    """

    def __init__(self, chart: Chart, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.chart = shown(chart)

    @property
    def marks_height(self) -> int:
        return len(mark_lines(self.chart))

    def render(self) -> RenderResult:
        """Drawn afresh at the current size (Textual calls this again after a resize)."""
        width, height = self.size.width, self.size.height - self.marks_height
        why = problem(self.chart, width, height)
        if why:
            return Text(why)
        self.plt.clear_data()
        draw(self.plt, self.chart, width)
        self.plt.plotsize(width, height)
        self.plt._set_size(width, height)  # as PlotextPlot.render does (textual-plotext #5)
        self.plt.theme(self._get_plotext_theme_name(self.app.theme))
        plot = Text.from_ansi(self.plt.build().rstrip("\n"))
        for line in mark_lines(self.chart):
            plot.append("\n" + line[:width])
        return plot

    def on_resize(self) -> None:
        self.refresh()
