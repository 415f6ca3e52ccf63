"""Competitor research: the seed's six parts, each a short list of actionable points."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from creator_assistant.formats import Format
from creator_assistant.formats.doc import Section, check_sections, doc_grammar

SECTIONS = (
    Section("Content patterns and themes", "bullets", most=3, least=2, words=20),
    Section("Audience engagement strategies", "bullets", most=3, least=2, words=20),
    Section("Unique value propositions", "bullets", most=2, least=1, words=20),
    Section("Content gaps we could fill", "bullets", most=3, least=2, words=20),
    Section("Strategies to adapt", "bullets", most=3, least=2, words=20),
    Section("Differentiation opportunities", "bullets", most=3, least=2, words=20),
)


def build_grammar(fields: Mapping[str, Any]) -> str:
    return doc_grammar(SECTIONS)


def check(text: str, fields: Mapping[str, Any]) -> list[str]:
    return check_sections(text, SECTIONS)


FORMAT = Format(
    "competitor_research",
    "content patterns, engagement strategies, value propositions, gaps to fill, strategies to "
    "adapt, differentiation opportunities",
    build_grammar, check,
)
