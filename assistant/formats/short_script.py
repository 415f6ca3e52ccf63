"""A short-form video (Shorts, Reels, TikTok): timed hook, beats and CTA, caption, hashtags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from creator_assistant.formats import Format
from creator_assistant.formats.caption import HASHTAG_RULES, check_hashtags
from creator_assistant.formats.doc import Section, check_sections
from creator_assistant.formats.gbnf import grammar, literal, text_rule
from creator_assistant.formats.timing import check_timeline, clock, short_plan

AFTER = (
    Section("Caption", "para", most=2, words=40),
    Section("Hashtags", "para", most=1),
    Section("Notes", "bullets", most=2, least=2, words=20),
)


def build_grammar(fields: Mapping[str, Any]) -> str:
    plan = short_plan(int(fields["duration_s"]))
    parts = []
    for label, start, end in plan:
        head = f"### [{label}] ({clock(start)}-{clock(end)})"
        parts.append(f'{literal(head)} "\\n" line "\\n\\n"')
    parts.append('"## Caption\\n" (line "\\n"){1,2} "\\n"')
    parts.append('"## Hashtags\\n" hashtags "\\n\\n"')
    parts.append('"## Notes\\n- On-screen text: " text20 "\\n- Visuals: " text20 "\\n"')
    return grammar(" ".join(parts), text_rule("line", 40), text_rule("text20", 20),
                   HASHTAG_RULES)


def check(text: str, fields: Mapping[str, Any]) -> list[str]:
    duration = int(fields["duration_s"])
    plan = short_plan(duration)
    problems = check_timeline(text, duration, plan[:1], "BEAT")
    return problems + check_sections(text, AFTER) + check_hashtags(text)


FORMAT = Format(
    "short_script",
    "short-form video: timed [HOOK], beats and [CTA] that add up to the length, caption, "
    "3-8 hashtags, notes on on-screen text and visuals",
    build_grammar, check,
)
