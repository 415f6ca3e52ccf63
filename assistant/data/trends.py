"""Score a search-interest series itself: momentum, slope, acceleration, seasonality, peak and
decay, a 1-10 score with its reasons, and timing advice read off the data."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import numpy as np
import sqlite_utils

from creator_assistant.data.stats import day, pct_change, rnd, slope
from creator_assistant.data.store import DataStore

PER_YEAR = {"month": 12, "week": 52, "day": 365, "hour": 8760}
MONTHS = calendar.month_name


def monthly(dates: list[dt.date], values: list[float]) -> list[tuple[int, int, float]]:
    """(year, month, mean) for each calendar month the series covers."""
    groups: dict[tuple[int, int], list[float]] = {}
    for d, v in zip(dates, values, strict=True):
        groups.setdefault((d.year, d.month), []).append(v)
    return [(y, m, float(np.mean(v))) for (y, m), v in sorted(groups.items())]


def seasonality(months: list[tuple[int, int, float]]) -> dict[str, Any] | None:
    """Each calendar month's level against a centred 12-month moving average (so a steady rise
    or fall is not mistaken for a season); None until every month has been seen twice."""
    level = {y * 12 + m - 1: v for y, m, v in months}
    ratios: dict[int, list[tuple[int, float]]] = {m: [] for m in range(1, 13)}
    for k, v in level.items():
        window = [level.get(k + d) for d in range(-6, 7)]
        if any(w is None for w in window):
            continue
        trend = (0.5 * window[0] + sum(window[1:12]) + 0.5 * window[12]) / 12
        if trend > 0:
            ratios[k % 12 + 1].append((k // 12, v / trend))
    if any(len(r) < 2 for r in ratios.values()):
        return None
    raw = np.array([np.mean([x for _, x in ratios[m]]) for m in range(1, 13)])
    index = raw / raw.mean()
    strength = float(index.max() - 1)
    top = int(index.argmax()) + 1
    peak_months = [m for m in map(int, np.argsort(-index) + 1)
                   if index[m - 1] >= 1 + 0.75 * strength and index[m - 1] > 1]
    by_year: dict[int, dict[int, float]] = {}
    for m, pairs in ratios.items():
        for y, x in pairs:
            by_year.setdefault(y, {})[m] = x
    years = [ms for ms in by_year.values() if len(ms) >= 6 and top in ms]
    consistency = float(np.mean([max(ms, key=ms.get) == top for ms in years])) if years else 0.0
    fades = next((k for k in range(1, 12) if index[(top - 1 + k) % 12] <= 1 + strength / 2), None)
    return {"index": [round(float(x), 3) for x in index], "strength_pct": rnd(strength * 100, 1),
            "peak_months": peak_months or [top], "consistency": rnd(consistency, 2),
            "years": len(years), "seasonal": strength >= 0.1 and consistency >= 0.5,
            "fades_after_months": fades}


def analyse_term(term: str, dates: list[dt.date], values: list[float],
                 granularity: str) -> dict[str, Any]:
    per_year = PER_YEAR.get(granularity, 12)
    v = np.asarray(values, dtype=float)
    window = max(1, per_year // 4)
    recent = float(v[-window:].mean())
    out: dict[str, Any] = {"term": term, "points": len(v), "granularity": granularity,
                           "first": dates[0].isoformat(), "last": dates[-1].isoformat(),
                           "latest": rnd(v[-1], 1), "recent_mean": rnd(recent, 1)}
    if len(v) >= per_year + window:  # against the same weeks a year before: season cancels
        year_before = float(v[-per_year - window:-per_year].mean())
        out["momentum_pct"] = rnd(pct_change(recent, year_before), 1)
        out["momentum_basis"] = "year over year"
    elif len(v) >= 2 * window:
        out["momentum_pct"] = rnd(pct_change(recent, float(v[-2 * window:-window].mean())), 1)
        out["momentum_basis"] = "against the window before"
    mean = float(v.mean()) or 1.0
    if len(v) >= 2 * per_year:  # the trailing yearly mean removes the season from the slope
        smooth = np.convolve(v, np.ones(per_year) / per_year, mode="valid")
        last, before = slope(smooth[-per_year:]), slope(smooth[-2 * per_year:-per_year])
        out["slope_pct_per_year"] = rnd(last * per_year / mean * 100, 1)
        out["acceleration_pct_per_year"] = rnd((last - before) * per_year / mean * 100, 1)
    else:
        out["slope_pct_per_year"] = rnd(slope(v[-per_year:]) * per_year / mean * 100, 1)
    peak_i = int(v.argmax())
    out["peak"] = {"date": dates[peak_i].isoformat(), "value": rnd(v[peak_i], 1)}
    out["latest_vs_peak_pct"] = rnd(v[-1] / v[peak_i] * 100 if v[peak_i] else None, 1)
    season = seasonality(monthly(dates, list(v))) if granularity != "hour" else None
    out["seasonality"] = season
    out["peak_months"] = season["peak_months"] if season else [dates[peak_i].month]
    out["score"], out["reasons"] = score(out, dates[-1])
    out["timing"] = timing(out, dates[-1])
    out["series"] = [rnd(x, 1) for x in v]
    out["dates"] = [d.isoformat() for d in dates]
    out["seasonal_peak"] = seasonal_peak(dates, list(v), season)
    return out


def seasonal_peak(dates: list[dt.date], values: list[float],
                  season: dict[str, Any] | None) -> dict[str, Any] | None:
    """The latest point in the yearly peak month, when the season is reliable: where a chart
    marks it. None without a reliable yearly peak."""
    if not season or not season["seasonal"]:
        return None
    month = season["peak_months"][0]
    at = max((i for i, d in enumerate(dates) if d.month == month), default=None)
    if at is None:
        return None
    last = [i for i, d in enumerate(dates) if d.month == month and d.year == dates[at].year]
    at = max(last, key=lambda i: values[i])  # weekly data: the highest week of that month
    return {"month": month, "index": at, "date": dates[at].isoformat(),
            "value": rnd(values[at], 1)}


def score(t: dict[str, Any], last: dt.date) -> tuple[int, list[str]]:
    """1-10 from momentum, slope, acceleration, level against the peak and the season ahead."""
    points, reasons = 5.0, []
    m = t.get("momentum_pct")
    if m is not None:
        points += max(-2.0, min(2.0, m / 10))
        reasons.append(f"momentum {m:+.1f}% ({t['momentum_basis']})")
    s = t.get("slope_pct_per_year")
    if s is not None:
        points += max(-1.5, min(1.5, s / 10))
        reasons.append(f"trend {s:+.1f}% a year")
    a = t.get("acceleration_pct_per_year")
    if a is not None and abs(a) >= 2:
        points += 0.5 if a > 0 else -0.5
        reasons.append(f"{'speeding up' if a > 0 else 'slowing down'} ({a:+.1f} points of trend)")
    level = t.get("latest_vs_peak_pct")
    if level is not None:
        points += max(-1.0, min(1.0, (level - 50) / 50))
        reasons.append(f"now at {level:.0f}% of its all-time peak ({t['peak']['date'][:7]})")
    season = t.get("seasonality")
    if season and season["seasonal"]:
        ahead = (season["peak_months"][0] - last.month) % 12
        if 1 <= ahead <= 2:
            points += 1.0
            reasons.append(f"its yearly peak ({MONTHS[season['peak_months'][0]]}) is "
                           f"{ahead} month{'s' * (ahead > 1)} away")
        elif ahead == 0 or ahead >= 11:
            points -= 0.5
            reasons.append("its yearly peak is now or just past")
    return int(max(1, min(10, round(points)))), reasons


def timing(t: dict[str, Any], last: dt.date) -> str:
    """Advice from the data: publish ahead of a reliable yearly peak, or say there is none."""
    season = t.get("seasonality")
    if not season:
        return ("Too short to see a yearly pattern (each month must appear twice beyond a "
                "year of context): momentum is the signal.")
    peak = season["peak_months"][0]
    if not season["seasonal"]:
        return (f"No reliable yearly peak ({MONTHS[peak]} is only {season['strength_pct']:.1f}% "
                "above the yearly average): timing matters less than momentum.")
    before = MONTHS[(peak - 2) % 12 + 1]
    advice = (f"Interest peaks in {MONTHS[peak]} every year ({season['strength_pct']:.0f}% above "
              f"the yearly average; the top month in {season['consistency'] * 100:.0f}% of "
              f"years). Publish in late {before} so the piece is indexed when searches climb")
    if season["fades_after_months"]:
        faded = MONTHS[(peak - 1 + season["fades_after_months"]) % 12 + 1]
        advice += f"; the lift fades by {faded}"
    return advice + "."


def report(db: sqlite_utils.Database, terms: list[str] | None = None) -> dict[str, Any]:
    """Every term of the newest Trends timeline (or the ones named), with geo and related."""
    store = DataStore(db)
    out: dict[str, Any] = {"available": False, "terms": [], "sources": []}
    timeline = store.latest("trends", "timeline")
    if timeline is not None:
        rows = store.rows(timeline["id"], "timeline")
        granularity = timeline["meta"].get("granularity", "month")
        names = timeline["meta"].get("terms", [])
        wanted = [n for n in names if not terms or n.lower() in {t.lower() for t in terms}]
        for name in wanted or names:
            pts = [(day(r["date"]), r["values"].get(name)) for r in rows]
            pts = [(d, x) for d, x in pts if d is not None and x is not None]
            if len(pts) >= 3:
                out["terms"].append(analyse_term(name, [d for d, _ in pts], [x for _, x in pts],
                                                 granularity))
        out["sources"].append({"import": timeline["id"], "source": timeline["source"],
                               "imported_at": timeline["imported_at"]})
        out["available"] = bool(out["terms"])
    geo = store.latest("trends", "geo")
    if geo is not None:
        rows = store.rows(geo["id"], "geo")
        out["regions"] = {name: [{"region": r["key"], "value": r["values"][name]} for r in sorted(
            rows, key=lambda r: -(r["values"].get(name) or 0))[:5]]
            for name in geo["meta"].get("terms", [])}
        out["sources"].append({"import": geo["id"], "source": geo["source"],
                               "imported_at": geo["imported_at"]})
        out["available"] = True
    related = store.latest("trends", "related")
    if related is not None:
        rows = store.rows(related["id"], "related")
        out["related"] = {b: [r for r in rows if r["block"] == b][:10] for b in ("top", "rising")}
        out["sources"].append({"import": related["id"], "source": related["source"],
                               "imported_at": related["imported_at"]})
        out["available"] = True
    return out
