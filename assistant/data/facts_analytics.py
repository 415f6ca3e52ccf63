"""Analytics facts as Markdown (tables and charts) and as prompt text (tables only)."""

from __future__ import annotations

from typing import Any

from creator_assistant.data.charts import Sheet, clip, duration, table
from creator_assistant.plots import Chart, chart_block

LABELS = {"views": "Views", "ctr": "CTR (%)", "retention": "Avg % viewed",
          "subscribers": "Subscribers gained", "engagement": "Engagement (%)", "likes": "Likes",
          "comments": "Comments", "shares": "Shares", "saves": "Saves"}


def render(r: dict[str, Any]) -> tuple[str, str]:
    """(markdown, prompt) for an analytics report."""
    sheet = Sheet()
    section = sheet.section

    dim = r.get("dimension") or "Content"
    noun = "pieces" if dim.lower() == "content" else f"{dim.lower()} rows"
    sheet.note(provenance(r))
    if r.get("concentration"):
        _dimension(r, dim, section)
    elif r.get("pieces"):
        med = r.get("medians") or {}
        summary = [[noun.capitalize(), r["pieces"]]] + [[f"Median {LABELS[k].lower()}", v]
                                                      for k, v in med.items()]
        if (r.get("total_row") or {}).get("views") is not None:
            summary.insert(1, ["Total views (Total row)", r["total_row"]["views"]])
        section("Summary", table(["Measure", "Value"], summary))
        if not med:
            sheet.note("This import has no metric column (views, likes, comments...), so there "
                       "is nothing to rank: import it again with `--as generic --map "
                       "views=COLUMN` naming the column that holds views.")
        for key in () if r.get("top_by_views") else ("likes", "comments", "shares", "saves"):
            if r.get(f"top_by_{key}"):  # no views in the file: rank what it has
                best = r[f"top_by_{key}"][:5]
                section(f"Top {len(best)} by {key}", table(
                    ["#", "Title", LABELS[key]], [[i, _name(p, 60), p[key]]
                                                   for i, p in enumerate(best, 1)]))
        top = r.get("top_by_views", [])[:5]
        mid = med.get("views") or 0
        if top:
            rows = [[i, _name(p, 60), p["views"], f"{p['views'] / mid:.2f}×" if mid else None]
                    for i, p in enumerate(top, 1)]
            section(f"Top {len(top)} by views", table(["#", dim if dim != "Content" else "Title",
                                                        "Views", "vs median"], rows))
        bottom = r.get("bottom_by_views", [])[:5]
        if bottom:
            section(f"Bottom {len(bottom)} by views", table(
                ["#", "Title", "Views"], [[i, _name(p, 60), p["views"]]
                                          for i, p in enumerate(bottom, 1)]))
        best_worst = []
        for key in ("ctr", "retention", "subscribers", "engagement"):
            if f"top_by_{key}" in r:
                for i in range(min(3, len(r[f"top_by_{key}"]))):
                    b, w = r[f"top_by_{key}"][i], r[f"bottom_by_{key}"][i]
                    best_worst.append([LABELS[key], _name(b, 40), b[key], _name(w, 40), w[key]])
        if best_worst:
            section("Best and worst by rate", table(["Measure", "Best", "Value", "Worst",
                                                     "Value"], best_worst))
    if r.get("publish_day"):
        days = r["publish_day"]
        section("Publish day (median views of pieces published that day)", table(
            ["Day", "Pieces", "Median views", "vs channel median"],
            [[d["day"], d["pieces"], d["median_views"], f"{d['vs_channel']:.2f}×"]
             for d in days]), chart_block(publish_day_chart(days), height=12))
    length = r.get("length") or {}
    if length.get("buckets"):
        corr = length.get("length_views_rank_correlation")
        body = table(["Length", "Pieces", "Median views", "Median % viewed"],
                     [[b["length"], b["pieces"], b["median_views"], b["median_retention"]]
                      for b in length["buckets"]])
        if corr is not None:
            body += f"\n\nRank correlation of length with views: {corr:+.2f}."
        section("Length", body)
    if r.get("outliers"):
        section(f"Outliers (views at least {2.5}× or at most 1/{2.5} of the median)", table(
            ["Title", "Views", "× median"], [[_name(o, 60), o["views"], o["x_median"]]
                                            for o in r["outliers"]]))
    for b in r.get("breakdowns", []):
        section(f"{b['dimension']}: top by views", table(
            [b["dimension"], "Views", "Share (%)"],
            [[x["id"], x["views"], x["share_pct"]] for x in b["top"]]))
    g = r.get("growth")
    if g:
        rows = [["Days", f"{g['days']} ({g['first_date']} to {g['last_date']})"],
                [f"Total {g['metric']}", g["total"]], ["Daily mean", g["daily_mean"]],
                ["Trend (% of daily mean per 30 days)", g["trend_pct_per_30_days"]],
                ["Last 7 days vs the 7 before (%)", g["last_7_vs_previous_7_pct"]]]
        if "last_28_vs_previous_28_pct" in g:
            rows.append(["Last 28 days vs the 28 before (%)", g["last_28_vs_previous_28_pct"]])
        if "acceleration" in g:
            rows.append(["Last 90 days against the 90 before", g["acceleration"]])
        rows.append(["Peak day", f"{g['peak']['date']} ({g['peak']['value']:,.0f})"])
        if "net_subscribers" in g:
            rows.append(["Net subscribers", g["net_subscribers"]])
        section("Growth and momentum (daily channel totals)", table(["Measure", "Value"], rows),
                chart_block(weekly_chart(g)))
    if not (r.get("pieces") or g):
        sheet.note("The import holds no rows to analyse.")
    return sheet.result()


def _name(p: dict[str, Any], width: int) -> str:
    return clip(str(p.get("title") or p.get("id") or "(untitled)"), width)


def _one(s: dict[str, Any]) -> str:
    name = s["source"].replace("\\", "/").rsplit("/", 1)[-1]
    dates = (f", {s['start']} to {s['end']}" if s.get("start") and s.get("end") != s["start"]
             else f", {s['start']}" if s.get("start") else "")
    who = f"channel {s['channel']}" if s.get("channel") else "channel not named in the file"
    return (f"`{name}` (import #{s['import']}, {s['format']}, {who}{dates}, imported "
            f"{str(s['imported_at'])[:10]})")


def provenance(r: dict[str, Any]) -> str:
    """Which imports the numbers come from, and which channels were left out."""
    line = "From " + " and ".join(_one(s) for s in r["sources"]) + "."
    others = r.get("other_channels") or []
    if others:
        here = f"channel {r['channel']}" if r.get("channel") else "the files without a channel name"
        names = ", ".join(o or "files without a channel name" for o in others)
        line += (f" Only {here} is analysed; also imported: {names}. Channels are never mixed: "
                 "name one in your message (or `creator analytics report --channel NAME`) to "
                 "analyse it.")
    return line


def _dimension(r: dict[str, Any], dim: str, section: Any) -> None:
    """A report by country, traffic source...: shares and where viewers stay longest."""
    c, total = r["concentration"], r.get("total_row") or {}
    rows = [[f"{dim} rows", r["pieces"]], [f"Top {dim.lower()} share of views (%)",
                                            c["top_1_share_pct"]],
            ["Top 5 share of views (%)", c["top_5_share_pct"]],
            [f"{dim} rows that make 80% of views", c["rows_for_80_pct"]]]
    for key, label in (("views", "Total views (Total row)"),
                       ("watch_hours", "Watch time, hours (Total row)")):
        if total.get(key) is not None:
            rows.insert(1, [label, total[key]])
    if total.get("avg_view_s") is not None:
        rows.append(["Average view duration (Total row)", duration(total["avg_view_s"])])
    section("Summary", table(["Measure", "Value"], rows))
    top = r["top_by_views"]
    section(f"Top {len(top)} {dim.lower()} by views", table(
        ["#", dim, "Views", "Share (%)"],
        [[i, p["id"], p["views"], p["share_pct"]] for i, p in enumerate(top, 1)]),
        chart_block(Chart(f"Views by {dim.lower()}, top {len(top)}", [str(p["id"]) for p in top],
                          {"views": [p["views"] for p in top]}, kind="bar", y_label="views"),
                    height=12))
    if r.get("longest_watched"):
        pairs = zip(r["longest_watched"], r["shortest_watched"], strict=True)
        section(f"Average view duration by {dim.lower()} (rows with at least 1% of views)", table(
            ["Longest", "Avg view", "Shortest", "Avg view"],
            [[a["id"], duration(a["avg_view_s"]), b["id"], duration(b["avg_view_s"])]
             for a, b in pairs]))


def weekly_chart(g: dict[str, Any]) -> Chart:
    """The channel's weekly totals over time, the best week marked."""
    weeks = g["weekly"]
    totals = [w["total"] for w in weeks]
    best = max(range(len(totals)), key=lambda i: totals[i]) if totals else 0
    return Chart(f"{g['metric'].capitalize()} by week", [w["week_of"] for w in weeks],
                 {g["metric"]: totals}, y_label=g["metric"],
                 marks={"best week": best} if len(totals) > 1 else {})


def publish_day_chart(days: list[dict[str, Any]]) -> Chart:
    """Median views by the day a piece was published, the best day marked."""
    medians = [d["median_views"] for d in days]
    best = max(range(len(medians)), key=lambda i: medians[i])
    return Chart("Median views by publish day", [d["day"][:3] for d in days],
                 {"median views": medians}, kind="bar", y_label="views", marks={"best day": best})
