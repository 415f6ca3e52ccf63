"""Competitor facts: title patterns, lengths, cadence, topics and tags, and gaps."""

from __future__ import annotations

from typing import Any

from creator_assistant.data.charts import Sheet, bar_chart, clip, table


def render(r: dict[str, Any]) -> tuple[str, str]:
    sheet = Sheet()
    section = sheet.section

    src = r["source"]
    sheet.note(f"From `{src['source'].replace(chr(92), '/').rsplit('/', 1)[-1]}` (import "
               f"#{src['import']}, imported {str(src.get('imported_at', ''))[:10]}).")
    tl = r["title_length"]
    rows = [["Videos", r["videos"]], ["Channels", r["channels"]],
            ["Median views", r["median_views"]],
            ["Median likes per 100 views", r["median_like_rate_pct"]],
            ["Median comments per 100 views", r["median_comment_rate_pct"]],
            ["Median title length", f"{tl['median_chars']:g} characters, "
                                    f"{tl['median_words']:g} words"]]
    if r.get("length"):
        rows.append(["Median video length (s)", r["length"]["median_s"]])
    else:
        rows.append(["Video length", "not in this list"])
    section("Overview", table(["Measure", "Value"], rows))
    section("Title patterns (median views with and without)", table(
        ["Titles with", "Share (%)", "With", "Without", "Lift"],
        [[p["pattern"], p["share_pct"], p["median_views_with"], p["median_views_without"],
          f"{p['lift']:.2f}×" if p["lift"] else None] for p in r["patterns"]]))
    t = r["topics"]
    if t["categories"]:
        section("Top categories", table(["Category", "Videos", "Median views"], [
            [c["category"], c["videos"], c["median_views"]] for c in t["categories"]]),
            bar_chart([(c["category"], c["videos"]) for c in t["categories"]],
                      fmt="{:,.0f} videos"))
    if t["tags"]:
        section("Top tags", ", ".join(f"{x['tag']} ({x['videos']})" for x in t["tags"]))
    if t["title_words"]:
        section("Top title words", ", ".join(f"{x['word']} ({x['videos']})"
                                            for x in t["title_words"]))
    c = r["cadence"]
    lines = ["Uploads by weekday: " + ", ".join(f"{d} {n}" for d, n in c["weekdays"])]
    if c["hours_utc"]:
        lines.append("Most common upload hours (UTC): " + ", ".join(
            f"{h:02d}:00 ({n})" for h, n in c["hours_utc"]))
    if c["median_days_between_uploads"] is not None:
        lines.append(f"Median days between uploads of one channel: "
                     f"{c['median_days_between_uploads']:g}")
    else:
        lines.append("Cadence per channel: no channel has two videos in this list")
    section("Cadence", "\n".join(f"- {x}" for x in lines))
    section("Most viewed", table(["Title", "Channel", "Views"], [
        [clip(v["title"], 60), v["channel"], v["views"]] for v in r["top_videos"]]))
    if r["gaps"]:
        section(f"Gaps: topics in their titles and tags that none of your {r['own_pieces']} "
                "titles mention", table(["Topic", "Their videos", "Their views"], [
                    [g["topic"], g["videos"], g["views"]] for g in r["gaps"]]))
    else:
        section("Gaps", "Import your own per-video report (YouTube Studio Content, or a CSV of "
                "your titles) to see which of their topics you have not covered.")
    return sheet.result()
