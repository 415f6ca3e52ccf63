"""The stats screen: F5 (or the palette's "Usage stats") opens your usage, with the report,
its charts and the speed figures, read through the session's usage service."""

from __future__ import annotations

from textual.widgets import Markdown

from creator_assistant.ui.screens.chat_screen import ChatScreen
from creator_assistant.ui.screens.stats_screen import StatsScreen
from creator_assistant.ui.widgets.chart import ChartView
from tests.test_ui import SIZE, app_for, until


def talk(core, asks: list[str]) -> None:
    """Real replies from the demo model through Session.ask, on the core thread."""
    def run() -> None:
        cid = None
        for text in asks:
            turn = core.session.ask(text, task="chat", conversation_id=cid)
            "".join(turn)
            cid = turn.result.conversation_id
            assert turn.result.status == "ok", turn.result.error

    core.run(run)


def shown_text(screen: StatsScreen) -> str:
    return "\n".join(m.source for m in screen.query(Markdown))


async def test_f5_opens_the_stats_with_charts_and_escape_goes_back(paths):
    from creator_assistant.ui.core import Core

    core = Core(paths)
    try:
        talk(core, ["Give me a video idea about bread.", "And a title for it?"])
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f5")
            screen = app.screen
            assert isinstance(screen, StatsScreen)
            await until(pilot, lambda: screen.figures is not None)
            await pilot.pause()
            charts = list(screen.query(ChartView))
            assert [c.chart.title for c in charts] == [
                "Time saved per week", "Words written per day", "Writing speed per day"]
            words = charts[1].chart.series["words kept"]
            stats = screen.figures["stats"]
            assert sum(words) == sum(g["words"] for g in stats["writing"]) > 0
            text = shown_text(screen)
            assert "# Time saved in the last 30 days" in text and "| chat | 2 |" in text
            assert "## Writing speed" in text and "| chat | demo |" in text
            assert "[report] hourly_value" in text  # the assumptions, on screen too
            assert "Resident memory now: demo " in text  # the chat's loaded model, read live
            assert "Time saved per week" in str(charts[0].render())  # drawn, not a "no data"
            screen.figures = None
            await pilot.press("a")  # everything recorded
            await until(pilot, lambda: screen.figures is not None)
            assert screen.figures["report"]["since"] == "all"
            await pilot.press("escape")
            assert isinstance(app.screen, ChatScreen)
    finally:
        core.close()


async def test_the_palette_offers_the_stats_screen(paths):
    from creator_assistant.ui.core import Core

    core = Core(paths)
    try:
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            chat = app.screen
            entry = next(c for c in chat.palette_commands() if c.title == "Usage stats")
            entry.callback()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, StatsScreen)
            await until(pilot, lambda: screen.figures is not None)
            assert "Nothing recorded yet" in shown_text(screen)
            assert list(screen.query(ChartView)) == []  # no usage: nothing to chart
    finally:
        core.close()
