"""A long-form video script: [HOOK], [INTRO], timed parts, [CTA], then production notes.

The timestamps come from the requested length (`fields["duration_s"]`) and are literals in the
grammar, so they always add up; the model writes the words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from creator_assistant.formats import Format
from creator_assistant.formats.doc import Section, check_sections
from creator_assistant.formats.gbnf import grammar, literal, text_rule
from creator_assistant.formats.timing import check_timeline, clock, long_plan

NOTES = (
    Section("Production notes", "bullets", most=4, least=4, words=20),
)
NOTE_LABELS = ("Visuals", "B-roll", "Text overlays", "Thumbnail")
# Words per line and lines per block: at most about 900 words for six parts, well inside the
# 2,048-token budget even when every word costs a token or two.
LINE_WORDS, LINES = 45, 2


def build_grammar(fields: Mapping[str, Any]) -> str:
    plan = long_plan(int(fields["duration_s"]))
    parts = ['"# " title "\\n\\n"']
    for label, start, end in plan:
        head = f"### [{label}] ({clock(start)}-{clock(end)})"
        if label.startswith("PART"):
            parts.append(f'{literal(head + " ")} title "\\n" block "\\n"')
        elif label == "HOOK":  # five seconds: one short line
            parts.append(f'{literal(head)} "\\n" text20 "\\n\\n"')
        else:
            parts.append(f'{literal(head)} "\\n" block "\\n"')
    notes = " ".join(f'{literal(f"- {label}: ")} text20 "\\n"' for label in NOTE_LABELS)
    parts.append(f'"## Production notes\\n" {notes}')
    return grammar(
        " ".join(parts),
        text_rule("title", 8), text_rule("line", LINE_WORDS), text_rule("text20", 20),
        f'block ::= (line "\\n"){{1,{LINES}}}\n',
    )


def check(text: str, fields: Mapping[str, Any]) -> list[str]:
    duration = int(fields["duration_s"])
    first = [("HOOK", 0, 5), ("INTRO", 5, 30)]
    problems = check_timeline(text, duration, first, "PART")
    problems += check_sections(text, NOTES)
    lower = text.lower()
    for label in NOTE_LABELS:
        if f"{label.lower()}:" not in lower:
            problems.append(f"production notes say nothing about {label.lower()}")
    return problems


FORMAT = Format(
    "video_script",
    "[HOOK] 0-5 s, [INTRO] 5-30 s, timed parts that add up to the length, [CTA], "
    "notes on visuals, b-roll, text overlays and thumbnail",
    build_grammar, check,
)
