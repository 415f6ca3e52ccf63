"""Competitor research: the seed's six parts, each a short list of actionable points."""

from __future__ import annotations

from creator_assistant.formats.doc import Section, sections_format

SECTIONS = (
    Section("Content patterns and themes", "bullets", most=3, least=2, words=20),
    Section("Audience engagement strategies", "bullets", most=3, least=2, words=20),
    Section("Unique value propositions", "bullets", most=2, least=1, words=20),
    Section("Content gaps we could fill", "bullets", most=3, least=2, words=20),
    Section("Strategies to adapt", "bullets", most=3, least=2, words=20),
    Section("Differentiation opportunities", "bullets", most=3, least=2, words=20),
)


FORMAT = sections_format(
    "competitor_research",
    "content patterns, engagement strategies, value propositions, gaps to fill, strategies to "
    "adapt, differentiation opportunities",
    SECTIONS,
)
