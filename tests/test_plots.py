"""Charts drawn by plotext: the text a terminal gets, the blocks facts carry, and the chat's
ChartView through Textual's pilot."""

from __future__ import annotations

import math
import re

import pytest
from textual.app import App, ComposeResult

from creator_assistant.plots import (
    Chart,
    as_text,
    chart_block,
    from_json,
    render_text,
    split,
    to_json,
)
from creator_assistant.ui.widgets.chart import ChartView

ESC = re.compile(r"\x1b\[")
WEEKS = [f"W{n}" for n in range(1, 13)]
VIEWS = [120.0, 340.0, 200.0, 560.0, 410.0, 380.0, 300.0, 910.0, 640.0, 500.0, 470.0, 530.0]


def weekly(**kw) -> Chart:
    return Chart(title=kw.pop("title", "Views by week"), x=kw.pop("x", WEEKS),
                 series=kw.pop("series", {"views": VIEWS}), y_label="views", **kw)


def test_a_line_chart_holds_title_axis_labels_and_marks():
    text = render_text(weekly(marks={"seasonal peak": 7}), width=80, height=15)
    lines = text.splitlines()
    assert "Views by week" in lines[0]
    assert "W1" in text and "W12" in text  # x labels, first and last
    assert "views" in text  # the y label
    assert "900" in text or "910" in text  # the y axis reaches the top value
    assert lines[-1] == "◆ seasonal peak: W8 (910)"  # the mark, its label and its value
    assert not ESC.search(text) and all(len(line) <= 80 for line in lines)


def test_color_only_when_asked():
    assert ESC.search(render_text(weekly(), color=True))
    assert not ESC.search(render_text(weekly(), color=False))


def test_bars_and_two_series():
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    text = render_text(Chart("Median views by publish day", days,
                             {"median views": [3000, 5000, 1000, 2500, 4000, 800, 700]},
                             kind="bar", marks={"best": 1}), width=60, height=14)
    assert "Median views by publish day" in text and "Mon" in text and "█" in text
    assert text.splitlines()[-1] == "◆ best: Tue (5,000)"
    two = render_text(weekly(series={"views": VIEWS, "last year": VIEWS[::-1]}))
    assert "last year" in two and "views" in two  # a legend once there are two series


@pytest.mark.parametrize("width", [30, 31, 40, 55])
def test_narrow_widths_fit(width):
    text = render_text(weekly(marks={"seasonal peak": 7}), width=width, height=12)
    assert "Views by week" in text and "seasonal peak" in text
    assert all(len(line) <= width for line in text.splitlines()), text


def test_wide_charts_are_as_wide_as_asked_not_the_terminal():
    text = render_text(weekly(), width=150, height=15)
    assert max(len(line) for line in text.splitlines()) > 120  # tests run without a terminal


@pytest.mark.parametrize("chart, said", [
    (weekly(x=[], series={}), "Views by week: no data to chart."),
    (weekly(series={"views": [math.nan] * 12}), "Views by week: no data to chart."),
    (weekly(series={"views": [None] * 12}), "Views by week: no data to chart."),
    (weekly(x=["W1"], series={"views": [42.0]}),
     "Views by week: only one point (W1: 42), nothing to chart."),
    (weekly(kind="pie"), "Views by week: unknown chart kind 'pie' (line or bar)."),
])
def test_what_cannot_be_drawn_says_why(chart, said):
    assert render_text(chart) == said


def test_too_narrow_says_so():
    assert render_text(weekly(), width=29) == ("Views by week: too small to draw (29x15; 30x6 "
                                               "needed).")


def test_missing_values_leave_gaps_not_errors():
    values = list(VIEWS)
    values[3] = math.nan
    values[5] = None  # type: ignore[call-overload]
    text = render_text(weekly(series={"views": values}, marks={"gap": 3}))
    assert "Views by week" in text and text.splitlines()[-1] == "◆ gap: W4"  # no value there


def test_a_chart_travels_in_markdown_and_comes_back():
    chart = weekly(title="Views `by` week", marks={"seasonal peak": 7},
                   series={"views": [*VIEWS[:11], math.nan]})
    assert from_json(to_json(chart)).x == chart.x
    block = chart_block(chart, width=60, height=12)
    assert "`by`" not in block.splitlines()[0]  # backticks cannot end the fence's info string
    md = f"**Growth**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n{block}\n\nFrom the export."
    pieces = list(split(md))
    assert pieces[0].startswith("**Growth**") and pieces[2] == "From the export."
    back = pieces[1]
    assert isinstance(back, Chart) and back.marks == {"seasonal peak": 7}
    assert back.series["views"][:11] == VIEWS[:11] and math.isnan(back.series["views"][11])
    plain = as_text(md, width=40)
    assert "chart {" not in plain and "Views `by` week" in plain and "| 1 | 2 |" in plain
    assert all(len(line) <= 40 for line in plain.split("```")[1].splitlines())
    assert as_text(md, charts=False) == ("**Growth**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                                         "From the export.")


def test_a_broken_block_stays_text():
    md = "```chart {not json}\nwhatever\n```"
    assert list(split(md)) == [md]


class OneChart(App[None]):
    def __init__(self, chart: Chart) -> None:
        super().__init__()
        self.chart = chart

    def compose(self) -> ComposeResult:
        yield ChartView(self.chart)


async def test_chartview_mounts_draws_and_redraws_on_resize():
    app = OneChart(weekly(marks={"seasonal peak": 7}))
    async with app.run_test(size=(90, 24)) as pilot:
        view = app.query_one(ChartView)
        await pilot.pause()
        drawn = view.render()
        lines = str(drawn).splitlines()
        assert view.size.width == 90 and "Views by week" in lines[0]
        assert lines[-1] == "◆ seasonal peak: W8 (910)" and "W12" in str(drawn)
        assert len(lines) == view.size.height  # the plot fills the widget, the mark below it
        assert "Views&#160;by&#160;week" in app.export_screenshot()  # on screen
        await pilot.resize_terminal(44, 24)
        await pilot.pause()
        narrow = str(view.render()).splitlines()
        assert view.size.width == 44 and max(len(line) for line in narrow) <= 44
        assert "Views by week" in narrow[0]
        await pilot.resize_terminal(24, 24)
        await pilot.pause()
        assert str(view.render()) == "Views by week: too small to draw (24x15; 30x6 needed)."


async def test_chartview_of_nothing_says_so():
    async with OneChart(weekly(x=[], series={})).run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert str(pilot.app.query_one(ChartView).render()) == "Views by week: no data to chart."


def test_negative_bars_reach_below_zero():
    text = render_text(Chart("Net subscribers", ["Jan", "Feb", "Mar"],
                             {"net": [40.0, -25.0, 10.0]}, kind="bar"), width=50, height=12)
    assert "-2" in text and "Feb" in text and "█" in text


def test_several_blocks_in_one_text():
    one, two = weekly(title="one"), weekly(title="two", kind="bar")
    md = f"a\n\n{chart_block(one)}\n\nb\n\n{chart_block(two)}\n\nc"
    assert [p if isinstance(p, str) else p.title for p in split(md)] == ["a", "one", "b",
                                                                       "two", "c"]


def test_labels_from_files_cannot_drive_the_terminal():
    evil = Chart("Views \x1b]52;c;aGk=\x07by week", ["W1\x1b[2J", "W2"], {"v": [1.0, 2.0]},
                 marks={"peak\x1b[31m": 1})
    text = render_text(evil, color=True)
    assert "\x1b]" not in text and "\x1b[2J" not in text and "\x1b[31m" not in text
    assert "\\x1b]52" in text and "◆ peak\\x1b[31m: W2 (2)" in text
