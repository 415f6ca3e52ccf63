"""Small numeric helpers shared by the analyses (numpy underneath, plain floats out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np


def median(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.median(known)) if known else None


def mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def slope(values: Sequence[float]) -> float:
    """Least-squares change per step."""
    if len(values) < 2:
        return 0.0
    x = np.arange(len(values), dtype=float)
    return float(np.polyfit(x, np.asarray(values, dtype=float), 1)[0])


def pct_change(new: float | None, old: float | None) -> float | None:
    if new is None or not old:
        return None
    return (new - old) / abs(old) * 100


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Rank correlation, -1 to 1; None with fewer than 5 pairs or a constant column."""
    if len(a) < 5:
        return None
    ra = np.argsort(np.argsort(a)).astype(float)
    rb = np.argsort(np.argsort(b)).astype(float)
    if ra.std() == 0 or rb.std() == 0:
        return None
    return float(np.corrcoef(ra, rb)[0, 1])


def day(value: str | None) -> dt.date | None:
    """The date part of an ISO date or date-time, or a month (`2004-01` -> 1 Jan 2004)."""
    if not value:
        return None
    if len(value) == 7:
        return dt.date(int(value[:4]), int(value[5:7]), 1)
    return dt.date.fromisoformat(value[:10])


def weekly(dates: Sequence[dt.date], values: Sequence[float]) -> list[tuple[dt.date, float]]:
    """Sums per 7-day block, counted back from the last day so the newest week is whole."""
    if not dates:
        return []
    last = max(dates)
    sums: dict[int, float] = {}
    for d, v in zip(dates, values, strict=True):
        sums[(last - d).days // 7] = sums.get((last - d).days // 7, 0.0) + v
    return [(last - dt.timedelta(days=7 * k + 6), sums[k]) for k in sorted(sums, reverse=True)
            if (last - min(dates)).days >= 7 * k + 6]


def rnd(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)
