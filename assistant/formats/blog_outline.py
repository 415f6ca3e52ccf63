"""A blog post outline: 5 headlines, a meta description of at most 150 characters, an H2/H3
structure, a conclusion with a call to action, internal-link topics and social teasers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from creator_assistant.formats import Format
from creator_assistant.formats.doc import Section, check_sections, items, section_body
from creator_assistant.formats.doc import section_rules as rules_for
from creator_assistant.formats.gbnf import chars_rule, grammar, text_rule

META_MAX = 150
HEAD = (Section("Headline options", "numbered", most=5, least=5, words=14),)
MIDDLE = (Section("Introduction hook", "para", most=2, words=40),)
TAIL = (
    Section("Conclusion and CTA", "para", most=2, words=40),
    Section("Internal link topics", "bullets", most=5, least=3, words=10),
    Section("Social media teasers", "bullets", most=4, least=2, words=30),
)
ALL = HEAD + (Section("Meta description"),) + MIDDLE + (Section("Outline", "bullets"),) + TAIL


def build_grammar(fields: Mapping[str, Any]) -> str:
    head, head_rules = rules_for(HEAD, "h")
    mid, mid_rules = rules_for(MIDDLE, "m")
    tail, tail_rules = rules_for(TAIL, "t")
    root = (f'{head} "\\n## Meta description\\n" meta "\\n\\n" {mid} '
            f'"\\n## Outline\\n" h2{{2,6}} "\\n" {tail}')
    return grammar(
        root, *head_rules, *mid_rules, *tail_rules,
        chars_rule("meta", 30, META_MAX),
        'h2 ::= "- H2: " text12 "\\n" ("  - H3: " text20 "\\n"){1,4}\n',
        text_rule("text12", 12), text_rule("text20", 20),
    )


def check(text: str, fields: Mapping[str, Any]) -> list[str]:
    problems = check_sections(text, ALL)
    headlines = section_body(text, "Headline options")
    if headlines is not None and len(items(headlines)) != 5:
        problems.append(f"{len(items(headlines))} headline options; give exactly 5")
    meta = section_body(text, "Meta description")
    if meta is not None and len(meta) > META_MAX:
        problems.append(f"the meta description is {len(meta)} characters; at most {META_MAX}")
    outline = section_body(text, "Outline") or ""
    h2s = re.split(r"^\s*[-*]\s*H2:", outline, flags=re.MULTILINE)[1:]
    if outline and len(h2s) < 2:
        problems.append(f"the outline has {len(h2s)} H2 headings; give at least 2")
    for i, block in enumerate(h2s, 1):
        if not re.search(r"^\s*[-*]\s*H3:\s*\S", block, flags=re.MULTILINE):
            problems.append(f"H2 number {i} has no H3 points under it")
    return problems


FORMAT = Format(
    "blog_outline",
    "5 headline options, meta description (max 150 characters), introduction hook, H2/H3 "
    "outline, conclusion with CTA, internal-link topics, social media teasers",
    build_grammar, check,
)
