"""Channel analytics computed from imported data, before any model writes a word: top and bottom
performers, engagement, publish-day and length effects, growth and momentum, outliers."""

from __future__ import annotations

import math
from typing import Any

import sqlite_utils

from creator_assistant.data.growth import daily_series, growth
from creator_assistant.data.stats import day, median, rnd, spearman
from creator_assistant.data.store import DataStore

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LENGTHS = ((60, "Shorts (≤1 min)"), (480, "1-8 min"), (900, "8-15 min"), (1800, "15-30 min"),
           (math.inf, "30+ min"))
RANKED = (("views", "views"), ("ctr", "click-through rate (%)"),
          ("retention", "average percentage viewed (%)"), ("subscribers", "subscribers gained"),
          ("engagement", "engagement rate (%)"))
OUTLIER_RATIO = 2.5  # views against the channel median, either way


def piece(rec: dict[str, Any]) -> dict[str, Any]:
    """One content piece (or one country, traffic source...) with the derived rates."""
    views = rec.get("views")
    retention = rec.get("avg_pct_viewed")
    if retention is None and rec.get("avg_view_s") and rec.get("duration_s"):
        retention = rec["avg_view_s"] / rec["duration_s"] * 100
    subs = rec.get("subs_gained", rec.get("subscribers"))
    actions = [rec.get(k) for k in ("likes", "comments", "shares")]
    engagement = (sum(a or 0 for a in actions) / views * 100
                  if views and any(a is not None for a in actions) else None)
    return {"id": rec.get("key") or rec.get("id"), "title": rec.get("title") or rec.get("key"),
            "published": rec.get("published"), "duration_s": rec.get("duration_s"),
            "views": views, "ctr": rec.get("ctr"), "retention": rnd(retention, 2),
            "subscribers": subs, "engagement": rnd(engagement, 2),
            "avg_view_s": rec.get("avg_view_s"), "watch_hours": rec.get("watch_hours")}


def ranked(pieces: list[dict], key: str, n: int, best: bool = True) -> list[dict]:
    have = [p for p in pieces if p.get(key) is not None]
    have.sort(key=lambda p: p[key], reverse=best)
    return [{"id": p["id"], "title": p["title"], key: p[key],
             **({"views": p["views"]} if key != "views" else {})} for p in have[:n]]


def content_analysis(pieces: list[dict], n: int = 10) -> dict[str, Any]:
    out: dict[str, Any] = {"pieces": len(pieces)}
    for key, _ in RANKED:
        if any(p.get(key) is not None for p in pieces):
            out[f"top_by_{key}"] = ranked(pieces, key, n)
            out[f"bottom_by_{key}"] = ranked(pieces, key, n, best=False)
            out.setdefault("medians", {})[key] = rnd(median([p.get(key) for p in pieces]), 2)
    mid = out.get("medians", {}).get("views")
    if mid:
        out["outliers"] = [
            {"id": p["id"], "title": p["title"], "views": p["views"],
             "x_median": rnd(p["views"] / mid, 2),
             "direction": "above" if p["views"] > mid else "below"}
            for p in sorted(pieces, key=lambda p: -(p["views"] or 0))
            if p["views"] is not None and (p["views"] >= mid * OUTLIER_RATIO or
                                           p["views"] <= mid / OUTLIER_RATIO)]
        out["publish_day"] = _by_day(pieces, mid)
        out["length"] = _by_length(pieces)
    return out


def dimension_analysis(rows: list[dict], total: dict | None, n: int = 10) -> dict[str, Any]:
    """For reports by country, traffic source...: shares, concentration, and where viewers stay."""
    have = [p for p in rows if p["views"] is not None]
    views = (total or {}).get("views") or sum(p["views"] for p in have) or 1
    by_views = sorted(have, key=lambda p: -p["views"])
    share = [p["views"] / views * 100 for p in by_views]
    out: dict[str, Any] = {
        "pieces": len(rows),
        "top_by_views": [{"id": p["id"], "title": p["title"], "views": p["views"],
                          "share_pct": rnd(s, 2)}
                         for p, s in zip(by_views[:n], share, strict=False)],
        "bottom_by_views": [{"id": p["id"], "title": p["title"], "views": p["views"]}
                            for p in sorted([p for p in have if p["views"] > 0],
                                            key=lambda p: p["views"])[:5]],
        "concentration": {"top_1_share_pct": rnd(sum(share[:1]), 1),
                          "top_5_share_pct": rnd(sum(share[:5]), 1),
                          "rows_for_80_pct": next((i + 1 for i in range(len(share))
                                                   if sum(share[: i + 1]) >= 80), len(share))},
        "medians": {"views": rnd(median([p["views"] for p in have]), 2)},
    }
    big = [p for p, s in zip(by_views, share, strict=True)
           if s >= 1 and p.get("avg_view_s") is not None]
    if big:  # only rows with a real audience: tiny ones swing on a handful of views
        big.sort(key=lambda p: -p["avg_view_s"])
        keep = lambda p: {"id": p["id"], "avg_view_s": p["avg_view_s"], "views": p["views"]}  # noqa: E731
        out["longest_watched"] = [keep(p) for p in big[:5]]
        out["shortest_watched"] = [keep(p) for p in big[::-1][:5]]
        out["avg_view_s_overall"] = (total or {}).get("avg_view_s")
    return out


def _by_day(pieces: list[dict], channel_median: float) -> list[dict]:
    groups: dict[int, list[float]] = {}
    for p in pieces:
        d = day(p["published"])
        if d is not None and p["views"] is not None:
            groups.setdefault(d.weekday(), []).append(p["views"])
    return [{"day": WEEKDAYS[w], "pieces": len(v), "median_views": rnd(median(v), 0),
             "vs_channel": rnd(median(v) / channel_median, 2)} for w, v in sorted(groups.items())]


def _by_length(pieces: list[dict]) -> dict[str, Any]:
    timed = [p for p in pieces if p["duration_s"] and p["views"] is not None]
    buckets = []
    for low, (top, label) in zip((0,) + tuple(t for t, _ in LENGTHS), LENGTHS, strict=False):
        group = [p for p in timed if low < p["duration_s"] <= top]
        if group:
            buckets.append({"length": label, "pieces": len(group),
                            "median_views": rnd(median([p["views"] for p in group]), 0),
                            "median_retention": rnd(median([p["retention"] for p in group]), 1)})
    corr = spearman([p["duration_s"] for p in timed], [p["views"] for p in timed])
    return {"buckets": buckets, "length_views_rank_correlation": rnd(corr, 2)}


def report(db: sqlite_utils.Database) -> dict[str, Any]:
    """Everything computed from the newest imports; `available` is False when nothing is there."""
    store = DataStore(db)
    tables = [r for r in store.imports() if r["kind"] in ("channel-report", "content")
              and ({"table", "content"} & set(r["meta"].get("parts", {})))]
    content = next((r for r in tables if r["kind"] == "content"
                    or r["meta"].get("dimension", "").lower() == "content"), None)
    primary = content or (tables[0] if tables else None)
    out: dict[str, Any] = {"available": False, "sources": [], "top_by_views": []}
    if primary is not None:
        part = "table" if primary["kind"] == "channel-report" else "content"
        pieces = [piece(r) for r in store.rows(primary["id"], part)]
        out["dimension"] = primary["meta"].get("dimension", "Content")
        out["total_row"] = primary["meta"].get("total")
        if primary is content:
            out.update(content_analysis(pieces))
        else:
            out.update(dimension_analysis(pieces, out["total_row"]))
        out["sources"].append(_source(primary))
        out["available"] = True
    seen = {out.get("dimension")}
    out["breakdowns"] = []
    for r in tables:
        dim = r["meta"].get("dimension")
        if r is primary or not dim or dim in seen:
            continue
        seen.add(dim)
        pieces = [piece(x) for x in store.rows(r["id"], "table")]
        total = sum(p["views"] or 0 for p in pieces)
        out["breakdowns"].append({"dimension": dim, "rows": len(pieces), "top": [
            {"id": p["id"], "views": p["views"],
             "share_pct": rnd(p["views"] / total * 100 if total else None, 1)}
            for p in ranked(pieces, "views", 8)]})
        out["sources"].append(_source(r))
    series, imp = daily_series(store)
    if series:
        out["growth"] = growth(series, "views" if "views" in series[0] else
                               next(k for k in series[0] if k != "date"))
        subs = [r for r in series if r.get("subscribers") is not None]
        if subs and out["growth"]:
            out["growth"]["net_subscribers"] = sum(r["subscribers"] for r in subs)
        if all(s["import"] != imp["id"] for s in out["sources"]):
            out["sources"].append(_source(imp))
        out["available"] = True
    return out


def _source(row: dict) -> dict[str, Any]:
    return {"import": row["id"], "format": row["format"], "source": row["source"],
            "imported_at": row["imported_at"], "dimension": row["meta"].get("dimension")}
