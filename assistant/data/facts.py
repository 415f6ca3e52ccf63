"""Computed facts for the tasks: Markdown tables and charts shown to the user before the reply,
and the same numbers as prompt text, so the model writes around numbers it did not make up."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlite_utils

from creator_assistant.fields import strip_command

if TYPE_CHECKING:
    from creator_assistant.data.typed import Typed
    from creator_assistant.registry import Prepared, TaskContext

PREAMBLE = ("(Computed in Python from the creator's imported files named below. Quote only these "
            "numbers; if something is not here, say the data does not show it.)\n\n")


@dataclass
class Facts:
    markdown: str  # tables and charts for the user
    prompt: str  # the same facts as text for the model (no charts)
    data: dict[str, Any] = field(default_factory=dict)  # the computed report, for --json
    available: bool = True


TYPED_PREAMBLE = ("(Computed in Python from the figures the creator typed in this conversation; "
                  "they are the data for this answer, not any imported file. Quote only these "
                  "numbers; if something is not here, say the data does not show it.)\n\n")
# "my imported data", "my channel's videos", "from my export": the message asks for the import,
# even beside figures it types. Weaker words ("my csv") count only in a message without figures.
_IMPORTED = re.compile(
    r"\b(?:imported|my imports?|(?:from|in|using|use|with|against|compared? (?:to|with)) (?:my|the) "
    r"(?:imports?|exports?|files?|csv|data|report|studio (?:export|data))|studio|my (?:channel'?s?|"
    r"whole channel|own channel) (?:videos?|data|numbers|stats|analytics|uploads|content)|"
    r"channel (?:data|analytics|report)|analytics report|(?:all|every one) of my videos|"
    r"my (?:stored|saved) data)\b", re.IGNORECASE)
_IMPORTED_WEAK = re.compile(r"\b(?:imports?|exports?|csv|spreadsheet|(?:the|my|that|this) (?:file|"
                            r"report|data ?set))\b", re.IGNORECASE)


def refers_to_import(message: str, channels: list[str | None] = (), *,
                     typed: bool = False) -> bool:
    """Whether the message asks about imported data, or names an imported channel; `typed`:
    it holds figures of its own, so only a plain reference counts."""
    text = strip_command(message)
    return bool(_IMPORTED.search(text) or not typed and _IMPORTED_WEAK.search(text)) or any(
        n and re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.IGNORECASE) for n in channels)


def typed_figures(message: str, history: list[dict[str, str]] | None = None) -> Typed:
    """The figures the creator typed: in the message, else in their latest message that had
    some (a follow-up such as "which one did best?" keeps talking about them)."""
    from creator_assistant.data.typed import read

    typed = read(message)
    for turn in reversed(history or []):
        if typed:
            break
        if turn["role"] == "user":
            typed = read(turn["content"])
    return typed


def analytics_facts(db: sqlite_utils.Database, message: str = "",
                    history: list[dict[str, str]] | None = None,
                    channel: str | None = None) -> Facts:
    """The user's numbers win: figures typed in the conversation are the data, and the import
    is used when the message asks for it or gives no figures. One channel, named."""
    from creator_assistant.data.analytics import channels, report
    from creator_assistant.data.facts_analytics import render
    from creator_assistant.data.store import DataStore
    from creator_assistant.data.typed import read

    names = channels(DataStore(db))
    typed = read(message)
    refers = channel is not None or refers_to_import(message, names, typed=bool(typed))
    if not typed and not refers:
        typed = typed_figures(message, history)
    imported = None
    if refers or not typed:
        imported = _facts(report(db, channel, message), render, "analytics",
                          "your YouTube Studio export (a folder, zip or `Table data.csv`), or "
                          "any CSV of your videos")
    if not typed:
        return imported  # type: ignore[return-value]
    from creator_assistant.data.facts_typed import render as render_typed
    from creator_assistant.data.typed import as_dict

    data = {"available": True, "source": "message", **as_dict(typed)}
    markdown, prompt = render_typed(data)
    facts = Facts(markdown, TYPED_PREAMBLE + prompt, data, True)
    if imported is None:
        return facts
    if not imported.available:  # asked for the import, and there is none
        return Facts(f"{facts.markdown}\n\n{imported.markdown}",
                     f"{facts.prompt}\n\n{imported.prompt}", data, True)
    return Facts(f"{facts.markdown}\n\n{imported.markdown}", f"{facts.prompt}\n\n"
                 f"{imported.prompt}", {**imported.data, "message": data}, True)


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
    elif not only and _own_series(message):
        # The message brings its own series ("went 30, 35, 60, 95"): that is the data, as typed.
        return Facts("", "", {"available": False, "source": "message"}, False)
    return _facts(data, render, "trend", "a Google Trends `multiTimeline.csv` (Explore > Interest "
                  "over time > download)")


def _own_series(message: str) -> bool:
    from creator_assistant.data.typed import read

    return not refers_to_import(message) and bool(read(message).series)


def competitor_facts(db: sqlite_utils.Database, message: str = "") -> Facts:
    from creator_assistant.data.competitor import report
    from creator_assistant.data.facts_competitor import render

    return _facts(report(db), render, "competitor", "a CSV list of their videos (title, channel, "
                  "views, tags, publish date)")


def organize_facts(db: sqlite_utils.Database, message: str = "", ideas: Any = None) -> Facts:
    from creator_assistant.data.facts_ideas import render, summary

    data = summary(db, ideas)  # ideas: the session's IdeaStore (duplicates by meaning)
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


def with_facts(ctx: TaskContext, build: Callable[..., Prepared],
               facts: Callable[[TaskContext], Facts | None], hint: str = "") -> Prepared:
    """A task's `prepare` with computed facts: `build(ctx, facts=...)` gets `facts(ctx)` as
    prompt text and the user sees it as tables and charts before the reply. With no facts,
    `build(ctx)`, and a question it asks ends with `hint` (say how to import the data)."""
    from dataclasses import replace

    found = facts(ctx)
    if found is None or not found.available:
        prepared = build(ctx)
        if prepared.question and hint:
            prepared = replace(prepared, question=f"{prepared.question} {hint}")
        return prepared
    return replace(build(ctx, facts=found.prompt), facts=found.markdown)
