"""A performance analysis: summary, the seed's six analyses, prioritised actions, metrics."""

from __future__ import annotations

import re

from creator_assistant.formats.doc import Section, section_body, sections_format

PRIORITY = '"[" ("High" | "Medium" | "Low") "] "'
SECTIONS = (
    Section("Executive summary", most=1, words=40),
    Section("Top performing content", most=1, words=35),
    Section("Audience engagement trends", most=1, words=35),
    Section("Growth trajectory", most=1, words=35),
    Section("Content gaps and opportunities", "bullets", most=2, least=1, words=20),
    Section("Optimization recommendations", "bullets", most=2, least=1, words=20),
    Section("Strategic pivots to consider", "bullets", most=2, least=1, words=20),
    Section("Action items", "bullets", most=3, least=2, words=20, item_head=PRIORITY),
    Section("Success metrics to track", "bullets", most=3, least=2, words=12),
)
_PRIORITY = re.compile(r"^\s*[-*]\s*\[(High|Medium|Low)\]\s+\S", re.IGNORECASE | re.MULTILINE)


def check_priorities(text: str) -> list[str]:
    problems = []
    actions = section_body(text, "Action items")
    if actions:
        lines = [ln for ln in actions.splitlines() if ln.strip()]
        ranked = len(_PRIORITY.findall(actions))
        if ranked != len(lines):
            problems.append("every action item needs a priority: [High], [Medium] or [Low]")
    return problems


FORMAT = sections_format(
    "performance_analysis",
    "executive summary, top content, engagement trends, growth trajectory, gaps, "
    "optimizations, pivots, prioritised action items, success metrics",
    SECTIONS, check_priorities,
)
