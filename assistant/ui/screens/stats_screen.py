"""F5 (or the palette's "Usage stats"): your usage: the time saved, the speed figures and their
charts over time, for the last 7 days, 30 days or all of it. The figures come from the session's
usage service on the core thread."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from creator_assistant.usage.markdown import report_markdown, size, stats_markdown

SPANS = {"w": "7d", "m": "30d", "a": "all"}


class StatsScreen(Screen[None]):
    """The report, the charts and the stats for one span; Esc goes back to the chat."""

    DEFAULT_CSS = """
    StatsScreen VerticalScroll { padding: 0 2; }
    StatsScreen ChartView { height: 16; margin: 1 0; }
    StatsScreen #stats-span { color: $text-muted; margin: 1 0 0 0; }
    """
    BINDINGS = [Binding("escape,q,f5", "dismiss", "Back"),
                Binding("w", "span('7d')", "7 days"), Binding("m", "span('30d')", "30 days"),
                Binding("a", "span('all')", "All")]

    def __init__(self, core: Any, since: str = "30d") -> None:
        super().__init__()
        self.core, self.since = core, since
        self.figures: dict[str, Any] | None = None  # what is shown: stats, report and charts

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-body"):
            yield Static("", id="stats-span")
            yield Markdown("Reading your usage…", id="stats-report")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
        self.load()

    def action_span(self, since: str) -> None:
        if since != self.since:
            self.since = since
            self.load()

    @work(exclusive=True, group="stats", exit_on_error=False)
    async def load(self) -> None:
        usage, since = self.core.session.usage, self.since
        try:
            stats = await self.core.call(usage.stats, since)
            report = await self.core.call(usage.report, since)
            charts = await self.core.call(usage.charts, since)
            memory = await self.core.call(usage.memory_now)
        except Exception as exc:  # the database: said on screen, the chat goes on
            await self.query_one("#stats-report", Markdown).update(f"Could not read your "
                                                                   f"usage: {exc}")
            return
        self.figures = {"stats": stats, "report": report, "charts": charts, "memory": memory}
        await self.show(stats, report, charts, memory)

    async def show(self, stats: dict[str, Any], report: dict[str, Any], charts: list[Any],
                   memory: dict[str, Any]) -> None:
        from creator_assistant.ui.widgets.chart import ChartView

        body = self.query_one(VerticalScroll)
        self.query_one("#stats-span", Static).update(
            f"Showing {'everything' if self.since == 'all' else 'the last ' + self.since} · "
            "w 7 days · m 30 days · a all · Esc back")
        await self.query_one("#stats-report", Markdown).update(report_markdown(report))
        await body.query("ChartView, #stats-figures").remove()
        now = ", ".join(f"{name} {size(rss)}" for name, rss in memory["models"].items())
        await body.mount_all([*(ChartView(c) for c in charts),
                              Markdown(stats_markdown(stats, stats) + "\n\nResident memory now: "
                                       f"{now or 'no model loaded'}; this app "
                                       f"{size(memory['app'])}; total {size(memory['total'])}.",
                                       id="stats-figures")])
