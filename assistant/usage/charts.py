"""The charts of usage over time (the shared chart API, creator_assistant.plots): time saved per
week, words written per day, and writing speed per day for each model."""

from __future__ import annotations

import datetime as dt
from typing import Any

from creator_assistant.config import ReportConfig
from creator_assistant.usage.metrics import SPOKE, Row
from creator_assistant.usage.time_saved import pieces, weekly

MAX_DAYS = 92  # a longer span is drawn from its days with usage only


def charts(rows: list[Row], settings: ReportConfig) -> list[Any]:
    """The usage charts (creator_assistant.plots.Chart); none when nothing was recorded."""
    from creator_assistant.plots import Chart

    if not rows:
        return []
    made = pieces(rows, settings)
    weeks = weekly(made)
    days = _days([r["created"] for r in rows])
    kept = dict.fromkeys(days, 0.0)
    for piece in made:
        if piece["outcome"] == "kept":  # the pieces you kept (the report counts the rest)
            kept[piece["created"][:10]] += piece["words"]
    out = [
        Chart("Time saved per week", list(weeks), {"hours saved": [round(v, 2) for v in
                                                                  weeks.values()]},
              kind="bar", y_label="hours"),
        Chart("Words written per day", days, {"words kept": list(kept.values())}, kind="bar",
              y_label="words"),
    ]
    speed = _speed(rows, days)
    if speed:
        out.append(Chart("Writing speed per day", days, speed, kind="line", y_label="words/s"))
    return out


def _days(stamps: list[str]) -> list[str]:
    """Every day from the first stamp to the last (only the days seen, past MAX_DAYS)."""
    seen = sorted({s[:10] for s in stamps})
    first, last = dt.date.fromisoformat(seen[0]), dt.date.fromisoformat(seen[-1])
    if (last - first).days >= MAX_DAYS:
        return seen
    return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _speed(rows: list[Row], days: list[str]) -> dict[str, list[float]]:
    """Words per second of generation, per model and day (0 on a day it wrote nothing)."""
    sums: dict[str, dict[str, list[float]]] = {}
    for r in rows:
        if r["kind"] == "reply" and r["status"] in SPOKE and not r["cached"] and r["gen_ms"]:
            day = sums.setdefault(r["model"], {}).setdefault(r["created"][:10], [0.0, 0.0])
            day[0] += r["words"] or 0
            day[1] += r["gen_ms"] / 1000
    return {model: [round(by_day[d][0] / by_day[d][1], 2) if d in by_day and by_day[d][1]
                    else 0.0 for d in days] for model, by_day in sorted(sums.items())}
