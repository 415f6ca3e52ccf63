"""Computed facts for the tasks: Markdown tables and charts shown to the user before the reply,
and the same numbers as prompt text, so the model writes around numbers it did not make up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

PREAMBLE = ("(Computed in Python from the creator's imported files. Quote only these numbers; if "
            "something is not here, say the data does not show it.)\n\n")


@dataclass
class Facts:
    markdown: str  # tables and charts for the user
    prompt: str  # the same facts as text for the model (no charts)
    data: dict[str, Any] = field(default_factory=dict)  # the computed report, for --json
    available: bool = True


def analytics_facts(db: sqlite_utils.Database, message: str = "") -> Facts:
    from creator_assistant.data.analytics import report
    from creator_assistant.data.facts_analytics import render

    return _facts(report(db), render, "analytics", "your YouTube Studio export (a folder, zip or "
                  "`Table data.csv`), or any CSV of your videos")


def trend_facts(db: sqlite_utils.Database, message: str = "",
                only: list[str] | None = None) -> Facts:
    from creator_assistant.data.facts_trends import render
    from creator_assistant.data.trends import report

    data = report(db)
    data["all_terms"] = [t["term"] for t in data["terms"]]
    if only:
        data["terms"] = [t for t in data["terms"] if t["term"].lower() in
                         {o.lower() for o in only}]
    wanted = [t for t in data["terms"] if t["term"].lower() in message.lower()]
    if wanted:  # the message names some of the terms: just those
        data["terms"] = wanted
    return _facts(data, render, "trend", "a Google Trends `multiTimeline.csv` (Explore > Interest "
                  "over time > download)")


def competitor_facts(db: sqlite_utils.Database, message: str = "") -> Facts:
    from creator_assistant.data.competitor import report
    from creator_assistant.data.facts_competitor import render

    return _facts(report(db), render, "competitor", "a CSV list of their videos (title, channel, "
                  "views, tags, publish date)")


def organize_facts(db: sqlite_utils.Database, message: str = "") -> Facts:
    from creator_assistant.data.facts_ideas import render, summary

    data = summary(db)
    markdown, prompt = render(data)
    return Facts(markdown, PREAMBLE + prompt if prompt else "", data, bool(data["ideas"]))


def _facts(data: dict[str, Any], render: Any, task: str, what: str) -> Facts:
    if not data.get("available"):
        note = (f"No data imported for {task} yet: import {what} with `creator import PATH` "
                "(or `/import PATH` here) and ask again.")
        return Facts(f"_{note}_", f"No {task} data has been imported; the numbers are unknown. "
                     "Do not invent any; explain how to import it: " + note, data, False)
    markdown, prompt = render(data)
    return Facts(markdown, PREAMBLE + prompt, data, True)


def stored_ideas(db: sqlite_utils.Database, limit: int = 8) -> tuple[list[str], list[str]]:
    """The oldest ideas without a pillar (at most `limit`) and the creator's pillars, for the
    organize task when the message itself lists none."""
    from creator_assistant.data.ideas import IdeaStore

    store = IdeaStore(db)
    waiting = sorted(store.list(uncategorized=True), key=lambda i: i["id"])[:limit]
    return [i["text"] for i in waiting], store.pillars()


IMPORT_HINT = {
    "analytics": "Or import your YouTube Studio export: `/import PATH` (a folder, zip or CSV).",
    "trend": "Or import a Google Trends export: `/import PATH/multiTimeline.csv`.",
    "competitor": "Or import a CSV list of their videos: `/import PATH`.",
}


def with_facts(task: str, build: Any, ctx: Any) -> Any:
    """Call a task's `build(ctx, facts=...)` with the facts computed from the creator's imports:
    the model gets them as text, the user sees them as tables and charts before the reply."""
    from dataclasses import replace

    session = getattr(ctx, "session", None)
    facts = for_task(task, session.store.db, ctx.message) if session is not None else None
    if facts is None or not facts.available:
        prepared = build(ctx)
        if prepared.question and task in IMPORT_HINT:
            prepared = replace(prepared, question=f"{prepared.question} {IMPORT_HINT[task]}")
        return prepared
    return replace(build(ctx, facts=facts.prompt), facts=facts.markdown)


FOR_TASK = {"analytics": analytics_facts, "trend": trend_facts, "competitor": competitor_facts,
            "organize": organize_facts}


def for_task(task: str, db: sqlite_utils.Database, message: str = "") -> Facts | None:
    """The facts for a task by name, or None for tasks that have none."""
    fn = FOR_TASK.get(task)
    return fn(db, message) if fn else None
