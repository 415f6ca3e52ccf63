"""Charts in the chat: an analytics or trend reply's facts draw their charts as ChartViews, on
the real demo model, with the creator's real sample exports imported."""

from __future__ import annotations

import csv

import pytest
from textual.widgets import Markdown

from creator_assistant.data.importing import import_path
from creator_assistant.ui.widgets.chart import ChartView
from creator_assistant.ui.widgets.facts_view import FactsView
from tests.conftest import SAMPLES
from tests.test_ui import SIZE, app_for, open_core, replied, until


@pytest.fixture
def core(paths):
    yield from open_core(paths)


def whole_weeks_total() -> float:
    """Totals.csv's views over its whole weeks counted back from the last day (365 days: the
    first day is left out), read straight from the file."""
    with open(SAMPLES / "youtube-studio-geography-Totals.csv", encoding="utf-8-sig") as f:
        views = [float(r["Views"]) for r in csv.DictReader(f)]
    return sum(views[len(views) % 7:])


def imported(core, *names: str) -> None:
    for name in names:
        core.run(lambda n=name: import_path(core.session.store.db, SAMPLES / n))


async def ask(app, pilot, text: str):
    screen = app.screen
    await screen.send(text)
    await until(pilot, replied(screen))
    return screen.log_view.messages[-1]


async def test_analytics_reply_draws_the_weekly_views_chart(core):
    imported(core, "youtube-studio-geography-Table data.csv", "youtube-studio-geography-Totals.csv")
    app = app_for(core)
    async with app.run_test(size=SIZE) as pilot:
        reply = await ask(app, pilot, "/analytics how are my views doing?")
        facts = reply.query_one(".facts", FactsView)
        await until(pilot, lambda: len(facts.query(ChartView)) == 2)
        assert facts.display
        charts = {c.chart.title: c for c in facts.query(ChartView)}
        assert set(charts) == {"Views by week", "Views by geography, top 10"}
        weekly = charts["Views by week"]
        views = weekly.chart.series["views"]
        assert sum(views) == whole_weeks_total()
        assert weekly.chart.x[0] == "2021-01-01" and len(weekly.chart.x) == len(views) == 52
        assert weekly.chart.marks == {"best week": views.index(max(views))} == {"best week": 33}
        drawn = str(weekly.render())
        assert "Views by week" in drawn and "◆ best week: 2021-08-20" in drawn
        assert weekly.size.width > 60 and weekly.size.height == 16
        tables = "".join(m.source for m in facts.query(Markdown))
        assert "| 1 | US | 2,638,475 | 17.02 |" in tables and "chart {" not in tables


async def test_trend_reply_marks_the_seasonal_peak(core):
    imported(core, "google-trends-multiTimeline.csv")
    app = app_for(core)
    async with app.run_test(size=SIZE) as pilot:
        reply = await ask(app, pilot, "/trend is gym content worth making this winter?")
        facts = reply.query_one(".facts", FactsView)
        await until(pilot, lambda: len(facts.query(ChartView)) == 2)
        interest, season = list(facts.query(ChartView))
        assert interest.chart.title.startswith("gym: search interest by month")
        assert interest.chart.marks == {"seasonal peak (January)": 156, "all-time peak": 150}
        assert interest.chart.x[156] == "2017-01" and interest.chart.x[150] == "2016-07"
        assert season.chart.kind == "bar" and season.chart.marks == {"peak month": 0}
        assert "◆ seasonal peak (January): 2017-01 (56)" in str(interest.render())
        await pilot.resize_terminal(70, 36)  # narrower: drawn again at the new width
        await pilot.pause()
        narrow = str(interest.render()).splitlines()
        assert interest.size.width < 70 and max(map(len, narrow)) <= interest.size.width
