"""A social post caption: the caption, 3-8 hashtags and a call to action."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from creator_assistant.formats import Format
from creator_assistant.formats.doc import Section, check_sections, section_body
from creator_assistant.formats.gbnf import grammar, text_rule

SECTIONS = (
    Section("Caption", "para", most=4, words=40),
    Section("Hashtags", "para", most=1),
    Section("Call to action", "para", most=1, words=25),
)
HASHTAG_RULES = 'hashtags ::= tag (" " tag){2,7}\ntag ::= "#" [A-Za-z] [A-Za-z0-9_]{0,29}\n'
_TAG = re.compile(r"#[A-Za-z][A-Za-z0-9_]*")


def build_grammar(fields: Mapping[str, Any]) -> str:
    root = ('"## Caption\\n" (line "\\n"){1,4} "\\n" "## Hashtags\\n" hashtags "\\n\\n" '
            '"## Call to action\\n" text25 "\\n"')
    return grammar(root, text_rule("line", 40), text_rule("text25", 25), HASHTAG_RULES)


def check_hashtags(text: str) -> list[str]:
    body = section_body(text, "Hashtags")
    if body is None:
        return []  # reported as a missing section already
    tags = _TAG.findall(body)
    if not 3 <= len(tags) <= 8:
        return [f"{len(tags)} hashtags; give 3 to 8"]
    return []


def check(text: str, fields: Mapping[str, Any]) -> list[str]:
    return check_sections(text, SECTIONS) + check_hashtags(text)


FORMAT = Format("caption", "caption, 3-8 hashtags, call to action", build_grammar, check)
