"""Output formats: for each, a GBNF grammar that shapes the reply and a check that verifies it.

A format module defines `FORMAT`; `get(name)` imports it on first use.
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
    """`grammar(fields)` is the GBNF for one reply; `check(text, fields)` lists what is wrong."""

    name: str
    description: str
    grammar: Callable[[Mapping[str, Any]], str]
    check: Callable[[str, Mapping[str, Any]], list[str]]


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
    return get(name).check(text, prepared.fields) if name else []
