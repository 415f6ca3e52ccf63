"""A newsletter issue: subject lines, preview text, opening, 2-4 sections, CTA and sign-off."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from creator_assistant.formats import Format
from creator_assistant.formats.doc import Section, check_sections, items, section_body
from creator_assistant.formats.doc import section_rules as rules_for
from creator_assistant.formats.gbnf import chars_rule, grammar, text_rule

PREVIEW_MAX = 90
HEAD = (Section("Subject line options", "numbered", most=3, least=3, words=12),)
TAIL = (
    Section("Opening", "para", most=2, words=40),
    Section("Sections", "para"),  # checked below: 2-4 `### ` sections with text
    Section("Call to action", "para", most=1, words=30),
    Section("Sign-off", "para", most=1, words=15),
)


def build_grammar(fields: Mapping[str, Any]) -> str:
    head, head_rules = rules_for(HEAD, "h")
    opening, open_rules = rules_for(TAIL[:1], "o")
    end, end_rules = rules_for(TAIL[2:], "e")
    root = (f'{head} "\\n## Preview text\\n" preview "\\n\\n" {opening} "\\n## Sections\\n" '
            f'part{{2,4}} "\\n" {end}')
    return grammar(
        root, *head_rules, *open_rules, *end_rules,
        chars_rule("preview", 10, PREVIEW_MAX),
        'part ::= "### " text10 "\\n" (text40 "\\n"){1,3}\n',
        text_rule("text10", 10), text_rule("text40", 40),
    )


def check(text: str, fields: Mapping[str, Any]) -> list[str]:
    problems = check_sections(text, HEAD + (Section("Preview text"),) + TAIL)
    subjects = section_body(text, "Subject line options")
    if subjects is not None and len(items(subjects)) != 3:
        problems.append(f"{len(items(subjects))} subject lines; give exactly 3")
    preview = section_body(text, "Preview text")
    if preview is not None and len(preview) > PREVIEW_MAX:
        problems.append(f"the preview text is {len(preview)} characters; at most {PREVIEW_MAX}")
    body = section_body(text, "Sections") or ""
    parts = re.findall(r"^###\s+\S.*\n+\s*\S", body, flags=re.MULTILINE)
    if body and not 2 <= len(parts) <= 4:
        problems.append(f"{len(parts)} sections with text; give 2 to 4")
    return problems


FORMAT = Format(
    "newsletter",
    "3 subject lines, preview text (max 90 characters), opening, 2-4 sections, CTA, sign-off",
    build_grammar, check,
)
