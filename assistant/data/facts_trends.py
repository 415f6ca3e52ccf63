"""Trend facts: per term the score and its reasons, a sparkline, the seasonal profile, timing."""

from __future__ import annotations

import calendar
from typing import Any

from creator_assistant.data.charts import sparkline, table

MONTH_LETTERS = "JFMAMJJASOND"


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
        chart = [f"{'interest':<9} {sparkline(t['series'], 60)}  "
                 f"{t['first'][:7]} → {t['last'][:7]}"]
        if season:
            chart.append(f"{'by month':<9} {sparkline(season['index'])}  {MONTH_LETTERS}"
                         f"  (seasonal index; {season['years']} whole years)")
        reasons = "\n".join(f"- {x}" for x in t["reasons"])
        body = (f"Score **{t['score']}/10**, because:\n{reasons}\n\nTiming: {t['timing']}")
        md.append(f"**{t['term']}**\n\n```\n" + "\n".join(chart) + f"\n```\n\n{body}")
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
