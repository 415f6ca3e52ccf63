"""Organize facts: the idea store by pillar and priority, and likely duplicates."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from creator_assistant.data.charts import bar_chart, clip, table
from creator_assistant.data.ideas import NAMES, IdeaStore


def summary(db: sqlite_utils.Database, store: IdeaStore | None = None) -> dict[str, Any]:
    """`store`: the session's (it compares ideas by meaning); default: by words."""
    store = store or IdeaStore(db)
    ideas = store.list()
    duplicates = store.duplicate_pairs()[:10] if len(ideas) <= 2000 else []
    return {"ideas": len(ideas), "pillars": store.pillars(), "by_pillar": store.counts(),
            "high_priority": [i for i in ideas if i["priority"] == 1][:10],
            "recent": sorted(ideas, key=lambda i: -i["id"])[:10],
            "duplicates": duplicates, "duplicates_why_not": duplicates and store.why_not}


def render(s: dict[str, Any]) -> tuple[str, str]:
    if not s["ideas"]:
        note = ("The idea store is empty: add ideas with `creator ideas add \"...\"` or "
                "`/ideas add ...`, and set your pillars with `creator ideas pillars A B C`.")
        return f"_{note}_", ""
    md, text = [], []
    pillars = ", ".join(s["pillars"]) or "none set yet"
    counts = table(["Pillar", "Ideas"], s["by_pillar"])
    md.append(f"**{s['ideas']} ideas**; pillars: {pillars}\n\n{counts}\n\n"
              + bar_chart(s["by_pillar"], fmt="{:,.0f}"))
    text.append(f"{s['ideas']} ideas; pillars: {pillars}.\n{counts}")
    for key, title in (("high_priority", "High priority"), ("recent", "Most recent")):
        if s[key]:
            body = table(["#", "Idea", "Pillar", "Priority"], [
                [i["id"], clip(i["text"], 70), i["category"] or "–", NAMES.get(i["priority"])]
                for i in s[key]])
            md.append(f"**{title}**\n\n{body}")
            text.append(f"{title}:\n{body}")
    if s["duplicates"]:
        body = "\n".join(f"- #{a} and #{b} ({sim:.0%} alike)" for a, b, sim in s["duplicates"])
        note = f"\n\n_note: {s['duplicates_why_not']}_" if s.get("duplicates_why_not") else ""
        md.append(f"**Likely duplicates**\n\n{body}{note}")
        text.append(f"Likely duplicates:\n{body}")
    return "\n\n".join(md), "\n\n".join(text)
