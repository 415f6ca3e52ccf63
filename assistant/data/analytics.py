"""Channel analytics computed from imported data, before any model writes a word: top and bottom
performers, engagement, publish-day and length effects, growth and momentum, outliers."""

from __future__ import annotations

import math
import re
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
COUNTS = ("likes", "comments", "shares", "saves")  # ranked when a file has no views


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
            "avg_view_s": rec.get("avg_view_s"), "watch_hours": rec.get("watch_hours"),
            **{k: rec.get(k) for k in COUNTS}}


def ranked(pieces: list[dict], key: str, n: int, best: bool = True) -> list[dict]:
    have = [p for p in pieces if p.get(key) is not None]
    have.sort(key=lambda p: p[key], reverse=best)
    return [{"id": p["id"], "title": p["title"], key: p[key],
             **({"views": p["views"]} if key != "views" else {})} for p in have[:n]]


def content_analysis(pieces: list[dict], n: int = 10) -> dict[str, Any]:
    out: dict[str, Any] = {"pieces": len(pieces)}
    keys = [k for k, _ in RANKED]
    if not any(p.get("views") is not None for p in pieces):  # a generic CSV without views
        keys += COUNTS
    for key in keys:
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


UNNAMED = "(no channel name)"  # single CSV files: their names do not say whose they are


def channel_of(row: dict) -> str | None:
    """The channel an import belongs to: named by the Studio export's folder or zip, or by a
    generic file's one `channel` value; None when the file does not say."""
    return row["meta"].get("channel") or None


def analysed_imports(store: DataStore) -> list[dict]:
    """Imports the analytics report can use, newest first."""
    return [r for r in store.imports() if r["kind"] in ("channel-report", "content")
            and ({"table", "content", "totals", "chart"} & set(r["meta"].get("parts", {})))]


def channels(store: DataStore) -> list[str | None]:
    """Channels with analytics imports, the most recently imported first."""
    return list(dict.fromkeys(channel_of(r) for r in analysed_imports(store)))


def choose_channel(names: list[str | None], wanted: str | None = None,
                   message: str = "") -> str | None:
    """`wanted` (case-insensitive; LookupError when no import has it), else the channel the
    message names, else the most recent import's."""
    if wanted is not None:
        hit = [n for n in names if n and n.lower() == wanted.strip().lower()]
        if not names:
            raise LookupError("no channel data imported yet: `creator import PATH` first "
                              "(a YouTube Studio export, or a CSV of your videos)")
        if not hit:
            known = ", ".join(n or UNNAMED for n in names)
            raise LookupError(f"no imported channel named {wanted!r}; imported channels: {known}")
        return hit[0]
    said = message.lower()
    named = [n for n in names if n and re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", said)]
    return named[0] if named else (names[0] if names else None)


def report(db: sqlite_utils.Database, channel: str | None = None,
           message: str = "") -> dict[str, Any]:
    """Everything computed from the newest imports of one channel (`channel`, else the one the
    message names, else the most recent import's); `available` is False when nothing is there."""
    store = DataStore(db)
    usable = analysed_imports(store)
    names = channels(store)
    chosen = choose_channel(names, channel, message)
    usable = [r for r in usable if channel_of(r) == chosen]
    tables = [r for r in usable if {"table", "content"} & set(r["meta"].get("parts", {}))]
    content = next((r for r in tables if r["kind"] == "content"
                    or r["meta"].get("dimension", "").lower() == "content"), None)
    primary = content or (tables[0] if tables else None)
    out: dict[str, Any] = {"available": False, "sources": [], "top_by_views": [],
                           "channel": chosen, "other_channels": [n for n in names if n != chosen]}
    if primary is not None:
        part = "table" if primary["kind"] == "channel-report" else "content"
        rows = store.rows(primary["id"], part)
        pieces = [piece(r) for r in rows]
        out["dimension"] = primary["meta"].get("dimension", "Content")
        if primary["meta"].get("total"):
            out["total_row"] = primary["meta"]["total"]
        if primary is content:
            out.update(content_analysis(pieces))
        else:
            out.update(dimension_analysis(pieces, out.get("total_row")))
        out["sources"].append(_source(primary, [r.get("published") for r in rows]))
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
    series, imp = daily_series(store, usable)
    if series:
        metric = "views" if "views" in series[0] else next(
            (k for k in series[0] if k != "date"), None)
        out["growth"] = growth(series, metric) if metric else None
        subs = [r for r in series if r.get("subscribers") is not None]
        if subs and out["growth"]:
            out["growth"]["net_subscribers"] = sum(r["subscribers"] for r in subs)
        if all(s["import"] != imp["id"] for s in out["sources"]):
            out["sources"].append(_source(imp, [r.get("date") for r in series]))
        out["available"] = True
    return out


def _source(row: dict, dates: list[str | None] | None = None) -> dict[str, Any]:
    """Where the facts came from: the import, its file, channel, dates and when it was made."""
    meta = row["meta"]
    known = sorted(d[:10] for d in dates or [] if d)
    return {"import": row["id"], "format": row["format"], "source": row["source"],
            "imported_at": row["imported_at"], "dimension": meta.get("dimension"),
            "channel": channel_of(row), "start": meta.get("start") or (known[0] if known else None),
            "end": meta.get("end") or (known[-1] if known else None)}
