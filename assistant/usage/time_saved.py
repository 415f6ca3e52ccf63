"""Time saved, honestly: per task, what was produced and how long the product took, against
the creator's own estimate of the time by hand (config [report]); its worth at their hourly
value, and the design's monthly ROI and payback period from the hardware cost they enter.
Replies thrown away (regenerated or edited and resent, stopped, rated 1-2) save nothing."""

from __future__ import annotations

from typing import Any

from creator_assistant.config import ReportConfig
from creator_assistant.usage.metrics import Row
from creator_assistant.usage.period import Period, days_covered

DAYS_PER_MONTH = 30.44
DISCARDS = ("rewound", "stopped", "rated_low", "repeat")


def outcome(row: Row) -> str:
    """kept, rewound, stopped, rated_low, repeat (from the cache), question or failed."""
    if row["status"] == "question":
        return "question"
    if row["status"] == "error":
        return "failed"
    if row["discarded"]:
        return "rewound"
    if row["cached"]:  # the same reply again: an earlier piece, not a new one
        return "repeat"
    if row["status"] == "stopped":
        return "stopped"
    if row["rating"] is not None and row["rating"] <= 2:
        return "rated_low"
    return "kept"


def group_of(row: Row) -> str:
    """A reply counts under its task; a batch run under its command (`categorize`)."""
    return str(row["task"]) if row["kind"] == "reply" else str(row["kind"])


def by_hand(row: Row, settings: ReportConfig) -> float:
    """Minutes this piece would take by hand: the task's own estimate, else from what it made."""
    group = group_of(row)
    if group in settings.minutes_by_hand:
        return settings.minutes_by_hand[group]
    sources = (row["imports"] or 0) + (row["pasted"] or 0)
    return ((row["words"] or 0) / settings.words_per_minute_by_hand
            + sources * settings.minutes_per_source + (row["items"] or 0) * settings.minutes_per_item)


def product_minutes(row: Row) -> float:
    return float(row["wall_ms"] if row["wall_ms"] is not None else row["gen_ms"] or 0) / 60000


def pieces(rows: list[Row], settings: ReportConfig) -> list[dict[str, Any]]:
    """Every row with its outcome and, for a kept piece, minutes by hand and minutes saved."""
    out = []
    for row in rows:
        kept = outcome(row) == "kept"
        hand = by_hand(row, settings) if kept else 0.0
        took = product_minutes(row)
        out.append({"created": row["created"], "group": group_of(row), "outcome": outcome(row),
                    "words": row["words"] or 0, "by_hand_min": hand, "took_min": took,
                    "saved_min": max(0.0, hand - took) if kept else 0.0})
    return out


def time_report(rows: list[Row], settings: ReportConfig, period: Period) -> dict[str, Any]:
    """The report's figures (see the module docstring); every input is in `assumptions`."""
    made = pieces(rows, settings)
    tasks: dict[str, dict[str, Any]] = {}
    for row, piece in zip(rows, made, strict=True):
        t = tasks.setdefault(piece["group"], {
            "task": piece["group"], "pieces": 0, "words": 0, "items": 0, "sources": 0,
            "product_min": 0.0, "by_hand_min": 0.0, "saved_min": 0.0, "questions": 0,
            "failed": 0, **{d: 0 for d in DISCARDS}, "estimate": _estimate(piece["group"], settings)})
        what = piece["outcome"]
        t["product_min"] += piece["took_min"]
        if what != "kept":
            t["questions" if what == "question" else what] += 1
            continue
        t["pieces"] += 1
        t["words"] += row["words"] or 0
        t["items"] += row["items"] or 0
        t["sources"] += (row["imports"] or 0) + (row["pasted"] or 0)
        t["by_hand_min"] += piece["by_hand_min"]
        t["saved_min"] += piece["saved_min"]
    saved_h = sum(t["saved_min"] for t in tasks.values()) / 60
    days = days_covered(rows, period)
    monthly_h = saved_h * DAYS_PER_MONTH / days
    monthly_value = monthly_h * settings.hourly_value
    hardware = settings.hardware_cost / settings.hardware_lifetime_months
    return {
        **period.as_dict(), "days": round(days, 2), "currency": settings.currency,
        "tasks": [_rounded(t) for t in sorted(tasks.values(), key=lambda t: -t["saved_min"])],
        "pieces": sum(t["pieces"] for t in tasks.values()),
        "discarded": {d: sum(t[d] for t in tasks.values()) for d in DISCARDS},
        "saved_hours": round(saved_h, 3), "value": round(saved_h * settings.hourly_value, 2),
        "monthly": {
            "saved_hours": round(monthly_h, 2), "value": round(monthly_value, 2),
            "hardware_cost": round(hardware, 2), "software_cost": 0.0,
            "roi_percent": (round((monthly_value - hardware) / hardware * 100, 1)
                            if hardware else None),
            "payback_months": (round(settings.hardware_cost / monthly_value, 1)
                               if settings.hardware_cost and monthly_value else None),
            "annual_value": round(monthly_value * 12, 2),
        },
        "assumptions": assumptions(settings, sorted(tasks)),
        "weekly": weekly(made),
    }


def _estimate(group: str, settings: ReportConfig) -> str:
    if group in settings.minutes_by_hand:
        return f"yours: {settings.minutes_by_hand[group]:g} min a piece"
    return "default rates"


def _rounded(t: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in t.items()}


def weekly(made: list[dict[str, Any]]) -> dict[str, float]:
    """Hours saved per ISO week ("2026-W49"), in order."""
    import datetime as dt

    out: dict[str, float] = {}
    for piece in made:
        year, week, _ = dt.datetime.fromisoformat(piece["created"]).isocalendar()
        key = f"{year}-W{week:02d}"
        out[key] = out.get(key, 0.0) + piece["saved_min"] / 60
    return out


def assumptions(settings: ReportConfig, tasks: list[str]) -> list[dict[str, Any]]:
    """Every input of the report: its value, whether it is still the default, how to change it."""
    given = settings.model_fields_set
    rows = []
    for name, what in (
        ("hourly_value", "what an hour of your time is worth"),
        ("currency", "the currency of the figures"),
        ("hardware_cost", "what the computer cost (0: not entered, no payback period)"),
        ("hardware_lifetime_months", "months the hardware is written off over"),
        ("words_per_minute_by_hand", "your drafting speed by hand, words a minute"),
        ("minutes_per_source", "minutes you take to read one source"),
        ("minutes_per_item", "minutes you take to sort one idea"),
    ):
        value = getattr(settings, name)
        rows.append({"key": f"[report] {name}", "value": value, "means": what,
                     "source": "config.toml" if name in given else "default"})
    for task in tasks:
        if task in settings.minutes_by_hand:
            rows.append({"key": f"[report.minutes_by_hand] {task}",
                         "value": settings.minutes_by_hand[task], "source": "config.toml",
                         "means": f"minutes one {task} piece takes you by hand"})
        else:
            rows.append({"key": f"[report.minutes_by_hand] {task}", "value": None,
                         "source": "default", "means": f"not set: each {task} piece is "
                         "estimated from its words, sources and items at the rates above"})
    return rows
