"""Facts from the figures typed in a message: each series in the order given, its summary
(mean, median, best, worst, trend), single figures and goals."""

from __future__ import annotations

from typing import Any

from creator_assistant.data.charts import Sheet, bar_chart, clip, number, table


def headline(d: dict[str, Any]) -> str:
    """"From your message: 5 videos (views)": the source line the facts start with."""
    series, figures = d["series"], d["figures"]
    if series:
        n = max(s["count"] for s in series)
        noun = d["items"][1] if d.get("items") else "figures"
        what = f"{n} {noun if n != 1 else noun.rstrip('s')} ({', '.join(_low(s) for s in series)})"
        if figures:
            what += ", and " + ", ".join(f"{_low(f)} {number(f['value'])}" for f in figures)
    else:
        what = ", ".join(f"{_low(f)} {number(f['value'])}" for f in figures)
    return f"From your message: {what}. No imported data is used for these."


def _low(x: dict[str, Any]) -> str:
    """"Views" -> "views", "CTR (%)" -> "CTR": a label inside a sentence."""
    label = x["label"].replace(" (%)", "")
    return label if label[:3].isupper() else label.lower()


def render(d: dict[str, Any]) -> tuple[str, str]:
    """(markdown, prompt) for the figures a message holds."""
    sheet = Sheet()
    sheet.note(headline(d))
    for s in d["series"]:
        rows = [[v["position"], clip(v["label"], 50), v["value"],
                 f"{v['x_median']:.2f}×" if v["x_median"] is not None else None]
                for v in s["values"]]
        sheet.section(f"{s['label']}, in the order you gave them", table(
            ["#", "Item", s["label"], "× median"], rows),
            bar_chart([(clip(v["label"], 30), v["value"]) for v in s["values"]],
                      fmt="{:,.2f}" if any(v["value"] % 1 for v in s["values"]) else "{:,.0f}"))
    if d["series"]:
        cols = d["series"]
        measures = [("Figures", lambda s: s["count"]), ("Total", lambda s: s.get("total")),
                    ("Mean", lambda s: s["mean"]), ("Median", lambda s: s["median"]),
                    ("Best", lambda s: f"{number(s['best']['value'])} ({s['best']['label']})"),
                    ("Worst", lambda s: f"{number(s['worst']['value'])} ({s['worst']['label']})"),
                    ("First to last, in the order given (%)", lambda s: s["first_to_last_pct"]),
                    ("Trend per item (% of the mean)", lambda s: s["trend_pct_of_mean_per_item"])]
        rows = [[name, *(get(s) for s in cols)] for name, get in measures
                if any(get(s) is not None for s in cols)]
        sheet.section("Summary (computed from your figures)",
                      table(["Measure", *(s["label"] for s in cols)], rows))
    if d["figures"]:
        sheet.section("Figures you gave", table(["Measure", "Value", "About", "As typed"], [
            [f["label"], f["value"], f["about"] or None, f["text"]] for f in d["figures"]]))
    if d["goals"]:
        sheet.section("Your goal", table(["Measure", "Target", "As typed"], [
            [g["label"], g["value"], g["text"]] for g in d["goals"]]))
    items = d.get("items")
    if items and d["series"] and all(s["count"] != items[0] for s in d["series"]):
        sheet.note(f"You mentioned {items[0]} {items[1]} but gave "
                   f"{' and '.join(str(s['count']) for s in d['series'])} figures; only the "
                   "figures given are counted.")
    return sheet.result()
