"""Recognise a report's Total row, by its label or by its values, so it is kept aside and never
stored (or counted) as a video."""

from __future__ import annotations

from typing import Any

# Metrics a Total row sums; averages and rates are left out. Net subscribers can be negative.
ADDITIVE = ("views", "watch_hours", "impressions", "subscribers", "subs_gained", "subs_lost",
            "likes", "dislikes", "comments", "shares", "saves", "reach", "engaged_views",
            "unique_viewers", "premium_views", "shown_in_feed", "revenue_usd",
            "end_screen_shown", "end_screen_clicks")


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(1.0, 0.001 * abs(b))  # the rows are rounded one by one


def split_total(rows: list[dict[str, Any]], labels: tuple[str, ...]
                ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(the Total row or None, the other rows). The Total row is the first or last row that is
    labelled `Total` in one of `labels`, or whose summed metrics equal the other rows' sums, or
    (a row with no label) are at least those sums: a report cut to its top rows."""
    if not rows:
        return None, rows
    ends = [0] if len(rows) == 1 else [0, len(rows) - 1]
    for i in ends:
        if any(str(rows[i].get(k) or "").strip().lower() == "total" for k in labels):
            return rows[i], rows[:i] + rows[i + 1:]
    metrics = [m for m in ADDITIVE if any(_num(r.get(m)) is not None for r in rows)]
    if len(rows) < 3 or not metrics:
        return None, rows
    sums = {m: sum(_num(r.get(m)) or 0.0 for r in rows) for m in metrics}
    for i in ends:
        row = rows[i]
        values = {m: _num(row.get(m)) for m in metrics}
        if any(v is None for v in values.values()):
            continue
        rest = {m: sums[m] - v for m, v in values.items() if v is not None}
        if not any(rest.values()):
            continue
        unlabelled = not any(str(row.get(k) or "").strip() for k in labels)
        if all(_close(values[m] or 0.0, rest[m]) for m in metrics) or unlabelled and all(
                (values[m] or 0.0) >= rest[m] * 0.999 for m in metrics if m != "subscribers"):
            return row, rows[:i] + rows[i + 1:]
    return None, rows


def kept_aside(total: dict[str, Any]) -> dict[str, Any]:
    """The Total row as the import's meta keeps it: its values, without the line or the label."""
    return {k: v for k, v in total.items() if k not in ("_line", "key") and v not in (None, "")}
