"""A trend analysis: a 1-10 significance score with reasoning, then the seed's other six parts."""

from __future__ import annotations

import re

from creator_assistant.formats.doc import Section, sections_format, split_sections

SCORE = '("10" | [1-9]) "/10"'
SECTIONS = (
    Section("Trend significance:", after_title=SCORE, most=2, words=30),
    Section("Opportunity assessment", most=2, words=30),
    Section("Content angles", "bullets", most=4, least=2, words=20),
    Section("Timing recommendations", most=1, words=35),
    Section("Competition level:", after_title='("Low" | "Medium" | "High")', most=1, words=30),
    Section("Risk/reward", most=2, words=30),
    Section("Action items", "numbered", most=4, least=2, words=20),
)
_SCORE = re.compile(r"significance\W*(\d{1,2})\s*/\s*10", re.IGNORECASE)


def check_score_and_level(text: str) -> list[str]:
    problems = []
    heading = next((h for h, _ in split_sections(text) if "significance" in h.lower()), "")
    match = _SCORE.search(heading)
    if heading and (match is None or not 1 <= int(match.group(1)) <= 10):
        problems.append("the trend significance needs a score from 1 to 10, written as N/10")
    level = next((h for h, _ in split_sections(text) if h.lower().startswith("competition")), "")
    if level and not re.search(r"\b(low|medium|high)\b", level, re.IGNORECASE):
        problems.append("the competition level must be Low, Medium or High")
    return problems


def score(text: str) -> int | None:
    """The significance score in a checked reply, or None."""
    match = _SCORE.search(text)
    return int(match.group(1)) if match else None


FORMAT = sections_format(
    "trend_analysis",
    "significance score N/10 with reasoning, opportunity, content angles, timing, "
    "competition level, risk/reward, action items",
    SECTIONS, check_score_and_level,
)
