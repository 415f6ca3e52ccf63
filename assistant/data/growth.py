"""Growth trajectory and momentum from a channel's daily series (Totals.csv, or Chart data)."""

from __future__ import annotations

from typing import Any

from creator_assistant.data.stats import day, pct_change, rnd, slope, weekly
from creator_assistant.data.store import DataStore


def growth(series: list[dict], metric: str = "views") -> dict[str, Any] | None:
    """Trajectory and momentum of a daily channel series (Totals.csv, or Chart data summed)."""
    points = sorted((day(r["date"]), r[metric]) for r in series
                    if r.get("date") and r.get(metric) is not None)
    if len(points) < 14:
        return None
    dates, values = [d for d, _ in points], [float(v) for _, v in points]
    weeks = weekly(dates, values)
    mean = sum(values) / len(values)
    out = {"metric": metric, "days": len(values), "first_date": dates[0].isoformat(),
           "last_date": dates[-1].isoformat(), "total": rnd(sum(values), 0),
           "daily_mean": rnd(mean, 1),
           "trend_pct_per_30_days": rnd(slope(values) * 30 / mean * 100 if mean else 0, 1),
           "last_7_vs_previous_7_pct": rnd(pct_change(sum(values[-7:]), sum(values[-14:-7])), 1),
           "peak": {"date": dates[values.index(max(values))].isoformat(), "value": max(values)},
           "weekly": [{"week_of": d.isoformat(), "total": rnd(v, 0)} for d, v in weeks]}
    if len(values) >= 56:
        out["last_28_vs_previous_28_pct"] = rnd(pct_change(sum(values[-28:]),
                                                           sum(values[-56:-28])), 1)
    if len(values) >= 180:
        recent, before = slope(values[-90:]), slope(values[-180:-90])
        out["acceleration"] = "speeding up" if recent > before * 1.1 + 1e-9 else (
            "slowing down" if recent < before * 0.9 - 1e-9 else "steady")
    return out


def daily_series(store: DataStore, imports: list[dict] | None = None
                 ) -> tuple[list[dict], dict | None]:
    """The newest daily channel series among `imports` (default: all): Totals.csv, else Chart
    data summed per day."""
    rows = [r for r in (store.imports("channel-report") if imports is None else imports)
            if r["kind"] == "channel-report"]
    totals = next((r for r in rows if "totals" in r["meta"].get("parts", {})), None)
    if totals is not None:
        return store.rows(totals["id"], "totals"), totals
    chart = next((r for r in rows if "chart" in r["meta"].get("parts", {})), None)
    if chart is None:
        return [], None
    per_day: dict[str, dict[str, float]] = {}
    for r in store.rows(chart["id"], "chart"):
        if not r.get("date"):
            continue
        slot = per_day.setdefault(r["date"], {"date": r["date"]})
        for k, v in r.items():
            if isinstance(v, (int, float)) and k != "duration_s":
                slot[k] = slot.get(k, 0) + v
    return list(per_day.values()), chart
