"""`creator analytics report` and `creator trend report` draw their charts with plotext: plain
text in a pipe (no escape codes), in colour on a terminal, left out with `--no-chart`; real
`creator` processes on the shared real samples."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import SAMPLES
from tests.test_cli_polish import in_terminal

ESC = re.compile(r"\x1b\[")
GEO = ("youtube-studio-geography-Table data.csv", "youtube-studio-geography-Totals.csv")


def creator(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "creator_assistant", *args], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def imported(home):
    for name in (*GEO, "google-trends-multiTimeline.csv"):
        creator("import", str(SAMPLES / name))


def chart_lines(text: str, title: str) -> list[str]:
    """The lines of the code block that holds the chart titled `title`."""
    block = next(b for b in text.split("```") if title in b)
    return block.strip("\n").splitlines()


def test_analytics_report_in_a_pipe_draws_plain_text_charts(imported):
    out = creator("analytics", "report").stdout
    assert not ESC.search(out) and "chart {" not in out  # no colour, no chart data as JSON
    lines = chart_lines(out, "Views by week")
    assert lines[0].strip() == "Views by week" and lines[-1] == ("◆ best week: 2021-08-20 "
                                                                 "(430,093)")
    assert max(map(len, lines)) <= 80 and any("2021-01-01" in line for line in lines)
    bars = chart_lines(out, "Views by geography, top 10")
    assert bars[-1] == "views" and "US" in bars[-2] and "IT" in bars[-2]  # y label, x labels
    assert any("█" in line for line in bars)
    assert "| 1 | US | 2,638,475 | 17.02 |" in out  # the table stays beside the chart


def test_the_width_follows_columns(imported):
    out = creator("trend", "report", "gym", COLUMNS="50").stdout
    lines = chart_lines(out, "gym: search interest by month")
    assert max(map(len, lines)) <= 50 and lines[-2:] == [
        "◆ seasonal peak (January): 2017-01 (56)", "◆ all-time peak: 2016-07 (58)"]
    season = chart_lines(out, "each month vs the yearly average")
    assert season[-1] == "◆ peak month: Jan (19)"  # gym's January index 1.19: 19% above


def test_no_chart_leaves_the_tables(imported):
    out = creator("analytics", "report", "--no-chart").stdout
    assert "Views by week" not in out and "◆" not in out and "```" not in out
    assert "| 1 | US | 2,638,475 | 17.02 |" in out and "| Peak day | 2021-08-25 (77,106) |" in out
    trend = creator("trend", "report", "--no-chart").stdout
    assert "seasonal peak" not in trend and "| gym | 7/10 |" in trend


def test_on_a_terminal_the_charts_are_in_colour(imported):
    code, shown = in_terminal("trend", "report", "diet")
    assert code == 0 and "◆ seasonal peak (January): 2017-01 (55)" in shown
    chart = shown[shown.index("diet: search interest"):shown.index("◆ seasonal peak")]
    assert ESC.search(chart) and "chart {" not in shown and "```" not in shown
    code, plain = in_terminal("trend", "report", "diet", "--markdown")
    assert code == 0 and "```" in plain and not ESC.search(plain.split("```")[1])
