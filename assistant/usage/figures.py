"""The figures for one span, read from the database: what the CLI commands print and the
session's usage service (services.py) hands the stats screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from creator_assistant.config import ReportConfig
from creator_assistant.usage.charts import charts
from creator_assistant.usage.markdown import report_markdown, stats_markdown
from creator_assistant.usage.metrics import metrics
from creator_assistant.usage.period import parse_since, usage_rows
from creator_assistant.usage.time_saved import time_report


def stats(db: sqlite_utils.Database, since: str = "30d",
          now: dt.datetime | None = None) -> dict[str, Any]:
    """`creator stats --json`: the period and its metrics."""
    period = parse_since(since, now)
    return {**period.as_dict(), **metrics(usage_rows(db, period))}


def report(db: sqlite_utils.Database, settings: ReportConfig, since: str = "30d",
           now: dt.datetime | None = None) -> dict[str, Any]:
    """`creator report --json`: time saved per task, its worth, every assumption."""
    period = parse_since(since, now)
    return time_report(usage_rows(db, period), settings, period)


def usage_charts(db: sqlite_utils.Database, settings: ReportConfig, since: str = "30d",
                 now: dt.datetime | None = None) -> list[Any]:
    """The charts of the period (creator_assistant.plots.Chart)."""
    return charts(usage_rows(db, parse_since(since, now)), settings)


def stats_text(figures: dict[str, Any]) -> str:
    return stats_markdown(figures, figures)


def report_text(figures: dict[str, Any]) -> str:
    return report_markdown(figures)
