"""Output formats: for each, a GBNF grammar that shapes the reply and a check that verifies it.

A format module defines `FORMAT`; `get(name)` imports it on first use. `Format.problems` (what
`check_reply` reports) adds to the format's own check the degenerate-text check of
`formats.degenerate`, so every format gets it without asking; `cut_off` adds what a reply ended
by the token limit lacks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

NAMES = (
    "video_script", "short_script", "caption", "blog_outline", "newsletter", "trend_analysis",
    "competitor_research", "performance_analysis", "growth_strategy", "organize",
)


@dataclass(frozen=True)
class Format:
    """`grammar(fields)` is the GBNF for one reply; `check(text, fields)` lists what is wrong with
    its structure. `free_text`: the model writes its own words (False when the grammar spells
    out nearly everything, as organize's does), so they are checked for loops and filler too."""

    name: str
    description: str
    grammar: Callable[[Mapping[str, Any]], str]
    check: Callable[[str, Mapping[str, Any]], list[str]]
    free_text: bool = True

    def problems(self, text: str, fields: Mapping[str, Any]) -> list[str]:
        """Everything wrong with a reply: its structure, then degenerate text."""
        from creator_assistant.formats.degenerate import degenerate_problems

        found = self.check(text, fields)
        return found + degenerate_problems(text) if self.free_text else found


def get(name: str) -> Format:
    """The format called `name`; KeyError for an unknown one."""
    if name not in NAMES:
        raise KeyError(f"unknown output format {name!r}; formats: {', '.join(NAMES)}")
    return importlib.import_module(f"creator_assistant.formats.{name}").FORMAT


def prepared(template: str, values: Mapping[str, Any], fmt: str, fields: Mapping[str, Any],
             facts: str = "", system: str | None = None) -> Any:
    """The Prepared for a reply in format `fmt`: the prompt file `template` filled with `values`
    (in one safe pass) and the format's grammar for `fields`, which are kept for the check."""
    from creator_assistant.fields import fill
    from creator_assistant.registry import Prepared
    from creator_assistant.resources import read_prompt

    kept = {**fields, "format": fmt}
    return Prepared(user=fill(read_prompt(template), values), system=system,
                    grammar=get(fmt).grammar(kept), fields=kept, facts=facts)


def check_reply(text: str, prepared: Any) -> list[str]:
    """What is wrong with a reply, judged by the format its Prepared asked for."""
    name = prepared.fields.get("format")
    return get(name).problems(text, prepared.fields) if name else []


def cut_off(text: str, problems: list[str], tokens: int, task: str) -> list[str]:
    """`problems` of a reply that generation ended at the token limit: when a required section
    is missing or unfinished (some problem found, or a last line without its end), first that
    the reply was cut off, where, and what to do, with the sections it never reached folded
    into that one line. A reply complete in every required part is left as it is."""
    if not problems and (not text.strip() or text.endswith("\n")):
        return problems
    from creator_assistant.formats.degenerate import last_section

    section = last_section(text)
    said = f"the reply was cut off by the token limit ({tokens:,} tokens)"
    if section:
        said += f" in the middle of section '{section}'"
    missing = [p for p in problems if p.startswith("missing ")]
    if missing:
        said += f"; {len(missing)} required part{'s' if len(missing) > 1 else ''} never came"
    said += f": raise max_tokens under [tasks.{task}] in config.toml, or ask for less"
    return [said, *(p for p in problems if p not in missing)]
