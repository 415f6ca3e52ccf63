"""Trend facts: per term the score and its reasons, its interest charted with the seasonal peak
marked, the seasonal profile, timing."""

from __future__ import annotations

import calendar
from typing import Any

from creator_assistant.data.charts import table
from creator_assistant.plots import Chart, chart_block


def render(r: dict[str, Any]) -> tuple[str, str]:
    md: list[str] = []
    text: list[str] = []
    if r.get("sources"):
        line = "From " + " and ".join(
            f"`{s['source'].replace(chr(92), '/').rsplit('/', 1)[-1]}` (import #{s['import']}, "
            f"imported {str(s.get('imported_at', ''))[:10]})" for s in r["sources"]) + "."
        md.append(line)
        text.append(line)
    terms = r.get("terms", [])
    if terms:
        rows = [[t["term"], f"{t['score']}/10", t.get("momentum_pct"),
                 t.get("slope_pct_per_year"), t["latest"], f"{t['peak']['value']:g} "
                 f"({t['peak']['date'][:7]})", ", ".join(calendar.month_abbr[m]
                                                         for m in t["peak_months"])]
                for t in terms]
        overview = table(["Term", "Score", "Momentum (%)", "Trend (%/year)", "Latest",
                          "Peak", "Peak months"], rows)
        first, last = terms[0]["first"][:7], terms[0]["last"][:7]
        md.append(f"**Search interest, {first} to {last}** ({terms[0]['granularity']}ly, "
                  f"Google Trends 0-100)\n\n{overview}")
        text.append(f"Search interest {first} to {last} ({terms[0]['granularity']}ly, "
                    f"Google Trends 0-100):\n{overview}")
    for t in terms:
        season = t.get("seasonality")
        charts = [chart_block(interest_chart(t))]
        if season:
            charts.append(chart_block(season_chart(t["term"], season), height=12))
        reasons = "\n".join(f"- {x}" for x in t["reasons"])
        body = (f"Score **{t['score']}/10**, because:\n{reasons}\n\nTiming: {t['timing']}")
        md.append(f"**{t['term']}**\n\n" + "\n\n".join(charts) + f"\n\n{body}")
        detail = [f"{t['term']}: score {t['score']}/10. Reasons: " + "; ".join(t["reasons"]) + "."]
        if season:
            detail.append("Seasonal index by month (1 = yearly average): " + ", ".join(
                f"{calendar.month_abbr[i + 1]} {v:.2f}" for i, v in enumerate(season["index"])))
        detail.append(f"Timing from the data: {t['timing']}")
        text.append("\n".join(detail))
    for term, regions in (r.get("regions") or {}).items():
        if regions:
            line = ", ".join(f"{x['region']} {x['value']:g}" for x in regions)
            md.append(f"Top regions for **{term}**: {line}")
            text.append(f"Top regions for {term} (0-100): {line}")
    related = r.get("related") or {}
    for block in ("top", "rising"):
        items = related.get(block) or []
        if items:
            line = ", ".join(
                f"{x['query']} ({'Breakout' if x['breakout'] else format(x['value'], 'g')})"
                for x in items)
            md.append(f"Related queries, {block.upper()}: {line}")
            text.append(f"Related queries, {block.upper()}: {line}")
    return "\n\n".join(md), "\n\n".join(text)


def interest_chart(t: dict[str, Any]) -> Chart:
    """The term's series over time, its seasonal peak (when reliable) and all-time peak marked."""
    dates = t.get("dates") or [str(i + 1) for i in range(len(t["series"]))]
    x = [d[:7] if t["granularity"] == "month" else d for d in dates]
    marks = {}
    peak = t.get("seasonal_peak")
    if peak:
        marks[f"seasonal peak ({calendar.month_name[peak['month']]})"] = peak["index"]
    if t["peak"]["date"] in dates:
        marks["all-time peak"] = dates.index(t["peak"]["date"])
    return Chart(f"{t['term']}: search interest by {t['granularity']}", x,
                 {t["term"]: t["series"]}, y_label="Google Trends interest, 0-100", marks=marks)


def season_chart(term: str, season: dict[str, Any]) -> Chart:
    """Each calendar month against the yearly average (the seasonal index, in %), the peak
    month marked."""
    top = season["peak_months"][0]
    return Chart(f"{term}: each month vs the yearly average", [calendar.month_abbr[m] for m in
                                                                range(1, 13)],
                 {"vs yearly average (%)": [round((x - 1) * 100, 1) for x in season["index"]]},
                 kind="bar", y_label=f"% above or below, {season['years']} whole years",
                 marks={"peak month": top - 1})
