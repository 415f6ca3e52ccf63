"""Organize: every idea, in the user's order, assigned to exactly one of the user's categories.

The grammar spells out each idea and lets the model choose only among the given categories.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from creator_assistant.formats import Format
from creator_assistant.formats.gbnf import alternatives, grammar, literal

ARROW = " \u2192 "
LABEL_MAX = 48
_LINE = re.compile(r"^\s*(\d+)[.)]\s+(.*?)\s*(?:\u2192|->|=>)\s*(.+?)\s*$", re.MULTILINE)


def label(idea: str) -> str:
    """The idea as shown in the reply: one line, cut at a word boundary after 48 characters."""
    flat = " ".join(idea.split())
    if len(flat) <= LABEL_MAX:
        return flat
    return flat[:LABEL_MAX].rsplit(" ", 1)[0].rstrip(" ,;:-") + "\u2026"


def build_grammar(fields: Mapping[str, Any]) -> str:
    ideas, categories = list(fields["ideas"]), list(fields["categories"])
    lines = " ".join(f'{literal(f"{i}. {label(idea)}{ARROW}")} category "\\n"'
                     for i, idea in enumerate(ideas, 1))
    return grammar(lines, f"category ::= {alternatives(categories)}\n")


def check(text: str, fields: Mapping[str, Any]) -> list[str]:
    ideas, categories = list(fields["ideas"]), list(fields["categories"])
    allowed = {c.casefold(): c for c in categories}
    seen: dict[int, str] = {}
    problems: list[str] = []
    for match in _LINE.finditer(text):
        number, category = int(match.group(1)), match.group(3).strip(" *_.")
        if not 1 <= number <= len(ideas):
            problems.append(f"line {number} is not one of the {len(ideas)} ideas")
            continue
        if number in seen:
            problems.append(f"idea {number} is assigned twice")
            continue
        if category.casefold() not in allowed:
            problems.append(f"idea {number} went to {category!r}, which is not one of your "
                            f"categories ({', '.join(categories)})")
        seen[number] = category
    missing = [str(i) for i in range(1, len(ideas) + 1) if i not in seen]
    if missing:
        problems.append(f"ideas not assigned: {', '.join(missing)}")
    return problems


def assignments(text: str) -> dict[int, str]:
    """Idea number -> category, as read from a reply."""
    return {int(m.group(1)): m.group(3).strip(" *_.") for m in _LINE.finditer(text)}


FORMAT = Format(
    "organize",
    "one line per idea, `N. idea \u2192 Category`, each idea in exactly one of your categories",
    build_grammar, check, free_text=False,  # the grammar spells out all but the categories
)
